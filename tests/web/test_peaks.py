"""Waveform peaks: each slice's extremes over every channel, whatever the block size the file is read in."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import noise

from studioflow.audio.files import write
from studioflow.errors import ParameterError
from studioflow.web.peaks import slice_peaks, waveform


def direct(audio: np.ndarray, points: int) -> tuple[np.ndarray, np.ndarray]:
    points = min(points, audio.shape[1])
    edges = np.linspace(0, audio.shape[1], points + 1).round().astype(int)
    return (np.array([audio[:, a:b].min() for a, b in zip(edges[:-1], edges[1:])]),
            np.array([audio[:, a:b].max() for a, b in zip(edges[:-1], edges[1:])]))


@settings(max_examples=60, deadline=None)
@given(frames=st.integers(1, 3000), points=st.integers(1, 400), block=st.integers(1, 5000),
       channels=st.integers(1, 3), seed=st.integers(0, 99))
def test_slices_match_numpy_for_any_block_size(frames, points, block, channels, seed):
    audio = np.random.default_rng(seed).uniform(-1, 1, (channels, frames)).astype(np.float32)
    blocks = (audio[:, i:i + block] for i in range(0, frames, block))
    lows, highs = slice_peaks(blocks, frames, points)
    want_lows, want_highs = direct(audio, points)
    np.testing.assert_array_equal(lows, want_lows)
    np.testing.assert_array_equal(highs, want_highs)


def test_waveform_of_a_file_and_its_limits(tmp_path):
    path = tmp_path / "noise.wav"
    audio = noise(3.0, 8000, -12.0, channels=2, seed=4)
    write(path, audio, 8000, subtype="FLOAT")
    data = waveform(path, 100)
    lows, highs = direct(audio, 100)
    assert (data["points"], data["sample_rate"], data["channels"], data["duration_s"]) == (100, 8000, 2, 3.0)
    np.testing.assert_allclose(data["min"], lows, atol=5e-5)
    np.testing.assert_allclose(data["max"], highs, atol=5e-5)
    for points in (0, 15, 8001):
        with pytest.raises(ParameterError, match="slices"):
            waveform(path, points)
