"""The independent 8x true-peak check agrees with scipy's resample_poly on the whole signal, in any block size."""

import numpy as np
import pytest
from scipy.signal import resample_poly
from signals import noise, sine

from studioflow.mastering.verify import TruePeak8x, true_peak_8x_dbtp


@pytest.mark.parametrize("block", [1000, 4096, 100000])
def test_matches_whole_signal_resample_poly(block):
    x = noise(1.0, channels=2, rms_dbfs=-12, seed=5)
    whole = 20 * np.log10(np.max(np.abs(resample_poly(x.astype(np.float64), 8, 1, axis=1))))
    got = true_peak_8x_dbtp(x[:, i:i + block] for i in range(0, x.shape[1], block))
    assert got == pytest.approx(whole, abs=1e-6)


def test_intersample_peak_of_a_quarter_rate_sine_at_45_degrees():
    # fs/4 sine sampled at +-45 degrees: samples reach only 1/sqrt(2) of the true peak (+3.01 dB over)
    x = sine(12000.0, 0.5, amplitude_dbfs=0.0, phase=np.pi / 4)
    ramp = np.sin(np.linspace(0, np.pi / 2, 4800)) ** 2          # fades, so no onset overshoot
    x[:, :4800] *= ramp
    x[:, -4800:] *= ramp[::-1]
    sample_peak = 20 * np.log10(np.max(np.abs(x)))
    assert sample_peak == pytest.approx(-3.01, abs=0.01)
    assert true_peak_8x_dbtp([x]) == pytest.approx(0.0, abs=0.05)


def _limited(seconds, seed):
    """Dense, limiter-like material: noise with a beat, clipped hard so most blocks sit near the top."""
    x = noise(seconds, channels=2, rms_dbfs=-6, seed=seed)
    t = np.arange(x.shape[1]) / 48000
    return np.clip(x * (0.3 + 0.7 * np.exp(-((t * 2) % 1) * 8)), -0.9, 0.9)


@pytest.mark.parametrize("block", [7, 1000, 65536])
@pytest.mark.parametrize("make", ["limited", "one_burst", "quarter_rate"])
def test_skipping_equals_the_full_check(block, make):
    # the chunks skipped by the gain bound never hold the peak: the result is resample_poly's on the whole signal
    if make == "limited":
        x = _limited(1.0, 3)
    elif make == "one_burst":
        x = noise(1.0, channels=2, rms_dbfs=-40, seed=9)
        x[:, 20000:20050] += sine(9000.0, 50 / 48000, amplitude_dbfs=-1.0)
    else:
        x = np.tile(np.array([1, 1, -1, -1], dtype=np.float32) * 0.5, 6000)[None, :]
    whole = 20 * np.log10(np.max(np.abs(resample_poly(x.astype(np.float64), 8, 1, axis=1))))
    got = true_peak_8x_dbtp(x[:, i:i + block] for i in range(0, x.shape[1], block))
    assert got == pytest.approx(whole, abs=1e-9)


def test_quiet_chunks_are_skipped():
    # one loud burst in quiet noise: only the chunks whose bound can reach the burst's peak are computed
    x = noise(2.0, channels=2, rms_dbfs=-50, seed=2)
    x[:, 50000:50100] += 0.8
    meter = TruePeak8x()
    meter.add(x)
    meter.finish()
    assert meter.chunks_computed < 0.05 * meter.chunks_total
