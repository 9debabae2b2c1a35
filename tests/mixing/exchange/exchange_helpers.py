"""Helpers for the DAW exchange tests: source audio and a session written in code, Ardour's own tools run."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

RATE = 48000
SESSION = """\
session: xchg
sample_rate: 48000
tempo: 120
time_signature: 4/4
sections: [{name: intro, start: 0}, {name: verse, start: "2:1"}]
tracks:
  - name: tone
    regions:
      - {file: tone.wav, at: 0.1, offset: 0.25, length: 1.5, fade_in: 0.2, fade_out: 0.3, gain_db: -2}
      - {file: tone.wav, at: 1.2, offset: 0.0, length: 1.0, fade_in: 0.05}
    gain_db: -3
    pan: -0.4
    sends: [{bus: verb, level_db: -6}, {bus: verb, level_db: -12, pre_fader: true}]
    automation:
      sends[0].level_db: [[0.3, -20], [1.0, -6]]
  - name: noise
    source: noise.wav
    gain_db: -6
    pan: 0.3
    output: group
    inserts: [{type: gain, gain_db: -4}]
    automation:
      gain_db: [[0.5, -6], [1.5, 0, exp], [2.0, -10]]
      pan: [[0.2, 0.3], [1.8, -0.5]]
  - name: flipped
    source: tone.wav
    polarity: inverted
    gain_db: -12
  - name: muted
    source: noise.wav
    mute: true
buses:
  - {name: verb, gain_db: -1, pan: 0.2}
  - name: group
    gain_db: -2
    inserts: [{type: gain, gain_db: 3}]
master:
  gain_db: -1.5
"""


@pytest.fixture
def song(tmp_path: Path) -> Path:
    """A session with mono and stereo tracks, regions with fades, sends, a group bus, gain inserts, mute,
    polarity and automation of gain, pan and a send (``tmp_path/session.yaml``)."""
    t = np.arange(3 * RATE) / RATE
    sf.write(tmp_path / "tone.wav", (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32), RATE, subtype="FLOAT")
    noise = 0.2 * np.random.default_rng(7).standard_normal((3 * RATE, 2))
    sf.write(tmp_path / "noise.wav", noise.astype(np.float32), RATE, subtype="FLOAT")
    path = tmp_path / "session.yaml"
    path.write_text(SESSION)
    return path


def ardour_tool(name: str) -> str:
    """The path of Ardour's command-line tool ``name`` (ardour7-export, ardour7-lua), or skip the test."""
    found = shutil.which(name)
    if found is None:
        pytest.skip(f"{name} is not installed (Debian's `ardour` package; scripts/setup-system.sh installs it)")
    return found


def run_ardour(args: list[str], expect: Path | None = None) -> None:
    """Run one of Ardour's tools; up to twice more if it crashed (ardour7-export 7.3 now and
    then aborts in free() at start, more often on a busy machine)."""
    for _ in range(3):
        done = subprocess.run(args, capture_output=True, text=True, timeout=300, check=False)
        if done.returncode == 0 and (expect is None or expect.exists()):
            return
    raise AssertionError(f"{args[0]} failed ({done.returncode}): {done.stdout[-2000:]} {done.stderr[-2000:]}")


def ardour_render(folder: Path, out: Path) -> np.ndarray:
    """Render the Ardour session ``folder`` with ardour7-export (32-bit float, the session range); return it."""
    run_ardour([ardour_tool("ardour7-export"), "-b", "float", "-o", str(out), str(folder), folder.name], out)
    audio, rate = sf.read(out, dtype="float64", always_2d=True)
    assert rate == RATE
    return audio


def null_dbfs(a: np.ndarray, b: np.ndarray) -> float:
    """Peak of the difference of two renders (dBFS); they must have the same length."""
    assert a.shape == b.shape
    peak = float(np.max(np.abs(a - b)))
    return 20.0 * np.log10(peak) if peak > 0 else float("-inf")
