"""What a catalog job works on: audio files given by name, found in folders (recursively, audio recognised by its
content, not its suffix) or listed in a CSV manifest (``path`` and optional ``title``, ``isrc``, ``target`` columns)."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from studioflow.errors import ParameterError, SessionError

#: leading bytes of the containers libsndfile reads (RIFF/RF64/BW64 WAVE, Sony Wave64, AIFF, FLAC, Ogg, CAF, Sun au)
_MAGIC = (b"RIFF", b"RF64", b"BW64", b"riff", b"FORM", b"fLaC", b"OggS", b"caff", b".snd", b"ID3")
MANIFEST_COLUMNS = ("path", "title", "isrc", "target")


@dataclass(frozen=True)
class Item:
    """One song of a job: its file, and the title, ISRC and target (a platform name or LUFS) a manifest gives."""

    path: Path
    title: str | None = None
    isrc: str | None = None
    target: str | None = None
    where: str = ""        # where it was listed: "folder/", "list.csv:12", or "" when given by name


def _head(path: Path, size: int = 12) -> bytes:
    try:
        with open(path, "rb") as fh:
            return fh.read(size)
    except OSError:
        return b""


def is_audio(path: str | os.PathLike[str]) -> bool:
    """True when the file's first bytes are those of an audio container studioflow reads (WAV, RF64, W64, AIFF,
    FLAC, Ogg, CAF, AU, MP3 with an ID3 tag or starting on an MPEG audio frame header); the name is not looked at."""
    head = _head(Path(path))
    if head.startswith(_MAGIC):
        if head.startswith(b"RIFF") or head.startswith(b"RF64") or head.startswith(b"BW64"):
            return head[8:12] == b"WAVE"
        if head.startswith(b"FORM"):
            return head[8:12] in (b"AIFF", b"AIFC")
        return True
    # an MPEG audio frame: 11 sync bits, a version other than "reserved", layer III, II or I, a valid bitrate index
    return (len(head) >= 3 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0 and (head[1] >> 3) & 3 != 1
            and (head[1] >> 1) & 3 != 0 and head[2] >> 4 not in (0, 15))


def _is_manifest(path: Path) -> bool:
    """True when the file is text whose first row names a ``path`` column (a CSV manifest)."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as fh:
            first = next(csv.reader(fh), [])
    except (OSError, UnicodeDecodeError, csv.Error):
        return False
    return "path" in [c.strip().lower() for c in first]


def read_manifest(path: str | os.PathLike[str]) -> list[Item]:
    """The songs a CSV manifest lists (paths relative to the manifest's folder); SessionError naming the line of a
    row without a path or with an unknown column."""
    src = Path(path)
    with open(src, newline="", encoding="utf-8-sig") as fh:
        reader = csv.DictReader(fh)
        columns = [c.strip().lower() for c in reader.fieldnames or []]
        unknown = [c for c in columns if c and c not in MANIFEST_COLUMNS]
        if unknown:
            raise SessionError(f"{src}:1: unknown column {unknown[0]!r}; columns: {', '.join(MANIFEST_COLUMNS)}")
        items = []
        for row in reader:
            cells = {k.strip().lower(): (v or "").strip() for k, v in row.items() if k is not None}
            line = reader.line_num
            if not cells.get("path"):
                raise SessionError(f"{src}:{line}: the row has no path")
            items.append(Item(src.parent / cells["path"], cells.get("title") or None, cells.get("isrc") or None,
                              cells.get("target") or None, f"{src}:{line}"))
    return items


def _walk(folder: Path) -> tuple[list[Path], int]:
    """Audio files under ``folder`` in name order (hidden files and folders left out), and how many other files."""
    found, other = [], 0
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if name.startswith("."):
                continue
            path = Path(root) / name
            if is_audio(path):
                found.append(path)
            else:
                other += 1
    return found, other


def discover(inputs: Iterable[str | os.PathLike[str]], out_dir: str | os.PathLike[str]) -> tuple[list[Item], int]:
    """The songs of ``inputs`` (files, folders, CSV manifests), each file once, and how many non-audio files the
    folders held. A file given by name that is neither audio nor a manifest is kept: its row fails with the reason.
    ParameterError when nothing is given, the output folder lies inside an input folder or an input inside it."""
    out = Path(os.path.realpath(out_dir))
    items: list[Item] = []
    other = 0
    given = list(inputs)
    if not given:
        raise ParameterError("no inputs: give audio files, folders or a CSV manifest")
    for raw in given:
        path = Path(raw)
        if path.is_dir():
            real = Path(os.path.realpath(path))
            if out == real or real in out.parents:
                raise ParameterError(f"{out_dir}: the output folder is inside the input folder {path}; choose one "
                                     "outside it")
            found, skipped = _walk(path)
            other += skipped
            items += [Item(p, where=f"{path}/") for p in found]
        elif path.is_file() and not is_audio(path) and _is_manifest(path):
            items += read_manifest(path)
        else:
            items.append(Item(path))
    seen: set[str] = set()
    unique = []
    for item in items:
        key = os.path.realpath(item.path)
        if out in Path(key).parents:
            raise ParameterError(f"{item.path}: this input is inside the output folder {out_dir}, where the job "
                                 "writes; choose another output folder")
        if key not in seen:
            seen.add(key)
            unique.append(item)
    return unique, other
