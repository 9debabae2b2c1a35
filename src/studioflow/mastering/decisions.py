"""Each stage of the mastering chain decided from the measurements of the mix (and the reference), with its reason.

A decision is data: the stage name, whether it runs, the processor type and its settings in musician units, and one
sentence saying why. ``chain.py`` turns decisions into processors; the report and the JSON print them as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from studioflow.mastering import tonal
from studioflow.mastering.styles import Style, curve_db
from studioflow.mastering.targets import Target

LIMITER_RELEASE_MS = 60.0
LIMITER_LOOKAHEAD_MS = 1.5
CEILING_MARGIN_DB = 0.15   # the limiter aims this far under the ceiling; the 8x check then confirms
WIDTH_RANGE = (0.6, 1.4)


@dataclass
class Stage:
    """One stage: ``processor`` is a registry type name (None for a stage that is decided but not a processor)."""

    name: str
    enabled: bool
    processor: str | None
    settings: dict[str, Any] = field(default_factory=dict)
    reason: str = ""

    def as_dict(self) -> dict:
        """Plain JSON-ready data."""
        return asdict(self)


def cleanup(mix: dict) -> Stage:
    """DC and subsonic high-pass: always a gentle 20 Hz filter; steeper and higher when there is subsonic energy."""
    dc = max(abs(x) for x in mix["dc_offset"])
    sub = mix["subsonic_db"]
    if sub > -30.0:
        freq, slope = 28.0, 24
        why = f"{sub:.0f} dB of the energy lies below 20 Hz (rumble or DC): 24 dB/oct high-pass at 28 Hz"
    else:
        freq, slope = 20.0, 12
        why = f"subsonic energy is low ({sub:.0f} dB); a gentle 12 dB/oct high-pass at 20 Hz only guards the limiter"
    if dc > 1e-3:
        why += f"; removes a DC offset of {20 * np.log10(dc):.0f} dBFS"
    return Stage("cleanup", True, "highpass", {"freq": freq, "slope": slope}, why)


def tonal_target(mix: dict, curve: str, reference: dict | None) -> dict:
    """The spectrum aimed at (loudness-normalized band levels): the reference's, or the genre curve."""
    fc = np.asarray(mix["spectrum"]["centers_hz"])
    if reference is not None:
        return {"kind": "reference", "name": "reference", "centers_hz": fc.tolist(),
                "level_db": list(reference["spectrum"]["level_db"][:len(fc)])}
    return {"kind": "curve", "name": curve, "centers_hz": fc.tolist(), "level_db": curve_db(curve, fc).tolist()}


def tonal_balance(mix: dict, target: dict, style: Style, rate: int) -> Stage:
    """EQ toward the target spectrum: the whole smoothed difference for a reference, ``style`` amounts for a curve."""
    fc = np.asarray(mix["spectrum"]["centers_hz"])
    mix_db = np.asarray(mix["spectrum"]["level_db"])
    goal = np.asarray(target["level_db"])
    if target["kind"] == "reference":
        strength, max_db, smooth, resolution = 1.0, 12.0, 1, "half-octave"
    else:
        strength, max_db, smooth, resolution = style.eq_strength, style.eq_max_db, 3, "octave"
    corr = tonal.correction_db(mix_db, goal, fc, strength=strength, max_db=max_db, smooth_bands=smooth)
    bands, response = tonal.fit_eq(corr, fc, rate, resolution=resolution, max_db=max_db)
    moves = sorted(bands, key=lambda b: -abs(b["gain_db"]))[:3]
    biggest = ", ".join(f"{b['gain_db']:+.1f} dB at {b['freq']:.0f} Hz" for b in moves)
    if max(abs(b["gain_db"]) for b in bands) < 0.5:
        return Stage("tonal balance", False, "eq", {"bands": bands},
                     f"the mix is within 0.5 dB of the {target['name']} balance everywhere: no EQ")
    how = ("matches the reference's smoothed 1/3-octave balance" if target["kind"] == "reference"
           else f"moves {strength:.0%} of the way to the '{target['name']}' curve, at most {max_db:g} dB per band")
    return Stage("tonal balance", True, "eq", {"bands": bands, "predicted_response_db": response.round(2).tolist()},
                 f"{how}; largest moves {biggest}")


