"""The shape of one sung note's pitch: where it sits, how it drifts, and its vibrato, told apart by one fit.

The note's pitch in cents from its target, c(t), is fitted by least squares with a slow curve and a sinusoid:
c(t) = a0 + a1 u + a2 u^2 + b1 sin(2 pi f t) + b2 cos(2 pi f t), u running from -1 to 1 over the note, for vibrato
rates f from 4 to 8 Hz in 0.05 Hz steps; the rate whose fit leaves the least residual wins. The sinusoid is kept as
vibrato when it is at least ``MIN_VIBRATO_CENTS`` deep, the note holds at least ``MIN_CYCLES`` of it, and it explains
at least half of what the curve alone leaves. The note's offset is the mean of the curve (so vibrato, however wide,
never counts as out of tune); its drift is the curve's end minus its start.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

RATES_HZ = np.arange(4.0, 8.0001, 0.05)
MIN_VIBRATO_CENTS = 8.0
MIN_CYCLES = 1.5
OUTLIER_CENTS = 150.0       # frames this far from the note's median are octave slips or the neighbours' pitch


@dataclass(frozen=True)
class PitchShape:
    """Cents from the target: mean, at the start and at the end of the note; vibrato rate (Hz) and depth (+-cents)."""

    offset_cents: float
    start_cents: float
    end_cents: float
    vibrato_hz: float | None
    vibrato_cents: float | None

    @property
    def drift_cents(self) -> float:
        """How far the pitch moves from the note's start to its end (negative: it sags)."""
        return self.end_cents - self.start_cents


def pitch_shape(times_s: np.ndarray, cents: np.ndarray) -> PitchShape | None:
    """The shape of a note from its pitch frames (s, cents from the target); None with fewer than 5 usable frames."""
    ok = np.isfinite(cents)
    t, c = np.asarray(times_s, dtype=float)[ok], np.asarray(cents, dtype=float)[ok]
    if c.size >= 5:
        keep = np.abs(c - np.median(c)) < OUTLIER_CENTS
        t, c = t[keep], c[keep]
    if c.size < 5:
        return None
    span = max(t[-1] - t[0], 1e-6)
    u = 2 * (t - t[0]) / span - 1
    curve = np.stack([np.ones_like(u), u, u ** 2], axis=1)
    base, *_ = np.linalg.lstsq(curve, c, rcond=None)
    base_residual = float(np.sum((c - curve @ base) ** 2))
    best: tuple[float, float, np.ndarray] | None = None
    if span * RATES_HZ[0] >= MIN_CYCLES:
        for f in RATES_HZ[span * RATES_HZ >= MIN_CYCLES]:
            basis = np.concatenate([curve, np.stack([np.sin(2 * np.pi * f * t), np.cos(2 * np.pi * f * t)], 1)], 1)
            coef, *_ = np.linalg.lstsq(basis, c, rcond=None)
            residual = float(np.sum((c - basis @ coef) ** 2))
            if best is None or residual < best[0]:
                best = (residual, float(f), coef)
    if best is not None and not (np.hypot(*best[2][3:]) >= MIN_VIBRATO_CENTS and best[0] <= 0.5 * base_residual):
        best = None                 # no vibrato
    a0, a1, a2 = best[2][:3] if best is not None else base
    return PitchShape(offset_cents=float(a0 + a2 / 3), start_cents=float(a0 - a1 + a2), end_cents=float(a0 + a1 + a2),
                      vibrato_hz=best[1] if best is not None else None,
                      vibrato_cents=float(np.hypot(*best[2][3:])) if best is not None else None)
