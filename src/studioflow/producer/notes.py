"""A song's notes: ``notes.yaml`` holding each note's text, the role it was routed to and why, and when it was closed.

A note is filed open and routed by :func:`studioflow.producer.routing.route_note`; it is closed when its role (or the
producer, who oversees every role) resolves it. Ids count up across the whole project (a note filed on any song takes
the next id after the highest of every song), so "#7" names one note of the project; they are never reused. Projects
whose songs' ids were counted per song (before this rule) still load, close and list as they are: their old ids stay,
and new notes take ids above all of them.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from studioflow.audio.atomic import write_text
from studioflow.audio.yamlfile import load_plain
from studioflow.errors import ParameterError, SessionError
from studioflow.producer import history
from studioflow.producer.lock import project_lock
from studioflow.producer.project import load_project, now
from studioflow.producer.routing import ROLES, route_note

NOTES_FILE = "notes.yaml"
_TIME = r"^\d{1,2}:\d{2}(?:\.\d+)?$"


def load(song_dir: str | Path) -> list[dict[str, Any]]:
    """Every note of a song, open and closed (empty when there is no notes file yet)."""
    path = Path(song_dir) / NOTES_FILE
    if not path.exists():
        return []
    data = load_plain(path, "notes file") or {}
    items = data.get("notes") if isinstance(data, dict) else None
    if not isinstance(items, list) or not all(isinstance(n, dict) and {"id", "text", "role"} <= set(n) for n in items):
        raise SessionError(f"{path}: expected 'notes:' holding a list of entries with id, text and role")
    return items


def save(song_dir: str | Path, items: list[dict[str, Any]]) -> Path:
    """Write notes.yaml atomically."""
    return write_text(Path(song_dir) / NOTES_FILE,
                      yaml.safe_dump({"notes": items}, sort_keys=False, allow_unicode=True))


def check_time(at: str | None) -> str | None:
    """``at`` as m:ss (or None); ParameterError for anything else."""
    if at is None:
        return None
    if not re.match(_TIME, at.strip()):
        raise ParameterError(f"--at {at!r}: write the time in the song as m:ss (e.g. 1:23)")
    return at.strip()


def next_id(song_dirs: list[Path]) -> int:
    """The next free note id over the songs in ``song_dirs`` (1 when none has a note)."""
    return max((int(n["id"]) for d in song_dirs for n in load(d)), default=0) + 1


def add(song_dir: str | Path, song: str, text: str, *, at: str | None = None, by: str | None = None,
        role: str | None = None, note_id: int | None = None) -> dict[str, Any]:
    """File a note: route it (or take ``role`` given by hand), store it open, and return the stored entry.

    ``note_id``: the id to give it (the project's next id, see :func:`file_note`); by default the song's next id."""
    if not text.strip():
        raise ParameterError("the note is empty: say what you hear, e.g. \"the vocal is buried in the chorus\"")
    routing = route_note(text)
    if role is not None and role not in ROLES:
        raise ParameterError(f"role {role!r}: use one of {', '.join(ROLES)}")
    items = load(song_dir)
    entry = {
        "id": note_id if note_id is not None else next_id([Path(song_dir)]),
        "text": text.strip(), "song": song, "at": check_time(at) or routing.at,
        "role": role or routing.role,
        "reason": routing.reason if role is None else f"sent to the {role} role by hand (router said "
                                                       f"{routing.role}: {routing.reason})",
        "confidence": round(routing.confidence, 2), "status": "open", "filed_by": by, "filed_at": now(),
    }
    if routing.unsure and role is None:
        entry["unsure"] = True
    save(song_dir, items + [entry])
    return entry


def close(song_dir: str | Path, note_id: int, *, by: str | None = None, resolution: str = "") -> dict[str, Any]:
    """Close a note; ``by`` must be the note's role or the producer (default: the note's role)."""
    items = load(song_dir)
    n = _note(items, note_id, song_dir)
    if n.get("status") == "closed":
        raise ParameterError(f"note {note_id} is already closed (by {n.get('closed_by')} at {n.get('closed_at')})")
    who = by or n["role"]
    if who not in (n["role"], "producer"):
        raise ParameterError(f"note {note_id} belongs to the {n['role']} role: only it (or the producer) can close "
                             f"it, not {who}")
    n.update(status="closed", closed_by=who, closed_at=now(), resolution=resolution)
    save(song_dir, items)
    return n


def _note(items: list[dict[str, Any]], note_id: int, song_dir: str | Path) -> dict[str, Any]:
    """The note ``note_id`` of ``items``; ParameterError listing the song's notes when there is none."""
    for n in items:
        if int(n["id"]) == int(note_id):
            return n
    raise ParameterError(f"{Path(song_dir) / NOTES_FILE}: no note {note_id} "
                         f"(notes: {', '.join(str(n['id']) for n in items) or 'none'})")


def open_notes(song_dir: str | Path, role: str | None = None) -> list[dict[str, Any]]:
    """The open notes of a song (of one role when given)."""
    return [n for n in load(song_dir) if n.get("status") == "open" and (role is None or n["role"] == role)]


def file_note(project_dir: str | Path, song: str, text: str, *, at: str | None = None, by: str | None = None,
              role: str | None = None) -> dict[str, Any]:
    """File a routed note on a song of the project (locked, recorded in the history); return the stored entry."""
    with project_lock(project_dir):
        project = load_project(project_dir)
        entry = project.song(song)
        dirs = [project.song_dir(s["name"]) for s in project.songs]
        note = add(project.song_dir(song), entry["name"], text, at=at, by=by, role=role, note_id=next_id(dirs))
        history.append(project.path, "note", song=entry["name"], id=note["id"], role=note["role"], text=note["text"])
        return note


def close_note(project_dir: str | Path, song: str, note_id: int, *, by: str | None = None,
               resolution: str = "") -> dict[str, Any]:
    """Close a note of a song (locked, recorded in the history); return the closed entry."""
    with project_lock(project_dir):
        project = load_project(project_dir)
        entry = project.song(song)
        note = close(project.song_dir(song), note_id, by=by, resolution=resolution)
        history.append(project.path, "close-note", song=entry["name"], id=note["id"], by=note["closed_by"],
                       resolution=resolution)
        return note


def reply_note(project_dir: str | Path, song: str, note_id: int, text: str, *,
               by: str | None = None) -> dict[str, Any]:
    """Add a reply to a note of a song (kept in its ``replies``; locked, recorded in the history); the note."""
    with project_lock(project_dir):
        project = load_project(project_dir)
        entry = project.song(song)
        song_dir = project.song_dir(song)
        items = load(song_dir)
        note = _note(items, note_id, song_dir)
        note.setdefault("replies", []).append({"by": by, "text": text, "at": now()})
        save(song_dir, items)
        history.append(project.path, "note-reply", song=entry["name"], id=note["id"], by=by, text=text)
        return note


def project_notes(project_dir: str | Path, *, include_closed: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Notes of every song grouped by role (open ones only unless ``include_closed``), in ROLES order."""
    project = load_project(project_dir)
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in ROLES}
    for s in project.songs:
        for n in load(project.path / "songs" / s["folder"]):
            if include_closed or n.get("status") == "open":
                out.setdefault(n["role"], []).append({**n, "song": s["name"]})
    return out
