"""Matching a master to references: how much of each dimension to match, several weighted references as one, a
match kept as a preset file for other songs, and what is wrong with a reference before it is matched.

Dimensions: ``tone`` (the mid spectrum), ``dynamics`` (loudness range and band ranges), ``width`` (side over mid)
and ``loudness`` (integrated loudness); each is matched by an amount from 0 (ignored: the style and the platform
decide) to 1 (matched in full). Several references are one target: spectra averaged in power, loudness in energy,
the rest by their weights. A preset holds that target and the amounts, so an album can be mastered to one match
without the reference files.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from studioflow.errors import ParameterError

DIMENSIONS = ("tone", "dynamics", "width", "loudness")
PRESET_KIND = "studioflow match preset"
PRESET_VERSION = 1
LOSSY_SUFFIXES = (".mp3", ".ogg", ".oga", ".opus", ".m4a", ".aac", ".wma")
LOSSY_FLOOR_KBPS = 192           # a lossy reference under this bitrate has lost its top end and its transients
DC_WARN = 1e-3                   # a DC offset over this (about -60 dBFS) skews the low end of the match
MONO_BELOW_DB = -60.0            # side this far under mid: a mono file
WIDTH_WARN_DB = 6.0              # a reference this much narrower or wider (side over mid) than the mix is suspect
#: the keys of a measurement a match reads (the rest of a reference's measurement is not kept in a preset)
TARGET_KEYS = ("rate", "channels", "integrated_lufs", "lra_lu", "subsonic_db", "side_minus_mid_db",
               "low_side_minus_mid_db", "band_dynamics", "spectrum")


def amounts(match: float | None = None, **per_dimension: float | None) -> dict[str, float]:
    """The amount (0..1) matched of each dimension: ``match`` for all, a dimension's own amount over it."""
    base = 1.0 if match is None else float(match)
    out = {}
    for dim in DIMENSIONS:
        value = per_dimension.get(dim)
        value = base if value is None else float(value)
        if not 0.0 <= value <= 1.0:
            raise ParameterError(f"the {dim} match amount must be from 0 to 100%; got {value * 100:g}%")
        out[dim] = value
    return out


def combine(measurements: Sequence[dict], weights: Sequence[float] | None = None) -> dict:
    """One target from several reference measurements: spectra and band levels averaged in power, integrated
    loudness in energy, the other numbers by weight (weights are normalised; all equal when None)."""
    if not measurements:
        raise ParameterError("no reference to combine")
    w = np.ones(len(measurements)) if weights is None else np.asarray(weights, dtype=float)
    if len(w) != len(measurements) or np.any(w < 0) or w.sum() <= 0:
        raise ParameterError(f"reference weights must be one non-negative number per reference; got {list(w)}")
    w = w / w.sum()
    if len(measurements) == 1:
        return {k: measurements[0].get(k) for k in TARGET_KEYS}

    def power(values: list[Any]) -> Any:
        if any(v is None for v in values):
            return None
        return float(10 * np.log10(sum(wi * 10 ** (v / 10) for wi, v in zip(w, values))))

    def plain(values: list[Any]) -> Any:
        if any(v is None for v in values):
            return None
        return float(sum(wi * v for wi, v in zip(w, values)))

    first = measurements[0]
    n = min(len(m["spectrum"]["centers_hz"]) for m in measurements)
    spectrum = {"centers_hz": first["spectrum"]["centers_hz"][:n]}
    for key in ("level_db", "mid_db", "side_minus_mid_db"):
        rows = np.array([m["spectrum"][key][:n] for m in measurements])
        spectrum[key] = (10 * np.log10(np.tensordot(w, 10 ** (rows / 10), axes=1))).tolist()
    dynamics = {band: {k: plain([m["band_dynamics"][band][k] for m in measurements])
                       for k in first["band_dynamics"][band]} for band in first["band_dynamics"]}
    return {"rate": min(m["rate"] for m in measurements), "channels": max(m["channels"] for m in measurements),
            "integrated_lufs": power([m["integrated_lufs"] for m in measurements]),
            "lra_lu": plain([m["lra_lu"] for m in measurements]),
            "subsonic_db": power([m["subsonic_db"] for m in measurements]),
            "side_minus_mid_db": plain([m["side_minus_mid_db"] for m in measurements]),
            "low_side_minus_mid_db": plain([m["low_side_minus_mid_db"] for m in measurements]),
            "band_dynamics": dynamics, "spectrum": spectrum}


