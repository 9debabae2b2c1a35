"""One command at a time per project: an advisory lock on ``PROJECT/.studioflow.lock``.

The lock is ``fcntl.flock`` on the file, so the kernel releases it when its holder dies: a lock left by a dead
process is taken over at once (its pid is reported as stale). The file holds the holder's pid, command and start
time, which the second command names in its ProjectLockedError. Within one process the lock is re-entrant.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any, Iterator

from studioflow.errors import ProjectLockedError
from studioflow.producer.project import require_project

LOCK_FILE = ".studioflow.lock"
_HELD: dict[Path, list[Any]] = {}   # resolved lock path -> [file object, depth]


def command_line() -> str:
    """The running command as typed (``studioflow produce demo``), for lock holders and history entries."""
    prog = Path(sys.argv[0]).name if sys.argv and sys.argv[0] else "python"
    return " ".join([prog, *sys.argv[1:]])


def read_holder(project_dir: str | Path, *, tries: int = 20) -> dict[str, Any] | None:
    """What the lock file says about its last holder (pid, command, since), or None."""
    path = Path(project_dir) / LOCK_FILE
    for _ in range(tries):                   # the holder may be writing it this very moment
        try:
            text = path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        if text.strip():
            try:
                return json.loads(text)
            except json.JSONDecodeError:
                pass
        time.sleep(0.01)
    return None


@contextlib.contextmanager
def project_lock(project_dir: str | Path, command: str | None = None) -> Iterator[dict[str, Any]]:
    """Hold the project's lock for the block; ProjectLockedError naming the holder when another process has it.

    Yields ``{"stale": holder or None}``: the record of a dead holder whose lock was taken over.
    """
    require_project(project_dir)           # never leave a lock file in a folder that holds no project
    path = (Path(project_dir) / LOCK_FILE).resolve()
    if path in _HELD:
        _HELD[path][1] += 1
        try:
            yield {"stale": None}
        finally:
            _HELD[path][1] -= 1
        return
    fh = open(path, "a+", encoding="utf-8")
    try:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        fh.close()
        h = read_holder(project_dir) or {}
        raise ProjectLockedError(
            f"{Path(project_dir)}: locked by pid {h.get('pid', '?')} running '{h.get('command', '?')}' since "
            f"{h.get('since', '?')}; wait for it to finish") from None
    # a holder that finishes empties the file; a record still there means its process died holding the lock
    stale = read_holder(project_dir, tries=1)
    fh.seek(0)
    fh.truncate()
    fh.write(json.dumps({"pid": os.getpid(), "command": command or command_line(), "host": socket.gethostname(),
                         "since": time.strftime("%Y-%m-%dT%H:%M:%S%z")}))
    fh.flush()
    _HELD[path] = [fh, 1]
    try:
        yield {"stale": stale}
    finally:
        del _HELD[path]
        fh.seek(0)
        fh.truncate()                        # an empty file: nobody holds it
        fh.flush()
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)
        fh.close()
