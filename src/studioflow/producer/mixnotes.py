"""Open mixing notes applied to a song's session by the mixing engineer's ``revise`` (``produce --apply-notes``).

Each open note routed to the mixing engineer that has not been tried yet goes to ``revise`` on its own, with the
time it was noted at (``notes add --at 1:10``) as its scope, so every note becomes one session version
(``session-v002.yaml``, ...) with its own diff. Versions follow revise's one rule: ``session.yaml`` (the session
produce mixes) holds the newest, and every state, the starting session and any hand edit included, is kept as a
version.

A note revise applied in full is closed by the mixing engineer, saying which edits in which version. A note revise
refused in full or in part stays open with revise's reason, for the mixing engineer to handle by hand; it is marked
as tried (``revision:`` in notes.yaml), so it is not applied twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from studioflow.producer import notes
from studioflow.producer.songs import SESSION_FILE

ROLE = "mixing"


def untried(note: dict[str, Any]) -> bool:
    """Whether revise has not tried the note yet (so ``produce --apply-notes`` would apply it, if it is open)."""
    return "revision" not in note


def pending(song_dir: Path) -> list[dict[str, Any]]:
    """Open mixing notes of the song that revise has not tried yet."""
    return [n for n in notes.open_notes(song_dir, ROLE) if untried(n)]


def apply_notes(song_dir: Path, revise: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Apply every pending mixing note through ``revise``; return ``{applied, refused, kept, diff}``.

    ``applied``: ``[{id, note, edits, session}]`` (closed when nothing of the note was refused); ``refused``:
    ``[{id, note, why}]`` (the note stays open); ``kept``: versions saved from hand edits; ``diff``: lines per note.
    """
    session = song_dir / SESSION_FILE
    out: dict[str, Any] = {"applied": [], "refused": [], "kept": [], "diff": []}
    for note in pending(song_dir):
        r = revise(session, note["text"], at=note.get("at"))
        if r.get("kept"):
            out["kept"].append(Path(r["kept"]).name)
        version = Path(r["new_session"]).name if r.get("new_session") else None
        edits = [a["edit"] for a in r["applied"]]
        whys = [f"{x['note']}: {x['why']}" if x["note"] != note["text"] else x["why"] for x in r["not_applied"]]
        _mark(song_dir, note["id"], {"session": version, "applied": edits, "not_applied": whys})
        if edits:
            out["applied"].append({"id": note["id"], "note": note["text"], "edits": edits, "session": version})
            out["diff"] += [f"#{note['id']} {line}" for line in r["diff"]]
        if whys:
            out["refused"].append({"id": note["id"], "note": note["text"], "why": "; ".join(whys)})
        elif edits:
            notes.close(song_dir, note["id"], by=ROLE, resolution=f"applied in {version}: {'; '.join(edits)}")
    return out


def _mark(song_dir: Path, note_id: int, revision: dict[str, Any]) -> None:
    """Record on a note what revise did with it."""
    items = notes.load(song_dir)
    for n in items:
        if int(n["id"]) == int(note_id):
            n["revision"] = revision
    notes.save(song_dir, items)