def reference_warnings(paths: Sequence[str | os.PathLike[str]], measurements: Sequence[dict],
                       mix: dict) -> list[str]:
    """What is wrong with each reference before it is matched: lossy at a low bitrate, clipped, DC, or much
    narrower or wider than the mix."""
    out = []
    for path, m in zip(paths, measurements):
        name = Path(path).name
        kbps = _bitrate_kbps(Path(path))
        if kbps is not None and kbps < LOSSY_FLOOR_KBPS:
            out.append(f"reference {name} is a lossy file at {kbps:.0f} kbps: its top end and transients are not the "
                       f"record's; use a lossless copy (WAV/FLAC) or one of at least {LOSSY_FLOOR_KBPS} kbps")
        dc = max((abs(x) for x in m.get("dc_offset") or []), default=0.0)
        if dc > DC_WARN:
            out.append(f"reference {name} has a DC offset of {max(m['dc_offset'], key=abs):+.3f}: its low end is "
                       "skewed; the match ignores below 20 Hz, but check the file")
        if (m.get("clipped_samples") or 0) > 0:
            out.append(f"reference {name} holds {m['clipped_samples']} clipped samples (runs at full scale): its "
                       "loudness and top end are partly distortion, and the match copies them")
        ref_sm, mix_sm = m.get("side_minus_mid_db"), mix.get("side_minus_mid_db")
        if ref_sm is not None and mix_sm is not None and mix_sm < MONO_BELOW_DB < ref_sm:
            out.append(f"the mix is mono and reference {name} is stereo: a master cannot widen a mono mix; "
                       "its width is left as it is")
        elif ref_sm is not None and mix_sm is not None and abs(ref_sm - mix_sm) > WIDTH_WARN_DB:
            how = "wider" if ref_sm > mix_sm else "narrower"
            out.append(f"reference {name} is much {how} than the mix (side {ref_sm:.1f} dB under mid against "
                       f"{mix_sm:.1f} dB): the width match is held to its range; check it is the right reference")
    return out


def _bitrate_kbps(path: Path) -> float | None:
    """The bitrate of a lossy file (kbps), None for lossless or unknown files."""
    if path.suffix.lower() not in LOSSY_SUFFIXES:
        return None
    try:
        import mutagen

        info = mutagen.File(path)
        bitrate = getattr(getattr(info, "info", None), "bitrate", 0) or 0
    except Exception:                      # an unreadable tag block says nothing about the audio
        return None
    return bitrate / 1000 if bitrate else None


def save_preset(path: str | os.PathLike[str], target: dict, match: dict[str, float], sources: Sequence[str]) -> Path:
    """Write a match (the combined reference measurement and the amounts) as a YAML preset; return its path."""
    import yaml

    from studioflow.audio.atomic import write_text

    body = {"kind": PRESET_KIND, "version": PRESET_VERSION, "references": [Path(s).name for s in sources],
            "match": {k: round(v, 3) for k, v in match.items()},
            "target": _rounded({k: target.get(k) for k in TARGET_KEYS})}
    out = Path(path)
    write_text(out, "# a studioflow match: apply with `studioflow master MIX -o OUT --preset "
               f"{out.name}`\n" + yaml.safe_dump(body, sort_keys=False, width=110))
    return out


def load_preset(path: str | os.PathLike[str]) -> tuple[dict, dict[str, float], list[str]]:
    """(target measurement, amounts, reference names) from a preset file; one-line errors for anything else."""
    import yaml

    src = Path(path)
    try:
        body = yaml.safe_load(src.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise ParameterError(f"{src}: cannot read this preset ({str(e).splitlines()[0]})") from None
    if not isinstance(body, dict) or body.get("kind") != PRESET_KIND:
        raise ParameterError(f"{src}: not a studioflow match preset (write one with `master --save-preset`)")
    target = body.get("target") or {}
    missing = [k for k in TARGET_KEYS if k not in target]
    if missing:
        raise ParameterError(f"{src}: the preset's target lacks {', '.join(missing)}")
    return target, amounts(**(body.get("match") or {})), list(body.get("references") or [])


def _rounded(value: Any) -> Any:
    """Plain YAML-ready values with floats to 3 decimals."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_rounded(v) for v in value]
    if isinstance(value, (float, np.floating)):
        return round(float(value), 3)
    if isinstance(value, np.integer):
        return int(value)
    return value
