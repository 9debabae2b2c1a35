"""Stages of a song: tracking -> mixing -> mastering -> ready, each approved by someone at a time.

A stage is approved in order (the one before it first) and not while notes for it are open: tracking waits on the
recording engineer's notes, mixing on the mixing engineer's, mastering on the mastering engineer's, and ready on
every open note of the song (the producer signs off the whole).

An approval is of the exact files it saw (approvals.py): mixing of the newest mix, mastering of the newest master per
platform, each by name, version and content hash. It holds while

- the newest files still have the content it approved: a newer mix (rendered by produce, by produce --apply-notes or
  by ``studioflow mix``) with other content ends the mixing approval, such a master the mastering one (a render of
  the same audio under the next version number does not); an approval made while there was no mix (or master) ends
  when one appears;
- and the approval of the stage before it holds: a redone mix ends the mastering and ready approvals too, since their
  masters were made from the old mix.

Mastering is not approved while a master was made from another mix than the approved one (master it again first).
Commands that hold the project lock (produce, approve) revoke the approvals that no longer hold: each moves from
``approvals`` to ``revoked`` in project.yaml with the reason and an ``approval-revoked`` entry goes to history.jsonl.
``status`` only reads: it shows such an approval as not holding, with the reason, before a command has revoked it.
"""

from __future__ import annotations

import getpass
import shlex
from pathlib import Path
from typing import Any

from studioflow.errors import ParameterError, StudioflowError
from studioflow.producer import history, notes
from studioflow.producer.approvals import (
    TIED_STAGES,
    differences,
    masters_from_other_mixes,
    tied_files,
)
from studioflow.producer.lock import project_lock
from studioflow.producer.project import SONGS, Project, load_project, now, save_project

STAGES = ("tracking", "mixing", "mastering", "ready")
ROLE_OF_STAGE = {"tracking": "recording", "mixing": "mixing", "mastering": "mastering", "ready": None}


class ApprovalRefused(StudioflowError):
    """A stage cannot be approved yet (open notes, or an earlier stage not approved)."""


def check_stage(stage: str) -> str:
    """``stage`` if it is one of STAGES, else ParameterError listing them."""
    if stage not in STAGES:
        raise ParameterError(f"stage {stage!r}: use one of {', '.join(STAGES)}")
    return stage


def current_stage(song: dict[str, Any], held: dict[str, str | None] | None = None) -> str:
    """The first stage of the song not approved (``done`` when all are); with ``held`` (from ``verdicts``), an
    approval that no longer holds counts as none."""
    for s in STAGES:
        if s not in (song.get("approvals") or {}) or (held or {}).get(s):
            return s
    return "done"


def verdicts(project: Project, song: dict[str, Any]) -> dict[str, str | None]:
    """Each approved stage of ``song``: None while its approval holds, else why it no longer does (module
    docstring)."""
    song_dir = project.path / SONGS / song["folder"]
    approved = song.get("approvals") or {}
    out: dict[str, str | None] = {}
    for i, stage in enumerate(STAGES):
        record = approved.get(stage)
        if record is None:
            continue
        why = []
        before = STAGES[i - 1] if i else None
        if before is not None and (before not in approved or out[before]):
            why.append(f"the {before} approval it rests on no longer holds")
        if stage in TIED_STAGES and "files" not in record:
            why.append("it does not say which files it approved (made by an older studioflow)")
        elif stage in TIED_STAGES:
            why += differences(record["files"], tied_files(song_dir, song["folder"], stage, project.platforms()))
        out[stage] = f"{'; '.join(why)}: approve {stage} again" if why else None
    return out


def revoke_stale(project: Project, song: dict[str, Any]) -> list[dict[str, Any]]:
    """Revoke the approvals of ``song`` that no longer hold (the caller holds the project lock): each moves to
    ``revoked`` in project.yaml with the reason and is recorded in the history; return ``[{song, stage, by, why}]``."""
    gone = []
    for stage, why in verdicts(project, song).items():
        if why is None:
            continue
        record = song["approvals"].pop(stage)
        song.setdefault("revoked", {})[stage] = {**record, "revoked_at": now(), "why": why}
        gone.append({"song": song["name"], "stage": stage, "by": record["by"], "approved_at": record["at"],
                     "files": record.get("files"), "why": why})
    if gone:
        save_project(project)
        for g in gone:
            history.append(project.path, "approval-revoked", **g)
    return [{k: g[k] for k in ("song", "stage", "by", "why")} for g in gone]


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
        revoked = revoke_stale(project, entry)
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
                                  f"open: {ids}{more}; close them with studioflow note "
                                  f"{shlex.quote(str(project.path))} {shlex.quote(entry['name'])} --close ID")
        record: dict[str, Any] = {"by": by or _user(), "at": now()}
        if stage in TIED_STAGES:
            record["files"] = tied_files(song_dir, entry["folder"], stage, project.platforms())
        if stage == "mastering":
            _check_masters_follow_the_mix(project.path, entry, record["files"])
        approvals[stage] = record
        if entry.get("revoked", {}).pop(stage, None) is not None and not entry["revoked"]:
            del entry["revoked"]
        save_project(project)
        history.append(project.path, "approve", song=entry["name"], stage=stage, by=record["by"],
                       **({"files": record["files"]} if "files" in record else {}))
        return {"song": entry["name"], "stage": stage, **record, "next": current_stage(entry), "revoked": revoked}


def _check_masters_follow_the_mix(project_dir: Path, entry: dict[str, Any], masters: dict[str, Any]) -> None:
    """ApprovalRefused when a master was made from another mix than the one mixing approved."""
    mix = entry["approvals"]["mixing"]["files"]["mix"]
    stale = masters_from_other_mixes(masters, mix)
    if stale:
        raise ApprovalRefused(f"{entry['name']}: cannot approve mastering: {', '.join(stale)} made from another mix "
                              f"than the approved {mix['file']}; master it again with studioflow produce "
                              f"{shlex.quote(str(project_dir))} --song {shlex.quote(entry['name'])}")


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:   # no login name (containers): say so rather than fail
        return "unknown"
