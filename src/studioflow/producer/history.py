"""The project's history: ``PROJECT/history.jsonl``, one JSON object per change, only ever appended."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from studioflow.audio.atomic import to_jsonable
from studioflow.producer.lock import command_line
from studioflow.producer.project import now

HISTORY_FILE = "history.jsonl"


def append(project_dir: str | Path, event: str, **fields: Any) -> dict[str, Any]:
    """Append one entry (``at``, ``event``, ``pid``, ``command`` and ``fields``) with a single write, then fsync."""
    entry = {"at": now(), "event": event, **to_jsonable(fields), "pid": os.getpid(), "command": command_line()}
    line = (json.dumps(entry, ensure_ascii=False) + "\n").encode("utf-8")
    fd = os.open(Path(project_dir) / HISTORY_FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
    try:
        os.write(fd, line)
        os.fsync(fd)
    finally:
        os.close(fd)
    return entry


def read(project_dir: str | Path) -> list[dict[str, Any]]:
    """Every entry, oldest first (a torn last line from a crash is skipped)."""
    path = Path(project_dir) / HISTORY_FILE
    if not path.exists():
        return []
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            out.append(json.loads(line))
        except json.JSONDecodeError:
            continue
    return out
