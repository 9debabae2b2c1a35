"""Aligned copies are shifted to the fraction of a sample: two mics 3.5 samples apart sum flat at 10 kHz."""

import json

import numpy as np
import pytest
from delayed_signals import periodic_noise

from studioflow.audio.files import read, write
from studioflow.cli.main import main
from studioflow.recording import takes

RATE = 48000
FRAMES = RATE


def _mic(delay):
    """White noise periodic in one second, delayed exactly by ``delay`` samples, float32 (1, frames)."""
    return periodic_noise(FRAMES, delay, seed=11)[None].astype(np.float32)


def _loss_at_10k_db(a, b):
    """Level at 9.9-10.1 kHz of a + b against 2 a (dB), Hann-windowed, away from the ends."""
    w = np.hanning(RATE // 2)
    inner = slice(RATE // 4, RATE // 4 + RATE // 2)
    f = np.fft.rfftfreq(len(w), 1 / RATE)
    band = (f >= 9900) & (f <= 10100)
    total = np.abs(np.fft.rfft(w * (a[0, inner] + b[0, inner]))[band]) ** 2
    alone = np.abs(np.fft.rfft(w * 2 * a[0, inner])[band]) ** 2
    return float(10 * np.log10(total.sum() / alone.sum()))


def test_two_mics_half_a_sample_off_sum_flat_after_align(tmp_path, capsys):
    close, far = _mic(0.0), _mic(3.5)
    for track, audio in (("close", close), ("far", far)):
        path = takes.take_path(tmp_path, track, 1)
        path.parent.mkdir(parents=True, exist_ok=True)
        write(path, audio, RATE, subtype="FLOAT")
        takes.add(tmp_path, {"track": track, "take": 1, "rate": RATE})
    main(["align", str(tmp_path), "--ref", "close", "--tracks", "far"])
    assert "shifted -3.500 samples -> " in capsys.readouterr().out
    record = json.loads((tmp_path / "takes" / "align-v001.json").read_text())
    assert record["tracks"]["far"]["applied_shift_samples"] == pytest.approx(-3.5, abs=0.01)
    aligned, _ = read(tmp_path / "takes" / "far" / "take-001.aligned-v001.wav")
    assert _loss_at_10k_db(close, far) < -3.0                                       # as recorded
    assert _loss_at_10k_db(close, np.roll(far, -4, axis=1)) < -0.4                  # nearest whole sample
    assert _loss_at_10k_db(close, aligned) > -0.1                                   # to the fraction
