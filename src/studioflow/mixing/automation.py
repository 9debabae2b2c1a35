"""Automation envelopes: breakpoints (seconds, value in the parameter's unit) joined by linear or curved segments.

A segment's curve is set on its first breakpoint: ``linear`` (default), ``exp`` (slow start), ``log`` (fast start),
``s`` (smoothstep, slow at both ends) or a number ``k`` (``(e^(k*u) - 1) / (e^k - 1)``; 0 is linear, > 0 starts
slowly, < 0 starts quickly). Before the first breakpoint the value holds the first value, after the last the last.
Values are continuous in time, so automated gains and pans have no steps (no clicks).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

CURVES = {"linear": 0.0, "exp": 3.0, "log": -3.0}
S_CURVE = "s"


@dataclass(frozen=True)
class Envelope:
    """Breakpoint times (s, strictly increasing), values, and one curve per segment (float k or ``"s"``)."""

    times_s: tuple[float, ...]
    values: tuple[float, ...]
    curves: tuple[float | str, ...]

    def __post_init__(self) -> None:
        if not self.times_s or len(self.times_s) != len(self.values) or len(self.curves) != len(self.times_s):
            raise ValueError("an envelope needs one time, value and curve per breakpoint")

    @property
    def constant(self) -> bool:
        """True when the envelope never changes value."""
        return len(set(self.values)) == 1

    def at_frames(self, start_frame: int, frames: int, sample_rate: int) -> np.ndarray:
        """Values (float64) at song frames ``start_frame .. start_frame + frames - 1``."""
        t = (start_frame + np.arange(frames, dtype=np.float64)) / sample_rate
        return self.at_seconds(t)

    def at_seconds(self, t: np.ndarray | float) -> np.ndarray:
        """Values (float64) at times ``t`` in seconds."""
        t = np.atleast_1d(np.asarray(t, dtype=np.float64))
        times = np.asarray(self.times_s)
        values = np.asarray(self.values, dtype=np.float64)
        out = np.empty_like(t)
        seg = np.searchsorted(times, t, side="right") - 1
        out[seg < 0] = values[0]
        last = len(times) - 1
        out[seg >= last] = values[last]
        inside = (seg >= 0) & (seg < last)
        if np.any(inside):
            for s in np.unique(seg[inside]):
                m = seg == s
                u = (t[m] - times[s]) / (times[s + 1] - times[s])
                out[m] = values[s] + (values[s + 1] - values[s]) * shape(u, self.curves[s])
        return out


def shape(u: np.ndarray, curve: float | str) -> np.ndarray:
    """Map segment position ``u`` in [0, 1] to [0, 1] along ``curve``."""
    if curve == S_CURVE:
        return u * u * (3.0 - 2.0 * u)
    k = float(curve)
    if abs(k) < 1e-9:
        return u
    return np.expm1(k * u) / np.expm1(k)


def parse_curve(value: object) -> float | str:
    """A curve from a session file: a name (linear, exp, log, s) or a number in [-20, 20]; raises ValueError."""
    if isinstance(value, str):
        if value == S_CURVE:
            return S_CURVE
        if value in CURVES:
            return CURVES[value]
        raise ValueError(f"curve must be one of linear, exp, log, s or a number; got {value!r}")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not -20 <= value <= 20:
        raise ValueError(f"curve must be one of linear, exp, log, s or a number from -20 to 20; got {value!r}")
    return float(value)
