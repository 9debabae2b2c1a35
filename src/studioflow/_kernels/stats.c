/* Signal statistics of one block: per-channel sum and sum of squares, the channel 0 x channel 1 cross product, and
 * runs of clipped samples (|x| >= clip_level for at least run_min samples in a row), carried across blocks. */
#include <math.h>

#include "kernels.h"

/* Record a finished run (channel, start frame, length) while runs (max_runs, 3) has room; counts = [runs, samples]. */
void close_run(int64_t channel, int64_t start, int64_t length, int64_t *runs, int64_t max_runs, int64_t *n_runs,
               int64_t *counts)
{
    int64_t k = n_runs[0];
    if (k < max_runs) {
        runs[k * 3] = channel;
        runs[k * 3 + 1] = start;
        runs[k * 3 + 2] = length;
        n_runs[0] = k + 1;
    }
    counts[0] += 1;
    counts[1] += length;
}

/* The clipped-run bookkeeping of one channel's sample x at index i of the block (its open run in *length, *start). */
static inline void clip_step(double x, ptrdiff_t i, ptrdiff_t c, int64_t offset, double clip_level, int64_t run_min,
                             int64_t *length, int64_t *start, int64_t *runs, int64_t max_runs, int64_t *n_runs,
                             int64_t *counts)
{
    if (fabs(x) >= clip_level) {
        if (*length == 0) *start = offset + i;
        *length += 1;
    } else if (*length > 0) {
        if (*length >= run_min) close_run(c, *start, *length, runs, max_runs, n_runs, counts);
        *length = 0;
    }
}

/* block: (channels, n) float32 whose first frame is frame `offset` of the signal. Every sum adds its terms in frame
 * order, and runs are recorded channel by channel. The sums of channels 0 and 1 and their cross product come from one
 * loop (five independent chains of additions, which the CPU overlaps); further channels' sums share the loop that
 * follows their runs. */
void accumulate_stats(const float *block, ptrdiff_t channels, ptrdiff_t n, int64_t offset, double clip_level,
                      int64_t run_min, double *sums, double *squares, double *cross, int64_t *run_len,
                      int64_t *run_start, int64_t *runs, int64_t max_runs, int64_t *n_runs, int64_t *counts)
{
    ptrdiff_t summed = 0;
    if (channels >= 2) {
        const float *row0 = block, *row1 = block + n;
        double s0 = 0.0, q0 = 0.0, s1 = 0.0, q1 = 0.0, p = 0.0;
        for (ptrdiff_t i = 0; i < n; i++) {
            double x0 = (double)row0[i], x1 = (double)row1[i];
            s0 += x0;
            q0 += x0 * x0;
            s1 += x1;
            q1 += x1 * x1;
            p += x0 * x1;
        }
        sums[0] += s0;
        squares[0] += q0;
        sums[1] += s1;
        squares[1] += q1;
        cross[0] += p;
        summed = 2;
    }
    for (ptrdiff_t c = 0; c < channels; c++) {
        const float *row = block + c * n;
        double s = 0.0, q = 0.0;
        int64_t length = run_len[c], start = run_start[c];
        if (c < summed) {
            for (ptrdiff_t i = 0; i < n; i++)
                clip_step((double)row[i], i, c, offset, clip_level, run_min, &length, &start, runs, max_runs, n_runs,
                          counts);
        } else {
            for (ptrdiff_t i = 0; i < n; i++) {
                double x = (double)row[i];
                s += x;
                q += x * x;
                clip_step(x, i, c, offset, clip_level, run_min, &length, &start, runs, max_runs, n_runs, counts);
            }
            sums[c] += s;
            squares[c] += q;
        }
        run_len[c] = length;
        run_start[c] = start;
    }
}
