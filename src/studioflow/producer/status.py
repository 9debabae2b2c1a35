"""The project dashboard as data: songs x stages with approvals, open notes per role, the latest mix and masters
with loudness (LUFS) and true peak (dBTP) against the brief's targets, and what ``produce`` would redo."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from studioflow.producer import notes
from studioflow.producer.pipeline import api, produce
from studioflow.producer.project import load_project
from studioflow.producer.routing import ROLES
from studioflow.producer.stages import STAGES, current_stage

LUFS_TOLERANCE_LU = 1.0     # a master within +-1 LU of its target meets it
PEAK_TOLERANCE_DB = 0.05    # measurement rounding above the ceiling still meets it
_VERSION = re.compile(r"^(?P<stem>.+)-v(?P<n>\d+)$")


def project_status(project_dir: str | Path) -> dict[str, Any]:
    """The dashboard's data for a project (reads only; takes no lock)."""
    project = load_project(project_dir)
    plan = produce(project.path, dry_run=True)["songs"]
    by_role = {r: 0 for r in ROLES}
    songs = []
    for entry in project.songs:
        song_dir = project.path / "songs" / entry["folder"]
        open_ = notes.open_notes(song_dir)
        counts = {r: sum(n["role"] == r for n in open_) for r in ROLES}
        for r, c in counts.items():
            by_role[r] += c
        songs.append({
            "name": entry["name"], "folder": entry["folder"], "stage": current_stage(entry),
            "approvals": {s: (entry.get("approvals") or {}).get(s) for s in STAGES},
            "open_notes": counts,
            "mix": latest_mix(song_dir),
            "masters": {t: latest_master(song_dir, entry["folder"], t) for t in project.platforms()},
            "would_redo": [{"step": s["step"], "stage": s["stage"], "why": s["why"]}
                           for s in plan.get(entry["name"], []) if s["status"] in ("would run", "failed")],
        })
    return {"project": str(project.path), "brief": project.brief, "songs": songs, "open_notes": by_role}


def _latest(folder: Path, stem: str | None = None) -> Path | None:
    best: tuple[int, Path] | None = None
    for p in folder.glob("*-v*.wav") if folder.is_dir() else []:
        m = _VERSION.match(p.stem)
        if m and (stem is None or m["stem"] == stem) and p.stat().st_size > 0:
            if best is None or int(m["n"]) > best[0]:
                best = (int(m["n"]), p)
    return best[1] if best else None


def _report(path: Path) -> dict[str, Any]:
    try:
        return json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def latest_mix(song_dir: Path) -> dict[str, Any] | None:
    """The newest mix version with its loudness and true peak (from its JSON), or None."""
    mix = _latest(song_dir / "mixes")
    if mix is None:
        return None
    a = _report(mix).get("analysis") or {}
    return {"file": str(mix.relative_to(song_dir)), "version": int(_VERSION.match(mix.stem)["n"]),
            "lufs": a.get("integrated_lufs"), "true_peak_dbtp": a.get("true_peak_dbtp")}


def latest_master(song_dir: Path, folder: str, target: str) -> dict[str, Any] | None:
    """The newest master for ``target`` measured against the target's loudness and ceiling, or None."""
    path = _latest(song_dir / "masters", f"{folder}-{target}")
    goal = _target(target)
    if path is None:
        return {"file": None, "version": None, "lufs": None, "true_peak_dbtp": None,
                "target_lufs": goal["lufs"] if goal else None, "ceiling_dbtp": goal["ceiling_dbtp"] if goal else None,
                "lufs_ok": None, "peak_ok": None}
    rec = _report(path)
    out = (rec.get("analysis") or {}).get("output") or {}
    goal = goal or {k: (rec.get("target") or {}).get(k) for k in ("lufs", "ceiling_dbtp")}
    lufs, tp = out.get("integrated_lufs"), out.get("true_peak_8x_dbtp", out.get("true_peak_dbtp"))
    return {"file": str(path.relative_to(song_dir)), "version": int(_VERSION.match(path.stem)["n"]),
            "lufs": lufs, "true_peak_dbtp": tp, "target_lufs": goal.get("lufs"),
            "ceiling_dbtp": goal.get("ceiling_dbtp"),
            "lufs_ok": None if lufs is None or goal.get("lufs") is None
            else abs(lufs - goal["lufs"]) <= LUFS_TOLERANCE_LU,
            "peak_ok": None if tp is None or goal.get("ceiling_dbtp") is None
            else tp <= goal["ceiling_dbtp"] + PEAK_TOLERANCE_DB}


def _target(name: str) -> dict[str, Any] | None:
    get_target = api("studioflow.mastering.targets", "get_target")
    if get_target is None:
        return None
    try:
        t = get_target(name)
    except Exception:       # a platform the table no longer knows: show the master without a target
        return None
    return {"lufs": t.lufs, "ceiling_dbtp": t.ceiling_dbtp}
