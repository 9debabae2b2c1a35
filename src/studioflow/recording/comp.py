"""Comping: one performance built from segments of several takes of a track.

A plan (YAML) lists segments in song time, seconds: ``[{take: 3, from: 0, to: 12.5}, {take: 5, from: 12.5, to: 30}]``
(or the same list under ``segments:``). Takes recorded by punch-in start at their ``offset_s`` in song time.
At each boundary an equal-power crossfade (sin/cos, ``crossfade_ms`` long) is centred on the point within
+-``search_ms`` where both takes are closest to zero (the sum of their magnitudes is least), so edits do not click.

Output: ``takes/<track>/comp-vNNN.wav`` (versioned, never overwritten), a ``comp-vNNN.json`` beside it (the plan and
the boundaries used), and ``takes/<track>/comp.wav``, a relative symlink to the newest version, which is what a mix
session refers to (where symlinks are unavailable it is a copy).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np

from studioflow.audio.atomic import next_version, write_json
from studioflow.audio.files import read, write
from studioflow.audio.yamlfile import load_plain
from studioflow.errors import ParameterError, SessionError
from studioflow.recording import takes


def load_plan(path: str | Path) -> list[dict[str, float]]:
    """Segments of a comp plan, validated (contiguous or gapped, in order, never overlapping)."""
    path = Path(path)
    data = load_plain(path, "comp plan")
    segs = data.get("segments") if isinstance(data, dict) else data
    if not isinstance(segs, list) or not segs:
        raise SessionError(f"{path}: expected a list of segments like [{{take: 3, from: 0, to: 12.5}}]")
    out, end = [], 0.0
    for i, s in enumerate(segs, 1):
        if not isinstance(s, dict) or set(s) - {"take", "from", "to"} or {"take", "from", "to"} - set(s):
            raise SessionError(f"{path}: segment {i}: needs exactly the keys take, from, to (seconds)")
        take, a, b = s["take"], float(s["from"]), float(s["to"])
        if not a < b:
            raise SessionError(f"{path}: segment {i}: from {a} must be before to {b}")
        if a < end - 1e-9:
            raise SessionError(f"{path}: segment {i} starts at {a} s, before the previous one ends ({end} s)")
        out.append({"take": take, "from": a, "to": b})
        end = b
    return out


def _best_cut(a: np.ndarray, b: np.ndarray, centre: int, search: int) -> int:
    """Frame near ``centre`` where both takes are nearest zero."""
    lo, hi = max(centre - search, 0), min(centre + search + 1, a.shape[1], b.shape[1])
    if hi <= lo:
        return centre
    cost = np.abs(a[:, lo:hi]).sum(axis=0) + np.abs(b[:, lo:hi]).sum(axis=0)
    return lo + int(np.argmin(cost))


def build(song_dir: str | Path, track: str, plan: list[dict[str, Any]], *, crossfade_ms: float = 10.0,
          search_ms: float = 5.0) -> tuple[np.ndarray, int, list[dict[str, Any]]]:
    """The comp audio (float32 (channels, frames)), its rate and the boundaries used (s)."""
    if not 0.0 <= crossfade_ms <= 1000.0:
        raise ParameterError(f"comp {track}: --crossfade-ms must be from 0 to 1000 ms; got {crossfade_ms:g}")
    sources: dict[int, np.ndarray] = {}
    rate = channels = None
    for seg in plan:
        if seg["take"] in sources:
            continue
        entry = takes.find(song_dir, f"{track}:{seg['take']}")
        audio, r = read(takes.file_of(song_dir, entry))
        if rate is None:
            rate, channels = r, audio.shape[0]
        if r != rate or audio.shape[0] != channels:
            raise ParameterError(f"comp {track}: take {seg['take']} is {r} Hz/{audio.shape[0]} ch, others are "
                                 f"{rate} Hz/{channels} ch")
        offset = int(round(float(entry.get("offset_s") or 0.0) * r))       # punch-in takes start later in the song
        sources[seg["take"]] = np.pad(audio, ((0, 0), (offset, 0)))
    if rate is None or channels is None:
        raise ParameterError(f"comp {track}: the plan has no segments")
    total = int(round(plan[-1]["to"] * rate))
    sources = {k: np.pad(v, ((0, 0), (0, max(0, total - v.shape[1]))))[:, :total] for k, v in sources.items()}
    out = np.zeros((channels, total), dtype=np.float32)
    half, search = int(crossfade_ms * rate / 2000), int(search_ms * rate / 1000)
    joined = [i > 0 and abs(plan[i - 1]["to"] - seg["from"]) < 1e-9 for i, seg in enumerate(plan)] + [False]
    starts = []
    for i, seg in enumerate(plan):             # each segment's first frame; a joined boundary moves to a quiet spot
        start = int(round(seg["from"] * rate))
        starts.append(_best_cut(sources[plan[i - 1]["take"]], sources[seg["take"]], start, search)
                      if joined[i] else start)
    bounds = []
    for i, seg in enumerate(plan):
        a = starts[i]
        b = starts[i + 1] if joined[i + 1] else int(round(seg["to"] * rate))
        lo, hi = max(a - half if joined[i] else a, 0), min(b + half if joined[i + 1] else b, total)
        t = np.arange(lo, hi)
        gain = np.ones(hi - lo)
        if joined[i]:                            # equal power: sin^2 + cos^2 = 1 across the crossfade
            gain *= np.sin(np.clip((t - (a - half)) / max(2 * half, 1), 0, 1) * np.pi / 2)
            bounds.append({"at_s": round(a / rate, 4), "planned_s": seg["from"], "into_take": seg["take"]})
        if joined[i + 1]:
            gain *= np.cos(np.clip((t - (b - half)) / max(2 * half, 1), 0, 1) * np.pi / 2)
        out[:, lo:hi] += sources[seg["take"]][:, lo:hi] * gain.astype(np.float32)
    return out, rate, bounds


def comp(song_dir: str | Path, track: str, plan_path: str | Path, *, crossfade_ms: float = 10.0) -> dict[str, Any]:
    """Build a comp from a plan file, write ``comp-vNNN.wav`` (+ JSON) and point ``comp.wav`` at it."""
    plan = load_plan(plan_path)
    audio, rate, bounds = build(song_dir, track, plan, crossfade_ms=crossfade_ms)
    folder = takes.takes_dir(song_dir) / track
    path = next_version(folder, "comp", ".wav")
    write(path, audio, rate)
    result = {"track": track, "file": str(path), "plan": plan, "crossfade_ms": crossfade_ms, "boundaries": bounds,
              "duration_s": round(audio.shape[1] / rate, 3)}
    write_json(path.with_suffix(".json"), result)
    link = folder / "comp.wav"
    tmp = folder / ".comp.wav.tmp"
    tmp.unlink(missing_ok=True)
    try:
        os.symlink(path.name, tmp)
    except OSError:
        shutil.copyfile(path, tmp)
    os.replace(tmp, link)
    result["latest"] = str(link)
    return result
