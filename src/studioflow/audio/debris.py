"""What an interrupted run leaves, and how the next run clears it.

Every hidden file or folder a run works in carries its process id in its name (``.mix-4f2a.8123.part.wav``,
``.album-work-x1.8123.work``), a versioned name is reserved by a hidden marker holding the id
(``.mix-v003.wav.reserved``), and a command that delivers several files lists each new one in a journal
(``.delivery.8123.journal``) before it lands. When that process is gone (killed, the machine lost power), the next
run that writes in the folder removes the hidden files, frees the reserved names and takes back the files of an
unfinished journal, and says so on the ``studioflow`` logger. A live process's files are never touched.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

__all__ = ["Journal", "clean_debris", "hidden_dir", "hidden_file", "note_output", "release", "reserve"]

log = logging.getLogger("studioflow")

_OWNED = re.compile(r"^\..+\.(\d+)\.(part|tmp|work|journal)(\.[^.]*)?$")
_RESERVED = re.compile(r"^\..+\.reserved$")
_UNREADABLE_MARKER_S = 60.0     # a marker without a readable id (killed while writing it) is debris after this
_cleaned: set[str] = set()
_journals: list["Journal"] = []
_lock = threading.Lock()


def _alive(pid: int) -> bool:
    """True when process ``pid`` exists (ours or another user's)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OverflowError):
        return pid > 0
    return True


def hidden_file(folder: Path, stem: str, suffix: str, kind: str = "part") -> Path:
    """A new, empty hidden file ``.STEM-XXXX.PID.KIND.SUFFIX`` in ``folder`` (its name reserved by mkstemp)."""
    fd, name = tempfile.mkstemp(dir=folder, prefix=f".{stem}-", suffix=f".{os.getpid()}.{kind}{suffix}")
    os.close(fd)
    return Path(name)


def hidden_dir(folder: Path, stem: str) -> Path:
    """A new hidden work folder ``.STEM-XXXX.PID.work`` in ``folder``."""
    return Path(tempfile.mkdtemp(dir=folder, prefix=f".{stem}-", suffix=f".{os.getpid()}.work"))


def _marker(path: Path) -> Path:
    return path.with_name(f".{path.name}.reserved")


def reserve(path: Path) -> bool:
    """Claim the name ``path`` for this process with a hidden marker; False when another run holds it or a file is
    there. The marker goes when the file lands (:func:`release`) or, after a crash, with the next run's cleanup."""
    if path.exists():
        return False
    try:
        fd = os.open(_marker(path), os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)
    except FileExistsError:
        return False
    with os.fdopen(fd, "w") as fh:
        fh.write(str(os.getpid()))
    if path.exists():         # another run finished this name between the check and the marker
        release(path)
        return False
    return True


def release(path: Path) -> None:
    """Drop this process's reservation of ``path`` (if any)."""
    marker = _marker(path)
    if _marker_pid(marker) == os.getpid():
        with contextlib.suppress(FileNotFoundError):
            marker.unlink()


def _marker_pid(marker: Path) -> int | None:
    try:
        return int(marker.read_text(encoding="ascii").strip() or "x")
    except (OSError, ValueError, UnicodeDecodeError):
        return None


def _dead_owner(entry: Path) -> int | None:
    """The id of the dead process that left ``entry``, or None when it is no debris (or its owner lives)."""
    m = _OWNED.match(entry.name)
    if m:
        pid = int(m.group(1))
        return None if _alive(pid) else pid
    if _RESERVED.match(entry.name):
        marker = _marker_pid(entry)
        if marker is None:
            with contextlib.suppress(OSError):
                if time.time() - entry.stat().st_mtime > _UNREADABLE_MARKER_S:
                    return 0
            return None
        return None if _alive(marker) else marker
    return None


def clean_debris(folder: str | os.PathLike[str], *, again: bool = False) -> list[Path]:
    """Remove what dead runs left in ``folder`` (once a process unless ``again``); return what was removed."""
    base = Path(folder)
    key = os.path.abspath(base)
    with _lock:
        if key in _cleaned and not again:
            return []
        _cleaned.add(key)
    try:
        entries = [e for e in base.iterdir() if e.name.startswith(".")]
    except OSError:
        return []
    removed: list[Path] = []
    owners: set[int] = set()
    for entry in sorted(entries, key=lambda e: not e.name.endswith(".journal")):   # journals first
        pid = _dead_owner(entry)
        if pid is None:
            continue
        if entry.name.endswith(".journal"):
            removed += _take_back(entry)
        _remove(entry)
        removed.append(entry)
        owners.add(pid)
    if removed:
        who = ", ".join(str(p) for p in sorted(owners) if p) or "unknown"
        log.warning(f"{base}: removed what an interrupted run (process {who}) left: "
                    f"{', '.join(_short(p, base) for p in removed)}")
    return removed


def _short(path: Path, base: Path) -> str:
    try:
        return str(path.relative_to(base))
    except ValueError:
        return str(path)


def _remove(entry: Path) -> None:
    if entry.is_dir() and not entry.is_symlink():
        shutil.rmtree(entry, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError):
            entry.unlink()


def _take_back(journal: Path) -> list[Path]:
    """Delete the files an unfinished journal lists (the newest first); return those that were there."""
    try:
        lines = journal.read_text(encoding="utf-8", errors="surrogateescape").splitlines()
    except OSError:
        return []
    gone = []
    for line in reversed(lines):
        path = Path(line)
        if line and (path.exists() or path.is_symlink()):
            _remove(path)
            gone.append(path)
    return gone


class Journal:
    """The new files of one command that delivers several: all land, or none stays.

    ``with Journal(folder):`` notes every new file written inside ``folder`` (by :func:`note_output`, which
    ``atomic_write`` calls before each rename) in a hidden journal; leaving the block by an error or an interruption
    deletes them, leaving it cleanly deletes the journal. When the process is killed, the next run's cleanup deletes
    them. Files that were already there are replaced atomically and not taken back.
    """

    def __init__(self, folder: str | os.PathLike[str]) -> None:
        self.folder = Path(folder).resolve()
        self.path = self.folder / f".delivery-{id(self):x}.{os.getpid()}.journal"
        self.paths: list[Path] = []

    def __enter__(self) -> "Journal":
        clean_debris(self.folder, again=True)
        self.path.write_text("", encoding="utf-8")
        with _lock:
            _journals.append(self)
        return self

    def note(self, path: Path) -> None:
        """Record new file ``path`` before it lands (a path outside the journal's folder or already there is not)."""
        full = Path(os.path.realpath(Path(path).parent)) / Path(path).name
        if full.exists() or self.folder not in full.parents:
            return
        with open(self.path, "a", encoding="utf-8", errors="surrogateescape") as fh:
            fh.write(f"{full}\n")
            fh.flush()
        self.paths.append(full)

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        with _lock:
            _journals.remove(self)
        if exc_type is not None:
            for path in reversed(self.paths):
                _remove(path)
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()


def note_output(path: Path) -> None:
    """Tell the open journals that a new file ``path`` is about to land."""
    with _lock:
        journals = list(_journals)
    for journal in journals:
        journal.note(path)

