"""Loudness per ITU-R BS.1770-4 and EBU R128: integrated, momentary, short-term, loudness range, peaks.

One streaming pass: each block is K-weighted (``kweighting``; the filter runs in the C kernel ``_kernels/loudness.c``),
squared, weighted per channel (BS.1770-4 eq. 2) and summed into 5 ms ticks. Everything else is computed from the
tick energies when asked:

- momentary loudness: 400 ms windows (EBU Tech 3341), short-term: 3 s windows; both as 10 Hz series, and their
  maxima searched on the 5 ms grid (so a burst's maximum is found wherever it starts);
- integrated loudness: 400 ms gating blocks with 75 % overlap, absolute gate -70 LUFS, relative gate -10 LU
  (BS.1770-4 eq. 3-6);
- loudness range: 3 s windows at 10 Hz, absolute gate -70 LUFS, relative gate -20 LU, 10th to 95th percentile
  (EBU Tech 3342);
- sample peak and true peak (``truepeak``).

Windows before the first sample count the signal as preceded by silence. Feeding a signal in blocks of any size
gives bit-identical results to feeding it whole.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from studioflow._kernels.native import k_weighted_ticks
from studioflow.analysis.kweighting import check_rate, k_weighting_sos
from studioflow.analysis.truepeak import TruePeakMeter, to_db
from studioflow.errors import ParameterError

TICKS_PER_S = 200                 # energy accumulation grid (5 ms)
SERIES_RATE_HZ = 10               # momentary / short-term series and gating-block step (100 ms)
TICKS_PER_HOP = TICKS_PER_S // SERIES_RATE_HZ
MOMENTARY_TICKS = 80              # 400 ms
SHORT_TERM_TICKS = 600            # 3 s
GATE_BLOCK_HOPS = 4               # 400 ms gating blocks every 100 ms (75 % overlap)
SHORT_TERM_HOPS = 30
ABSOLUTE_GATE_LUFS = -70.0
RELATIVE_GATE_LU = -10.0          # BS.1770-4
LRA_RELATIVE_GATE_LU = -20.0      # EBU Tech 3342
LRA_PERCENTILES = (10.0, 95.0)
LOUDNESS_OFFSET_DB = -0.691       # BS.1770-4 eq. 2

#: BS.1770-4 Table 3 channel weights by layout (LFE excluded: weight 0)
LAYOUTS: dict[str, tuple[float, ...]] = {
    "mono": (1.0,),
    "stereo": (1.0, 1.0),
    "5.0": (1.0, 1.0, 1.0, 1.41, 1.41),             # L R C Ls Rs
    "5.1": (1.0, 1.0, 1.0, 0.0, 1.41, 1.41),        # L R C LFE Ls Rs
}
DEFAULT_LAYOUT = {1: "mono", 2: "stereo", 5: "5.0", 6: "5.1"}


def channel_weights(channels: int, layout: str | None = None) -> np.ndarray:
    """BS.1770-4 channel weights for ``channels`` in ``layout`` (mono, stereo, 5.0, 5.1; default by channel count)."""
    if layout is None:
        layout = DEFAULT_LAYOUT.get(channels)
        if layout is None:
            return np.ones(channels)
    if layout not in LAYOUTS:
        raise ParameterError(f"loudness meter: unknown layout {layout!r} (known: {', '.join(LAYOUTS)})")
    weights = LAYOUTS[layout]
    if len(weights) != channels:
        raise ParameterError(f"loudness meter: layout {layout!r} has {len(weights)} channels, the audio has {channels}")
    return np.array(weights, dtype=np.float64)


def energy_to_lufs(mean_square: np.ndarray | float) -> np.ndarray:
    """Weighted mean square to loudness (BS.1770-4 eq. 2), -inf for zero."""
    with np.errstate(divide="ignore"):
        return LOUDNESS_OFFSET_DB + 10.0 * np.log10(np.asarray(mean_square, dtype=np.float64))


@dataclass
class LoudnessResult:
    """What the meter measured; loudness in LUFS, ranges in LU, peaks in dBTP/dBFS; None where undefined."""

    integrated_lufs: float | None
    loudness_range_lu: float | None
    momentary_max_lufs: float | None
    short_term_max_lufs: float | None
    true_peak_dbtp: float | None
    sample_peak_dbfs: float | None
    duration_s: float
    #: 10 Hz series (value i is the window ending at (i + 1) / 10 s); -inf where silent
    momentary_lufs: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    short_term_lufs: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))
    series_rate_hz: float = SERIES_RATE_HZ

    @property
    def plr_db(self) -> float | None:
        """Peak-to-loudness ratio: true peak minus integrated loudness (dB)."""
        if self.true_peak_dbtp is None or self.integrated_lufs is None:
            return None
        return self.true_peak_dbtp - self.integrated_lufs

    def series_times_s(self) -> np.ndarray:
        """End time (s) of each window of the 10 Hz series."""
        return (np.arange(self.momentary_lufs.size) + 1) / self.series_rate_hz


class LoudnessMeter:
    """Streaming BS.1770-4 / EBU R128 meter: ``process(block)`` any number of times, then ``result()``.

    >>> meter = LoudnessMeter(48000, 2)                      # doctest: +SKIP
    >>> for block in blocks: meter.process(block)            # doctest: +SKIP
    >>> meter.result().integrated_lufs                       # doctest: +SKIP
    """

    def __init__(self, sample_rate: int, channels: int, layout: str | None = None, *, true_peak: bool = True) -> None:
        self.sample_rate = check_rate(sample_rate)
        if int(channels) < 1:
            raise ParameterError(f"loudness meter: channels must be at least 1, got {channels}")
        self.channels = int(channels)
        self.weights = channel_weights(self.channels, layout)
        self._sos = k_weighting_sos(self.sample_rate)
        self._pairs = [(c, min(c + 1, self.channels - 1)) for c in range(0, self.channels, 2)]
        self._state = np.zeros((len(self._pairs), 2, 4))
        self._partial = np.zeros((len(self._pairs), 2))
        self._peaks = np.zeros((len(self._pairs), 2))
        self._ticks: list[np.ndarray] = []
        self._frames = 0
        self._ticks_done = 0
        self._true_peak = TruePeakMeter(self.sample_rate, self.channels) if true_peak else None

    def _tick_end(self, k: np.ndarray | int) -> np.ndarray:
        """Absolute frame index where tick k (0-based) ends."""
        return (np.asarray(k, dtype=np.int64) + 1) * self.sample_rate // TICKS_PER_S

    def process(self, block: np.ndarray) -> None:
        """Feed one block of float32 audio shaped (channels, frames)."""
        block = np.ascontiguousarray(block, dtype=np.float32)
        if block.ndim != 2 or block.shape[0] != self.channels:
            raise ParameterError(f"loudness meter: expected blocks of shape ({self.channels}, frames), "
                                 f"got {block.shape}")
        n = block.shape[1]
        if n == 0:
            return
        start, stop = self._frames, self._frames + n
        # ticks that end inside this block
        last = (stop * TICKS_PER_S) // self.sample_rate          # ticks with end <= stop
        while last > 0 and self._tick_end(last - 1) > stop:
            last -= 1
        ends = self._tick_end(np.arange(self._ticks_done, last)) - start
        ends = ends.astype(np.int64)
        sums = np.empty((len(self._pairs), 2, ends.size))
        block_peaks = np.zeros((len(self._pairs), 2))
        for k, (c0, c1) in enumerate(self._pairs):
            k_weighted_ticks(block[c0], block[c1], self._sos, self._state[k], ends, self._partial[k], sums[k],
                             block_peaks[k])
        block_peak = float(block_peaks.max())
        if not math.isfinite(block_peak) or not (np.isfinite(self._partial).all() and np.isfinite(sums).all()):
            raise ParameterError(f"loudness meter: NaN or Inf samples in frames {start}..{stop}")
        np.maximum(self._peaks, block_peaks, out=self._peaks)
        out = np.zeros(ends.size)
        for k, (c0, c1) in enumerate(self._pairs):     # fixed order, so any block split gives the same bits
            out += self.weights[c0] * sums[k, 0]
            if c1 != c0:
                out += self.weights[c1] * sums[k, 1]
        if out.size:
            self._ticks.append(out)
        self._ticks_done = last
        self._frames = stop
        if self._true_peak is not None:
            self._true_peak.process(block, block_peak)

    # -- results ---------------------------------------------------------------------------------------------
    def _windows(self, energy_cum: np.ndarray, ends: np.ndarray, width: int) -> np.ndarray:
        """Mean weighted square of the ``width``-tick windows ending at tick indices ``ends`` (silence before start)."""
        hi = energy_cum[ends + 1]
        lo_idx = ends + 1 - width
        lo = np.where(lo_idx >= 0, energy_cum[np.clip(lo_idx, 0, None)], 0.0)
        nominal = width * self.sample_rate // TICKS_PER_S
        frames = np.where(lo_idx >= 0, self._tick_end(ends) - self._tick_end(lo_idx - 1), nominal)
        return np.maximum(hi - lo, 0.0) / frames

    def result(self) -> LoudnessResult:
        """Everything measured so far (the meter can keep going afterwards)."""
        ticks = np.concatenate(self._ticks) if self._ticks else np.zeros(0)
        cum = np.concatenate([[0.0], np.cumsum(ticks)])
        n_ticks = ticks.size
        n_hops = n_ticks // TICKS_PER_HOP
        hop_ends = np.arange(1, n_hops + 1) * TICKS_PER_HOP - 1
        all_ends = np.arange(n_ticks)
        # 10 Hz series, silence before the start
        momentary = self._windows(cum, hop_ends, MOMENTARY_TICKS)
        short_term = self._windows(cum, hop_ends, SHORT_TERM_TICKS)
        # maxima on the 5 ms grid, complete windows only where the signal is long enough
        m_max = _max_lufs(self._windows(cum, all_ends, MOMENTARY_TICKS))
        s_max = _max_lufs(self._windows(cum, all_ends, SHORT_TERM_TICKS))
        # gating blocks: complete 400 ms blocks every 100 ms
        blocks = momentary[GATE_BLOCK_HOPS - 1:]
        integrated = gated_loudness(blocks, RELATIVE_GATE_LU)
        lra = loudness_range_from_short_term(short_term[SHORT_TERM_HOPS - 1:])
        sample_peak = to_db(float(self._peaks.max())) if self._frames else None
        true_peak = self._true_peak.dbtp if self._true_peak is not None else None
        return LoudnessResult(
            integrated_lufs=integrated,
            loudness_range_lu=lra,
            momentary_max_lufs=m_max,
            short_term_max_lufs=s_max,
            true_peak_dbtp=true_peak,
            sample_peak_dbfs=sample_peak,
            duration_s=self._frames / self.sample_rate,
            momentary_lufs=energy_to_lufs(momentary),
            short_term_lufs=energy_to_lufs(short_term),
        )


def _max_lufs(mean_squares: np.ndarray) -> float | None:
    """Loudness of the largest window, None when there is none or all are silent."""
    if mean_squares.size == 0:
        return None
    top = float(mean_squares.max())
    return float(energy_to_lufs(top)) if top > 0 else None


def gated_loudness(block_mean_squares: np.ndarray, relative_gate_lu: float = RELATIVE_GATE_LU) -> float | None:
    """Gated loudness of 400 ms blocks' weighted mean squares (BS.1770-4 eq. 4-6), in LUFS; None if all gated."""
    z = np.asarray(block_mean_squares, dtype=np.float64)
    above_abs = z[energy_to_lufs(z) > ABSOLUTE_GATE_LUFS]
    if above_abs.size == 0:
        return None
    relative_gate = float(energy_to_lufs(above_abs.mean())) + relative_gate_lu
    kept = above_abs[energy_to_lufs(above_abs) > relative_gate]
    return float(energy_to_lufs(kept.mean()))


