"""Each stage of the mastering chain decided from the measurements of the mix (and the reference), with its reason.

A decision is data: the stage name, whether it runs, the processor type and its settings in musician units, and one
sentence saying why. ``chain.py`` turns decisions into processors; the report and the JSON print them as they are.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

from studioflow.dsp.dynamics.limiter import SAFETY_DB as LIMITER_SAFETY_DB  # its allowance for the 4x detector
from studioflow.mastering import tonal
from studioflow.mastering.styles import Style, curve_db
from studioflow.mastering.targets import Target

LIMITER_RELEASE_MS = 60.0
LIMITER_LOOKAHEAD_MS = 1.5
CEILING_MARGIN_DB = 0.15   # the limiter aims this far under the ceiling; the 8x check then confirms
WIDTH_RANGE = (0.6, 1.4)
MULTIBAND_CROSSOVERS_HZ = (150.0, 4000.0)   # the same groups spectral.band_dynamics measures
MULTIBAND_EXCESS_DB = 4.0     # a band this many dB wider in range than the mids gets its own compressor
MULTIBAND_ALLOWANCE_DB = 2.0  # ... and is brought back to about this much wider than the mids
MULTIBAND_MAX_RATIO = 3.0
MULTIBAND_BODY_DB = 10.0      # a band threshold never sits further than this under the band's power mean
MULTIBAND_KNEE_FRACTION = 0.3  # the band threshold sits this far up the band's p10..p95 range
PEAK_OVER_RMS_DB = {"low": 3.0, "high": 6.0}   # peak-detector level over RMS: sine-like lows, noise-like highs
MULTIBAND_TIMES_MS = {"low": (30.0, 120.0), "mid": (20.0, 150.0), "high": (5.0, 80.0)}   # band attack, release
BAND_NAMES = {"low": "low band (< 150 Hz)", "high": "top band (> 4 kHz)"}
REFERENCE_SMOOTH_BANDS = 1    # a reference balance is matched smoothed over about an octave of 1/3-octave bands
REFERENCE_RESOLUTION = "third-octave"
REFERENCE_MAX_DB = 24.0       # most a reference match may move one EQ band (moves over BIG_EQ_MOVE_DB are warned of)
BIG_EQ_MOVE_DB = 6.0
REFINE_MIN_DB = 0.3           # a measured miss (RMS dB over the fitted bands) under this is not refitted


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


def cleanup(mix: dict, reference: dict | None = None) -> Stage:
    """DC and subsonic high-pass: always a gentle 20 Hz filter; steeper and higher when there is subsonic energy
    (unless the reference carries about as much: then it is part of the sound being matched)."""
    dc = max(abs(x) for x in mix["dc_offset"])
    sub = mix["subsonic_db"]
    if reference is not None and sub > -30.0 and reference["subsonic_db"] > sub - 6.0:
        freq, slope = 20.0, 12
        why = (f"{sub:.0f} dB of the energy lies below 20 Hz, as in the reference ({reference['subsonic_db']:.0f} dB): "
               "only a gentle 12 dB/oct high-pass at 20 Hz guards the limiter")
    elif sub > -30.0:
        freq, slope = 28.0, 24
        why = f"{sub:.0f} dB of the energy lies below 20 Hz (rumble or DC): 24 dB/oct high-pass at 28 Hz"
    else:
        freq, slope = 20.0, 12
        why = f"subsonic energy is low ({sub:.0f} dB); a gentle 12 dB/oct high-pass at 20 Hz only guards the limiter"
    if dc > 1e-3:
        why += f"; removes a DC offset of {20 * np.log10(dc):.0f} dBFS"
    return Stage("cleanup", True, "highpass", {"freq": freq, "slope": slope}, why)


def tonal_target(mix: dict, curve: str, reference: dict | None, amount: float = 1.0) -> dict:
    """The spectrum aimed at (loudness-normalized band levels): ``amount`` (0..1) of the way from the mix's to the
    reference's, or the genre curve (no reference, or an amount of 0). Bands a reference at a lower rate does not
    reach keep the mix's own levels (nothing to match there)."""
    fc = np.asarray(mix["spectrum"]["centers_hz"])
    if reference is not None and amount > 0:   # the mid is matched: the centre of the image, where balance is heard
        own = np.asarray(mix["spectrum"]["mid_db"][:len(fc)])
        shared = np.asarray(reference["spectrum"]["mid_db"][:len(fc)])
        aimed = own[:len(shared)] + amount * (shared - own[:len(shared)])
        name = "reference" if amount >= 1 else f"{amount:.0%} of the way to the reference"
        return {"kind": "reference", "name": name, "centers_hz": fc.tolist(), "of": "mid_db",
                "level_db": aimed.tolist() + own[len(shared):].tolist()}
    return {"kind": "curve", "name": curve, "centers_hz": fc.tolist(), "level_db": curve_db(curve, fc).tolist()}


