"""Corrective EQ: high-pass filters where a part has no useful low end, and static cuts where two parts mask each
other in the same 1/3-octave band, measured only over the frames where both play, at their levels in the mix.

The cut goes on the less important part (``PRIORITY``), at the band where the more important part is strong and
the other part comes within ``MASK_MARGIN_DB`` of it, with a depth that grows with how far it intrudes, and never
more than ``MAX_OWN_BAND_CUT_DB`` in a band that is among the cut part's own strongest (the band it owns).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from studioflow.mixing.automix.measure import StemFeatures

USEFUL_BELOW_PEAK_DB = 30.0    # a band carries "useful" low end when it is within this of the part's strongest band
HPF_FRACTION = 0.7             # the high-pass sits this far below the lowest useful band
HPF_MIN_HZ = 30.0              # below this a high-pass is not worth an insert
GUESSED_LOW_PART_HZ = 150.0    # a part guessed from its sound with useful energy below this (the 125 Hz band holds a
#                                bass line played from E3 up) ...
GUESSED_LOW_PART_MAX_HZ = 40.0  # ... is high-passed no higher than this, whatever role was guessed
# role -> highest high-pass frequency (Hz) automix will set, and the roles that keep their low end whole
HPF_MAX_HZ = {"drums": 30.0, "kick": 30.0, "bass": 35.0, "toms": 60.0, "snare": 90.0, "hats": 400.0,
              "overheads": 150.0, "percussion": 200.0, "lead_vocal": 100.0, "backing_vocals": 150.0, "guitar": 120.0,
              "keys": 80.0, "strings": 80.0, "brass": 100.0, "winds": 120.0, "pads": 150.0, "synth_lead": 150.0,
              "fx": 100.0, "unknown": 40.0}
# role -> lowest frequency its useful sound reaches (Hz): energy below it (hum, rumble, bleed) never counts as useful
ROLE_FLOOR_HZ = {"drums": 0.0, "kick": 0.0, "bass": 0.0, "toms": 50.0, "snare": 80.0, "hats": 250.0,
                 "overheads": 80.0, "percussion": 120.0, "lead_vocal": 90.0, "backing_vocals": 120.0, "guitar": 75.0,
                 "keys": 0.0, "strings": 0.0, "brass": 40.0, "winds": 60.0, "pads": 60.0, "synth_lead": 100.0,
                 "fx": 0.0, "unknown": 0.0}
PRIORITY = {"lead_vocal": 10, "synth_lead": 9, "drums": 8, "kick": 8, "snare": 8, "bass": 7, "backing_vocals": 5,
            "guitar": 5, "brass": 5, "winds": 5, "strings": 4, "keys": 4, "toms": 4, "pads": 3, "overheads": 3,
            "hats": 3, "percussion": 2, "fx": 1, "unknown": 1}
MASK_LOW_HZ, MASK_HIGH_HZ = 50.0, 8000.0
MASK_STRONG_DB = 8.0           # a band counts for the important part when within this of its strongest band
MASK_MARGIN_DB = 3.0           # the other part masks when it comes within this of the important part in that band
MIN_OVERLAP_S = 1.0            # both must play together at least this long
MAX_CUT_DB = 4.5
MAX_OWN_BAND_CUT_DB = 3.0      # ... and no more than this where the cut part owns the band (its own strongest bands)
MAX_CUTS_PER_TRACK = 2
CUT_Q = 2.0


@dataclass
class EqDecision:
    """A track's corrective EQ: high-pass (Hz or None), cuts [(Hz, dB)] and the reason for each."""

    highpass_hz: float | None = None
    cuts: list[tuple[float, float]] = field(default_factory=list)
    reasons: list[str] = field(default_factory=list)