def compression(mix: dict, style: Style, reference: dict | None) -> Stage:
    """Gentle glue compression when the loudness range is wider than the style (or the reference) wants;
    multiband when one band's level swings much more than the mids."""
    lra = mix["lra_lu"] or 0.0
    goal = style.compress_above_lra_lu
    if reference is not None and reference.get("lra_lu") is not None:
        goal = max(reference["lra_lu"] + 1.0, 3.0)
    spread = mix["band_spread_db"]
    excess = max(spread["low"] - spread["mid"], spread["high"] - spread["mid"])
    st = mix.get("short_term", {}).get("lufs") or []
    loud = float(np.percentile([x for x in st if x is not None and x > -70], 90)) if st else mix["integrated_lufs"]
    if style.multiband and excess > 2.5:
        which = "low end" if spread["low"] - spread["mid"] >= spread["high"] - spread["mid"] else "top end"
        return Stage("compression", True, "multiband_compressor",
                     {"crossovers_hz": [150.0, 4000.0], "threshold_db": [round(loud - 4, 1)] * 3,
                      "ratio": [style.comp_ratio, 1.5, style.comp_ratio], "attack_ms": [30.0, 20.0, 10.0],
                      "release_ms": [200.0, 150.0, 100.0]},
                     f"the {which} swings {excess:.1f} dB more than the mids over time: gentle multiband compression "
                     f"({style.comp_ratio:g}:1 on the outer bands) steadies it")
    if lra > goal:
        # threshold a few dB under the loud passages' short-term level, so only the loud parts get ~2-3 dB
        return Stage("compression", True, "compressor",
                     {"threshold_db": round(loud - 6.0, 1), "ratio": style.comp_ratio, "attack_ms": 30.0,
                      "release_ms": 250.0, "knee_db": 6.0},
                     f"loudness range {lra:.1f} LU is wider than {goal:.1f} LU: broadband {style.comp_ratio:g}:1 glue "
                     "compression on the loud passages")
    return Stage("compression", False, "compressor", {},
                 f"loudness range {lra:.1f} LU is within {goal:.1f} LU and the bands move together: no compression")


def stereo(mix: dict, reference: dict | None) -> list[Stage]:
    """Width (matched to the reference, or reined in when the side is as loud as the mid) and mono low end."""
    stages = []
    sm = mix.get("side_minus_mid_db")
    if sm is None:
        return [Stage("stereo width", False, "width", {}, "mono mix: nothing to widen or narrow"),
                Stage("mono bass", False, "mono_bass", {}, "mono mix")]
    if reference is not None and reference.get("side_minus_mid_db") is not None:
        width = float(np.clip(10 ** ((reference["side_minus_mid_db"] - sm) / 20), *WIDTH_RANGE))
        why = (f"side/mid {sm:.1f} dB against the reference's {reference['side_minus_mid_db']:.1f} dB: "
               f"side gain x{width:.2f}")
        stages.append(Stage("stereo width", abs(20 * np.log10(width)) > 0.25, "width", {"width": round(width, 3)}, why))
    elif sm > -3.0:
        width = float(np.clip(10 ** ((-4.0 - sm) / 20), *WIDTH_RANGE))
        stages.append(Stage("stereo width", True, "width", {"width": round(width, 3)},
                            f"side is within {abs(sm):.1f} dB of mid (phasey, weak in mono): narrowed to x{width:.2f}"))
    else:
        stages.append(Stage("stereo width", False, "width", {},
                            f"side/mid {sm:.1f} dB is a healthy image: width left alone"))
    low = mix.get("low_side_minus_mid_db")
    if low is not None and low > -20.0:
        stages.append(Stage("mono bass", True, "mono_bass", {"freq": 120.0},
                            f"side energy below 120 Hz is {low:.0f} dB under mid: folded to mono for vinyl, clubs and "
                            "phones"))
    else:
        stages.append(Stage("mono bass", False, "mono_bass", {},
                            f"the low end is already mono (side {low:.0f} dB under mid below 120 Hz)"))
    return stages


def loudness(pre_lufs: float, pre_tp_dbtp: float | None, target: Target, style: Style,
             max_limiting_db: float | None) -> tuple[Stage, list[str]]:
    """Gain and the true-peak limiter: the gain that reaches the target, the limiting it implies, and warnings."""
    warnings: list[str] = []
    gain = target.lufs - pre_lufs
    ceiling = target.ceiling_dbtp - CEILING_MARGIN_DB
    limiting = max(0.0, (pre_tp_dbtp if pre_tp_dbtp is not None else -120.0) + gain - ceiling)
    why = (f"{gain:+.1f} dB of gain takes the chain output from {pre_lufs:.1f} to {target.lufs:g} LUFS; "
           f"peaks then need up to {limiting:.1f} dB of true-peak limiting under {target.ceiling_dbtp:g} dBTP")
    if max_limiting_db is not None and limiting > max_limiting_db:
        cut = limiting - max_limiting_db
        gain -= cut
        warnings.append(f"--max-limiting {max_limiting_db:g} dB: the master stays about {cut:.1f} dB under the "
                        f"{target.lufs:g} LUFS target instead of limiting {limiting:.1f} dB")
        why += f"; held to {max_limiting_db:g} dB of limiting (--max-limiting), so {cut:.1f} dB short of the target"
    elif limiting > style.warn_limiting_db:
        warnings.append(f"reaching {target.lufs:g} LUFS needs about {limiting:.1f} dB of peak limiting: expect a PLR "
                        f"near {target.ceiling_dbtp - target.lufs:.1f} dB, flattened transients and a smaller loudness "
                        "range; use --max-limiting DB to cap it, or a quieter target")
    stage = Stage("loudness", True, "limiter",
                  {"gain_db": round(gain, 2), "ceiling_dbtp": round(ceiling, 2), "release_ms": LIMITER_RELEASE_MS,
                   "lookahead_ms": LIMITER_LOOKAHEAD_MS, "predicted_limiting_db": round(limiting, 1),
                   "target_lufs": target.lufs if max_limiting_db is None or limiting <= max_limiting_db
                   else round(pre_lufs + gain, 2)},
                  why)
    return stage, warnings
