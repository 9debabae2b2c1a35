"""Compression where a part's dynamics call for it: its crest factor (peak over RMS where it plays) and loudness
range (EBU Tech 3342) against role limits, with attack, release, ratio and detection from the role.

Thresholds are set relative to the part's level after gain-staging (``balance.STAGE_LUFS``), so they sit a fixed
distance above its RMS where it plays: the compressor works on the loud half of the part, not on everything.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from studioflow.mixing.automix.measure import StemFeatures


@dataclass(frozen=True)
class RoleDynamics:
    """When to compress a role (crest dB, LRA LU above which it needs it) and how (ratio, ms, threshold offset dB)."""

    max_crest_db: float
    max_lra_lu: float
    ratio: float
    attack_ms: float
    release_ms: float
    above_rms_db: float
    detection: str


# Role settings: vocals and bass evened out (RMS detection, medium attack); drums caught by their peaks with a slow
# enough attack to let the transient through; pads and effects left alone unless wildly uneven.
ROLE_DYNAMICS: dict[str, RoleDynamics] = {
    "lead_vocal":     RoleDynamics(12.0, 4.0, 3.0, 5.0, 80.0, 0.0, "rms"),
    "backing_vocals": RoleDynamics(12.0, 4.0, 4.0, 5.0, 80.0, 0.0, "rms"),
    "synth_lead":     RoleDynamics(14.0, 6.0, 2.5, 10.0, 100.0, 2.0, "rms"),
    "bass":           RoleDynamics(10.0, 3.0, 4.0, 15.0, 120.0, 0.0, "rms"),
    "kick":           RoleDynamics(20.0, 6.0, 4.0, 20.0, 80.0, 8.0, "peak"),
    "snare":          RoleDynamics(20.0, 6.0, 4.0, 15.0, 100.0, 8.0, "peak"),
    "toms":           RoleDynamics(22.0, 8.0, 3.0, 20.0, 120.0, 8.0, "peak"),
    "overheads":      RoleDynamics(22.0, 8.0, 2.0, 20.0, 150.0, 6.0, "peak"),
    "hats":           RoleDynamics(24.0, 10.0, 2.0, 5.0, 60.0, 8.0, "peak"),
    "percussion":     RoleDynamics(22.0, 8.0, 2.0, 10.0, 80.0, 8.0, "peak"),
    "guitar":         RoleDynamics(14.0, 6.0, 2.5, 15.0, 120.0, 2.0, "rms"),
    "keys":           RoleDynamics(16.0, 6.0, 2.0, 20.0, 150.0, 3.0, "rms"),
    "pads":           RoleDynamics(18.0, 10.0, 1.5, 50.0, 300.0, 4.0, "rms"),
    "fx":             RoleDynamics(24.0, 14.0, 2.0, 10.0, 150.0, 6.0, "rms"),
    "drums":          RoleDynamics(22.0, 8.0, 2.0, 20.0, 120.0, 6.0, "peak"),
    "strings":        RoleDynamics(18.0, 10.0, 1.5, 40.0, 250.0, 4.0, "rms"),
    "brass":          RoleDynamics(16.0, 8.0, 2.0, 15.0, 120.0, 3.0, "rms"),
    "winds":          RoleDynamics(16.0, 8.0, 2.0, 15.0, 120.0, 3.0, "rms"),
    "unknown":        RoleDynamics(20.0, 10.0, 1.5, 20.0, 150.0, 6.0, "rms"),
}


def compressor_for(f: StemFeatures, role: str, stage_gain_db: float) -> tuple[dict[str, Any] | None, str]:
    """Compressor insert settings for a part (or None) and why."""
    rd = ROLE_DYNAMICS[role]
    crest, lra = f.crest_db, f.loudness_range_lu
    causes = []
    if crest is not None and crest > rd.max_crest_db:
        causes.append(f"crest factor {crest:.1f} dB > {rd.max_crest_db:.0f}")
    if lra is not None and lra > rd.max_lra_lu:
        causes.append(f"loudness range {lra:.1f} LU > {rd.max_lra_lu:.0f}")
    if not causes or f.active_rms_dbfs is None:
        measured = ", ".join(x for x in (f"crest {crest:.1f} dB" if crest is not None else "",
                                         f"LRA {lra:.1f} LU" if lra is not None else "") if x)
        return None, f"no compression: dynamics within the {role.replace('_', ' ')}'s range ({measured or 'n/a'})"
    threshold = round(f.active_rms_dbfs + stage_gain_db + rd.above_rms_db, 1)
    settings = {"type": "compressor", "threshold_db": threshold, "ratio": rd.ratio, "attack_ms": rd.attack_ms,
                "release_ms": rd.release_ms, "detection": rd.detection, "knee_db": 6.0}
    why = (f"{' and '.join(causes)}: {rd.ratio:g}:1 from {threshold:.1f} dBFS ({rd.above_rms_db:+.0f} dB over its "
           f"RMS where it plays), attack {rd.attack_ms:g} ms, release {rd.release_ms:g} ms, {rd.detection} detection")
    return settings, why