def tonal_balance(mix: dict, target: dict, style: Style, rate: int, cleanup: Stage | None = None,
                  later_db: np.ndarray | None = None) -> Stage:
    """EQ toward the target spectrum: the whole smoothed difference for a reference, ``style`` amounts for a curve;
    the ``cleanup`` high-pass runs in the same EQ, so the fit makes up for what it takes away above 30 Hz;
    ``later_db`` is what the stages after the EQ change in each band's level (dB, e.g. ``stereo_band_change_db``),
    left out of the EQ's share so the chain as a whole lands on the target."""
    fc = np.asarray(mix["spectrum"]["centers_hz"])
    mix_db = np.asarray(mix["spectrum"][target.get("of", "level_db")])
    goal = np.asarray(target["level_db"])
    if target["kind"] == "reference":
        strength, max_db, smooth, resolution = 1.0, REFERENCE_MAX_DB, REFERENCE_SMOOTH_BANDS, REFERENCE_RESOLUTION
    else:
        strength, max_db, smooth, resolution = style.eq_strength, style.eq_max_db, 3, "octave"
    corr = tonal.correction_db(mix_db, goal, fc, strength=strength, max_db=max_db, smooth_bands=smooth)
    if later_db is not None:
        corr = np.clip(corr - np.asarray(later_db)[: len(corr)], -max_db, max_db)
    fixed = _cleanup_bands(cleanup, rate)
    bands, response = tonal.fit_eq(corr, fc, rate, resolution=resolution, max_db=max_db, fixed=fixed)
    moves = sorted(bands, key=lambda b: -abs(b["gain_db"]))[:3]
    biggest = ", ".join(f"{b['gain_db']:+.1f} dB at {b['freq']:.0f} Hz" for b in moves)
    if max(abs(b["gain_db"]) for b in bands) < 0.5:
        return Stage("tonal balance", False, "eq", {"bands": bands},
                     f"the mix is within 0.5 dB of the {target['name']} balance everywhere: no EQ")
    how = ("matches the reference's smoothed 1/3-octave balance" if target["kind"] == "reference"
           else f"moves {strength:.0%} of the way to the '{target['name']}' curve, at most {max_db:g} dB per band")
    if later_db is not None and np.max(np.abs(later_db)) >= 0.05:
        how += (f" together with the stereo stages after it (they move bands by {np.min(later_db):+.1f} to "
                f"{np.max(later_db):+.1f} dB)")
    return Stage("tonal balance", True, "eq", {"bands": bands, "predicted_response_db": response.round(2).tolist()},
                 f"{how}; largest moves {biggest}")


def _cleanup_bands(cleanup: Stage | None, rate: int) -> list[dict] | None:
    """The cleanup high-pass as validated ``dsp.eq`` bands (run inside the tonal EQ), or None when it is off."""
    if cleanup is None or not cleanup.enabled:
        return None
    from studioflow.dsp.eq import ParametricEQ

    return ParametricEQ(rate, bands=[{"type": "highpass", **cleanup.settings}]).bands


