"""The page's note actions, through the producer's own functions: a note filed at a time on the waveform (or over a
range) is routed by the same router into notes.yaml; replies and "done" keep the same lock and history.

Times in notes.yaml are what people read off a player, ``m:ss`` (a range ``m:ss-m:ss``, as the router writes one it
finds in a note's text); the page speaks seconds, so each note it reads also carries ``at_s`` and ``to_s``.
"""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from studioflow.errors import ParameterError
from studioflow.producer import notes
from studioflow.producer.lock import project_lock
from studioflow.producer.project import load_project

MAX_TEXT = 2000          # characters in a note or a reply
MAX_NAME = 80            # characters in a name
MAX_SECONDS = 24 * 3600  # a time on the waveform, at most a day
_CLOCK = re.compile(r"(\d+):(\d{2}(?:\.\d+)?)")


def clock(seconds: float) -> str:
    """``seconds`` as ``m:ss`` (to the nearest second, as notes are written): 83.2 -> ``1:23``."""
    whole = int(round(seconds))
    return f"{whole // 60}:{whole % 60:02d}"


def seconds_of(at: Any) -> tuple[float | None, float | None]:
    """The start and end (None for a moment) in seconds of a note's ``at`` (``1:23``, ``1:23-1:40``)."""
    times = [int(m) * 60 + float(s) for m, s in _CLOCK.findall(str(at or ""))]
    return (times[0] if times else None), (times[1] if len(times) > 1 else None)


def song_notes(song_dir: Path) -> list[dict[str, Any]]:
    """Every note of a song, open and closed, each with ``at_s`` and ``to_s`` (seconds) and its ``replies``."""
    out = []
    for n in notes.load(song_dir):
        at_s, to_s = seconds_of(n.get("at"))
        out.append({**n, "at_s": at_s, "to_s": to_s, "replies": list(n.get("replies") or [])})
    return out


def check_time(value: Any, what: str) -> float | None:
    """A time on the waveform in seconds (a number, or ``m:ss`` text), or None; ParameterError otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, str) and _CLOCK.fullmatch(value.strip()):
        return seconds_of(value)[0]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value) \
            or not 0 <= value <= MAX_SECONDS:
        raise ParameterError(f"{what} {value!r}: give seconds from the start of the song (e.g. 83) or m:ss")
    return float(value)


def check_text(value: Any, what: str, limit: int = MAX_TEXT) -> str:
    """A non-empty text of at most ``limit`` characters; ParameterError otherwise."""
    if not isinstance(value, str) or not value.strip():
        raise ParameterError(f"{what}: write something (a text)")
    if len(value) > limit:
        raise ParameterError(f"{what}: {len(value)} characters; keep it under {limit}")
    return value.strip()


def check_name(value: Any) -> str | None:
    """Who is writing (optional): a short text."""
    return None if value in (None, "") else check_text(value, "by", MAX_NAME)


def file_at(project_dir: str | Path, song: str, text: str, *, at_s: float | None = None, to_s: float | None = None,
            by: str | None = None) -> dict[str, Any]:
    """File a note at ``at_s`` seconds (over a range to ``to_s``) through the producer's router; the stored note
    with ``at_s``/``to_s``."""
    if to_s is not None and (at_s is None or to_s <= at_s):
        raise ParameterError(f"to {to_s}: a range ends after it starts (at {at_s})")
    with project_lock(project_dir):
        note = notes.file_note(project_dir, song, text, at=None if at_s is None else clock(at_s), by=by)
        if to_s is not None and at_s is not None and clock(to_s) != clock(at_s):
            song_dir = load_project(project_dir).song_dir(song)
            items = notes.load(song_dir)
            stored = next(n for n in items if n["id"] == note["id"])
            stored["at"] = f"{clock(at_s)}-{clock(to_s)}"
            notes.save(song_dir, items)
            note = stored
    at, to = seconds_of(note.get("at"))
    return {**note, "at_s": at, "to_s": to, "replies": []}


def reply(project_dir: str | Path, song: str, note_id: int, text: str, *, by: str | None = None) -> dict[str, Any]:
    """Add a reply to a note through the producer (``notes.reply_note``); the note with ``at_s``/``to_s``."""
    note = notes.reply_note(project_dir, song, note_id, text, by=by)
    at_s, to_s = seconds_of(note.get("at"))
    return {**note, "at_s": at_s, "to_s": to_s}


def done(project_dir: str | Path, song: str, note_id: int, *, by: str | None = None,
         role: str | None = None) -> dict[str, Any]:
    """Mark a note done: closed by its role (or ``role``, which must be its role or the producer) with the name of
    who marked it in the resolution; the closed note."""
    who = f" by {by}" if by else ""
    note = notes.close_note(project_dir, song, note_id, by=role, resolution=f"marked done{who} in the listening room")
    at_s, to_s = seconds_of(note.get("at"))
    return {**note, "at_s": at_s, "to_s": to_s, "replies": list(note.get("replies") or [])}

