"""Issue 17: a command that delivers several files, interrupted (SIGINT, SIGTERM) or killed (SIGKILL) in the middle
of its work, leaves its output folder clean or whole; after a kill, the next run removes the debris, says so, and
delivers the same set (the same version number)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from studioflow.audio.files import write

RATE = 48000
SESSION = """\
session: s
sample_rate: 48000
tracks:
  - name: a
    source: a.wav
    inserts: [{type: reverb, decay_s: 2.0}]
  - name: b
    source: b.wav
"""
ALBUM = "title: EP\nartist: Band\nformats: [wav24, mp3]\ntracks:\n  - {mix: m1.wav, title: One}\n" \
        "  - {mix: m2.wav, title: Two}\n"
COMMANDS = {
    "mix": ["mix", "s.yaml", "-o", "out/mix.wav", "--stems", "out/stems"],
    "mix-version": ["mix", "s.yaml"],
    "master": ["master", "m1.wav", "-o", "out/m.wav", "--format", "mp3", "--format", "wav16", "--format", "flac"],
    "album": ["album", "ALBUM.yaml", "-o", "out/release"],
}
WATCH = {"mix": "out", "mix-version": "mixes", "master": "out", "album": "out"}


@pytest.fixture()
def song(tmp_path: Path) -> Path:
    t = np.arange(30 * RATE) / RATE
    x = (0.3 * np.sin(2 * np.pi * 220 * t) * (1 + np.sin(2 * np.pi * 0.5 * t)) / 2).astype(np.float32)
    write(tmp_path / "a.wav", np.vstack([x, x]), RATE)
    write(tmp_path / "b.wav", x[None, :], RATE)
    write(tmp_path / "m1.wav", np.vstack([x, 0.7 * x]), RATE)
    write(tmp_path / "m2.wav", np.vstack([0.5 * x[: 8 * RATE], x[: 8 * RATE]]), RATE)
    (tmp_path / "s.yaml").write_text(SESSION)
    (tmp_path / "ALBUM.yaml").write_text(ALBUM)
    (tmp_path / "out").mkdir()
    return tmp_path


def _files(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")} if folder.exists() else set()


def _start(song: Path, command: list[str]) -> subprocess.Popen[bytes]:
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    return subprocess.Popen([sys.executable, "-m", "studioflow.cli.main", *command], cwd=song, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _working(folder: Path) -> bool:
    """A hidden work file of ours is there: the command is in the middle of writing."""
    return any(".part." in p.name or p.name.endswith(".work") or ".tmp." in p.name for p in folder.rglob(".*"))


def _whole_run(song: Path, name: str) -> set[str]:
    proc = _start(song, COMMANDS[name])
    assert proc.wait(timeout=300) == 0, proc.stderr.read().decode() if proc.stderr else ""
    return _files(song / WATCH[name])


@pytest.mark.parametrize("name, sig", [("mix", signal.SIGINT), ("mix", signal.SIGTERM), ("mix", signal.SIGKILL),
                                       ("mix-version", signal.SIGKILL), ("master", signal.SIGTERM),
                                       ("master", signal.SIGKILL), ("album", signal.SIGINT)])
def test_an_interrupted_command_leaves_its_folder_clean_or_whole(song: Path, name: str, sig: int) -> None:
    folder = song / WATCH[name]
    folder.mkdir(exist_ok=True)
    before = _files(folder)
    proc = _start(song, COMMANDS[name])
    deadline = time.monotonic() + 120
    while not _working(folder) and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.02)
    proc.send_signal(sig)
    code = proc.wait(timeout=120)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if sig != signal.SIGKILL:
        assert code in (0, 130 if sig == signal.SIGINT else 143), err
        assert "Traceback" not in err
        if code:
            assert err.strip().splitlines()[-1] == "studioflow: interrupted"
            assert _files(folder) == before, "an interrupted run left files behind"
        return
    # killed: the next run clears what the dead one left, says so, and delivers the whole set once
    rerun = _start(song, COMMANDS[name])
    assert rerun.wait(timeout=300) == 0
    after = _files(folder)
    assert not [p for p in after if Path(p).name.startswith(".")], after
    if name == "mix-version":
        assert {p for p in after if p.endswith(".wav")} == {"s-v001.wav"}


def test_a_whole_mix_run_delivers_the_set(song: Path) -> None:
    """What 'whole' means for the kill tests above: the mix, its report and one stem per track."""
    assert _whole_run(song, "mix") == {"mix.wav", "mix.json", "stems", "stems/a.wav", "stems/b.wav"}
