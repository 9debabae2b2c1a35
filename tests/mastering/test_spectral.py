"""Long-term spectrum, band levels, width measures and the spectral distance, against analytic values."""

import numpy as np
import pytest
from signals import noise, sine

from studioflow.mastering.spectral import LongTermSpectrum, band_centers_hz, spectral_distance_db


def test_band_centres_are_iec_base10():
    fc = band_centers_hz(48000)
    assert fc[0] == pytest.approx(10 ** 1.4, rel=1e-9) and fc[16] == pytest.approx(1000.0)
    assert np.allclose(fc[1:] / fc[:-1], 10 ** 0.1)


def test_a_sine_lands_in_its_band_at_its_mean_square():
    x = sine(1000.0, 2.0, amplitude_dbfs=-6.0, channels=2)
    lts = LongTermSpectrum(48000)
    for i in range(0, x.shape[1], 10000):   # any block size
        lts.add(x[:, i:i + 10000])
    b = lts.bands()
    k = int(np.argmin(abs(b["centers_hz"] - 1000)))
    assert b["total_db"][k] == pytest.approx(-6.0 - 3.0103, abs=0.05)     # mean square of a sine: A^2 / 2
    assert b["total_db"][k + 3] < b["total_db"][k] - 60
    assert b["side_minus_mid_db"][k] < -100                               # identical channels: no side


def test_white_noise_band_power_grows_3_db_per_octave_and_side_equals_mid_for_independent_channels():
    x = noise(4.0, channels=2, rms_dbfs=-20.0, seed=3)
    lts = LongTermSpectrum(48000)
    lts.add(x)
    b = lts.bands()
    fc = b["centers_hz"]
    sel = (fc > 200) & (fc < 10000)
    slope = np.polyfit(np.log2(fc[sel]), b["total_db"][sel], 1)[0]
    assert slope == pytest.approx(3.01, abs=0.15)
    covered = (fc[-1] * 10 ** 0.05 - fc[0] * 10 ** -0.05) / 24000.0     # white noise: power in proportion to width
    assert 10 * np.log10(np.sum(10 ** (b["total_db"] / 10))) == pytest.approx(-20.0 + 10 * np.log10(covered), abs=0.1)
    assert np.median(b["side_minus_mid_db"][sel]) == pytest.approx(0.0, abs=0.3)


def test_distance_is_rms_of_band_differences_inside_31_5_hz_to_16_khz():
    fc = band_centers_hz(48000)
    a = np.zeros(len(fc))
    b = np.where((fc > 30) & (fc < 17000), 2.0, 40.0)
    assert spectral_distance_db(a, b, fc) == pytest.approx(2.0)
