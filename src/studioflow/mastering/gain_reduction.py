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
def _db(key, linear):  # pragma: no cover - numba
    """The reduction (dB) of an ordering key: the dB itself, or minus the linear gain."""
    return -20.0 * np.log10(max(-key, 1e-12)) if linear else key


@njit(cache=True, nogil=True)
def _scan(values, linear, state, hist, series, window):  # pragma: no cover - numba
    """One pass over per-frame reduction ``values`` (dB, or linear gain when ``linear``: dB = -20 log10 g):
    ``state`` = [frames, max dB, active frames, active sum dB, current window's max dB, frames in it] is updated,
    the 0.05 dB histogram counted and the max of each window completed here written to ``series``; returns how many
    were written. Maxima are kept as ordering keys (minus the gain), so a logarithm is taken only for frames reduced
    by at least the first histogram bin, and once per window."""
    g_bin = 10.0 ** (-BIN_DB / 20.0)
    top = state[1] if not linear else -(10.0 ** (-state[1] / 20.0))
    wmax = state[4] if not linear else -(10.0 ** (-state[4] / 20.0))
    active, active_sum, wfill = int(state[2]), state[3], int(state[5])
    last = hist.size - 1
    done = zero = 0
    i = 0
    while i < values.size:
        end = min(values.size, i + window - wfill)      # the rest of the current window within these values
        key = -np.float64(values[i]) if linear else np.float64(values[i])
        for j in range(i + 1, end):                     # the window's largest key first: most are not limited
            key = max(key, -np.float64(values[j]) if linear else np.float64(values[j]))
        top = max(top, key)
        wmax = key if wfill == 0 else max(wmax, key)
        if (-key > g_bin) if linear else (key < BIN_DB):
            zero += end - i            # the whole stretch lies in the first bin
        else:
            for j in range(i, end):
                x = np.float64(values[j])
                if (x > g_bin) if linear else (x < BIN_DB):
                    zero += 1
                    continue
                v = -20.0 * np.log10(max(x, 1e-12)) if linear else x
                if v > ACTIVE_DB:
                    active += 1
                    active_sum += v
                hist[min(int(max(v, 0.0) / BIN_DB), last)] += 1
        wfill += end - i
        i = end
        if wfill == window:
            series[done] = _db(wmax, linear)
            done += 1
            wfill = 0
    hist[0] += zero
    state[0] += values.size
    state[1], state[2], state[3], state[4], state[5] = _db(top, linear), active, active_sum, _db(wmax, linear), wfill
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
        """Statistics and the per-window series (``times_s`` window starts, ``gr_db`` each window's most reduction)."""
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