def refit_tonal(stage: Stage, measured: dict, target: dict, rate: int, cleanup: Stage | None = None) -> Stage | None:
    """The reference-matching EQ fitted again from what the whole chain did (``measured``: the spectrum after it):
    the miss in each band is added to the EQ's own response and the gains fitted anew, so stages that move bands
    (band compression, width) are made up for by measurement, not by a model. None when the miss is under
    ``REFINE_MIN_DB`` (RMS over the fitted bands) or the stage is not a reference match."""
    if not stage.enabled or target["kind"] != "reference" or "predicted_response_db" not in stage.settings:
        return None
    fc = np.asarray(measured["spectrum"]["centers_hz"])
    miss = tonal.correction_db(np.asarray(measured["spectrum"][target["of"]]), np.asarray(target["level_db"]), fc,
                               strength=1.0, max_db=REFERENCE_MAX_DB, smooth_bands=REFERENCE_SMOOTH_BANDS)
    inside = (fc >= tonal.FIT_BAND_HZ[0]) & (fc <= tonal.FIT_BAND_HZ[1])
    before = float(np.sqrt(np.mean(miss[inside] ** 2)))
    if before < REFINE_MIN_DB:
        return None
    fixed = _cleanup_bands(cleanup, rate)
    wanted = np.clip(np.asarray(stage.settings["predicted_response_db"]) + miss, -REFERENCE_MAX_DB, REFERENCE_MAX_DB)
    bands, response = tonal.fit_eq(wanted, fc, rate, resolution=REFERENCE_RESOLUTION, max_db=REFERENCE_MAX_DB,
                                   fixed=fixed)
    return Stage("tonal balance", True, "eq", {"bands": bands, "predicted_response_db": response.round(2).tolist(),
                                               "refit_from_miss_db": round(before, 2)},
                 f"{stage.reason}; fitted again after measuring the whole chain, which missed the reference by "
                 f"{before:.1f} dB RMS over the 1/3-octave bands")


def eq_warnings(stage: Stage) -> list[str]:
    """A warning for each EQ band that moves more than ``BIG_EQ_MOVE_DB``: a move that large is worth a listen."""
    if not stage.enabled:
        return []
    big = [b for b in stage.settings.get("bands", []) if abs(b.get("gain_db", 0.0)) > BIG_EQ_MOVE_DB]
    if not big:
        return []
    moves = ", ".join(f"{b['gain_db']:+.1f} dB at {b['freq']:.0f} Hz" for b in sorted(big, key=lambda b: b["freq"]))
    return [f"the tonal EQ moves {len(big)} band(s) by more than {BIG_EQ_MOVE_DB:g} dB ({moves}): the mix and the "
            "target differ a lot there; listen for boom, thinness or harshness, or fix it in the mix"]


def compression(mix: dict, style: Style, reference: dict | None, eq: Stage | None = None,
                amount: float = 1.0) -> Stage:
    """Multiband compression when an outer band (< 150 Hz or > 4 kHz) swings much more than the mids; otherwise
    gentle broadband glue when the loudness range is wider than the style (or the reference) wants. ``eq`` is the
    tonal stage that runs before, whose gain in each band moves the band compressors' thresholds with it."""
    reference = reference if amount > 0 else None
    mb = multiband(mix, style, eq, reference, amount)
    if mb is not None:
        return mb
    lra = mix["lra_lu"] or 0.0
    goal = style.compress_above_lra_lu
    if reference is not None and reference.get("lra_lu") is not None:
        goal += amount * (max(reference["lra_lu"] + 1.0, 3.0) - goal)
    st = mix.get("short_term", {}).get("lufs") or []
    loud_st = [x for x in st if x is not None and x > -70]
    loud = float(np.percentile(loud_st, 90)) if loud_st else mix["integrated_lufs"]
    dyn = mix["band_dynamics"]
    bands_ok = ", ".join(f"{k} {dyn[k]['range_db']:.1f}" for k in ("low", "mid", "high"))
    if lra > goal:
        # threshold a few dB under the loud passages' short-term level, so only the loud parts get ~2-3 dB
        return Stage("compression", True, "compressor",
                     {"threshold_db": round(loud - 6.0, 1), "ratio": style.comp_ratio, "attack_ms": 30.0,
                      "release_ms": 250.0, "knee_db": 6.0},
                     f"loudness range {lra:.1f} LU is wider than {goal:.1f} LU while the bands move together "
                     f"(range dB {bands_ok}): broadband {style.comp_ratio:g}:1 glue compression on the loud passages")
    return Stage("compression", False, "compressor", {},
                 f"loudness range {lra:.1f} LU is within {goal:.1f} LU and the bands move together "
                 f"(range dB {bands_ok}): no compression")


