"""What the room shows of a project: its songs and stages, and per song every mix and master version and the
brief's reference tracks, each with its loudness (LUFS) and true peak (dBTP) and the gain that matches it to the
quietest of them for a fair A/B.

Loudness comes from the JSON report written beside each render (the mix's ``analysis``, the master's
``analysis.output``: what the render measured); a file without one (a reference track, a render whose report is not
written yet) is measured here with studioflow's BS.1770 meter and remembered by size and modification time.
"""

from __future__ import annotations

import json
import re
import threading
from pathlib import Path
from typing import Any

from studioflow.analysis.report import analyze
from studioflow.audio.files import info
from studioflow.errors import StudioflowError
from studioflow.producer.approvals import MIX_SUFFIXES
from studioflow.producer.project import SONGS, Project, load_project
from studioflow.producer.routing import ROLE_TITLES, ROLES
from studioflow.producer.stages import STAGES, current_stage, verdicts
from studioflow.producer.status import approval
from studioflow.web import notes as room_notes
from studioflow.web.files import NotServed, project_relative, safe_path

_VERSION = re.compile(r"^(?P<stem>.+)-v(?P<n>\d+)$")
_MEASURED: dict[tuple[str, int, int], tuple[float | None, float | None]] = {}
_LOCK = threading.Lock()


def project_view(project_dir: str | Path) -> dict[str, Any]:
    """The brief, the stages and each song's name, folder, stage, approvals and open notes per role."""
    project = load_project(project_dir)
    songs = []
    for entry in project.songs:
        held = verdicts(project, entry)
        open_notes = {r: 0 for r in ROLES}
        for n in room_notes.song_notes(project.path / SONGS / entry["folder"]):
            if n.get("status") == "open":
                open_notes[n["role"]] = open_notes.get(n["role"], 0) + 1
        songs.append({"name": entry["name"], "folder": entry["folder"], "stage": current_stage(entry, held),
                      "approvals": {s: approval(entry, s, held) for s in STAGES}, "open_notes": open_notes})
    return {"title": project.brief.get("title"), "artist": project.brief.get("artist"), "brief": project.brief,
            "stages": list(STAGES), "roles": {r: ROLE_TITLES[r] for r in ROLES}, "songs": songs}


def song_view(project_dir: str | Path, song: str) -> dict[str, Any]:
    """One song: stage, approvals, tempo and sections, every playable version with loudness and match gain, and its
    notes (open and closed, with replies)."""
    project = load_project(project_dir)
    entry = project.song(song)
    held = verdicts(project, entry)
    song_dir = project.path / SONGS / entry["folder"]
    return {"name": entry["name"], "folder": entry["folder"], "stage": current_stage(entry, held),
            "stages": list(STAGES), "approvals": {s: approval(entry, s, held) for s in STAGES},
            "tempo_bpm": entry.get("tempo_bpm"), "sections": entry.get("sections") or [],
            "versions": with_match_gains(mixes(project, song_dir) + masters(project, song_dir, entry["folder"])
                                         + references(project)),
            "notes": room_notes.song_notes(song_dir)}


def mixes(project: Project, song_dir: Path) -> list[dict[str, Any]]:
    """Every mix version of the song (``mixes/NAME-vNNN.wav|flac``), oldest first."""
    out = []
    for path, number in _numbered(project, song_dir / "mixes", MIX_SUFFIXES):
        a = _beside(path).get("analysis") or {}
        out.append(_version(project, path, "mix", f"mix v{number}", number, None, a.get("integrated_lufs"),
                            a.get("true_peak_dbtp")))
    return out


def masters(project: Project, song_dir: Path, folder: str) -> list[dict[str, Any]]:
    """Every master version of the song (``masters/SONG-TARGET-vNNN.wav``), by target then version."""
    out = []
    for path, number in _numbered(project, song_dir / "masters", (".wav",)):
        m = _VERSION.match(path.stem)
        assert m is not None                                # _numbered lists only versioned names
        stem = m["stem"]
        if not stem.startswith(folder + "-"):
            continue
        target = stem[len(folder) + 1:]
        a = (_beside(path).get("analysis") or {}).get("output") or {}
        out.append(_version(project, path, "master", f"{target} master v{number}", number, target,
                            a.get("integrated_lufs"), a.get("true_peak_8x_dbtp", a.get("true_peak_dbtp"))))
    return sorted(out, key=lambda v: (v["target"], v["version"]))


def references(project: Project) -> list[dict[str, Any]]:
    """The brief's reference tracks that are audio files inside the project (names alone are only listed)."""
    out = []
    for ref in project.brief.get("references") or []:
        path = Path(ref) if Path(ref).is_absolute() else project.path / ref
        try:
            rel = project_relative(project.path.resolve(), path.resolve())
            safe_path(project.path, rel)
        except (ValueError, NotServed):
            continue
        out.append(_version(project, project.path / rel, "reference", f"reference: {Path(ref).name}", None, None,
                            None, None))
    return out


def with_match_gains(versions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Each version with ``match_gain_db``: the gain (never above 0 dB) that brings it to the quietest version's
    integrated loudness, so a switch compares sound, not level; 0 for a version whose loudness is unknown."""
    known = [v["lufs"] for v in versions if v["lufs"] is not None]
    quietest = min(known, default=None)
    for v in versions:
        v["match_gain_db"] = round(quietest - v["lufs"], 2) if quietest is not None and v["lufs"] is not None else 0.0
    return versions


def _numbered(project: Project, folder: Path, suffixes: tuple[str, ...]) -> list[tuple[Path, int]]:
    """``STEM-vNNN`` files of ``folder`` with one of ``suffixes`` that the room may serve, not empty (a render still
    running reserves the name with an empty file), by version."""
    found = []
    for p in folder.iterdir() if folder.is_dir() else []:
        m = _VERSION.match(p.stem)
        if m and p.suffix.lower() in suffixes and _servable(project, p) and p.stat().st_size:
            found.append((p, int(m["n"])))
    return sorted(found, key=lambda pn: (pn[1], pn[0].name))


def _servable(project: Project, path: Path) -> bool:
    try:
        safe_path(project.path, project_relative(project.path, path))
    except NotServed:
        return False
    return True


def _beside(path: Path) -> dict[str, Any]:
    """The JSON report written beside a render (empty when there is none yet or it cannot be read)."""
    try:
        data = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _version(project: Project, path: Path, kind: str, label: str, number: int | None, target: str | None,
             lufs: float | None, true_peak: float | None) -> dict[str, Any]:
    source = "render report"
    if lufs is None:
        lufs, true_peak = measured(path)
        source = "measured by the room"
    try:
        duration = info(path).duration_s
    except StudioflowError:
        duration = None
    rel = project_relative(project.path, path)
    return {"id": rel, "file": rel, "kind": kind, "label": label, "version": number, "target": target,
            "lufs": None if lufs is None else round(lufs, 2),
            "true_peak_dbtp": None if true_peak is None else round(true_peak, 2), "loudness_from": source,
            "duration_s": duration}


def measured(path: Path) -> tuple[float | None, float | None]:
    """Integrated loudness (LUFS) and true peak (dBTP) of a file, measured once per size and modification time
    (None, None for a file that cannot be read)."""
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns)
    with _LOCK:
        if key in _MEASURED:
            return _MEASURED[key]
    try:
        report = analyze(path, spectrum=False)
        value = (report["integrated_lufs"], report["true_peak_dbtp"])
    except StudioflowError:
        value = (None, None)
    with _LOCK:
        _MEASURED[key] = value
    return value
