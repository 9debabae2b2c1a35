"""Fixtures shared by the producer tests and the producer CLI tests: short stems written in code, a project with one
song, a stand-in master."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from signals import noise, sine

from studioflow.audio.files import write
from studioflow.producer.project import create_project
from studioflow.producer.songs import add_song

RATE = 48000


@pytest.fixture
def stems_dir(tmp_path: Path) -> Path:
    """Two short stems (a tone and a noise), 0.5 s at 48 kHz, 24-bit."""
    folder = tmp_path / "stems"
    folder.mkdir()
    write(folder / "bass.wav", sine(110.0, 0.5, RATE, -12.0), RATE)
    write(folder / "hats.wav", noise(0.5, RATE, -24.0, seed=3), RATE)
    return folder


@pytest.fixture
def project(tmp_path: Path, stems_dir: Path) -> Path:
    """A project with one song, "First Song", whose takes are the two stems."""
    path = tmp_path / "proj"
    create_project(path, title="Test EP", artist="Tester", platforms=["spotify", "apple-music"])
    add_song(path, "First Song", stems=stems_dir)
    return path


def fake_master(mix_path, out_path, *, target, reference=None, formats=("wav24",), progress=None):
    """A stand-in for the mastering engineer's master(): copies the mix and writes the JSON record it would."""
    shutil.copyfile(mix_path, out_path)
    lufs = {"spotify": -14.0, "apple-music": -16.0}[target]
    rec = {"target": {"name": target, "lufs": lufs, "ceiling_dbtp": -1.0},
           "analysis": {"output": {"integrated_lufs": lufs, "true_peak_8x_dbtp": -1.2}}, "warnings": []}
    Path(out_path).with_suffix(".json").write_text(json.dumps(rec))
    fake_master.calls.append((str(mix_path), target))
    return rec


@pytest.fixture
def stand_in_master(monkeypatch: pytest.MonkeyPatch):
    """Route produce's mastering step to ``fake_master`` (keeps these tests about the producer, and fast)."""
    import studioflow.mastering

    fake_master.calls = []
    monkeypatch.setattr(studioflow.mastering, "master", fake_master)
    return fake_master
