/* Kernels of studioflow's measurements and sample conversions, compiled ahead of time (see native.c).
 *
 * Every kernel does its floating-point operations in the order written, one rounding per operation
 * (built with -ffp-contract=off), except where a fused multiply-add is named (fmaf): results are reproducible
 * bit for bit, whatever the block sizes the caller feeds them in. */
#ifndef STUDIOFLOW_KERNELS_H
#define STUDIOFLOW_KERNELS_H

#include <stddef.h>
#include <stdint.h>

/* K-weighted energy per tick of two channels (loudness.c). */
void k_weighted_ticks(const float *x0, const float *x1, ptrdiff_t n, ptrdiff_t stride, const double *sos,
                      double *state, const int64_t *ends, ptrdiff_t n_ends, double *partial, double *out0,
                      double *out1, double *peaks);

/* Largest |sample| of the in-between branches of a polyphase interpolator (truepeak.c). */
float interpolated_max(const float *ext, ptrdiff_t channels, ptrdiff_t m, const float *taps, ptrdiff_t branches,
                       ptrdiff_t ntaps, double gain_bound, float floor, ptrdiff_t chunk, int *failed);

/* Per-channel sums, squares, cross product and clipped runs of one block (stats.c). */
void accumulate_stats(const float *block, ptrdiff_t channels, ptrdiff_t n, int64_t offset, double clip_level,
                      int64_t run_min, double *sums, double *squares, double *cross, int64_t *run_len,
                      int64_t *run_start, int64_t *runs, int64_t max_runs, int64_t *n_runs, int64_t *counts);
void close_run(int64_t channel, int64_t start, int64_t length, int64_t *runs, int64_t max_runs, int64_t *n_runs,
               int64_t *counts);

/* Power of complex64 spectra summed per bin and per group of bins (spectrum.c). */
void add_power(const float *spec, ptrdiff_t rows, ptrdiff_t count, ptrdiff_t bins, ptrdiff_t row_stride,
               ptrdiff_t frame_stride, double *acc,
               const int64_t *edges, ptrdiff_t n_edges, double *groups, double *power);

/* Samples as files store them into float32 (samples.c). */
void pcm24_floats(const uint8_t *raw, float *out, ptrdiff_t channels, ptrdiff_t frames, ptrdiff_t out_row,
                  ptrdiff_t out_col);
ptrdiff_t float_frames(const float *x, ptrdiff_t x_row, ptrdiff_t x_col, ptrdiff_t rows, ptrdiff_t start,
                       ptrdiff_t stop, float *out, ptrdiff_t out_row, ptrdiff_t out_col);

#endif
