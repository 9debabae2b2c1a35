"""A catalog job is a folder: the outputs of every song and a manifest of every input, ``catalog.json`` and
``catalog.csv`` (content hash, status, levels before and after, warnings, outputs and their SHA-256), written
atomically each time songs finish. A rerun of the same command redoes only what is not done: a row counts as done
when the input's content hash, the settings and the output name are the same and every output is still there with the
hash recorded. One run at a time holds the folder (an advisory ``flock``, released by the kernel if the run dies)."""

from __future__ import annotations

import contextlib
import csv
import fcntl
import hashlib
import io
import json
import os
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, Iterator

from studioflow.audio.atomic import write_json, write_text
from studioflow.catalog.inputs import Item
from studioflow.errors import ParameterError, ProjectLockedError
from studioflow.mastering.manifest import sha256_file
from studioflow.mastering.targets import Target

MANIFEST_JSON, MANIFEST_CSV, LOCK = "catalog.json", "catalog.csv", ".catalog.lock"
RESERVED_NAMES = {"catalog"}
CSV_COLUMNS = ("n", "path", "title", "isrc", "sha256", "status", "target_lufs", "ceiling_dbtp", "lufs_before",
               "true_peak_before_dbtp", "lra_before_lu", "lufs_after", "true_peak_after_dbtp", "gain_db", "limited",
               "limiter_max_db", "warnings", "error", "outputs", "outputs_sha256", "worker", "seconds")
HASH_THREADS = 4


