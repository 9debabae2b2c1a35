"""Where a catalog job runs: a Dask ``LocalCluster`` of worker processes (one per core, one thread each) by default, or
an existing cluster given by its scheduler's address. Workers read and write through the paths the client gives, so
on a cluster of several machines the inputs and the job folder must be on storage every machine sees."""

from __future__ import annotations

import contextlib
import logging
import os
from typing import Any, Iterator

from studioflow.errors import StudioflowError

CONNECT_TIMEOUT_S = 20.0
WORKERS_TIMEOUT_S = 60.0


class ClusterError(StudioflowError):
    """A Dask scheduler that cannot be reached, or a cluster without workers."""


@contextlib.contextmanager
def connect(scheduler: str | None = None, workers: int | None = None) -> Iterator[Any]:
    """A ``distributed.Client``: on the scheduler at ``scheduler`` (``tcp://HOST:PORT``), or on a new LocalCluster of
    ``workers`` processes (default: one per core) that is shut down when the block ends."""
    from distributed import Client, LocalCluster

    for name in ("distributed", "tornado"):       # a lost worker is the job's business: its row says what happened
        logging.getLogger(name).setLevel(logging.CRITICAL)
    if scheduler:
        try:
            client = Client(scheduler, timeout=CONNECT_TIMEOUT_S)
        except (OSError, TimeoutError, ValueError) as e:
            raise ClusterError(f"cannot reach the Dask scheduler at {scheduler} ({' '.join(str(e).split())}); "
                               "check the address and that `dask scheduler` runs there") from None
        with client:
            try:
                client.wait_for_workers(1, timeout=WORKERS_TIMEOUT_S)
            except TimeoutError:
                raise ClusterError(f"the Dask scheduler at {scheduler} has no workers after "
                                   f"{WORKERS_TIMEOUT_S:g} s; start some with `dask worker {scheduler}`") from None
            yield client
        return
    count = workers or os.cpu_count() or 1
    if count < 1:
        raise ClusterError(f"--workers must be at least 1; got {count}")
    try:
        local = LocalCluster(n_workers=count, threads_per_worker=1, processes=True, dashboard_address=":0",
                             silence_logs=logging.CRITICAL)
    except (RuntimeError, OSError, TimeoutError) as e:
        raise ClusterError(f"cannot start a local Dask cluster of {count} workers ({' '.join(str(e).split())})") \
            from None
    with local, Client(local) as client:
        yield client


def threads(client: Any) -> int:
    """How many songs the cluster works on at once (its worker threads)."""
    return max(1, sum(client.nthreads().values()))
