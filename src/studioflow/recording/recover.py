"""Recovering interrupted takes: ``take-NNN.recording.wav`` files left by a crash, a kill or a power cut.

Each is repaired (header sizes set from the bytes on disk, a partial last frame cut), renamed ``take-NNN.wav`` and
listed in ``takes.yaml`` with ``recovered: true`` and what its ``.recording.json`` sidecar knew (device, inputs,
xruns). A file whose recorder process is still alive is left alone. Empty takes (no audio) are removed.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

from studioflow.errors import AudioFileError
from studioflow.recording import takes
from studioflow.recording.takewriter import read_format, repair


def _alive(pid: int | None) -> bool:
    if not pid or pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def interrupted(song_dir: str | Path) -> list[Path]:
    """The ``.recording.wav`` files of a song, oldest first."""
    return sorted(takes.takes_dir(song_dir).glob("*/take-*.recording.wav"), key=lambda p: p.stat().st_mtime)


def recover(song_dir: str | Path, *, run_checks: bool = True) -> list[dict[str, Any]]:
    """Repair and list every interrupted take of ``song_dir``; return what was done per file."""
    from studioflow.recording.checks import check_take_file

    done = []
    for path in interrupted(song_dir):
        m = takes.TAKE_RE.match(path.name)
        if m is None:                               # not a name we give takes: not ours to finish
            continue
        track, number = path.parent.name, int(m[1])
        sidecar = path.with_suffix(".json")          # take-NNN.recording.json
        meta: dict[str, Any] = {}
        if sidecar.exists():
            try:
                meta = json.loads(sidecar.read_text())
            except (OSError, ValueError):
                meta = {}
        if _alive(meta.get("pid")):
            done.append({"file": str(path), "action": "skipped: still being recorded (pid %s)" % meta["pid"]})
            continue
        try:
            channels, rate, bits = read_format(path)
            frames = repair(path)
        except (AudioFileError, OSError) as e:
            done.append({"file": str(path), "action": f"left alone: cannot repair ({e})"})
            continue
        if frames == 0:
            path.unlink()
            sidecar.unlink(missing_ok=True)
            done.append({"file": str(path), "action": "removed: no audio was recorded"})
            continue
        final = takes.take_path(song_dir, track, number)
        os.replace(path, final)
        entry = {k: v for k, v in meta.items() if k != "pid"}
        started = dt.datetime.fromtimestamp(final.stat().st_mtime).astimezone().isoformat(timespec="seconds")
        entry.update(track=track, take=number, file=f"{track}/{final.name}", rate=rate, bits=bits,
                     duration_s=round(frames / rate, 3), recovered=True)
        entry.setdefault("date", started)
        entry.setdefault("inputs", list(range(1, channels + 1)))
        entry.setdefault("xruns", None)
        if run_checks:
            entry["check"] = check_take_file(final)
        entry = takes.add(song_dir, entry)
        sidecar.unlink(missing_ok=True)
        done.append({"file": str(final), "action": f"recovered {entry['duration_s']:.2f} s", "take": entry["id"]})
    return done