def loudness_range_from_short_term(short_term_mean_squares: np.ndarray) -> float | None:
    """Loudness range (EBU Tech 3342) from 3 s windows' weighted mean squares, in LU; None if all gated."""
    z = np.asarray(short_term_mean_squares, dtype=np.float64)
    levels = energy_to_lufs(z)
    above_abs = z[levels > ABSOLUTE_GATE_LUFS]
    if above_abs.size == 0:
        return None
    relative_gate = float(energy_to_lufs(above_abs.mean())) + LRA_RELATIVE_GATE_LU
    kept = levels[levels > max(relative_gate, ABSOLUTE_GATE_LUFS)]
    low, high = np.percentile(kept, LRA_PERCENTILES)
    return float(high - low)


def measure(audio: np.ndarray, sample_rate: int, layout: str | None = None, *,
            true_peak: bool = True) -> LoudnessResult:
    """Run the meter over a whole array (channels, frames) or (frames,) and return its result."""
    block = np.atleast_2d(np.asarray(audio))
    meter = LoudnessMeter(sample_rate, block.shape[0], layout, true_peak=true_peak)
    meter.process(block)
    return meter.result()


def integrated_loudness(audio: np.ndarray, sample_rate: int, layout: str | None = None) -> float | None:
    """Integrated loudness of ``audio`` (BS.1770-4, gated) in LUFS; None for silence or under 400 ms."""
    return measure(audio, sample_rate, layout, true_peak=False).integrated_lufs


def loudness_range(audio: np.ndarray, sample_rate: int, layout: str | None = None) -> float | None:
    """Loudness range of ``audio`` (EBU Tech 3342) in LU; None for silence or under 3 s."""
    return measure(audio, sample_rate, layout, true_peak=False).loudness_range_lu


def momentary_max(audio: np.ndarray, sample_rate: int, layout: str | None = None) -> float | None:
    """Maximum momentary (400 ms) loudness of ``audio`` in LUFS; None for silence."""
    return measure(audio, sample_rate, layout, true_peak=False).momentary_max_lufs


def short_term_max(audio: np.ndarray, sample_rate: int, layout: str | None = None) -> float | None:
    """Maximum short-term (3 s) loudness of ``audio`` in LUFS; None for silence."""
    return measure(audio, sample_rate, layout, true_peak=False).short_term_max_lufs
