"""The independent 8x true-peak check agrees with scipy's resample_poly on the whole signal, in any block size."""

import numpy as np
import pytest
from scipy.signal import resample_poly
from signals import noise, sine

from studioflow.mastering.verify import true_peak_8x_dbtp


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