def multiband(mix: dict, style: Style, eq: Stage | None = None, reference: dict | None = None,
              amount: float = 1.0) -> Stage | None:
    """The multiband stage when a band's level range (p95 - p10 over ~0.34 s frames, the LRA idea per band) exceeds
    the mids' by more than ``MULTIBAND_EXCESS_DB`` (with a reference: exceeds the reference's own range in that band,
    since a sparse top or a solo bass is part of many arrangements); None otherwise. Only the unruly bands are
    compressed. The threshold sits ``MULTIBAND_KNEE_FRACTION`` of the way up the band's range from its p10 level,
    plus the EQ's gain there and a peak-over-RMS allowance (the band compressors detect peaks; frame levels are RMS);
    the ratio shrinks the range above the threshold so the band ends about ``MULTIBAND_ALLOWANCE_DB`` wider than the
    mids (or than the reference's band). The signal is split only at the crossovers of the compressed bands (low
    band only: two bands at 150 Hz), so the bands that pass untouched go through no filters they do not need."""
    dyn = mix["band_dynamics"]
    ref_dyn = (reference or {}).get("band_dynamics")
    mid_range = dyn["mid"]["range_db"]

    def allowed(k: str) -> float:
        """The range band ``k`` may keep before it counts as unruly (dB)."""
        if ref_dyn and ref_dyn.get(k, {}).get("range_db") is not None:
            return mid_range + amount * (ref_dyn[k]["range_db"] - mid_range)
        return mid_range

    unruly = [k for k in ("low", "high")
              if dyn[k]["level_db"] is not None and dyn[k]["range_db"] - allowed(k) > MULTIBAND_EXCESS_DB]
    if not style.multiband or not unruly:
        return None
    groups: list[str] = [k for k in ("low", "mid", "high") if k == "mid" or k in unruly]  # the bands the split makes
    thresholds, ratios, why = [0.0] * len(groups), [1.0] * len(groups), []
    for k in unruly:
        d, i = dyn[k], groups.index(k)
        # the onset sits MULTIBAND_KNEE_FRACTION up the band's range, but never more than MULTIBAND_BODY_DB under
        # the band's power mean: a sparse band (hi-hats now and then, whose p10 is near silence) is not compressed
        # all the time
        onset = max(d["p10_db"] + MULTIBAND_KNEE_FRACTION * d["range_db"], d["level_db"] - MULTIBAND_BODY_DB)
        below = min(onset - d["p10_db"], d["range_db"] - 1.0)
        want = allowed(k) + MULTIBAND_ALLOWANCE_DB
        ratio = float(np.clip((d["range_db"] - below) / max(want - below, 1.0), 1.5, MULTIBAND_MAX_RATIO))
        shift = _eq_gain_db(eq, mix, k)
        thresholds[i] = round(onset + shift + PEAK_OVER_RMS_DB[k], 1)
        ratios[i] = round(ratio, 2)
        against = "the reference's" if ref_dyn else "the mids'"
        why.append(f"the {BAND_NAMES[k]} ranges {d['range_db']:.1f} dB (p95-p10; crest {d['crest_db']:.1f} dB) "
                   f"against {against} {allowed(k):.1f} dB: {ratio:.1f}:1 above {thresholds[i]:g} dBFS"
                   + (f" (after the EQ's {shift:+.1f} dB there)" if abs(shift) >= 0.1 else ""))
    return Stage("compression", True, "multiband_compressor",
                 {"crossovers_hz": [f for f, k in zip(MULTIBAND_CROSSOVERS_HZ, ("low", "high")) if k in unruly],
                  "threshold_db": thresholds, "ratio": ratios,
                  "attack_ms": [MULTIBAND_TIMES_MS[k][0] for k in groups],
                  "release_ms": [MULTIBAND_TIMES_MS[k][1] for k in groups]},
                 "; ".join(why) + "; the rest passes untouched (ratio 1)")


