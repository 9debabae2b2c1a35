"""What ``produce`` did last time: ``SONG/.produce-state.json`` with each step's input hashes and outputs.

Content hashes (SHA-256) decide whether a step's inputs changed; a file whose size and modification time are
unchanged since it was last hashed keeps its cached hash, so an up-to-date run reads no audio.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from studioflow.audio.atomic import write_json

STATE_FILE = ".produce-state.json"
CHUNK = 1 << 20


class State:
    """The produce state of one song: cached file hashes and the inputs and outputs of each step."""

    def __init__(self, song_dir: Path) -> None:
        self.song_dir = Path(song_dir)
        self.path = self.song_dir / STATE_FILE
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            data = {}
        self.hashes: dict[str, list[Any]] = data.get("hashes", {})
        self.steps: dict[str, dict[str, Any]] = data.get("steps", {})

    def file_hash(self, path: Path) -> str:
        """SHA-256 of a file's content (cached by size and modification time)."""
        path = Path(path)
        st = path.stat()
        key = self.key(path)
        cached = self.hashes.get(key)
        if cached and cached[0] == st.st_size and cached[1] == st.st_mtime_ns:
            return cached[2]
        h = hashlib.sha256()
        with open(path, "rb") as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
        digest = h.hexdigest()
        self.hashes[key] = [st.st_size, st.st_mtime_ns, digest]
        return digest

    def key(self, path: Path) -> str:
        """A path's name in the state: relative to the song folder when inside it."""
        try:
            return str(Path(path).resolve().relative_to(self.song_dir.resolve()))
        except ValueError:
            return str(Path(path).resolve())

    def inputs(self, files: list[Path] | dict[str, Path], settings: dict[str, Any]) -> dict[str, Any]:
        """A step's inputs: each file's content hash (under its path, or under the label given) and the settings."""
        named = files if isinstance(files, dict) else {self.key(f): f for f in files}
        return {"files": {k: self.file_hash(f) for k, f in named.items()}, "settings": settings}

    def changes(self, step: str, inputs: dict[str, Any]) -> list[str]:
        """Why ``step`` must run with ``inputs`` (empty when it is up to date and its outputs still exist)."""
        old = self.steps.get(step)
        if old is None:
            return ["never run"]
        why = []
        before, now = old["inputs"]["files"], inputs["files"]
        why += [f"{k} changed" for k in now if k in before and before[k] != now[k]]
        why += [f"{k} is new" for k in now if k not in before]
        why += [f"{k} is gone" for k in before if k not in now]
        if old["inputs"]["settings"] != inputs["settings"]:
            diff = [k for k in {**old["inputs"]["settings"], **inputs["settings"]}
                    if old["inputs"]["settings"].get(k) != inputs["settings"].get(k)]
            why.append(f"settings changed ({', '.join(diff)})")
        missing = [o for o in old.get("outputs", []) if not (self.song_dir / o).exists() and not Path(o).exists()]
        why += [f"{o} is missing" for o in missing]
        return why

    def record(self, step: str, inputs: dict[str, Any], outputs: list[str], result: dict[str, Any]) -> None:
        """Remember a finished step and save the state."""
        self.steps[step] = {"inputs": inputs, "outputs": outputs, "result": result}
        self.save()

    def save(self) -> None:
        """Write the state file atomically."""
        write_json(self.path, {"hashes": self.hashes, "steps": self.steps})
