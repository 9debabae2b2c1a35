"""Mastering styles (how much is done) and genre curves (which long-term tonal balance to aim for).

A *style* sets the amounts: how much of the tonal difference the EQ corrects, the most any EQ band may move,
when compression starts and how much limiting is accepted before a warning.

A *curve* is a long-term average spectrum shape, in dB per 1/3-octave band relative to the 1 kHz band, for a
loudness-normalized master. Our curves are smoothed approximations drawn from published long-term spectrum studies
of commercial releases (Pestana et al., "Spectral characteristics of popular commercial recordings 1950-2010",
AES 135th Convention, 2013, and similar LTAS surveys): they are starting points, not laws, and the EQ only moves part
of the way toward them. A reference track (``--reference``) replaces the curve with the reference's own spectrum.

``--style`` takes a style, a curve, or both joined by a comma: ``balanced``, ``pop``, ``loud,edm``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np

from studioflow.errors import ParameterError


@dataclass(frozen=True)
class Style:
    """How far each stage may go: EQ strength (0..1) and range (dB), compression onset (LU of LRA), limiting (dB)."""

    name: str
    eq_strength: float        # fraction of the smoothed tonal difference corrected toward a genre curve
    eq_max_db: float          # most any EQ band may boost or cut toward a genre curve
    compress_above_lra_lu: float  # broadband compression when the loudness range exceeds this
    comp_ratio: float
    multiband: bool           # allow the multiband compressor when band dynamics differ
    warn_limiting_db: float   # say plainly when the limiter must do more than this
    note: str

    def as_dict(self) -> dict:
        """The style as plain JSON-ready data."""
        return asdict(self)


STYLES: dict[str, Style] = {
    "gentle": Style("gentle", 0.4, 2.0, 14.0, 1.5, False, 4.0,
                    "Light touch: small EQ moves, compression only for very wide dynamics, little limiting."),
    "balanced": Style("balanced", 0.6, 3.5, 10.0, 2.0, True, 6.0,
                      "The default: clear tonal correction, gentle glue compression where the dynamics call for it."),
    "loud": Style("loud", 0.75, 4.5, 7.0, 2.5, True, 8.0,
                  "Dense and loud: more EQ, earlier compression, more limiting accepted before a warning."),
}

# genre curve -> (Hz, dB relative to the 1 kHz 1/3-octave band) anchor points, interpolated on log frequency
CURVES: dict[str, tuple[tuple[float, float], ...]] = {
    "neutral": ((20, -6), (31.5, -1), (63, 2.5), (125, 2.5), (250, 1), (500, 0.5), (1000, 0), (2000, -2),
                (4000, -5), (8000, -9), (16000, -17), (20000, -24)),
    "pop": ((20, -5), (31.5, 0), (63, 3.5), (125, 3), (250, 1), (500, 0.5), (1000, 0), (2000, -1.5),
            (4000, -4), (8000, -7.5), (16000, -15), (20000, -22)),
    "rock": ((20, -9), (31.5, -4), (63, 1), (125, 2), (250, 1.5), (500, 1), (1000, 0), (2000, -1.5),
             (4000, -4), (8000, -8), (16000, -17), (20000, -24)),
    "hiphop": ((20, -1), (31.5, 4), (63, 7), (125, 5), (250, 1.5), (500, 0.5), (1000, 0), (2000, -2),
               (4000, -5), (8000, -8.5), (16000, -16), (20000, -23)),
    "edm": ((20, -1), (31.5, 3.5), (63, 6.5), (125, 4.5), (250, 1.5), (500, 0.5), (1000, 0), (2000, -1.5),
            (4000, -3.5), (8000, -6.5), (16000, -13), (20000, -20)),
    "acoustic": ((20, -14), (31.5, -8), (63, -3), (125, 0.5), (250, 1.5), (500, 1), (1000, 0), (2000, -2.5),
                 (4000, -6), (8000, -10.5), (16000, -19), (20000, -26)),
}

CURVE_NOTES: dict[str, str] = {
    "neutral": "Average of the pop and rock curves: the default when no genre or reference is given.",
    "pop": "Full low end, forward upper mids, smooth top.",
    "rock": "Tighter sub, solid low mids, guitars in front.",
    "hiphop": "Strong sub and kick region, relaxed mids.",
    "edm": "Strong sub, bright top end.",
    "acoustic": "Little sub, natural mids, soft top.",
}


def parse_style(spec: str | None) -> tuple[Style, str]:
    """Split a ``--style`` value (``balanced``, ``pop``, ``loud,edm``) into a Style and a curve name."""
    style, curve = STYLES["balanced"], "neutral"
    for part in (spec or "").replace("+", ",").split(","):
        key = part.strip().lower()
        if not key:
            continue
        if key in STYLES:
            style = STYLES[key]
        elif key in CURVES:
            curve = key
        else:
            raise ParameterError(f"unknown --style {part!r}; styles: {', '.join(STYLES)}; curves: {', '.join(CURVES)}")
    return style, curve


def curve_db(curve: str, freqs_hz: np.ndarray) -> np.ndarray:
    """The genre ``curve`` in dB (relative to 1 kHz) at ``freqs_hz``, interpolated on log frequency."""
    if curve not in CURVES:
        raise ParameterError(f"unknown tonal curve {curve!r}; curves: {', '.join(CURVES)}")
    pts = np.array(CURVES[curve], dtype=float)
    return np.interp(np.log2(np.asarray(freqs_hz, dtype=float)), np.log2(pts[:, 0]), pts[:, 1])
