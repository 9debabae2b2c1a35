"""Catalog jobs on a real Dask cluster (``dask scheduler`` and two ``dask worker`` processes on 127.0.0.1): a worker
killed mid-job, a client killed mid-job and the job resumed, and the default local cluster from the command line."""

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from catalog_checks import loudness_and_peak
from catalog_songs import make_song

from studioflow.catalog.run import run_batch
from studioflow.mastering.manifest import sha256_file

STUDIOFLOW = str(Path(sys.executable).parent / "studioflow")
#: (LUFS, overs dB): quiet and loud songs, some with peaks over full scale
LEVELS = [(-30.0, 0.0), (-22.0, 3.0), (-18.0, 0.0), (-12.0, 2.0), (-9.0, 1.0), (-26.0, 4.0), (-16.0, 0.0),
          (-20.0, 2.0)]


def _songs(folder: Path, seconds: float, count: int = len(LEVELS)) -> list[Path]:
    folder.mkdir()
    return [make_song(folder / f"song{i}.wav", seconds, lufs, seed=i, overs_db=overs)
            for i, (lufs, overs) in enumerate(LEVELS[:count])]


def _check_job(out: Path, rows: list[dict], lufs: float, ceiling: float) -> None:
    """Every done row's output is there once, matches its hash, is on target and under the ceiling (checked by
    pyloudnorm and scipy's 8x resample_poly); the folder holds nothing else but the manifest."""
    done = [r for r in rows if r["status"] == "done"]
    expected = {o["path"] for r in done for o in r["outputs"]} | {"catalog.json", "catalog.csv", ".catalog.lock"}
    assert {p.name for p in out.iterdir()} == expected            # no partial, hidden or duplicate file
    for r in done:
        (output,) = r["outputs"]
        assert sha256_file(out / output["path"]) == output["sha256"]
        got, peak = loudness_and_peak(out / output["path"])
        assert abs(got - lufs) <= 0.5, (r["name"], got)
        assert peak <= ceiling, (r["name"], peak)


def _executing(dask_worker):
    return [str(ts.key) for ts in dask_worker.state.executing]


def test_a_worker_killed_mid_job_loses_nothing(dask_cluster, tmp_path):
    import cloudpickle
    from distributed import Client

    cloudpickle.register_pickle_by_value(sys.modules[__name__])     # _executing runs on the worker
    songs = _songs(tmp_path / "songs", 6.0)
    out = tmp_path / "job"
    victim, other = dask_cluster.workers["w1"], dask_cluster.workers["w2"]
    first = threading.Event()
    killed: list[str] = []

    def kill_when_busy() -> None:
        with Client(dask_cluster.address) as client:
            first.wait(120)
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                keys = client.run(_executing, workers=[victim["address"]]).get(victim["address"], [])
                if keys:
                    os.kill(victim["pid"], signal.SIGKILL)
                    killed.extend(keys)
                    victim["proc"].wait(10)          # reaped at once: a zombie would still count as alive
                    return
                time.sleep(0.005)

    killer = threading.Thread(target=kill_when_busy)
    killer.start()
    record = run_batch("normalize", [tmp_path / "songs"], out, scheduler=dask_cluster.address,
                       progress=lambda e: first.set() if e["event"] == "song" else None)
    killer.join()
    assert killed, "the worker was never seen working on a song"
    assert victim["proc"].returncode == -signal.SIGKILL
    rows = record["items"]
    assert [r["status"] for r in rows] == ["done"] * len(songs)
    # the song the worker died on was done again by the other worker
    name = killed[0].split("-", 1)[1].rsplit("-", 1)[0]
    assert next(r for r in rows if r["name"] == name)["worker"] == other["address"]
    _check_job(out, rows, -14.0, -1.0)
    assert json.loads((out / "catalog.json").read_text())["items"] == json.loads(json.dumps(rows))


def test_a_client_killed_mid_job_resumes_with_only_what_is_not_done(dask_cluster, tmp_path):
    _songs(tmp_path / "songs", 5.0)
    (tmp_path / "songs" / "broken.wav").write_bytes(b"RIFF\x10\x00\x00\x00WAVEfmt " + bytes(40))
    out = tmp_path / "job"
    cmd = [STUDIOFLOW, "batch", "normalize", str(tmp_path / "songs"), "-o", str(out), "--target", "apple-music",
           "--scheduler", dask_cluster.address, "--json"]
    client = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    seen = 0
    for line in client.stdout:
        seen += json.loads(line)["event"] == "song"
        if seen == 3:
            client.send_signal(signal.SIGKILL)
            break
    assert client.wait(30) == -signal.SIGKILL
    rows = json.loads((out / "catalog.json").read_text())["items"]
    done = {r["name"] for r in rows if r["status"] == "done"}
    assert 2 <= len(done) < len(rows) - 1
    kept = {name: os.stat(out / f"{name}.wav") for name in done}

    again = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    events = [json.loads(line) for line in again.stdout.splitlines()]
    assert events[0]["event"] == "start" and events[0]["resumed"] == len(done)
    redone = {e["row"]["name"] for e in events if e["event"] == "song"}
    assert redone == {r["name"] for r in rows} - done            # only what was not done, each once
    assert len([e for e in events if e["event"] == "song"]) == len(redone)
    for name, st in kept.items():                                 # done songs untouched
        now = os.stat(out / f"{name}.wav")
        assert (now.st_ino, now.st_mtime_ns) == (st.st_ino, st.st_mtime_ns)
    final = json.loads((out / "catalog.json").read_text())
    by_name = {r["name"]: r for r in final["items"]}
    assert by_name["broken"]["status"] == "failed" and "broken.wav" in by_name["broken"]["error"]
    assert final["summary"]["done"] == len(LEVELS) and final["summary"]["failed"] == 1
    _check_job(out, final["items"], -16.0, -1.0)


@pytest.mark.slow
def test_the_command_line_runs_a_local_cluster_by_default(tmp_path):
    songs = _songs(tmp_path / "songs", 3.0, count=3)
    (tmp_path / "songs" / "readme.txt").write_text("not a song")
    out = tmp_path / "log"
    run = subprocess.run([STUDIOFLOW, "batch", "analyze", str(tmp_path / "songs"), "-o", str(out), "--workers", "2",
                          "--json"], capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr
    events = [json.loads(line) for line in run.stdout.splitlines()]
    assert events[0]["not_audio"] == 1 and events[-1]["summary"]["done"] == 3
    assert [e["event"] for e in events] == ["start", "running", "song", "song", "song", "end"]
    assert [e["done"] for e in events if e["event"] == "song"] == [1, 2, 3]
    assert events[-1]["x_realtime"] > 0 and events[-1]["eta_s"] == 0 and events[-1]["running"] == 0
    rows = {e["row"]["name"]: e["row"] for e in events if e["event"] == "song"}
    for path in songs:
        lufs, _ = loudness_and_peak(path)
        assert abs(rows[path.stem]["before"]["integrated_lufs"] - lufs) < 0.2
    assert sorted(p.name for p in out.iterdir()) == [".catalog.lock", "catalog.csv", "catalog.json"]
    header, *lines = (out / "catalog.csv").read_text().splitlines()
    assert len(lines) == 3 and all(",done," in line for line in lines)
