"""Versioned mixes in a song folder: ``mixes/<name>-vNNN.wav`` with the session copy that made it, never overwritten."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from studioflow.audio.atomic import next_version, release_version, write_text
from studioflow.errors import SessionError
from studioflow.mixing.engine import FORMATS, render
from studioflow.mixing.session import Session, load_session

MIXES = "mixes"
SESSION_NAMES = ("mix.yaml", "session.yaml")


def slug(name: str) -> str:
    """A file-name-safe form of a session name (``Demo song`` -> ``demo-song``)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return text or "mix"


def find_session(folder: str | os.PathLike[str]) -> Path:
    """The session file of a song folder (``mix.yaml`` or ``session.yaml``)."""
    base = Path(folder)
    for name in SESSION_NAMES:
        if (base / name).is_file():
            return base / name
    raise SessionError(f"{base}: no session file here (looked for {', '.join(SESSION_NAMES)})")


def render_version(session: Session | str | os.PathLike[str], song_dir: str | os.PathLike[str] | None = None,
                   **render_options: Any) -> dict[str, Any]:
    """Render the next version into ``<song_dir>/mixes/`` (default: the session's folder) beside a copy of the
    session; returns the render's report, with ``version`` and ``session_copy`` added."""
    if not isinstance(session, Session):
        session = load_session(session)
    song = Path(song_dir) if song_dir is not None else session.path.parent
    folder = song / MIXES
    folder.mkdir(parents=True, exist_ok=True)
    suffix = "." + FORMATS[render_options.get("format", "float")][0]
    out = next_version(folder, slug(session.name), suffix)
    copy = out.with_suffix(".yaml")
    try:
        write_text(copy, session.path.read_text(encoding="utf-8"))
        report = render(session, out, write_report=False, **render_options)
    except BaseException:
        copy.unlink(missing_ok=True)
        release_version(out)
        raise
    report["version"] = int(out.stem.rsplit("-v", 1)[1])
    report["session_copy"] = str(copy)
    from studioflow.audio.atomic import write_json
    write_json(out.with_suffix(".json"), report)
    return report


def find_version(song_dir: str | os.PathLike[str], version: str | int) -> Path:
    """The mix file of version ``v3`` / ``3`` / ``name-v003`` in ``<song_dir>/mixes``."""
    folder = Path(song_dir) / MIXES
    text = str(version)
    m = re.fullmatch(r"(?:(.+)-)?v?(\d+)", text)
    if not m:
        raise SessionError(f"{text!r} is not a version (write v3, 3 or name-v003)")
    stem, number = m.group(1), int(m.group(2))
    found = sorted(p for p in folder.glob("*-v*.*") if p.suffix in (".wav", ".flac")
                   and (mm := re.fullmatch(r"(.+)-v(\d+)", p.stem)) and int(mm.group(2)) == number
                   and (stem is None or mm.group(1) == stem))
    if not found:
        raise SessionError(f"{folder}: no mix version {text}")
    if len(found) > 1:
        raise SessionError(f"{folder}: version {text} is ambiguous ({', '.join(p.name for p in found)}); "
                           "name it like name-v003")
    return found[0]
