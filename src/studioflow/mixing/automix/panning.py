"""Panning by role and spectrum: the low end, kick, snare, bass and lead vocal in the centre; the other mono parts
spread to a role's usual width, each placed on the side that keeps the image balanced band by band.

Parts are placed loudest first; each goes to the side (left or right) that makes the sum over 1/3-octave bands of
the squared left/right power difference smallest, so two guitars with the same spectrum end up opposite each other,
and a bright part balances another bright part rather than the bass. Ties go to the role's usual side (the
hi-hat on the audience's right, as seen from the front of a right-handed kit). Stereo stems keep their own image.
The report is the left/right power balance in dB (positive: the left is louder), overall and per register.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studioflow.mixing.panning import mono_gains

CENTRED = ("drums", "kick", "snare", "bass", "lead_vocal")
# role -> pan position magnitude (0 centre .. 1 hard) for a mono part that is spread
SPREAD = {"hats": 0.35, "toms": 0.5, "overheads": 0.6, "percussion": 0.5, "backing_vocals": 0.45, "guitar": 0.6,
          "keys": 0.35, "strings": 0.4, "brass": 0.35, "winds": 0.35, "pads": 0.4, "synth_lead": 0.2, "fx": 0.4,
          "unknown": 0.3}
PREFERRED_SIDE = {"hats": 1.0}
REGISTERS_HZ = (("low", 0.0, 250.0), ("mid", 250.0, 4000.0), ("high", 4000.0, 1e9))


@dataclass
class PanPart:
    """What panning needs to know of a track: its name, role, channels and band powers in the mix (linear)."""

    name: str
    role: str
    channels: int
    band_power: np.ndarray


def place_parts(parts: list[PanPart], law_db: float = -3.0, has_vocal: bool = True) -> tuple[dict[str, float],
                                                                                              dict[str, str]]:
    """Pan positions (-1 left .. 1 right) and the reason for each."""
    pans: dict[str, float] = {}
    reasons: dict[str, str] = {}
    if not parts:
        return pans, reasons
    left = np.zeros_like(parts[0].band_power)
    right = np.zeros_like(parts[0].band_power)
    order = sorted(parts, key=lambda p: float(p.band_power.sum()), reverse=True)
    spread = []
    for p in order:
        if p.channels == 2:
            pans[p.name], reasons[p.name] = 0.0, "a stereo stem: keeps its own image, balance centred"
        elif p.role in CENTRED or (p.role == "synth_lead" and not has_vocal):
            pans[p.name] = 0.0
            reasons[p.name] = f"centred: the {p.role.replace('_', ' ')} anchors the middle"
        else:
            spread.append(p)
            continue
        gl, gr = _gains(p, 0.0, law_db)
        left += p.band_power * gl
        right += p.band_power * gr
    for p in spread:
        width = SPREAD[p.role]
        preferred = PREFERRED_SIDE.get(p.role, -1.0)
        costs = []
        for side in (preferred, -preferred):
            gl, gr = _gains(p, side * width, law_db)
            costs.append(float(np.sum((left + p.band_power * gl - right - p.band_power * gr) ** 2)))
        tie = abs(costs[0] - costs[1]) <= 1e-9 * max(costs)
        side = preferred if tie or costs[0] < costs[1] else -preferred
        pans[p.name] = round(side * width, 2)
        gl, gr = _gains(p, pans[p.name], law_db)
        left += p.band_power * gl
        right += p.band_power * gr
        reasons[p.name] = (f"spread {width:.2f} to the {'left' if side < 0 else 'right'} "
                           f"({p.role.replace('_', ' ')}): that side keeps the image balanced across the bands")
    return pans, reasons


def _gains(p: PanPart, pan: float, law_db: float) -> tuple[float, float]:
    """Power gains (left, right) of a part at ``pan``."""
    if p.channels == 2:
        return 0.5, 0.5          # a stereo stem's power is shared between its sides
    gl, gr = mono_gains(pan, law_db)
    return float(gl) ** 2, float(gr) ** 2


def image_balance(parts: list[PanPart], pans: dict[str, float], band_hz: np.ndarray,
                  law_db: float = -3.0) -> dict[str, float | None]:
    """Left/right power balance (dB, + means the left is louder), overall and per register."""
    left = np.zeros_like(band_hz, dtype=float)
    right = np.zeros_like(band_hz, dtype=float)
    for p in parts:
        gl, gr = _gains(p, pans.get(p.name, 0.0), law_db)
        left += p.band_power * gl
        right += p.band_power * gr
    out: dict[str, float | None] = {"overall_db": _ratio_db(left.sum(), right.sum())}
    for name, lo, hi in REGISTERS_HZ:
        sel = (band_hz >= lo) & (band_hz < hi)
        out[f"{name}_db"] = _ratio_db(left[sel].sum(), right[sel].sum())
    return out


def _ratio_db(a: float, b: float) -> float | None:
    return round(10 * float(np.log10(a / b)), 2) if a > 0 and b > 0 else None
