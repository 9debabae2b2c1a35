"""Fixtures for the mixing tests: source files written in code, session files, and tiny test processors."""

from __future__ import annotations

import sys
import textwrap
import types
from pathlib import Path
from typing import Callable

import numpy as np
import pytest
import soundfile as sf

from studioflow.dsp import registry
from studioflow.dsp.base import Processor


class DelayBy(Processor):
    """A pure delay of ``frames`` frames that reports it as latency (a stand-in for a lookahead insert)."""

    name = "test_delay"

    def __init__(self, sample_rate: int, *, frames: int = 100) -> None:
        super().__init__(sample_rate)
        self.frames = int(frames)

    @property
    def latency(self) -> int:
        return self.frames

    def _prepare(self, channels: int) -> None:
        self.hist = np.zeros((channels, self.frames), dtype=np.float32)

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        joined = np.concatenate([self.hist, block], axis=1)
        self.hist = joined[:, block.shape[1]:].copy()
        return np.ascontiguousarray(joined[:, :block.shape[1]])


class Scale(Processor):
    """Multiplies by ``gain_db`` (automatable; applied from the next block on, without smoothing)."""

    name = "test_scale"
    automatable = ("gain_db",)

    def __init__(self, sample_rate: int, *, gain_db: float = 0.0) -> None:
        super().__init__(sample_rate)
        if gain_db > 24:
            from studioflow.errors import ParameterError
            raise ParameterError(f"test_scale: gain_db must be <= 24 dB; got {gain_db!r}")
        self.gain_db = gain_db

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        return (block * np.float32(10 ** (self.gain_db / 20))).astype(np.float32)


class Ring(Processor):
    """Passes audio through and claims a tail of ``tail_s`` seconds."""

    name = "test_ring"

    def __init__(self, sample_rate: int, *, tail_s: float = 1.0) -> None:
        super().__init__(sample_rate)
        self._tail = tail_s

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        return block

    def tail_seconds(self) -> float:
        return self._tail


@pytest.fixture
def test_processors(monkeypatch: pytest.MonkeyPatch) -> None:
    """Register test_delay, test_scale and test_ring in the processor registry for one test."""
    module = types.ModuleType("studioflow_mixing_test_procs")
    module.DelayBy, module.Scale, module.Ring = DelayBy, Scale, Ring
    monkeypatch.setitem(sys.modules, module.__name__, module)
    for cls in (DelayBy, Scale, Ring):
        monkeypatch.setitem(registry.PROCESSORS, cls.name, f"{module.__name__}:{cls.__name__}")


@pytest.fixture
def wav(tmp_path: Path) -> Callable[..., Path]:
    """Write float32 (channels, frames) audio as a 32-bit float WAV in tmp_path; returns its path."""
    def write(name: str, audio: np.ndarray, rate: int = 48000) -> Path:
        path = tmp_path / name
        sf.write(path, np.asarray(audio, dtype=np.float32).T, rate, subtype="FLOAT")
        return path
    return write


@pytest.fixture
def session_file(tmp_path: Path) -> Callable[[str], Path]:
    """Write a session YAML (dedented) as tmp_path/session.yaml; returns its path."""
    def write(text: str, name: str = "session.yaml") -> Path:
        path = tmp_path / name
        path.write_text(textwrap.dedent(text).lstrip("\n"))
        return path
    return write


@pytest.fixture
def read_audio() -> Callable[[Path], np.ndarray]:
    """Read a rendered file as float64 (channels, frames)."""
    def read(path: Path) -> np.ndarray:
        x, _ = sf.read(path, dtype="float64", always_2d=True)
        return x.T
    return read
