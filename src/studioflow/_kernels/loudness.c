/* K-weighting (two biquads, transposed direct form II) and the energy of each 5 ms tick, for two channels at once:
 * their recursions are interleaved so they overlap in the CPU. */
#include <math.h>

#include "kernels.h"

/* The K-filter's states are checked for decay towards the subnormal range this often (frames): its fastest pole
 * (radius ~0.85) needs over a thousand frames to fall from 1e-100 to subnormals. */
#define FLUSH_FRAMES 64
#define TAIL_LEVEL 1e-100

/* A biquad's two states, set to zero once both are under TAIL_LEVEL (a tail decaying in silence). */
static inline void end_tail(double *a, double *b)
{
    if (fabs(*a) + fabs(*b) < TAIL_LEVEL) {
        *a = 0.0;
        *b = 0.0;
    }
}

/* x0, x1: n float32 samples, `stride` floats apart. sos: (2, 6) scipy layout (a0 = 1). state: (2, 4) per channel
 * (stage 1's two, stage 2's two), kept between calls. The running sums of y^2 start from partial[0..1] and are
 * closed into out0[t], out1[t] at each frame index ends[t]; what is left goes back to partial. peaks: max |x|. */
void k_weighted_ticks(const float *x0, const float *x1, ptrdiff_t n, ptrdiff_t stride, const double *sos,
                      double *state, const int64_t *ends, ptrdiff_t n_ends, double *partial, double *out0,
                      double *out1, double *peaks)
{
    const double b10 = sos[0], b11 = sos[1], b12 = sos[2], a11 = sos[4], a12 = sos[5];
    const double b20 = sos[6], b21 = sos[7], b22 = sos[8], a21 = sos[10], a22 = sos[11];
    double p0 = state[0], q0 = state[1], r0 = state[2], s0 = state[3];
    double p1 = state[4], q1 = state[5], r1 = state[6], s1 = state[7];
    double acc0 = partial[0], acc1 = partial[1];
    double pk0 = peaks[0], pk1 = peaks[1];
    ptrdiff_t start = 0;
    for (ptrdiff_t t = 0; t <= n_ends; t++) {
        ptrdiff_t stop = t < n_ends ? (ptrdiff_t)ends[t] : n;
        for (ptrdiff_t chunk = start; chunk < stop; chunk += FLUSH_FRAMES) {
            ptrdiff_t last = chunk + FLUSH_FRAMES < stop ? chunk + FLUSH_FRAMES : stop;
            for (ptrdiff_t i = chunk; i < last; i++) {
                double u0 = (double)x0[i * stride];
                double u1 = (double)x1[i * stride];
                if (fabs(u0) > pk0) pk0 = fabs(u0);
                if (fabs(u1) > pk1) pk1 = fabs(u1);
                double y0 = b10 * u0 + p0;
                p0 = b11 * u0 - a11 * y0 + q0;
                q0 = b12 * u0 - a12 * y0;
                double y1 = b10 * u1 + p1;
                p1 = b11 * u1 - a11 * y1 + q1;
                q1 = b12 * u1 - a12 * y1;
                double z0 = b20 * y0 + r0;
                r0 = b21 * y0 - a21 * z0 + s0;
                s0 = b22 * y0 - a22 * z0;
                double z1 = b20 * y1 + r1;
                r1 = b21 * y1 - a21 * z1 + s1;
                s1 = b22 * y1 - a22 * z1;
                acc0 += z0 * z0;
                acc1 += z1 * z1;
            }
            end_tail(&p0, &q0);
            end_tail(&r0, &s0);
            end_tail(&p1, &q1);
            end_tail(&r1, &s1);
        }
        if (t < n_ends) {
            out0[t] = acc0;
            out1[t] = acc1;
            acc0 = 0.0;
            acc1 = 0.0;
        }
        start = stop;
    }
    state[0] = p0; state[1] = q0; state[2] = r0; state[3] = s0;
    state[4] = p1; state[5] = q1; state[6] = r1; state[7] = s1;
    partial[0] = acc0;
    partial[1] = acc1;
    peaks[0] = pk0;
    peaks[1] = pk1;
}
