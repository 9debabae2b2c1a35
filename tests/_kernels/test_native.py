"""The C kernels against independent references: scipy's filter, numpy's sums and convolutions, soundfile's reading;
their skipping and striding never change a bit; wrong arrays are refused with an error, not a crash."""

from __future__ import annotations

import threading

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import sosfilt

from studioflow._kernels import native
from studioflow.analysis.kweighting import k_weighting_sos
from studioflow.analysis.truepeak import TAPS_PER_PHASE, polyphase_taps


def ticks_reference(x: np.ndarray, sos: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Energy of the K-weighted signal between consecutive ``ends`` (float64 scipy filter, numpy sums)."""
    y = sosfilt(sos, x.astype(np.float64)) ** 2
    bounds = np.concatenate([[0], ends])
    return np.array([y[a:b].sum() for a, b in zip(bounds[:-1], bounds[1:])])


def test_k_weighted_ticks_match_scipy_filter_and_carry_state_across_calls():
    rng = np.random.default_rng(1)
    rate = 44100
    sos = k_weighting_sos(rate)
    x = (rng.standard_normal((2, 3000)) * 0.3).astype(np.float32)
    ends = np.array([220, 441, 1000, 2999], np.int64)
    state, partial, peaks = np.zeros((2, 4)), np.zeros(2), np.zeros(2)
    first, rest = np.empty((2, 3)), np.empty((2, 1))
    native.k_weighted_ticks(x[0, :1500], x[1, :1500], sos, state, ends[:3], partial, first, peaks)
    native.k_weighted_ticks(x[0, 1500:], x[1, 1500:], sos, state, ends[3:] - 1500, partial, rest, peaks)
    out = np.concatenate([first, rest], axis=1)
    for c in range(2):
        np.testing.assert_allclose(out[c], ticks_reference(x[c], sos, ends), rtol=1e-12)
        assert partial[c] == pytest.approx(sosfilt(sos, x[c].astype(np.float64))[2999:].item() ** 2, rel=1e-12)
    np.testing.assert_array_equal(peaks, np.abs(x).max(axis=1))


def test_k_weighted_ticks_read_strided_channels_like_contiguous_ones():
    x = (np.random.default_rng(2).standard_normal((4000, 2)) * 0.5).astype(np.float32)   # interleaved frames
    sos = k_weighting_sos(48000)
    ends = np.arange(240, 4000, 240, dtype=np.int64)
    results = []
    for a, b in ((x[:, 0], x[:, 1]), (np.ascontiguousarray(x[:, 0]), np.ascontiguousarray(x[:, 1]))):
        state, partial, peaks, out = np.zeros((2, 4)), np.zeros(2), np.zeros(2), np.empty((2, ends.size))
        native.k_weighted_ticks(a, b, sos, state, ends, partial, out, peaks)
        results.append((out, state, partial))
    for strided, contiguous in zip(*results):
        np.testing.assert_array_equal(strided, contiguous)


def test_k_weighted_ticks_end_a_tail_in_silence_exactly():
    sos = k_weighting_sos(48000)
    x = np.zeros((2, 48000), np.float32)
    x[:, 0] = 1.0
    state, partial, peaks, out = np.zeros((2, 4)), np.zeros(2), np.zeros(2), np.empty((2, 1))
    native.k_weighted_ticks(x[0], x[1], sos, state, np.array([24000], np.int64), partial, out, peaks)
    assert out[0, 0] > 0
    assert not state.any() and partial[0] < 1e-100     # states decayed under 1e-100 are zero: no subnormals


def true_peak_reference(ext: np.ndarray, taps: np.ndarray) -> float:
    """Largest |output| of every branch, each output by numpy in float64 (no skipping)."""
    frames = np.lib.stride_tricks.sliding_window_view(ext.astype(np.float64), taps.shape[1], axis=1)
    return float(np.abs(frames @ taps.astype(np.float64).T).max())


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 2**31), frames=st.integers(24, 3000), chunk=st.sampled_from([1, 7, 256, 4096]),
       factor=st.sampled_from([2, 4]))
def test_interpolated_max_skipping_never_changes_the_result(seed, frames, chunk, factor):
    rng = np.random.default_rng(seed)
    ext = (rng.standard_normal((2, frames)) * rng.choice([1e-3, 0.5])).astype(np.float32)
    ext[:, rng.integers(0, frames)] *= 40                       # one loud click somewhere
    taps = polyphase_taps(factor)
    gain_bound = float(np.abs(taps).sum(axis=1).max()) * (1 + 1e-6)
    skipping = native.interpolated_max(ext, taps, gain_bound, 0.0, chunk)
    everything = native.interpolated_max(ext, taps, np.inf, 0.0, chunk)
    assert skipping == everything
    assert skipping == pytest.approx(true_peak_reference(ext, taps), rel=1e-5)


def test_interpolated_max_keeps_a_higher_floor_and_needs_whole_windows():
    taps = polyphase_taps(4)
    ext = np.full((1, 100), 0.5, np.float32)
    assert native.interpolated_max(ext, taps, 2.0, 3.0, 256) == 3.0
    assert native.interpolated_max(ext[:, :TAPS_PER_PHASE - 1], taps, 2.0, 0.25, 256) == 0.25


def clip_runs_reference(block: np.ndarray, level: float, run_min: int) -> list[tuple[int, int, int]]:
    """(channel, start, length) of every run of |x| >= level at least run_min long, channel by channel."""
    runs = []
    for c, row in enumerate(np.abs(block.astype(np.float64)) >= level):
        edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(np.int8), [0]])))
        runs += [(c, a, b - a) for a, b in zip(edges[::2], edges[1::2]) if b - a >= run_min]
    return runs


def stats_accumulators(channels: int, rows: int = 100) -> list[np.ndarray]:
    return [np.zeros(channels), np.zeros(channels), np.zeros(1), np.zeros(channels, np.int64),
            np.zeros(channels, np.int64), np.zeros((rows, 3), np.int64), np.zeros(1, np.int64), np.zeros(2, np.int64)]


def test_accumulate_stats_sums_and_clipped_runs_match_numpy():
    rng = np.random.default_rng(3)
    block = np.clip(rng.standard_normal((3, 5000)) * 0.7, -1, 1).astype(np.float32)
    sums, squares, cross, run_len, run_start, runs, n_runs, counts = acc = stats_accumulators(3)
    native.accumulate_stats(np.ascontiguousarray(block[:, :2000]), 0, 0.999, 3, *acc)
    native.accumulate_stats(np.ascontiguousarray(block[:, 2000:]), 2000, 0.999, 3, *acc)   # runs may span blocks
    for c in range(3):
        if run_len[c] >= 3:
            native.close_run(c, int(run_start[c]), int(run_len[c]), runs, n_runs, counts)
    x = block.astype(np.float64)
    np.testing.assert_allclose(sums, x.sum(axis=1), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(squares, (x * x).sum(axis=1), rtol=1e-12)
    assert cross[0] == pytest.approx(float(x[0] @ x[1]), rel=1e-9)
    expected = clip_runs_reference(block, 0.999, 3)
    assert len(expected) > 0
    assert sorted(map(tuple, runs[:n_runs[0]].tolist())) == sorted(expected)
    assert counts.tolist() == [len(expected), sum(r[2] for r in expected)]


def test_accumulate_stats_records_runs_channel_by_channel():
    block = np.zeros((3, 40), np.float32)
    block[2, 2:6] = block[1, 5:9] = block[0, 30:34] = block[1, 20:23] = -1.0     # later channels clip earlier
    acc = stats_accumulators(3)
    native.accumulate_stats(block, 100, 0.999, 3, *acc)
    assert acc[5][:acc[6][0]].tolist() == [[0, 130, 4], [1, 105, 4], [1, 120, 3], [2, 102, 4]]


def test_accumulate_stats_keeps_only_as_many_runs_as_there_are_rows_but_counts_all():
    block = np.zeros((1, 100), np.float32)
    block[0, ::10] = 1.0
    block[0, 1::10] = 1.0
    block[0, 2::10] = 1.0
    acc = stats_accumulators(1, rows=4)
    native.accumulate_stats(block, 0, 0.999, 3, *acc)
    assert acc[6][0] == 4 and acc[7].tolist() == [10, 30]


def test_add_power_matches_numpy_and_reads_strided_spectra_alike():
    rng = np.random.default_rng(4)
    spec = (rng.standard_normal((2, 8, 513)) + 1j * rng.standard_normal((2, 8, 513))).astype(np.complex64)
    edges = np.array([1, 10, 100, 513], np.int64)
    part = spec[:, :5]                                     # strided: frames of a larger buffer
    results = []
    for s in (part, np.ascontiguousarray(part)):
        acc, groups = np.zeros((2, 513)), np.zeros((5, 3))
        native.add_power(s, acc, edges, groups, np.empty(513))
        results.append((acc, groups))
    np.testing.assert_array_equal(results[0][0], results[1][0])
    np.testing.assert_array_equal(results[0][1], results[1][1])
    power = np.abs(part.astype(np.complex128)) ** 2
    np.testing.assert_allclose(results[0][0], power.sum(axis=1), rtol=1e-12)
    expected = np.stack([power[:, :, a:b].sum(axis=(0, 2)) for a, b in zip(edges[:-1], edges[1:])], axis=1)
    np.testing.assert_allclose(results[0][1], expected, rtol=1e-12)


def test_pcm24_floats_reads_what_libsndfile_reads(tmp_path):
    rng = np.random.default_rng(5)
    codes = rng.integers(-(1 << 23), 1 << 23, (700, 3), dtype=np.int32)
    codes[:3] = [[-(1 << 23), (1 << 23) - 1, 0]] * 3
    path = tmp_path / "codes.wav"
    sf.write(path, codes << 8, 48000, subtype="PCM_24")
    raw = np.frombuffer(path.read_bytes()[-700 * 3 * 3:], np.uint8)    # the data chunk ends the file
    out = np.zeros((3, 710), np.float32)
    native.pcm24_floats(raw, out[:, 5:705])                            # into a slice of a larger array
    expected, _ = sf.read(path, dtype="float32")
    np.testing.assert_array_equal(out[:, 5:705], expected.T)
    assert not out[:, :5].any() and not out[:, 705:].any()


def test_float_frames_transposes_and_stops_at_the_first_nan():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    out = np.zeros((4, 3), np.float32)
    assert native.float_frames(x, 0, 4, out) == -1
    np.testing.assert_array_equal(out, x.T)
    x[1, 2] = np.nan
    assert native.float_frames(x, 1, 4, out) == 2
    x[1, 2] = np.inf
    assert native.float_frames(x.T.copy().T, 0, 4, out) == 2


@pytest.mark.parametrize("call, error", [
    (lambda: native.interpolated_max(np.zeros((2, 50)), polyphase_taps(4), 1.0, 0.0, 256), TypeError),
    (lambda: native.interpolated_max(np.zeros((2, 50), np.float32), np.zeros((3, 6), np.float32), 1.0, 0.0, 256),
     ValueError),
    (lambda: native.accumulate_stats(np.zeros((3, 10), np.float32), 0, 0.999, 3, *stats_accumulators(2)), ValueError),
    (lambda: native.pcm24_floats(np.zeros(5, np.uint8), np.zeros((2, 4), np.float32)), ValueError),
    (lambda: native.k_weighted_ticks(np.zeros(10, np.float32), np.zeros(9, np.float32), k_weighting_sos(48000),
                                     np.zeros((2, 4)), np.zeros(0, np.int64), np.zeros(2), np.zeros((2, 0)),
                                     np.zeros(2)), ValueError),
    (lambda: native.k_weighted_ticks(np.zeros(10, np.float32), np.zeros(10, np.float32), k_weighting_sos(48000),
                                     np.zeros((2, 4)), np.array([11], np.int64), np.zeros(2), np.zeros((2, 1)),
                                     np.zeros(2)), ValueError),
    (lambda: native.add_power(np.zeros((1, 1, 8), np.complex64), np.zeros((1, 8)), np.array([0, 9], np.int64),
                              np.zeros((1, 1)), np.zeros(8)), ValueError),
    (lambda: native.float_frames(np.zeros((2, 4), np.float32), 0, 4, np.zeros((4, 3), np.float32)),
     ValueError),
])
def test_wrong_arrays_are_refused(call, error):
    with pytest.raises(error):
        call()


def test_keep_freed_memory_is_taken_by_glibc():
    import platform

    assert native.keep_freed_memory(64 << 20) is (platform.libc_ver()[0] == "glibc")
    assert native.keep_freed_memory(1) is False


def test_kernels_run_in_parallel_threads_with_the_same_results():
    rng = np.random.default_rng(6)
    ext = (rng.standard_normal((2, 200_000)) * 0.3).astype(np.float32)
    taps = polyphase_taps(4)
    alone = native.interpolated_max(ext, taps, np.inf, 0.0, 256)
    results = []
    threads = [threading.Thread(target=lambda: results.append(native.interpolated_max(ext, taps, np.inf, 0.0, 256)))
               for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [alone] * 4
