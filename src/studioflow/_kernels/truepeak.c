/* True peak: the largest |output| of a polyphase interpolator's in-between branches, computed only in chunks whose
 * bound (gain_bound * max |input| feeding them) could beat the running maximum, largest bounds first. */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

#define LANES 8   /* outputs computed side by side (each with its own sums, so vectorising changes no bits) */

/* One output: four partial sums (taps k, k+4, k+8...), each a chain of fused multiply-adds, added (0+2)+(1+3).
 * ntaps is a multiple of 4. */
static inline __attribute__((always_inline)) float one_output(const float *x, const float *tap, ptrdiff_t ntaps)
{
    float l0 = 0.0f, l1 = 0.0f, l2 = 0.0f, l3 = 0.0f;
    for (ptrdiff_t k = 0; k < ntaps; k += 4) {
        l0 = fmaf(tap[k], x[k], l0);
        l1 = fmaf(tap[k + 1], x[k + 1], l1);
        l2 = fmaf(tap[k + 2], x[k + 2], l2);
        l3 = fmaf(tap[k + 3], x[k + 3], l3);
    }
    return fabsf((l0 + l2) + (l1 + l3));
}

/* Max |output| of every branch over the outputs whose taps lie inside row[0 .. size-1]: LANES outputs at a time,
 * each summed exactly as one_output does. Built for FMA hardware where the CPU has it, through the C library's fmaf
 * elsewhere: the same bits either way. */
__attribute__((target_clones("fma", "default")))
static float window_max(const float *row, ptrdiff_t size, const float *taps, ptrdiff_t branches, ptrdiff_t ntaps)
{
    ptrdiff_t n = size - ntaps + 1;
    float best = 0.0f;
    for (ptrdiff_t p = 0; p < branches; p++) {
        const float *tap = taps + p * ntaps;
        ptrdiff_t j = 0;
        for (; j + LANES <= n; j += LANES) {
            float l0[LANES] = {0}, l1[LANES] = {0}, l2[LANES] = {0}, l3[LANES] = {0};
            for (ptrdiff_t k = 0; k < ntaps; k += 4) {
                for (int v = 0; v < LANES; v++) {
                    l0[v] = fmaf(tap[k], row[j + v + k], l0[v]);
                    l1[v] = fmaf(tap[k + 1], row[j + v + k + 1], l1[v]);
                    l2[v] = fmaf(tap[k + 2], row[j + v + k + 2], l2[v]);
                    l3[v] = fmaf(tap[k + 3], row[j + v + k + 3], l3[v]);
                }
            }
            for (int v = 0; v < LANES; v++) {
                float y = fabsf((l0[v] + l2[v]) + (l1[v] + l3[v]));
                best = y > best ? y : best;
            }
        }
        for (; j < n; j++) {
            float y = one_output(row + j, tap, ntaps);
            best = y > best ? y : best;
        }
    }
    return best;
}

/* Largest |x| of row[a .. b-1]: the bits of |x| compared as unsigned integers (the same order for finite floats),
 * so the loop vectorises. */
__attribute__((target_clones("avx2", "default")))
static float abs_peak(const float *row, ptrdiff_t a, ptrdiff_t b)
{
    uint32_t top = 0;
    for (ptrdiff_t i = a; i < b; i++) {
        uint32_t bits;
        memcpy(&bits, row + i, sizeof bits);
        bits &= 0x7fffffffu;
        top = bits > top ? bits : top;
    }
    float peak;
    memcpy(&peak, &top, sizeof peak);
    return peak;
}

typedef struct {
    double bound;
    ptrdiff_t index;
} Chunk;

static int by_bound_descending(const void *a, const void *b)
{
    double x = ((const Chunk *)a)->bound, y = ((const Chunk *)b)->bound;
    return (x < y) - (x > y);
}

/* ext: (channels, m) float32; taps: (branches, ntaps). Returns max(floor, max |y|) over every output whose taps lie
 * inside ext; sets *failed when memory runs out. */
float interpolated_max(const float *ext, ptrdiff_t channels, ptrdiff_t m, const float *taps, ptrdiff_t branches,
                       ptrdiff_t ntaps, double gain_bound, float floor, ptrdiff_t chunk, int *failed)
{
    ptrdiff_t n = m - ntaps + 1;
    if (n <= 0 || branches == 0 || channels == 0) return floor;
    ptrdiff_t nchunks = (n + chunk - 1) / chunk;
    Chunk *chunks = malloc(sizeof(Chunk) * channels * nchunks);
    if (chunks == NULL) {
        *failed = 1;
        return floor;
    }
    for (ptrdiff_t c = 0; c < channels; c++) {
        const float *row = ext + c * m;
        for (ptrdiff_t q = 0; q < nchunks; q++) {
            ptrdiff_t a = q * chunk;
            ptrdiff_t b = (a + chunk < n ? a + chunk : n) + ntaps - 1;
            chunks[c * nchunks + q] = (Chunk){(double)abs_peak(row, a, b) * gain_bound, c * nchunks + q};
        }
    }
    qsort(chunks, (size_t)(channels * nchunks), sizeof(Chunk), by_bound_descending);
    float best = floor;
    for (ptrdiff_t i = 0; i < channels * nchunks; i++) {
        ptrdiff_t idx = chunks[i].index;
        if (chunks[i].bound <= (double)best) break;
        ptrdiff_t c = idx / nchunks, a = (idx % nchunks) * chunk;
        ptrdiff_t stop = a + chunk < n ? a + chunk : n;
        float v = window_max(ext + c * m + a, stop - a + ntaps - 1, taps, branches, ntaps);
        best = v > best ? v : best;
    }
    free(chunks);
    return best;
}
