"""A real Dask cluster on 127.0.0.1 for the catalog tests: ``dask scheduler`` and two ``dask worker`` processes
(without nannies, so a worker killed stays dead), started per test and stopped after it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))   # catalog_songs.py, catalog_checks.py

DASK = str(Path(sys.executable).parent / "dask")
START_TIMEOUT_S = 90.0


@dataclass
class Cluster:
    """The running cluster: the scheduler's address, and each worker's process and address by name."""

    address: str
    procs: list[subprocess.Popen] = field(default_factory=list)
    workers: dict[str, dict] = field(default_factory=dict)     # name -> {"proc", "address", "pid"}


def _stop(proc: subprocess.Popen) -> None:
    """Wait for a process told to stop; kill it if it takes longer than 10 s."""
    try:
        proc.wait(10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@pytest.fixture
def dask_cluster(tmp_path_factory):
    """Start a scheduler and two single-thread workers on 127.0.0.1; stop them after the test."""
    from distributed import Client

    folder = tmp_path_factory.mktemp("dask")
    info = folder / "scheduler.json"
    log = open(folder / "cluster.log", "w")
    scheduler = subprocess.Popen([DASK, "scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                  "--scheduler-file", str(info)], stdout=log, stderr=subprocess.STDOUT)
    cluster = Cluster("", [scheduler])
    try:
        deadline = time.monotonic() + START_TIMEOUT_S
        while not info.exists() and time.monotonic() < deadline:
            assert scheduler.poll() is None, "dask scheduler exited"
            time.sleep(0.1)
        cluster.address = json.loads(info.read_text())["address"]
        for name in ("w1", "w2"):
            proc = subprocess.Popen([DASK, "worker", cluster.address, "--nthreads", "1", "--no-nanny", "--name", name,
                                     "--no-dashboard", "--local-directory", str(folder / name)],
                                    stdout=log, stderr=subprocess.STDOUT)
            cluster.procs.append(proc)
            cluster.workers[name] = {"proc": proc}
        with Client(cluster.address, timeout=START_TIMEOUT_S) as client:
            client.wait_for_workers(2, timeout=START_TIMEOUT_S)
            pids = client.run(os.getpid)
            for address, w in client.scheduler_info(n_workers=-1)["workers"].items():
                cluster.workers[w["name"]].update(address=address, pid=pids[address])
        for w in cluster.workers.values():
            assert w["pid"] == w["proc"].pid
        yield cluster
    finally:
        workers, scheduler = cluster.procs[1:], cluster.procs[0]
        for group in (workers, [scheduler]):      # the workers first, while the scheduler still answers them
            for proc in group:
                if proc.poll() is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in group:
                _stop(proc)
        log.close()