def highpass(f: StemFeatures, role: str, trust_role: bool = True) -> tuple[float | None, str]:
    """High-pass frequency (Hz, or None) for a part, from the lowest band holding useful energy. A role guessed from
    the sound (``trust_role=False``) does not rule out the low end: only the spectrum decides what is useful there,
    so a kit taken for cymbals keeps its kick."""
    if f.spectrum_db.size == 0:
        return None, ""
    floor = ROLE_FLOOR_HZ[role] if trust_role else 0.0
    useful = (f.spectrum_db >= f.spectrum_db.max() - USEFUL_BELOW_PEAK_DB) & (f.band_hz >= floor)
    if not useful.any():
        return None, ""
    lowest = float(f.band_hz[np.argmax(useful)])
    freq = min(HPF_MAX_HZ[role], max(HPF_FRACTION * lowest, floor))
    if not trust_role and lowest < GUESSED_LOW_PART_HZ:
        # a role guessed from the sound may be wrong (a bass taken for keys): a part that reaches this low keeps its
        # low end as a kit or bass would
        freq = min(freq, GUESSED_LOW_PART_MAX_HZ)
    if freq < HPF_MIN_HZ:
        return None, f"keeps its low end: useful energy down to {lowest:.0f} Hz"
    freq = float(round(freq / 5) * 5)
    below = f"below a {role.replace('_', ' ')}'s range ({floor:.0f} Hz) or " if floor > 0 else ""
    return freq, (f"nothing useful below {lowest:.0f} Hz (every lower band is {below}more than "
                  f"{USEFUL_BELOW_PEAK_DB:.0f} dB under its strongest): 12 dB/oct high-pass at {freq:.0f} Hz")


def masking_cuts(tracks: list[tuple[StemFeatures, str, float]]) -> dict[str, list[tuple[float, float, str]]]:
    """Cuts per track name, [(Hz, dB, reason)], from pairs of parts that mask each other.

    ``tracks`` holds (features, role, gain in dB from the stem to the mix) for each track."""
    cuts: dict[str, list[tuple[float, float, float, str]]] = {f.name: [] for f, _, _ in tracks}
    for i, (fa, ra, ga) in enumerate(tracks):
        for fb, rb, gb in tracks[i + 1:]:
            if fa.band_frames_db.size == 0 or fb.band_frames_db.size == 0:
                continue
            (hi, rh, gh), (lo, rl, gl) = ((fa, ra, ga), (fb, rb, gb)) if PRIORITY[ra] >= PRIORITY[rb] else \
                ((fb, rb, gb), (fa, ra, ga))
            if PRIORITY[rh] == PRIORITY[rl]:
                continue                         # equals share the space; neither is favoured
            n = min(hi.active.size, lo.active.size, hi.band_frames_db.shape[0], lo.band_frames_db.shape[0])
            both = hi.active[:n] & lo.active[:n]
            if both.sum() * 0.1 < MIN_OVERLAP_S:
                continue
            a = _mean_db(hi.band_frames_db[:n][both]) + gh
            b = _mean_db(lo.band_frames_db[:n][both]) + gl
            band = hi.band_hz
            zone = (band >= MASK_LOW_HZ) & (band <= MASK_HIGH_HZ)
            strong = zone & (a >= a[zone].max() - MASK_STRONG_DB)
            intrusion = np.where(strong, b - (a - MASK_MARGIN_DB), -np.inf)
            k = int(np.argmax(intrusion))
            if not np.isfinite(intrusion[k]) or intrusion[k] <= 0:
                continue
            own = b[k] >= b[zone].max() - MASK_STRONG_DB
            depth = round(min(MAX_OWN_BAND_CUT_DB if own else MAX_CUT_DB, 1.0 + 0.5 * float(intrusion[k])), 1)
            reason = (f"masks {hi.name} ({rh.replace('_', ' ')}) at {band[k]:.0f} Hz while both play "
                      f"({both.sum() * 0.1:.1f} s): {b[k] - a[k]:+.1f} dB against it in the mix; cut "
                      f"{depth:.1f} dB here to favour the {rh.replace('_', ' ')}")
            cuts[lo.name].append((float(band[k]), -depth, float(intrusion[k]), reason))
    out: dict[str, list[tuple[float, float, str]]] = {}
    for name, found in cuts.items():
        chosen: list[tuple[float, float, float, str]] = []
        for c in sorted(found, key=lambda c: c[2], reverse=True):
            if all(abs(np.log2(c[0] / d[0])) > 0.5 for d in chosen) and len(chosen) < MAX_CUTS_PER_TRACK:
                chosen.append(c)
        out[name] = [(f, g, r) for f, g, _, r in chosen]
    return out


def _mean_db(frames_db: np.ndarray) -> np.ndarray:
    """Power mean of per-frame band levels (dB)."""
    return 10 * np.log10(np.mean(10 ** (frames_db / 10), axis=0) + 1e-20)
