"""Stages of a song: tracking -> mixing -> mastering -> ready, each approved by someone at a time.

A stage is approved in order (the one before it first) and not while notes for it are open: tracking waits on the
recording engineer's notes, mixing on the mixing engineer's, mastering on the mastering engineer's, and ready on
every open note of the song (the producer signs off the whole).
"""

from __future__ import annotations

import getpass
import shlex
from pathlib import Path
from typing import Any

from studioflow.errors import ParameterError, StudioflowError
from studioflow.producer import history, notes
from studioflow.producer.lock import project_lock
from studioflow.producer.project import load_project, now, save_project

STAGES = ("tracking", "mixing", "mastering", "ready")
ROLE_OF_STAGE = {"tracking": "recording", "mixing": "mixing", "mastering": "mastering", "ready": None}


class ApprovalRefused(StudioflowError):
    """A stage cannot be approved yet (open notes, or an earlier stage not approved)."""


def check_stage(stage: str) -> str:
    """``stage`` if it is one of STAGES, else ParameterError listing them."""
    if stage not in STAGES:
        raise ParameterError(f"stage {stage!r}: use one of {', '.join(STAGES)}")
    return stage


def current_stage(song: dict[str, Any]) -> str:
    """The first stage of the song not yet approved (``done`` when all are)."""
    for s in STAGES:
        if s not in (song.get("approvals") or {}):
            return s
    return "done"


def blocking_notes(song_dir: Path, stage: str) -> list[dict[str, Any]]:
    """Open notes that keep ``stage`` from being approved."""
    role = ROLE_OF_STAGE[stage]
    return notes.open_notes(song_dir, role)


def approve(project_dir: str | Path, song: str, stage: str, *, by: str | None = None) -> dict[str, Any]:
    """Record that ``by`` approved ``stage`` of ``song`` now; ApprovalRefused while notes for it are open."""
    check_stage(stage)
    with project_lock(project_dir):
        project = load_project(project_dir)
        entry = project.song(song)
        song_dir = project.song_dir(song)
        approvals = entry.setdefault("approvals", {})
        if stage in approvals:
            a = approvals[stage]
            raise ApprovalRefused(f"{entry['name']}: {stage} was already approved by {a['by']} at {a['at']}")
        earlier = [s for s in STAGES[:STAGES.index(stage)] if s not in approvals]
        if earlier:
            raise ApprovalRefused(f"{entry['name']}: approve {earlier[0]} before {stage}")
        open_ = blocking_notes(song_dir, stage)
        if open_:
            ids = ", ".join(f"#{n['id']} ({n['role']}: {n['text'][:40]})" for n in open_[:3])
            more = f" and {len(open_) - 3} more" if len(open_) > 3 else ""
            raise ApprovalRefused(f"{entry['name']}: cannot approve {stage} while {len(open_)} note(s) for it are "
                                  f"open: {ids}{more}; close them with studioflow note {shlex.quote(str(project.path))} "
                                  f"{shlex.quote(entry['name'])} --close ID")
        record = {"by": by or _user(), "at": now()}
        approvals[stage] = record
        save_project(project)
        history.append(project.path, "approve", song=entry["name"], stage=stage, by=record["by"])
        return {"song": entry["name"], "stage": stage, **record, "next": current_stage(entry)}


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:   # no login name (containers): say so rather than fail
        return "unknown"