def _eq_gain_db(eq: Stage | None, mix: dict, group: str) -> float:
    """The tonal EQ's power-averaged gain (dB) over the 1/3-octave bands of ``group``, weighted by the mix's levels."""
    if eq is None or not eq.enabled or "predicted_response_db" not in eq.settings:
        return 0.0
    fc = np.asarray(mix["spectrum"]["centers_hz"])
    level = np.asarray(mix["spectrum"]["level_db"])
    resp = np.asarray(eq.settings["predicted_response_db"])
    sel = fc < MULTIBAND_CROSSOVERS_HZ[0] if group == "low" else fc > MULTIBAND_CROSSOVERS_HZ[1]
    w = 10 ** (level[sel] / 10)
    return float(10 * np.log10(np.sum(w * 10 ** (resp[sel] / 10)) / max(np.sum(w), 1e-30)))


def stereo(mix: dict, reference: dict | None, amount: float = 1.0) -> list[Stage]:
    """Width (``amount`` of the way to the reference's, or reined in when the side is as loud as the mid) and mono
    low end."""
    reference = reference if amount > 0 else None
    stages = []
    sm = mix.get("side_minus_mid_db")
    if sm is None:
        return [Stage("stereo width", False, "width", {}, "mono mix: nothing to widen or narrow"),
                Stage("mono bass", False, "mono_bass", {}, "mono mix")]
    if reference is not None and reference.get("side_minus_mid_db") is not None:
        width = float(np.clip(10 ** (amount * (reference["side_minus_mid_db"] - sm) / 20), *WIDTH_RANGE))
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
    ref_low = reference.get("low_side_minus_mid_db") if reference is not None else None
    if low is not None and ref_low is not None and ref_low > low - 6.0:
        stages.append(Stage("mono bass", False, "mono_bass", {},
                            f"side energy below 120 Hz is {low:.0f} dB under mid and the reference's is {ref_low:.0f} "
                            "dB: its low-end width is part of the sound being matched, left as it is"))
    elif low is not None and low > -20.0:
        stages.append(Stage("mono bass", True, "mono_bass", {"freq": 120.0},
                            f"side energy below 120 Hz is {low:.0f} dB under mid: folded to mono for vinyl, clubs and "
                            "phones"))
    else:
        stages.append(Stage("mono bass", False, "mono_bass", {},
                            f"the low end is already mono (side {low:.0f} dB under mid below 120 Hz)"))
    return stages


def stereo_band_change_db(mix: dict, stages: list[Stage], rate: int) -> np.ndarray:
    """How much the enabled stereo stages change each 1/3-octave band's total (mid + side) power, in dB: the width
    scales the side's power by width^2; the mono bass keeps only the side above its Linkwitz-Riley crossover
    (|H_highpass|^2, averaged over the band). Worked from the mix's per-band side-minus-mid levels."""
    fc = np.asarray(mix["spectrum"]["centers_hz"], dtype=float)
    r = 10 ** (np.asarray(mix["spectrum"]["side_minus_mid_db"], dtype=float)[: len(fc)] / 10)
    side_gain = np.ones(len(fc))
    for s in stages:
        if not s.enabled:
            continue
        if s.processor == "width":
            side_gain *= s.settings["width"] ** 2
        elif s.processor == "mono_bass":
            from studioflow.dsp import filters

            grid = fc[:, None] * 10 ** (np.linspace(-0.05, 0.05, 7)[None, :])
            sos = filters.linkwitz_riley_sos(s.settings["freq"], s.settings.get("order", 4), rate, "highpass")
            side_gain *= np.mean(np.abs(filters.sos_response(sos, grid.ravel(), rate)).reshape(grid.shape) ** 2, axis=1)
    return 10 * np.log10((1 + side_gain * r) / (1 + r))


