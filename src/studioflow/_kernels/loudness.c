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

/* One sample u through a biquad (transposed direct form II, a0 = 1) whose states are *p, *q; returns its output. */
static inline double biquad(double u, double b0, double b1, double b2, double a1, double a2, double *p, double *q)
{
    double y = b0 * u + *p;
    *p = b1 * u - a1 * y + *q;
    *q = b2 * u - a2 * y;
    return y;
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
                double y0 = biquad(u0, b10, b11, b12, a11, a12, &p0, &q0);
                double y1 = biquad(u1, b10, b11, b12, a11, a12, &p1, &q1);
                double z0 = biquad(y0, b20, b21, b22, a21, a22, &r0, &s0);
                double z1 = biquad(y1, b20, b21, b22, a21, a22, &r1, &s1);
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
