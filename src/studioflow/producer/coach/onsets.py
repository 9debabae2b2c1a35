"""Where a note begins: the start of its attack in the level envelope, placed to a fraction of a millisecond.

The envelope is the RMS over a centred window of whole periods of the note (so a steady tone gives a flat line,
with no ripple at its pitch), at least 3 ms long. An attack is the steepest rise of the envelope in the search
window, if it climbs at least ``MIN_RISE_DB`` over the dip before it; its start is found by drawing a line through
the points where the rise passes 20 % and 60 % of the way from the dip to the top and following it down to the dip's
level. For a straight-line attack that is exactly where it began, whatever its length; for curved attacks it lands
within a millisecond or two (notes under 100 Hz, whose period outlasts a short attack, within about 5 ms).
"""

from __future__ import annotations

import numpy as np

MIN_RISE_DB = 6.0
LOOK_S = 0.040      # how far before the rise the dip is looked for, and after it the top
MIN_WINDOW_S = 0.003    # the envelope window holds whole periods, at least this long


def envelope(y: np.ndarray, rate: int, period_s: float) -> np.ndarray:
    """RMS level of mono ``y`` over a centred window of whole periods (at least 3 ms), one value per sample."""
    period = max(period_s * rate, 1.0)
    n = max(int(round(period * max(1.0, np.ceil(MIN_WINDOW_S * rate / period)))), 1)
    power = np.concatenate([[0.0], np.cumsum(np.asarray(y, dtype=float) ** 2)])
    lo = np.clip(np.arange(y.size) - n // 2, 0, y.size)
    hi = np.clip(lo + n, 0, y.size)
    return np.sqrt(np.maximum(power[hi] - power[lo], 0.0) / n)


def attack_start(y: np.ndarray, rate: int, lo_s: float, hi_s: float, period_s: float) -> float | None:
    """Time (s) where the strongest attack between ``lo_s`` and ``hi_s`` begins in mono ``y`` (a note whose period
    is ``period_s``); None without one."""
    margin = int((LOOK_S + 0.01) * rate)
    first = max(int(lo_s * rate) - margin, 0)
    piece = y[first:min(int(hi_s * rate) + margin, y.size)]
    env = envelope(piece, rate, period_s)
    lo, hi = max(int(lo_s * rate) - first, 1), min(int(hi_s * rate) - first, env.size - 1)
    if hi - lo < 3:
        return None
    look = int(LOOK_S * rate)
    db = 20 * np.log10(env + 1e-9)
    step = max(int(0.002 * rate), 1)
    idx = np.arange(lo, hi)
    rise = db[np.minimum(idx + step, env.size - 1)] - db[np.maximum(idx - step, 0)]
    mid = lo + int(np.argmax(rise))
    a = max(mid - look, 0)
    dip = a + int(np.argmin(env[a:mid + 1]))
    top = mid + int(np.argmax(env[mid:mid + look + 1]))
    floor, peak = env[dip], env[top]
    if peak <= 0 or 20 * np.log10(peak / max(floor, 1e-9)) < MIN_RISE_DB:
        return None
    span = env[dip:top + 1]
    t20 = _crossing(span, floor + 0.2 * (peak - floor))
    t60 = _crossing(span, floor + 0.6 * (peak - floor))
    return float((first + dip + t20 - (t60 - t20) * 0.5) / rate)


def _crossing(rising: np.ndarray, level: float) -> float:
    """Fractional index where ``rising`` last climbs through ``level`` (linear between samples)."""
    below = np.flatnonzero(rising[:-1] < level)
    above_after = below[rising[below + 1] >= level]
    if above_after.size == 0:
        return 0.0
    i = int(above_after[-1])
    return i + (level - rising[i]) / max(rising[i + 1] - rising[i], 1e-12)
