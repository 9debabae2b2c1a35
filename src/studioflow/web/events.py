"""Live updates: a watcher polls the project's files and tells every open page what changed, as server-sent events.

Events (``event:`` name, ``data:`` JSON): ``version`` when a new mix or master appears in a song (``song`` is the
song's folder, ``file`` the new file relative to the project), ``song`` when anything else of a song changes (notes,
a render's report), ``project`` when project.yaml changes (approvals, songs). A render reserves its name with an
empty file and renames the finished file into place, so a version is announced once it has content.
"""

from __future__ import annotations

import asyncio
import json
import re
from pathlib import Path
from typing import Any, AsyncIterator

from studioflow.producer.project import PROJECT_FILE, SONGS

POLL_S = 0.5           # how often the project's files are looked at
KEEPALIVE_S = 15.0     # a comment line this often keeps proxies from closing a quiet stream
AUDIO = (".wav", ".flac")
WATCHED = {"mixes": "mix", "masters": "master"}    # folder -> the kind of version it holds

_VERSIONED = re.compile(r"-v\d+$")

Snapshot = dict[str, tuple[int, int]]


def snapshot(root: Path) -> Snapshot:
    """Size and modification time of project.yaml and of each song's notes.yaml, mixes/* and masters/*."""
    out: Snapshot = {}

    def note(path: Path) -> None:
        try:
            st = path.stat()
        except OSError:
            return
        out[path.relative_to(root).as_posix()] = (st.st_size, st.st_mtime_ns)

    note(root / PROJECT_FILE)
    songs = root / SONGS
    for song in sorted(songs.iterdir()) if songs.is_dir() else []:
        note(song / "notes.yaml")
        for sub in WATCHED:
            folder = song / sub
            for f in sorted(folder.iterdir()) if folder.is_dir() else []:
                if not f.name.startswith("."):
                    note(f)
    return out


def changes(old: Snapshot, new: Snapshot) -> list[tuple[str, dict[str, Any]]]:
    """The events between two snapshots: new versions first, then one ``song`` per other changed song, then
    ``project``."""
    events: list[tuple[str, dict[str, Any]]] = []
    touched: list[str] = []
    for path in sorted(set(old) | set(new)):
        if old.get(path) == new.get(path):
            continue
        parts = path.split("/")
        if parts == [PROJECT_FILE]:
            continue
        song = parts[1]
        fresh = path in new and new[path][0] > 0 and (path not in old or old[path][0] == 0)
        name = Path(path)
        if len(parts) == 4 and parts[2] in WATCHED and name.suffix.lower() in AUDIO and _VERSIONED.search(name.stem) \
                and fresh:
            events.append(("version", {"song": song, "file": path, "kind": WATCHED[parts[2]]}))
        elif song not in touched:
            touched.append(song)
    events += [("song", {"song": s}) for s in touched]
    if old.get(PROJECT_FILE) != new.get(PROJECT_FILE):
        events.append(("project", {}))
    return events


class Watcher:
    """Polls a project every :data:`POLL_S` seconds and puts each change on every subscriber's queue."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.queues: set[asyncio.Queue[tuple[str, dict[str, Any]]]] = set()
        self._task: asyncio.Task[None] | None = None
        self._closing: asyncio.Event | None = None

    def start(self) -> None:
        """Start polling in the running event loop."""
        self._closing = asyncio.Event()
        self._task = asyncio.get_running_loop().create_task(self._poll())

    def close_streams(self) -> None:
        """End every open stream (the server is stopping: a page's EventSource reconnects to the next one)."""
        if self._closing is not None:
            self._closing.set()

    async def stop(self) -> None:
        """Stop polling."""
        if self._task is not None:
            self._task.cancel()
            try:
                await self._task
            except asyncio.CancelledError:
                pass

    async def _poll(self) -> None:
        last = await asyncio.to_thread(snapshot, self.root)
        while True:
            await asyncio.sleep(POLL_S)
            now = await asyncio.to_thread(snapshot, self.root)
            for event in changes(last, now):
                for q in list(self.queues):
                    if q.full():          # a page that stopped reading: drop its oldest event
                        q.get_nowait()
                    q.put_nowait(event)
            last = now

    async def stream(self, disconnected: Any) -> AsyncIterator[str]:
        """Server-sent events for one page until ``disconnected()`` says it left."""
        q: asyncio.Queue[tuple[str, dict[str, Any]]] = asyncio.Queue(maxsize=100)
        self.queues.add(q)
        closing = self._closing or asyncio.Event()
        try:
            yield "retry: 2000\n\nevent: hello\ndata: {}\n\n"
            while not closing.is_set() and not await disconnected():
                get, stop = asyncio.ensure_future(q.get()), asyncio.ensure_future(closing.wait())
                done, pending = await asyncio.wait({get, stop}, timeout=KEEPALIVE_S,
                                                   return_when=asyncio.FIRST_COMPLETED)
                for task in pending:
                    task.cancel()
                if get in done:
                    name, data = get.result()
                    yield f"event: {name}\ndata: {json.dumps(data)}\n\n"
                elif not done:
                    yield ": keepalive\n\n"
        finally:
            self.queues.discard(q)
