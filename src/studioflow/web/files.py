"""Which files the listening room may serve: audio inside the project folder, and nothing else.

A request names a file by its path relative to the project. It is refused when any part of that path is empty,
``.`` or ``..``, starts with a dot (the lock file, produce's state) or holds a NUL or a backslash, when it is not an
audio file, and when the real path (every symlink followed) is not inside the project's real folder: a symlink that
points out of the project serves nothing.
"""

from __future__ import annotations

from pathlib import Path

from studioflow.errors import StudioflowError

#: what the room serves: the formats studioflow writes and reads (a browser plays each of them)
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg", ".opus", ".m4a")


class NotServed(StudioflowError):
    """A path the listening room does not serve (outside the project, hidden, not audio, or missing)."""


def safe_path(root: Path, relative: str) -> Path:
    """The real file ``root/relative`` when the room may serve it, else NotServed saying why."""
    parts = relative.split("/")
    if not relative or any(p in ("", ".", "..") or p.startswith(".") or "\x00" in p or "\\" in p for p in parts):
        raise NotServed(f"{relative!r}: not a plain path inside the project")
    if Path(relative).suffix.lower() not in AUDIO_SUFFIXES:
        raise NotServed(f"{relative!r}: only audio files are served ({', '.join(AUDIO_SUFFIXES)})")
    base = root.resolve()
    real = (base / relative).resolve()
    if not real.is_relative_to(base):
        raise NotServed(f"{relative!r}: leads out of the project folder")
    if not real.is_file():
        raise NotServed(f"{relative!r}: no such file in the project")
    return real


def project_relative(root: Path, path: Path) -> str:
    """``path`` relative to the project folder, with forward slashes (the name the room's URLs use)."""
    return path.relative_to(root).as_posix()
