"""Limiter gain reduction over time, read from the limiter itself (``TruePeakLimiter.last_gain``, one linear gain
per output frame, or its reduction in dB), summarised with flat memory in one numba pass: the largest reduction per
100 ms window for plots and a 0.05 dB histogram for the statistics."""

from __future__ import annotations

import numpy as np
from numba import njit

WINDOW_S = 0.1
ACTIVE_DB = 0.1          # a frame counts as limited when reduced by more than this
BIN_DB = 0.05
TOP_DB = 60.0


@njit(cache=True, nogil=True)
def _scan(values, linear, state, hist, series, window):  # pragma: no cover - numba
    """One pass over per-frame reduction ``values`` (dB, or linear gain when ``linear``: dB = -20 log10 g, taken only
    where g < 1): ``state`` = [frames, max, active frames, active sum, current window's max, frames in it] is
    updated, the 0.05 dB histogram counted, and the max of each window completed here written to ``series``;
    returns how many were written."""
    frames, top, active, active_sum, wmax, wfill = state[0], state[1], int(state[2]), state[3], state[4], int(state[5])
    last = hist.size - 1
    done = zero = 0
    for i in range(values.size):
        v = np.float64(values[i])
        if linear:
            v = -20.0 * np.log10(max(v, 1e-12)) if v < 1.0 else 0.0
        top = max(top, v)
        if v > ACTIVE_DB:
            active += 1
            active_sum += v
        if v < BIN_DB:
            zero += 1                  # the first bin, counted in a register (most frames are not limited)
        else:
            hist[min(int(v / BIN_DB), last)] += 1
        wmax = v if wfill == 0 else max(wmax, v)
        wfill += 1
        if wfill == window:
            series[done] = wmax
            done += 1
            wfill = 0
    hist[0] += zero
    state[0], state[1], state[2], state[3], state[4], state[5] = frames + values.size, top, active, active_sum, wmax, wfill
    return done


class GainReductionMeter:
    """Feed ``add(gr_db)`` with per-frame gain reduction (dB >= 0) in output order, or ``add_gain(gain)`` with the
    limiter's linear per-frame gain; ``result()`` gives the series and the statistics (max, mean while limiting,
    95th percentile of all frames, percent of time limiting), in dB."""

    def __init__(self, rate: int) -> None:
        self.window = max(1, int(round(WINDOW_S * rate)))
        self._state = np.zeros(6)      # frames, max, active frames, active sum, window max so far, frames in window
        self._series: list[float] = []
        self._hist = np.zeros(int(TOP_DB / BIN_DB) + 1, dtype=np.int64)

    def add(self, gr_db: np.ndarray) -> None:
        """Add the reduction (dB) of the next frames."""
        self._add(np.ascontiguousarray(gr_db).ravel(), False)

    def add_gain(self, gain: np.ndarray) -> None:
        """Add the linear gain (0..1] the limiter applied to the next frames (reduction -20 log10 gain dB)."""
        self._add(np.ascontiguousarray(gain).ravel(), True)

    def _add(self, values: np.ndarray, linear: bool) -> None:
        if values.size:
            series = np.empty(values.size // self.window + 1)
            n = _scan(values, linear, self._state, self._hist, series, self.window)
            self._series.extend(series[:n].tolist())

    def result(self) -> dict:
        """Statistics and the per-window series (``times_s`` window starts, ``gr_db`` the window's largest reduction)."""
        frames, top, active, active_sum, last, pending = self._state
        series = self._series + ([float(last)] if pending else [])
        p95 = 0.0
        if frames:
            k = int(np.searchsorted(np.cumsum(self._hist), 0.95 * frames))
            p95 = k * BIN_DB
        return {
            "source": "the limiter's own per-frame gain",
            "max_db": round(float(top), 3),
            "mean_db": round(active_sum / active, 3) if active else 0.0,
            "p95_db": round(p95, 2),
            "active_pct": round(100.0 * active / max(frames, 1), 2),
            "active_above_db": ACTIVE_DB,
            "series": {"times_s": (np.arange(len(series)) * WINDOW_S).round(2).tolist(),
                       "gr_db": np.round(series, 2).tolist()},
        }
