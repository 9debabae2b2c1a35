/* Samples as files store them, into float32 (channels, frames). */
#include <math.h>

#include "kernels.h"

/* One little-endian 24-bit sample at b as a float: code / 2^23. */
static inline float pcm24_float(const uint8_t *b)
{
    int32_t code = (int32_t)b[0] | ((int32_t)b[1] << 8) | ((int32_t)b[2] << 16);
    if (code >= 0x800000) code -= 0x1000000;
    return (float)code * (float)(1.0 / 8388608.0);
}

/* Little-endian interleaved 24-bit samples raw into out (channels, frames; strides in floats): code / 2^23.
 * Mono and stereo have loops of their own, which the compiler unrolls. */
void pcm24_floats(const uint8_t *raw, float *out, ptrdiff_t channels, ptrdiff_t frames, ptrdiff_t out_row,
                  ptrdiff_t out_col)
{
    if (channels == 1) {
        for (ptrdiff_t f = 0; f < frames; f++) out[f * out_col] = pcm24_float(raw + 3 * f);
    } else if (channels == 2) {
        for (ptrdiff_t f = 0; f < frames; f++) {
            out[f * out_col] = pcm24_float(raw + 6 * f);
            out[out_row + f * out_col] = pcm24_float(raw + 6 * f + 3);
        }
    } else {
        const uint8_t *b = raw;
        for (ptrdiff_t f = 0; f < frames; f++) {
            for (ptrdiff_t c = 0; c < channels; c++) {
                out[c * out_row + f * out_col] = pcm24_float(b);
                b += 3;
            }
        }
    }
}

/* out[f - start, c] = x[c, f] for frames [start, stop) of `rows` channels (strides in floats); returns the first frame
 * holding a NaN or Inf (frames from there on are not copied), or -1. */
ptrdiff_t float_frames(const float *x, ptrdiff_t x_row, ptrdiff_t x_col, ptrdiff_t rows, ptrdiff_t start,
                       ptrdiff_t stop, float *out, ptrdiff_t out_row, ptrdiff_t out_col)
{
    for (ptrdiff_t f = start; f < stop; f++) {
        for (ptrdiff_t c = 0; c < rows; c++) {
            float value = x[c * x_row + f * x_col];
            if (!isfinite(value)) return f;
            out[(f - start) * out_row + c * out_col] = value;
        }
    }
    return -1;
}
