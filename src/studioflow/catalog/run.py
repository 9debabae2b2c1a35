"""``run_batch``: one command over a catalog of songs on Dask, recorded in a resumable job folder.

The client finds the inputs, hashes them and plans the manifest (``job``): songs done by an earlier run with the same
content, settings and intact outputs are kept, the rest go to the cluster one task per song (``tasks.run_song``).
Results stream back as they finish; each batch of them is written into the manifest at once. A worker that dies
mid-song leaves no partial output (every file is renamed into place only when complete) and the scheduler gives its
song to another worker; a song that kills workers again and again fails its own row."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Callable, Sequence

from studioflow.audio.debris import clean_debris
from studioflow.catalog import cluster
from studioflow.catalog.inputs import Item, discover
from studioflow.catalog.job import Job, folder_lock
from studioflow.catalog.progress import Tally
from studioflow.catalog.tasks import WORK, run_song
from studioflow.errors import OutputError, ParameterError, SessionError
from studioflow.mastering.targets import Target, resolve_target

COMMANDS = tuple(WORK)


def item_target(item: Item, base: Target) -> Target:
    """The target of one song: its manifest's ``target`` cell (a platform name, or a number in LUFS with the job's
    ceiling), else the job's target."""
    if not item.target:
        return base
    try:
        lufs = float(item.target)
    except ValueError:
        lufs = None
    try:
        return resolve_target(item.target) if lufs is None else resolve_target(base, lufs=lufs)
    except ParameterError as e:
        raise SessionError(f"{item.where}: {e}") from None


def _make_folder(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OutputError(f"{out}: cannot make the job folder ({(e.strerror or str(e)).lower()})") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OutputError(f"{out}: the job folder is not writable; check its permissions or choose another")


def task_result(result: object) -> dict:
    """The row values of one finished task: what ``run_song`` returned, or, when the task itself failed (its
    workers died again and again, or an internal error), a failed row saying so. ``result`` is what
    ``as_completed(..., with_results=True, raise_errors=False)`` gives: the value, or (type, error, traceback)."""
    if isinstance(result, dict):
        return result
    error = result[1] if isinstance(result, tuple) and len(result) == 3 else result
    name = type(error).__name__
    if name == "KilledWorker":
        text = "the workers running it died again and again; the file may be too large for their memory"
    else:
        text = f"internal error ({name}: {' '.join(str(error).split())})"
    return {"status": "failed", "error": text}


def run_batch(command: str, inputs: Sequence[str | os.PathLike[str]], out_dir: str | os.PathLike[str], *,
              target: str | Target | None = None, lufs: float | None = None, ceiling_dbtp: float | None = None,
              options: dict | None = None, scheduler: str | None = None, workers: int | None = None,
              progress: Callable[[dict], None] | None = None) -> dict:
    """Run ``command`` (analyze, normalize, master, translation) over ``inputs`` (files, folders, CSV manifests) into
    the job folder ``out_dir`` for ``target`` (or ``lufs`` LUFS / ``ceiling_dbtp`` dBTP), with the command's
    ``options`` (master: style, max_limiting_db, formats; translation: systems, codec, kbps), on the cluster at
    ``scheduler`` or a LocalCluster of ``workers`` processes. ``progress(event)`` gets a dict per event ("start",
    "running" once the cluster has the songs, "song" with its row, "end"), each with the tally
    (``progress.Tally.state``). Returns the manifest: command, folder, summary and rows."""
    if command not in WORK:
        raise ParameterError(f"unknown batch command {command!r}; commands: {', '.join(COMMANDS)}")
    say = progress or (lambda event: None)
    opts = dict(options or {})
    base = resolve_target(target, lufs=lufs, ceiling_dbtp=ceiling_dbtp)
    out = Path(os.path.abspath(out_dir))
    items, other = discover(inputs, out)
    targets = [item_target(item, base) for item in items]
    _make_folder(out)
    with folder_lock(out):
        clean_debris(out, again=True)
        job = Job(out, command)
        rows = job.plan(items, targets, opts)
        job.save()
        todo = [r for r in rows if r["status"] == "pending"]
        tally = Tally(len(todo), resumed=sum(1 for r in rows if r.get("resumed")))
        say({"event": "start", "songs": len(rows), "not_audio": other, "failed_unread": sum(
            1 for r in rows if r["status"] == "failed"), **tally.state()})
        if todo:
            _run(job, todo, command, opts, out, scheduler, workers, tally, say)
            clean_debris(out, again=True)      # what a worker that died mid-song was writing
        job.save()
        say({"event": "end", "summary": job.summary(), **tally.state()})
        return {"command": command, "folder": str(out), "summary": job.summary(), "items": job.rows}


def _run(job: Job, todo: list[dict], command: str, opts: dict, out: Path, scheduler: str | None,
         workers: int | None, tally: Tally, say: Callable[[dict], None]) -> None:
    """Send the ``todo`` rows to the cluster and record each result in ``job`` as it comes back."""
    from distributed import as_completed

    run = uuid.uuid4().hex[:8]
    with cluster.connect(scheduler, workers) as client:
        tally.slots = cluster.threads(client)
        futures = {}
        for row in todo:
            spec = {"command": command, "path": row["path"], "name": row["name"], "out_dir": str(out),
                    "target": row["target"], "options": opts, "title": row.get("title"), "isrc": row.get("isrc")}
            futures[client.submit(run_song, spec, key=f"{command}-{row['name']}-{run}", pure=False)] = row
        say({"event": "running", **tally.state()})
        for batch in as_completed(futures, with_results=True, raise_errors=False).batches():
            finished = [futures[future] for future, _ in batch]
            for row, (_, result) in zip(finished, batch):
                row.update(task_result(result))
            job.save()                                  # on disk before anyone is told
            tally.slots = cluster.threads(client)
            for row in finished:
                tally.finished(row)
                say({"event": "song", "row": row, **tally.state()})
