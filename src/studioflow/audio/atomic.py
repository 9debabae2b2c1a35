"""Atomic outputs: write to a temporary file in the same folder, rename into place; versioned names; JSON and text.

Every file studioflow produces goes through :func:`atomic_write`, so a crash or an error never leaves half a file
under the real name, and a reader never sees one being written (``os.replace`` is atomic within a folder on POSIX
and Windows).

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> write_json(folder / "report.json", {"peak_dbfs": float("-inf"), "lufs": -14.0})
PosixPath('...report.json')
>>> (folder / "report.json").read_text()
'{\\n  "peak_dbfs": null,\\n  "lufs": -14.0\\n}\\n'
>>> next_version(folder, "mix", ".wav").name, next_version(folder, "mix", "wav").name
('mix-v001.wav', 'mix-v002.wav')
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import math
import os
import re
from pathlib import Path
from typing import Any, Iterable, Iterator

from studioflow.audio import debris
from studioflow.errors import OutputError, OutputExistsError, ParameterError

__all__ = ["atomic_write", "check_folder", "check_output", "write_json", "write_text", "next_version",
           "release_version", "to_jsonable"]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def check_folder(path: str | os.PathLike[str]) -> Path:
    """OutputError unless the folder that will hold output ``path`` exists and is writable; return that folder.

    Commands call it before long work, so a wrong output path fails at once and leaves nothing behind.
    """
    target = Path(path)
    folder = target.parent if str(target.parent) else Path(".")
    if not folder.is_dir():
        what = "is not a folder" if folder.exists() else "does not exist"
        raise OutputError(f"{target}: the folder {folder} {what}; create it first or choose another folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"{target}: the folder {folder} is not writable; check its permissions or choose "
                          "another folder")
    debris.clean_debris(folder)
    return folder


def _same(a: Path, b: Path) -> bool:
    """True when ``a`` and ``b`` name one file (the same real path, or hard links to one file)."""
    if os.path.realpath(a) == os.path.realpath(b):
        return True
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def check_output(path: str | os.PathLike[str], *, inputs: Iterable[str | os.PathLike[str]] = (),
                 overwrite: bool = False) -> Path:
    """The output policy of every command: raise unless ``path`` may be written; return it.

    OutputError when its folder is missing or read-only, when it is one of the command's ``inputs`` (files or
    folders; the check follows symlinks and hard links) or lies inside an input folder; OutputExistsError when
    something is already there and ``overwrite`` is false. An input is never replaced, even with ``overwrite``.
    """
    target = Path(path)
    check_folder(target)
    real = Path(os.path.realpath(target))
    for source in inputs:
        src = Path(source)
        if _same(target, src):
            raise OutputError(f"{target}: this is an input of the command ({src}); studioflow never replaces what "
                              "it reads: write to another name")
        if src.is_dir() and Path(os.path.realpath(src)) in real.parents:
            raise OutputError(f"{target}: this is inside {src}, which the command reads; write it elsewhere")
    if target.is_dir():
        raise OutputError(f"{target}: a folder is there; choose a file name")
    if (target.exists() or target.is_symlink()) and not overwrite:
        raise OutputExistsError(f"{target}: a file is already there; choose another name, or pass --overwrite to "
                                "replace it")
    return target


@contextlib.contextmanager
def atomic_write(path: str | os.PathLike[str], *, durable: bool = True) -> Iterator[Path]:
    """Yield a temporary path beside ``path`` (same suffix); rename it onto ``path`` on success, delete it on error.

    The temporary name is hidden (``.stem-XXXX.PID.part.suffix``) and keeps the real suffix, so libraries that pick
    the format from the suffix (soundfile, PyAV) work on it. The file is flushed to disk (fsync) before the rename,
    unless ``durable`` is false (scratch files deleted within the run: an fsync of 60 MB costs ~20 ms of waiting).
    """
    target = Path(path)
    folder = check_folder(target)
    try:
        tmp = debris.hidden_file(folder, target.stem, target.suffix)
    except OSError as e:
        raise OutputError(f"{target}: cannot write in {folder} ({e.strerror}); check its permissions and free "
                          "space, or choose another folder") from None
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"{target}: nothing was written to the temporary file {tmp.name}")
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the file the usual permissions
        if durable:
            with open(tmp, "rb+") as fh:
                os.fsync(fh.fileno())
        debris.note_output(target)
        os.replace(tmp, target)
        debris.release(target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
        raise


def to_jsonable(obj: Any) -> Any:
    """Convert ``obj`` to plain JSON types: numpy scalars and arrays to numbers and lists, NaN/inf to None,
    paths to strings, dataclasses to dicts, tuples and sets to lists."""
    import numpy as np  # local: keep this module light for the CLI

    if obj is None or isinstance(obj, (bool, str)):
        return obj
    if isinstance(obj, (np.bool_,)):
        return bool(obj)
    if isinstance(obj, (int, np.integer)):
        return int(obj)
    if isinstance(obj, (float, np.floating)):
        value = float(obj)
        return value if math.isfinite(value) else None
    if isinstance(obj, np.ndarray):
        return to_jsonable(obj.tolist())
    if isinstance(obj, dict):
        return {str(key): to_jsonable(value) for key, value in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        return [to_jsonable(value) for value in obj]
    if isinstance(obj, os.PathLike):
        return os.fspath(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return to_jsonable(dataclasses.asdict(obj))
    raise TypeError(f"cannot write a {type(obj).__name__} as JSON")


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; return the path. A file name that is not UTF-8 (a lone
    surrogate in ``text``) is written escaped, ``\\udcff``."""
    target = Path(path)
    with atomic_write(target) as tmp:
        tmp.write_text(text, encoding="utf-8", errors="backslashreplace")
    return target


