"""Output paths checked before long work, so a wrong -o fails at once with one line and leaves nothing behind."""

from __future__ import annotations

import os
from pathlib import Path

from studioflow.audio.atomic import check_folder
from studioflow.errors import OutputError


def check_file(path: str | Path | None) -> None:
    """OutputError unless output file ``path`` can be written (its folder exists and is writable); None passes."""
    if path is not None:
        check_folder(path)


def check_dir(path: str | Path | None) -> None:
    """OutputError unless output folder ``path`` is writable, or can be made (its nearest existing parent is)."""
    if path is None:
        return
    folder = probe = Path(path)
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        raise OutputError(f"{folder}: {probe} is a file, not a folder; choose another output folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"{folder}: the folder {probe} is not writable; check its permissions or choose another "
                          "folder")
