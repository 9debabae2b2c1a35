"""The project dashboard as data: songs x stages with approvals (and whether each still holds), the open notes of
each song per role (a mixing note saying whether ``produce --apply-notes`` would apply it), the latest mix and
masters with loudness (LUFS) and true peak (dBTP) against the brief's targets, and what ``produce`` would redo."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from studioflow.producer import mixnotes, notes
from studioflow.producer.approvals import MIX_SUFFIXES, newest, version
from studioflow.producer.pipeline import produce
from studioflow.producer.project import load_project
from studioflow.producer.routing import ROLE_TITLES, ROLES
from studioflow.producer.stages import STAGES, current_stage, verdicts

LUFS_TOLERANCE_LU = 1.0     # a master within +-1 LU of its target meets it
PEAK_TOLERANCE_DB = 0.05    # measurement rounding above the ceiling still meets it
NOTE_KEYS = ("id", "text", "at", "reason", "filed_by", "filed_at")


def project_status(project_dir: str | Path) -> dict[str, Any]:
    """The dashboard's data for a project (reads only; takes no lock).

    Per song, ``approvals[stage]`` is None or the approval with ``holds`` (and ``why`` when it does not: an approval
    a newer mix or master outdated, revoked already or not yet), ``notes[role]`` lists the open notes with ``next``
    (what happens to each), and ``open_notes[role]`` counts them.
    """
    project = load_project(project_dir)
    plan = produce(project.path, dry_run=True)["songs"]
    by_role = {r: 0 for r in ROLES}
    songs = []
    for entry in project.songs:
        song_dir = project.path / "songs" / entry["folder"]
        pending = song_notes(song_dir)
        counts = {r: len(pending.get(r, [])) for r in ROLES}
        for r, c in counts.items():
            by_role[r] += c
        held = verdicts(project, entry)
        songs.append({
            "name": entry["name"], "folder": entry["folder"], "stage": current_stage(entry, held),
            "approvals": {s: approval(entry, s, held) for s in STAGES},
            "open_notes": counts,
            "notes": pending,
            "mix": latest_mix(song_dir),
            "masters": {t: latest_master(song_dir, entry["folder"], t) for t in project.platforms()},
            "would_redo": [{"step": s["step"], "stage": s["stage"], "why": s["why"]}
                           for s in plan.get(entry["name"], []) if s["status"] in ("would run", "failed")],
        })
    return {"project": str(project.path), "brief": project.brief, "songs": songs, "open_notes": by_role}


def approval(song: dict[str, Any], stage: str, held: dict[str, str | None]) -> dict[str, Any] | None:
    """The approval of ``stage`` with ``holds`` (and ``why`` not), or the revoked one (``holds`` false), or None."""
    record = (song.get("approvals") or {}).get(stage)
    if record is not None:
        return {**record, "holds": held[stage] is None, **({"why": held[stage]} if held[stage] else {})}
    revoked = (song.get("revoked") or {}).get(stage)
    return {**revoked, "holds": False} if revoked else None


def song_notes(song_dir: Path) -> dict[str, list[dict[str, Any]]]:
    """The open notes of a song per role, each with ``next``: what happens to it (a mixing note not tried yet is
    what ``produce --apply-notes`` applies; one revise refused waits for the mixing engineer)."""
    out: dict[str, list[dict[str, Any]]] = {r: [] for r in ROLES}
    for n in notes.open_notes(song_dir):
        out.setdefault(n["role"], []).append({**{k: n.get(k) for k in NOTE_KEYS}, "next": _next(n)})
    return out


def _next(note: dict[str, Any]) -> str:
    if note["role"] != mixnotes.ROLE:
        return f"waits for the {ROLE_TITLES.get(note['role'], note['role'])}"
    if mixnotes.untried(note):
        return "produce --apply-notes applies it"
    return ("revise could not apply it (" + "; ".join(note["revision"].get("not_applied") or []) + "): "
            "waits for the mixing engineer")


def _report(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def latest_mix(song_dir: Path) -> dict[str, Any] | None:
    """The newest mix version with its loudness and true peak (from its JSON), or None."""
    mix = newest(song_dir / "mixes", suffixes=MIX_SUFFIXES)
    if mix is None:
        return None
    a = _report(mix).get("analysis") or {}
    return {"file": str(mix.relative_to(song_dir)), "version": version(mix),
            "lufs": a.get("integrated_lufs"), "true_peak_dbtp": a.get("true_peak_dbtp")}


def latest_master(song_dir: Path, folder: str, target: str) -> dict[str, Any] | None:
    """The newest master for ``target`` measured against the target's loudness and ceiling, or None."""
    path = newest(song_dir / "masters", f"{folder}-{target}")
    goal = _target(target)
    if path is None:
        return {"file": None, "version": None, "lufs": None, "true_peak_dbtp": None,
                "target_lufs": goal["lufs"] if goal else None, "ceiling_dbtp": goal["ceiling_dbtp"] if goal else None,
                "lufs_ok": None, "peak_ok": None, "warnings": []}
    rec = _report(path)
    out = (rec.get("analysis") or {}).get("output") or {}
    goal = goal or {k: (rec.get("target") or {}).get(k) for k in ("lufs", "ceiling_dbtp")}
    lufs, tp = out.get("integrated_lufs"), out.get("true_peak_8x_dbtp", out.get("true_peak_dbtp"))
    return {"file": str(path.relative_to(song_dir)), "version": version(path),
            "lufs": lufs, "true_peak_dbtp": tp, "target_lufs": goal.get("lufs"),
            "ceiling_dbtp": goal.get("ceiling_dbtp"),
            "lufs_ok": None if lufs is None or goal.get("lufs") is None
            else abs(lufs - goal["lufs"]) <= LUFS_TOLERANCE_LU,
            "peak_ok": None if tp is None or goal.get("ceiling_dbtp") is None
            else tp <= goal["ceiling_dbtp"] + PEAK_TOLERANCE_DB, "warnings": list(rec.get("warnings") or [])}


def _target(name: str) -> dict[str, Any] | None:
    from studioflow.mastering import get_target

    try:
        t = get_target(name)
    except Exception:       # a platform the table no longer knows: show the master without a target
        return None
    return {"lufs": t.lufs, "ceiling_dbtp": t.ceiling_dbtp}
