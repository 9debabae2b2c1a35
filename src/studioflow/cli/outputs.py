"""Output paths checked before long work, so a wrong -o fails at once with one line and leaves nothing behind, and
nothing of the user's is replaced: an existing file only with --overwrite, an input of the command never."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

from studioflow.audio.atomic import check_output
from studioflow.errors import OutputError

#: the help of every command's --overwrite
OVERWRITE_HELP = "Replace output files that are already there (never the command's own inputs)."


def shown(text: str) -> str:
    """``text`` as it can be shown and drawn: the bytes of a file name that is not UTF-8 escaped (``\\xff``)."""
    return text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


def check_file(path: str | Path | None, *, inputs: Iterable[str | Path] = (), overwrite: bool = False) -> None:
    """The output policy (``atomic.check_output``) for output file ``path``; None passes."""
    if path is not None:
        check_output(path, inputs=list(inputs), overwrite=overwrite)


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
