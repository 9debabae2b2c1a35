"""Compare two mix versions, loudness-matched: the loudness difference (BS.1770), the per-band spectrum difference
after matching, and what changed per track in the session (from the session copies beside the mixes)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from studioflow.audio.stream import BlockReader
from studioflow.audio.yamlfile import load_plain
from studioflow.mixing.versions import find_version

STRIP_KEYS = ("gain_db", "pan", "mute", "solo", "polarity", "output", "inserts", "sends", "automation", "source",
              "regions")


def compare(song_dir: str | os.PathLike[str], a: str | int, b: str | int) -> dict[str, Any]:
    """Report how version ``b`` differs from version ``a`` in ``<song_dir>/mixes`` (loudness-matched)."""
    path_a, path_b = find_version(song_dir, a), find_version(song_dir, b)
    la, lb = _loudness(path_a), _loudness(path_b)
    diff = None if la is None or lb is None else lb - la
    return {
        "a": str(path_a), "b": str(path_b),
        "loudness_a_lufs": la, "loudness_b_lufs": lb, "loudness_difference_lu": diff,
        "bands": band_difference(path_a, path_b, diff or 0.0),
        "changes": session_changes(_session_copy(path_a), _session_copy(path_b)),
    }


def _loudness(path: Path) -> float | None:
    from studioflow.analysis.loudness import LoudnessMeter
    reader = BlockReader(path)
    meter = LoudnessMeter(reader.sample_rate, reader.channels, true_peak=False)
    for block in reader:
        meter.process(block)
    return meter.result().integrated_lufs


def band_difference(path_a: Path, path_b: Path, loudness_difference_lu: float) -> list[dict[str, Any]]:
    """Per octave band: level of b minus level of a in dB after matching their loudness (``analysis.spectrum``)."""
    from studioflow.analysis.spectrum import octave_spectrum
    centres, levels_a = octave_spectrum(path_a)
    _, levels_b = octave_spectrum(path_b)
    return [{"band_hz": float(f), "difference_db": float(b - a - loudness_difference_lu)}
            for f, a, b in zip(centres, levels_a, levels_b) if np.isfinite(a) and np.isfinite(b)]


def _session_copy(mix: Path) -> dict[str, Any]:
    copy = mix.with_suffix(".yaml")
    if not copy.is_file():
        return {}
    data = load_plain(copy, "session copy")
    return data if isinstance(data, dict) else {}


def session_changes(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """One line per change between two sessions, by strip: added, removed, and each changed key (old -> new)."""
    lines = []
    for section in ("tracks", "buses"):
        before = {str(s.get("name")): s for s in old.get(section) or [] if isinstance(s, dict)}
        after = {str(s.get("name")): s for s in new.get(section) or [] if isinstance(s, dict)}
        kind = section[:-1] if section == "tracks" else "bus"
        for name in before.keys() - after.keys():
            lines.append(f"{kind} {name}: removed")
        for name in after.keys() - before.keys():
            lines.append(f"{kind} {name}: added")
        for name in [n for n in after if n in before]:
            lines += _strip_changes(f"{kind} {name}", before[name], after[name])
    lines += _strip_changes("master", old.get("master") or {}, new.get("master") or {})
    for key in ("tempo", "sample_rate", "pan_law_db"):
        if old.get(key) != new.get(key):
            lines.append(f"session {key}: {old.get(key)} -> {new.get(key)}")
    return lines


def _strip_changes(label: str, old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    lines = []
    for key in STRIP_KEYS:
        a, b = old.get(key), new.get(key)
        if a == b:
            continue
        if key == "inserts" and isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
            for i, (x, y) in enumerate(zip(a, b)):
                for k in sorted(set(x) | set(y)) if isinstance(x, dict) and isinstance(y, dict) else []:
                    if x.get(k) != y.get(k):
                        lines.append(f"{label}: inserts[{i}].{k}: {x.get(k)} -> {y.get(k)}")
            continue
        lines.append(f"{label}: {key}: {a} -> {b}")
    return lines
