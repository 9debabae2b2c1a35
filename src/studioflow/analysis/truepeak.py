"""True peak (ITU-R BS.1770-4, Annex 2): the peak of the signal oversampled to at least 176.4 kHz, in dBTP.

The interpolator is a Kaiser-windowed sinc split into polyphase branches. Its branch 0 is the identity (a
Nyquist filter), so the true peak is never below the sample peak, and only the in-between branches are computed.
Those are computed only where they could matter: a chunk of output is bounded by ``gain_bound * max|x|`` over the
samples feeding it (``gain_bound`` = the largest sum of |taps| of a branch), and chunks whose bound cannot exceed
the running maximum are skipped. The result is exact, whatever the block sizes. The search runs in the C kernel
``_kernels/truepeak.c``: each output is four chains of fused multiply-adds over taps k, k+4, ... (hence
``TAPS_PER_PHASE`` a multiple of 4), added (0+2)+(1+3).
"""

from __future__ import annotations

import math

import numpy as np

from studioflow._kernels.native import interpolated_max

TAPS_PER_PHASE = 24
KAISER_BETA = 7.0
CHUNK_FRAMES = 256
TARGET_RATE_HZ = 176400


def oversampling_factor(sample_rate: int) -> int:
    """Oversampling factor for ``sample_rate`` Hz: the smallest power of two reaching 176.4 kHz (4 at 44.1/48 kHz)."""
    factor = 1
    while sample_rate * factor < TARGET_RATE_HZ:
        factor *= 2
    return factor


def polyphase_taps(factor: int, taps_per_phase: int = TAPS_PER_PHASE, beta: float = KAISER_BETA) -> np.ndarray:
    """Branches 1..factor-1 of the interpolator, shape (factor-1, taps_per_phase) float32, ordered for correlation.

    Branch p estimates x(i + p/factor) from x[i - T/2 + 1 .. i + T/2] (T = taps_per_phase).
    """
    half = taps_per_phase // 2
    kk = np.arange(taps_per_phase)
    rows = []
    for p in range(1, factor):
        n = (half - 1 - kk) * factor + p                       # tap index on the oversampled grid
        u = n / (half * factor)
        window = np.i0(beta * np.sqrt(np.clip(1.0 - u * u, 0.0, None))) / np.i0(beta)
        rows.append(np.sinc(n / factor) * window)
    return np.array(rows, dtype=np.float32).reshape(max(factor - 1, 0), taps_per_phase)


class TruePeakMeter:
    """Streaming true-peak meter: ``process(block)`` then ``peak`` (linear) or ``dbtp``; exact for any block sizes."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        self.factor = oversampling_factor(self.sample_rate)
        self.taps = polyphase_taps(self.factor)
        self.gain_bound = float(np.abs(self.taps).sum(axis=1).max()) * (1 + 1e-6) if self.factor > 1 else 0.0
        self._history = np.zeros((self.channels, TAPS_PER_PHASE - 1), dtype=np.float32)
        self._peak = 0.0

    def process(self, block: np.ndarray, sample_peak: float | None = None) -> None:
        """Feed one float32 block (channels, frames); ``sample_peak`` (max |x| of the block) may be passed if known."""
        if block.shape[1] == 0:
            return
        if sample_peak is None:
            sample_peak = float(np.max(np.abs(block)))
        self._peak = max(self._peak, sample_peak)
        if self.factor == 1:
            return
        ext = np.concatenate([self._history, block], axis=1, dtype=np.float32)
        self._peak = interpolated_max(ext, self.taps, self.gain_bound, self._peak, CHUNK_FRAMES)
        self._history = np.ascontiguousarray(ext[:, -(TAPS_PER_PHASE - 1):])

    @property
    def peak(self) -> float:
        """True peak so far (linear, full scale = 1.0), including the tail as the signal rings into silence."""
        if self.factor == 1:
            return self._peak
        tail = np.concatenate([self._history, np.zeros((self.channels, TAPS_PER_PHASE // 2), np.float32)], axis=1)
        return interpolated_max(tail, self.taps, self.gain_bound, self._peak, CHUNK_FRAMES)

    @property
    def dbtp(self) -> float | None:
        """True peak so far in dBTP; None for digital silence."""
        return to_db(self.peak)


def to_db(linear: float) -> float | None:
    """20*log10 of a linear peak, None for zero."""
    return 20.0 * math.log10(linear) if linear > 0 else None


def true_peak_dbtp(audio: np.ndarray, sample_rate: int) -> float | None:
    """True peak of ``audio`` (channels, frames) at ``sample_rate`` Hz in dBTP (BS.1770-4 Annex 2); None for silence."""
    block = np.ascontiguousarray(np.atleast_2d(audio), dtype=np.float32)
    meter = TruePeakMeter(sample_rate, block.shape[0])
    meter.process(block)
    return meter.dbtp


def sample_peak_dbfs(audio: np.ndarray) -> float | None:
    """Largest |sample| of ``audio`` in dBFS; None for silence."""
    a = np.asarray(audio)
    return to_db(float(np.max(np.abs(a)))) if a.size else None