def loudness(pre_lufs: float, pre_tp_dbtp: float | None, target: Target, max_limiting_db: float | None) -> Stage:
    """Gain and the true-peak limiter: the gain that reaches the target and the peak limiting it implies; with
    ``max_limiting_db`` the gain is capped (``max_gain_db``) so the limiter never reduces more than that."""
    gain = target.lufs - pre_lufs
    ceiling = target.ceiling_dbtp - CEILING_MARGIN_DB
    # the limiter holds its 4x-detected peaks LIMITER_SAFETY_DB under its ceiling (dsp.dynamics.limiter.SAFETY_DB)
    peak_room = ceiling - LIMITER_SAFETY_DB - (pre_tp_dbtp if pre_tp_dbtp is not None else -120.0)
    limiting = max(0.0, gain - peak_room)
    why = (f"{gain:+.1f} dB of gain takes the chain output from {pre_lufs:.1f} to {target.lufs:g} LUFS; "
           f"peaks then need about {limiting:.1f} dB of true-peak limiting under {target.ceiling_dbtp:g} dBTP")
    settings = {"gain_db": round(gain, 2), "ceiling_dbtp": round(ceiling, 2), "release_ms": LIMITER_RELEASE_MS,
                "lookahead_ms": LIMITER_LOOKAHEAD_MS, "predicted_limiting_db": round(limiting, 2),
                "target_lufs": target.lufs}
    if max_limiting_db is not None:
        settings["max_limiting_db"] = float(max_limiting_db)
        settings["max_gain_db"] = round(peak_room + float(max_limiting_db), 3)
        if limiting > max_limiting_db:
            why += f"; capped at {max_limiting_db:g} dB of limiting (--max-limiting), so the target will be missed"
    return Stage("loudness", True, "limiter", settings, why)


def limiting_verdict(stage: Stage, gr: dict, before: dict, after: dict, target: Target,
                     style: Style) -> tuple[dict, list[str]]:
    """What the limiter did, measured: its largest gain reduction, the cost in PLR (dB) and LRA (LU) from the chain's
    output (``before``) to the master (``after``), whether it was heavy (over the style's ``warn_limiting_db``, 6 dB
    by default) and, under ``--max-limiting``, by how much the target was missed; with plain warnings."""
    plr_cost = ((before["plr_db"] - after["plr_db"])
                if before.get("plr_db") is not None and after.get("plr_db") is not None else None)
    lra_cost = ((before["lra_lu"] - after["lra_lu"])
                if before.get("lra_lu") is not None and after.get("lra_lu") is not None else None)
    cap = stage.settings.get("max_limiting_db")
    missed = target.lufs - after["integrated_lufs"] if after.get("integrated_lufs") is not None else None
    verdict = {"max_gain_reduction_db": round(gr["max_db"], 2), "predicted_db": stage.settings["predicted_limiting_db"],
               "heavy": gr["max_db"] > style.warn_limiting_db, "heavy_above_db": style.warn_limiting_db,
               "plr_cost_db": None if plr_cost is None else round(plr_cost, 2),
               "lra_cost_lu": None if lra_cost is None else round(lra_cost, 2),
               "capped": cap is not None and stage.settings["gain_db"] >= stage.settings["max_gain_db"] - 1e-3,
               "max_limiting_db": cap,
               "target_missed_by_lu": None}
    warnings = []
    # "before" is the chain's output going into the limiter, not the mix: the limiter's own cost
    cost = (f"PLR into the limiter {before.get('plr_db') or 0:.1f} -> {after.get('plr_db') or 0:.1f} dB out "
            f"({-(plr_cost or 0):+.1f} dB), LRA {before.get('lra_lu') or 0:.1f} -> {after.get('lra_lu') or 0:.1f} LU "
            f"({-(lra_cost or 0):+.1f} LU)")
    if verdict["capped"]:
        verdict["target_missed_by_lu"] = None if missed is None else round(missed, 2)
        warnings.append(f"--max-limiting {cap:g} dB: the limiter reduced at most {gr['max_db']:.1f} dB where the "
                        f"target needs at least {stage.settings['predicted_limiting_db']:.1f} dB, so the master is "
                        f"{after['integrated_lufs']:.1f} LUFS, {missed:.1f} LU under the {target.lufs:g} LUFS target")
    elif verdict["heavy"]:
        warnings.append(f"heavy limiting: reaching {target.lufs:g} LUFS took up to {gr['max_db']:.1f} dB of peak "
                        f"limiting (more than {style.warn_limiting_db:g} dB); it cost {cost}; transients are "
                        "flattened. Use --max-limiting DB to cap it, or a quieter target")
    return verdict, warnings
