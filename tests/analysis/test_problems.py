"""Problem detectors: each synthesized problem is found at its time; a clean tone gives nothing."""

import numpy as np
import pytest

from signals import noise, sine
from studioflow.analysis import problems

RATE = 48000


def test_clean_tone_has_no_problems():
    x = sine(1000, 2.0, RATE, -12.0)
    assert problems.clipped_runs(x, RATE) == []
    assert problems.mains_hum(x, RATE) is None
    s = problems.silences(x, RATE)
    assert s["dropouts"] == [] and s["silence"] == [] and not s["all_silent"]
    assert problems.peak_dbfs(x)[0] == pytest.approx(-12.0, abs=0.01)
    assert problems.rms_dbfs(x)[0] == pytest.approx(-12.0, abs=0.01)   # sine-peak convention


def test_clipped_run_found_with_its_time():
    x = sine(220, 2.0, RATE, -6.0)
    seg = slice(int(1.2 * RATE), int(1.3 * RATE))
    x[:, seg] = np.clip(x[:, seg] * 4, -1.0, 1.0)
    runs = problems.clipped_runs(x, RATE)
    assert runs, "clipping not found"
    assert all(1.2 <= r["time_s"] < r["end_s"] <= 1.3 for r in runs)
    assert runs[0]["samples"] >= 3


def test_dc_offset_measured():
    x = sine(440, 1.0, RATE, -20.0) + np.float32(0.02)
    assert problems.dc_offset(x)[0] == pytest.approx(0.02, abs=1e-4)


def test_noise_floor_and_snr_of_tone_in_white_noise():
    x = sine(1000, 2.0, RATE, -12.0) + noise(2.0, RATE, rms_dbfs=-53.0, seed=1)
    n = problems.noise_floor(x, RATE)
    # white noise at -53 dBFS RMS reads -50 dBFS in the sine-peak convention
    assert n["noise_floor_dbfs"] == pytest.approx(-50.0, abs=1.0)
    assert n["snr_db"] == pytest.approx(-12.0 - -50.0, abs=1.5)


def test_noise_floor_from_pauses():
    x = np.concatenate([noise(1.0, RATE, -73.0, seed=2), sine(500, 1.0, RATE, -10.0) + noise(1.0, RATE, -73.0, seed=3)],
                       axis=1)
    assert problems.noise_floor(x, RATE)["noise_floor_dbfs"] == pytest.approx(-70.0, abs=1.5)


@pytest.mark.parametrize("mains", [50, 60])
def test_mains_hum_and_harmonics(mains):
    t = np.arange(3 * RATE) / RATE
    hum = 10 ** (-50 / 20) * np.sin(2 * np.pi * mains * t) + 10 ** (-56 / 20) * np.sin(2 * np.pi * 3 * mains * t)
    x = (sine(1000, 3.0, RATE, -12.0)[0] + noise(3.0, RATE, -90.0)[0] + hum).astype(np.float32)[None]
    h = problems.mains_hum(x, RATE)
    assert h is not None and h["mains_hz"] == mains
    assert h["harmonics_dbfs"][mains] == pytest.approx(-50.0, abs=0.5)
    assert h["harmonics_dbfs"][3 * mains] == pytest.approx(-56.0, abs=0.5)
    assert h["time_s"] == 0.0 and h["end_s"] == pytest.approx(3.0)


def test_hum_only_in_second_half_has_its_span():
    t = np.arange(4 * RATE) / RATE
    hum = np.where(t >= 2.0, 10 ** (-40 / 20) * np.sin(2 * np.pi * 50 * t), 0)
    x = (noise(4.0, RATE, -80.0)[0] + hum).astype(np.float32)[None]
    h = problems.mains_hum(x, RATE)
    assert h is not None and h["time_s"] == pytest.approx(2.0) and h["end_s"] == pytest.approx(4.0)


def test_dropout_and_digital_silence():
    x = sine(440, 3.0, RATE, -12.0)
    x[:, int(1.0 * RATE):int(1.0 * RATE) + 480] = 0            # 10 ms dropout at 1.0 s
    x[:, int(2.0 * RATE):] = 0                                  # silence from 2.0 s
    s = problems.silences(x, RATE)
    assert len(s["dropouts"]) == 1 and s["dropouts"][0]["time_s"] == pytest.approx(1.0, abs=1e-3)
    assert s["dropouts"][0]["duration_ms"] == pytest.approx(10.0, abs=0.1)
    assert len(s["silence"]) == 1 and s["silence"][0]["time_s"] == pytest.approx(2.0, abs=1e-3)


def test_all_silent():
    assert problems.silences(np.zeros((1, RATE), np.float32), RATE)["all_silent"]