def write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented JSON to ``path`` atomically (numpy values converted, NaN and inf as null; a file
    name that is not UTF-8 as a JSON escape, which reads back as the same name)."""
    text = re.sub("[\ud800-\udfff]", lambda m: f"\\u{ord(m.group()):04x}", json_text(to_jsonable(obj)))
    return write_text(path, text + "\n")


def json_text(obj: Any, indent: int = 2, level: int = 0) -> str:
    """Plain JSON data as text: objects and lists of objects indented ``indent`` spaces a level, a list of plain
    values on one line (a series of 1800 numbers reads as one line, not 1800), each part made by the C encoder."""
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(obj, dict) and obj:
        items = [f"{inner}{json.dumps(str(k), ensure_ascii=False)}: {json_text(v, indent, level + 1)}"
                 for k, v in obj.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(obj, list) and any(isinstance(v, (dict, list)) for v in obj):
        return "[\n" + ",\n".join(inner + json_text(v, indent, level + 1) for v in obj) + "\n" + pad + "]"
    return json.dumps(obj, allow_nan=False, ensure_ascii=False)


def next_version(folder: str | os.PathLike[str], stem: str, suffix: str, digits: int = 3) -> Path:
    """Reserve and return the next free versioned name ``folder/stem-vNNN.suffix`` (v001, v002, ...).

    The number is one past the highest existing or reserved version. The name is claimed by a hidden marker made
    exclusively (``O_CREAT | O_EXCL``), so two processes racing for a version never get the same one, and nothing
    appears under the real name until :func:`atomic_write` renames the content into place (which drops the
    marker; :func:`release_version` drops it when nothing is written). A killed run's marker is removed by the next.
    """
    if digits < 1:
        raise ParameterError(f"next_version: digits must be at least 1, got {digits}")
    base = Path(folder)
    suffix = suffix if not suffix or suffix.startswith(".") else f".{suffix}"
    pattern = re.compile(rf"^\.?{re.escape(stem)}-v(\d+){re.escape(suffix)}(\.reserved)?$")
    highest = 0
    if base.is_dir():
        debris.clean_debris(base)
        for entry in base.iterdir():
            match = pattern.match(entry.name)
            if match and (entry.name[0] != "." or match.group(2)):
                highest = max(highest, int(match.group(1)))
    number = highest + 1
    while not debris.reserve(candidate := base / f"{stem}-v{number:0{digits}d}{suffix}"):
        number += 1
    return candidate


def release_version(path: str | os.PathLike[str]) -> None:
    """Give back a name from :func:`next_version` that was never written."""
    debris.release(Path(path))
