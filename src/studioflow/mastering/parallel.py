"""Work beside the main pass on the second core: a block consumer in its own thread (the meters are numba kernels
with ``nogil`` and scipy FFTs, which release the GIL), and a call run in a thread while the caller goes on."""

from __future__ import annotations

import queue
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable, Iterable, Iterator

import numpy as np

DEPTH = 4   # blocks in flight: memory stays flat (4 x 64k frames)


class Beside:
    """``put(block)`` hands blocks to ``consume`` in a worker thread, in order; ``close()`` waits for it and raises
    what it raised. A context manager; blocks must not be changed after ``put``."""

    def __init__(self, consume: Callable[[np.ndarray], None]) -> None:
        self._consume = consume
        self._queue: queue.Queue = queue.Queue(DEPTH)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            block = self._queue.get()
            if block is None:
                return
            if self._error is None:
                try:
                    self._consume(block)
                except BaseException as exc:   # re-raised in the caller's thread by close()
                    self._error = exc

    def put(self, block: np.ndarray) -> None:
        """Queue one block (waits while ``DEPTH`` blocks are pending)."""
        if self._error is not None:
            self.close()
        self._queue.put(block)

    def close(self) -> None:
        """Wait for every queued block to be consumed; raise the consumer's error, if any."""
        if self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        if self._error is not None:
            raise self._error

    def __enter__(self) -> "Beside":
        return self

    def __exit__(self, kind, value, tb) -> None:
        if kind is None:
            self.close()
        else:
            self._queue.put(None)
            self._thread.join()


def ahead(blocks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    """The blocks of ``blocks`` in order, produced in a thread of its own up to ``DEPTH`` ahead of the consumer (a
    file reader's decoding on the other core); the producer's error is raised here; stopping early stops it."""
    pending: queue.Queue = queue.Queue(DEPTH)
    stop = threading.Event()
    end = object()

    def produce() -> None:
        try:
            for block in blocks:
                while not stop.is_set():
                    try:
                        pending.put(block, timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            pending.put(end)
        except BaseException as exc:   # re-raised in the consumer's thread
            pending.put(exc)

    thread = threading.Thread(target=produce, daemon=True)
    thread.start()
    try:
        while True:
            item = pending.get()
            if item is end:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        thread.join()


def start(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Future:
    """Run ``fn(*args, **kwargs)`` in a thread now; ``.result()`` waits for it (and raises what it raised)."""
    pool = ThreadPoolExecutor(max_workers=1)
    try:
        return pool.submit(fn, *args, **kwargs)
    finally:
        pool.shutdown(wait=False)
