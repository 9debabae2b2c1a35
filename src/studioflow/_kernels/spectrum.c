/* Welch sums: the power of each bin of complex64 spectra, in float64, summed over frames and over groups of bins. */
#include "kernels.h"

/* spec: (rows, count, bins) complex64 as interleaved float32 (re, im), rows and frames row_stride and frame_stride
 * complex values apart, bins adjacent; acc: (rows, bins) += power over frames;
 * groups: (count, n_edges - 1) += each frame's power summed over the rows and over bins edges[g] .. edges[g+1]-1;
 * power: scratch of bins doubles. */
void add_power(const float *spec, ptrdiff_t rows, ptrdiff_t count, ptrdiff_t bins, ptrdiff_t row_stride,
               ptrdiff_t frame_stride, double *acc,
               const int64_t *edges, ptrdiff_t n_edges, double *groups, double *power)
{
    ptrdiff_t n_groups = n_edges - 1;
    for (ptrdiff_t r = 0; r < rows; r++) {
        double *total = acc + r * bins;
        for (ptrdiff_t j = 0; j < count; j++) {
            const float *row = spec + 2 * (r * row_stride + j * frame_stride);
            for (ptrdiff_t k = 0; k < bins; k++) {
                double re = (double)row[2 * k], im = (double)row[2 * k + 1];
                power[k] = re * re + im * im;
                total[k] += power[k];
            }
            for (ptrdiff_t g = 0; g < n_groups; g++) {
                double s = 0.0;
                for (int64_t k = edges[g]; k < edges[g + 1]; k++) s += power[k];
                groups[j * n_groups + g] += s;
            }
        }
    }
}
