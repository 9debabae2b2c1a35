"""Signal statistics in one streaming pass: DC offset, RMS, clipped-sample runs, stereo correlation, crest factor.

Clipping is defined here as a run of at least ``CLIP_RUN_MIN`` consecutive samples of one channel at
``|x| >= CLIP_LEVEL`` (0.999, i.e. within 0.009 dB of full scale): one full-scale sample is a legal peak, three in
a row almost always mean the waveform was flattened. ``clipped_samples`` counts the samples inside such runs;
each run is reported by channel, start time and length. The per-sample pass is the C kernel ``_kernels/stats.c``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from studioflow._kernels.native import accumulate_stats, close_run

CLIP_LEVEL = 0.999
CLIP_RUN_MIN = 3
MAX_RUNS_KEPT = 1000


@dataclass
class ClipRun:
    """One run of clipped samples: channel (0-based), start time (s), length in samples."""

    channel: int
    start_s: float
    samples: int


@dataclass
class StatsResult:
    """Per-file statistics; levels in dBFS, correlation -1..1, None where undefined (silence, mono)."""

    duration_s: float
    frames: int
    dc_offset: list[float]
    rms_dbfs: list[float | None]
    clipped_samples: int
    clipped_runs: int
    clip_runs: list[ClipRun] = field(default_factory=list)
    correlation: float | None = None


class SignalStats:
    """Streaming statistics: ``process(block)`` for each float32 (channels, n) block, then ``result()``."""

    def __init__(self, sample_rate: int, channels: int) -> None:
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        self._sums = np.zeros(self.channels)
        self._squares = np.zeros(self.channels)
        self._cross = np.zeros(1)
        self._run_len = np.zeros(self.channels, np.int64)
        self._run_start = np.zeros(self.channels, np.int64)
        self._runs = np.zeros((MAX_RUNS_KEPT, 3), np.int64)
        self._n_runs = np.zeros(1, np.int64)
        self._counts = np.zeros(2, np.int64)
        self._frames = 0

    def process(self, block: np.ndarray) -> None:
        """Feed one block of float32 audio shaped (channels, frames)."""
        block = np.ascontiguousarray(block, dtype=np.float32)
        accumulate_stats(block, self._frames, CLIP_LEVEL, CLIP_RUN_MIN, self._sums, self._squares, self._cross,
                         self._run_len, self._run_start, self._runs, self._n_runs, self._counts)
        self._frames += block.shape[1]

    def result(self) -> StatsResult:
        """Statistics so far (runs still open at the end count as finished)."""
        runs, n_runs, counts = self._runs.copy(), self._n_runs.copy(), self._counts.copy()
        for c in range(self.channels):
            if self._run_len[c] >= CLIP_RUN_MIN:
                close_run(c, int(self._run_start[c]), int(self._run_len[c]), runs, n_runs, counts)
        n = max(self._frames, 1)
        correlation = None
        if self.channels >= 2:
            denom = math.sqrt(self._squares[0] * self._squares[1])
            correlation = float(self._cross[0] / denom) if denom > 0 else None
        return StatsResult(
            duration_s=self._frames / self.sample_rate,
            frames=self._frames,
            dc_offset=[float(s / n) for s in self._sums],
            rms_dbfs=[_db(math.sqrt(q / n)) for q in self._squares],
            clipped_samples=int(counts[1]),
            clipped_runs=int(counts[0]),
            clip_runs=[ClipRun(int(c), int(s) / self.sample_rate, int(k)) for c, s, k in runs[:n_runs[0]]],
            correlation=correlation,
        )


def _db(linear: float) -> float | None:
    return 20.0 * math.log10(linear) if linear > 0 else None


def crest_factor_db(sample_peak_dbfs: float | None, rms_dbfs: float | None) -> float | None:
    """Crest factor: sample peak minus RMS level (dB); None if either is undefined."""
    if sample_peak_dbfs is None or rms_dbfs is None:
        return None
    return sample_peak_dbfs - rms_dbfs


def signal_stats(audio: np.ndarray, sample_rate: int) -> StatsResult:
    """Statistics of a whole array (channels, frames)."""
    block = np.atleast_2d(np.asarray(audio, dtype=np.float32))
    stats = SignalStats(sample_rate, block.shape[0])
    stats.process(block)
    return stats.result()
