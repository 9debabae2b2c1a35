"""Limiter gain reduction over time, read from the limiter itself (``TruePeakLimiter.last_gain_reduction_db``,
one value in dB per output frame), summarised with flat memory: the largest reduction per 100 ms window for plots
and a 0.05 dB histogram for the statistics."""

from __future__ import annotations

import numpy as np

WINDOW_S = 0.1
ACTIVE_DB = 0.1          # a frame counts as limited when reduced by more than this
BIN_DB = 0.05
TOP_DB = 60.0


class GainReductionMeter:
    """Feed ``add(gr_db)`` with per-frame gain reduction (dB >= 0) in output order; ``result()`` gives the series and
    the statistics (max, mean while limiting, 95th percentile of all frames, percent of time limiting), in dB."""

    def __init__(self, rate: int) -> None:
        self.window = max(1, int(round(WINDOW_S * rate)))
        self._carry = np.zeros(0)
        self._series: list[float] = []
        self._hist = np.zeros(int(TOP_DB / BIN_DB) + 1, dtype=np.int64)
        self._frames = 0
        self._max = 0.0
        self._active_sum = 0.0
        self._active = 0

    def add(self, gr_db: np.ndarray) -> None:
        """Add the reduction (dB) of the next frames."""
        gr = np.asarray(gr_db, dtype=np.float64).ravel()
        if not gr.size:
            return
        self._frames += gr.size
        self._max = max(self._max, float(gr.max()))
        on = gr > ACTIVE_DB
        self._active += int(on.sum())
        self._active_sum += float(gr[on].sum())
        bins = np.minimum((np.maximum(gr, 0.0) / BIN_DB).astype(np.int64), len(self._hist) - 1)
        self._hist += np.bincount(bins, minlength=len(self._hist))
        x = np.concatenate([self._carry, gr]) if self._carry.size else gr
        n = x.size // self.window
        if n:
            self._series.extend(x[: n * self.window].reshape(n, self.window).max(axis=1).tolist())
        self._carry = x[n * self.window:].copy()

    def result(self) -> dict:
        """Statistics and the per-window series (``times_s`` window starts, ``gr_db`` the window's largest reduction)."""
        series = self._series + ([float(self._carry.max())] if self._carry.size else [])
        p95 = 0.0
        if self._frames:
            k = int(np.searchsorted(np.cumsum(self._hist), 0.95 * self._frames))
            p95 = k * BIN_DB
        return {
            "source": "the limiter's own per-frame gain",
            "max_db": round(self._max, 3),
            "mean_db": round(self._active_sum / self._active, 3) if self._active else 0.0,
            "p95_db": round(p95, 2),
            "active_pct": round(100.0 * self._active / max(self._frames, 1), 2),
            "active_above_db": ACTIVE_DB,
            "series": {"times_s": (np.arange(len(series)) * WINDOW_S).round(2).tolist(),
                       "gr_db": np.round(series, 2).tolist()},
        }