@contextlib.contextmanager
def folder_lock(folder: Path) -> Iterator[None]:
    """Hold ``folder``'s job lock for the block; ProjectLockedError when another run holds it."""
    fh = open(folder / LOCK, "a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "?"
            raise ProjectLockedError(f"{folder}: another batch run (pid {holder}) is working on this job; wait for "
                                     "it to finish") from None
        fh.seek(0)
        fh.truncate()
        fh.write(str(os.getpid()))
        fh.flush()
        yield
    finally:
        fh.close()


def settings_key(command: str, target: Target, options: dict) -> str:
    """A short digest of what decides a song's outputs besides its content: the command, target and options."""
    text = json.dumps([command, target.lufs, target.ceiling_dbtp, options], sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def hash_or_error(path: Path) -> tuple[str | None, str | None]:
    """(SHA-256 of the file's content, None), or (None, a one-line reason it cannot be read)."""
    try:
        if not path.is_file():
            return None, f"{path}: {'is a folder, not an audio file' if path.is_dir() else 'no such file'}"
        return sha256_file(path), None
    except OSError as e:
        return None, f"{path}: {(e.strerror or str(e)).lower()}"


def output_names(items: list[Item], hashes: list[str | None]) -> list[str]:
    """A distinct output name per song: the file's stem, with its hash (then its number) added where stems repeat."""
    stems = [item.path.stem for item in items]
    counts = {s: stems.count(s) for s in stems}
    taken = set(RESERVED_NAMES)
    names = []
    for n, (stem, digest) in enumerate(zip(stems, hashes), 1):
        name = stem if counts[stem] == 1 and stem not in taken else f"{stem}-{(digest or 'missing')[:8]}"
        if name in taken:
            name = f"{name}-{n}"
        taken.add(name)
        names.append(name)
    return names


class Job:
    """The manifest of the job in ``folder`` for ``command``: ``rows`` (one per input) and ``save()``."""

    def __init__(self, folder: Path, command: str) -> None:
        self.folder, self.command = Path(folder), command
        self.rows: list[dict] = []
        self.started = time.strftime("%Y-%m-%dT%H:%M:%S%z")
        self.previous = self._load()

    def _load(self) -> dict[tuple, dict]:
        """The done rows of an earlier run, by (content hash, settings, output name)."""
        path = self.folder / MANIFEST_JSON
        if not path.exists():
            return {}
        try:
            held = json.loads(path.read_text(encoding="utf-8"))
            rows = held["items"]
        except (OSError, ValueError, KeyError, TypeError):
            return {}             # a manifest from elsewhere or damaged: everything is done again
        if held.get("command") != self.command:
            raise ParameterError(f"{self.folder}: this folder holds a `batch {held.get('command')}` job; give "
                                 f"`batch {self.command}` a folder of its own")
        return {(r.get("sha256"), r.get("settings"), r.get("name")): r for r in rows if r.get("status") == "done"}

    def plan(self, items: list[Item], targets: list[Target], options: dict) -> list[dict]:
        """One row per item (``targets`` gives each its target): rows done before with intact outputs are kept
        ("done", ``resumed``), unreadable inputs fail at once, the rest are "pending"."""
        with ThreadPoolExecutor(HASH_THREADS) as pool:
            hashed = list(pool.map(lambda item: hash_or_error(item.path), items))
        names = output_names(items, [h for h, _ in hashed])
        keys = [settings_key(self.command, t, options) for t in targets]
        candidates = [self.previous.get((h, k, name)) for (h, _), k, name in zip(hashed, keys, names)]
        with ThreadPoolExecutor(HASH_THREADS) as pool:
            intact = list(pool.map(lambda row: row is not None and _outputs_intact(self.folder, row), candidates))
        self.rows = []
        for n, (item, (digest, error), target, key, name, old, ok) in enumerate(
                zip(items, hashed, targets, keys, names, candidates, intact), 1):
            if ok:
                self.rows.append({**old, "n": n, "path": os.path.abspath(item.path), "title": item.title,
                                  "isrc": item.isrc, "resumed": True})
                continue
            self.rows.append({"n": n, "path": os.path.abspath(item.path), "title": item.title, "isrc": item.isrc,
                              "listed_in": item.where, "sha256": digest, "name": name, "settings": key,
                              "target": target.as_dict(), "status": "failed" if error else "pending",
                              "before": None, "after": None, "gain_db": None, "limited": None, "limiter_max_db": None,
                              "warnings": [], "error": error, "outputs": [], "worker": None, "seconds": None,
                              "resumed": False})
        return self.rows

    def summary(self) -> dict:
        """Counts by status, and the audio seconds of the songs done."""
        status = [r["status"] for r in self.rows]
        return {"songs": len(self.rows), "done": status.count("done"), "failed": status.count("failed"),
                "pending": status.count("pending"), "resumed": sum(1 for r in self.rows if r.get("resumed")),
                "audio_s": round(sum(_duration(r) for r in self.rows if r["status"] == "done"), 3)}

    def save(self) -> None:
        """Write catalog.json and catalog.csv atomically."""
        write_json(self.folder / MANIFEST_JSON, {"command": self.command, "started": self.started,
                                                 "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                                                 "summary": self.summary(), "items": self.rows})
        buffer = io.StringIO()
        writer = csv.writer(buffer)
        writer.writerow(CSV_COLUMNS)
        for row in self.rows:
            writer.writerow(_csv_row(row))
        write_text(self.folder / MANIFEST_CSV, buffer.getvalue())


def _duration(row: dict) -> float:
    return float((row.get("before") or {}).get("duration_s") or 0.0)


def _outputs_intact(folder: Path, row: dict) -> bool:
    """True when every output of ``row`` is in ``folder`` with the SHA-256 recorded."""
    for out in row.get("outputs") or []:
        path = folder / out["path"]
        if not path.is_file() or sha256_file(path) != out.get("sha256"):
            return False
    return True


def _csv_row(row: dict) -> list[Any]:
    """The flat CSV cells of a manifest row (numbers rounded; lists joined with ' | ')."""
    before, after, target = row.get("before") or {}, row.get("after") or {}, row.get("target") or {}

    def num(x: Any, digits: int = 2) -> Any:
        return "" if x is None else round(float(x), digits)

    outs = row.get("outputs") or []
    return [row["n"], row["path"], row.get("title") or "", row.get("isrc") or "", row.get("sha256") or "",
            row["status"], num(target.get("lufs")), num(target.get("ceiling_dbtp")),
            num(before.get("integrated_lufs")), num(before.get("true_peak_dbtp")), num(before.get("lra_lu")),
            num(after.get("integrated_lufs")), num(after.get("true_peak_dbtp")), num(row.get("gain_db"), 3),
            "" if row.get("limited") is None else ("yes" if row["limited"] else "no"), num(row.get("limiter_max_db")),
            " | ".join(row.get("warnings") or []), row.get("error") or "", " | ".join(o["path"] for o in outs),
            " | ".join(o["sha256"] for o in outs), row.get("worker") or "", num(row.get("seconds"), 3)]
