"""A long take is checked piece by piece (flat memory) with the same findings as when it is read whole."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from studioflow.audio.files import read, write
from studioflow.recording import checks, checkstream

RATE = 48000


def _take(seconds: int) -> np.ndarray:
    """A tone with pauses, noise and hum, a silence and a clip across piece edges, a dropout and a click."""
    rng = np.random.default_rng(7)
    t = np.arange(seconds * RATE) / RATE
    x = 0.2 * np.sin(2 * np.pi * 330 * t) * (t % 7 < 5) + 5e-4 * rng.standard_normal(len(t)) \
        + 0.01 * np.sin(2 * np.pi * 50 * t)
    x[int(5.5 * RATE):int(7.5 * RATE)] = 0.0                 # 2 s of digital silence across the edge at 6 s
    x[9 * RATE + RATE // 2: 9 * RATE + RATE // 2 + RATE // 20] = 0.0    # a 50 ms dropout
    x[12 * RATE - 5: 12 * RATE + 5] = 1.0                    # a clipped run across the edge at 12 s
    x[15 * RATE + 123] += 0.5                                # a click
    return np.vstack([x, 0.8 * x]).astype(np.float32)


def test_a_take_checked_in_pieces_reads_as_the_whole(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "long.wav"
    write(path, _take(20), RATE, subtype="PCM_24")
    whole = checks.check_audio(read(path)[0], RATE, bits=24)
    monkeypatch.setattr(checks, "STREAM_ABOVE_S", 5.0)
    monkeypatch.setattr(checkstream, "PIECE_S", 3)
    pieces = checks.check_file(path)
    for key in ("peak_dbfs", "rms_dbfs", "dc_offset", "noise_floor_dbfs", "snr_db", "signal_dbfs", "hum",
                "clipped_passages", "dropouts", "silence", "clicks", "advice"):
        assert pieces[key] == pytest.approx(whole[key], abs=1e-6) if isinstance(whole[key], float) \
            else pieces[key] == whole[key], key
    assert pieces["noise_measured_s"] == pytest.approx(whole["noise_measured_s"], abs=0.5)
    assert [p["message"] for p in pieces["problems"]] == [p["message"] for p in whole["problems"]]
