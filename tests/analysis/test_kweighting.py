"""K-weighting: BS.1770-4's published 48 kHz coefficients and the same response at every rate."""

import numpy as np
import pytest
from scipy.signal import sosfreqz

from studioflow.analysis.kweighting import PUBLISHED_48K, k_weighting_gain_db, k_weighting_sos
from studioflow.errors import ParameterError


def test_reproduces_published_48k_coefficients():
    sos = k_weighting_sos(48000)
    ours = sos[:, [0, 1, 2, 4, 5]]
    assert np.allclose(ours, np.array(PUBLISHED_48K), rtol=0, atol=1e-8)
    assert np.all(sos[:, 3] == 1.0)


def published_gain_db(freqs: np.ndarray) -> np.ndarray:
    """Magnitude response (dB) of BS.1770-4's published 48 kHz biquads, computed by scipy: an independent reference."""
    sos = np.array([[*stage[:3], 1.0, *stage[3:]] for stage in PUBLISHED_48K])
    _, h = sosfreqz(sos, worN=np.asarray(freqs, dtype=np.float64), fs=48000)
    return 20 * np.log10(np.abs(h))


# The bilinear transform squeezes the shelf (centred at 1.7 kHz) as Nyquist comes near: at 8 kHz the curve stays
# within 0.21 dB of the 48 kHz one up to 3 kHz, at 16 kHz within 0.07 dB, from 22.05 kHz on within 0.03 dB.
@pytest.mark.parametrize("rate,tol_db", [(8000, 0.21), (16000, 0.07), (22050, 0.03), (32000, 0.03), (44100, 0.03),
                                         (88200, 0.03), (96000, 0.03), (192000, 0.03)])
def test_response_matches_48k_design_in_band(rate, tol_db):
    freqs = np.array([20.0, 50.0, 100.0, 500.0, 1000.0, 2000.0, 3000.0])
    assert np.allclose(k_weighting_gain_db(freqs, rate), published_gain_db(freqs), atol=tol_db)


def test_gain_function_agrees_with_scipy_on_the_published_filter():
    freqs = np.geomspace(10.0, 23000.0, 40)
    assert np.allclose(k_weighting_gain_db(freqs, 48000), published_gain_db(freqs), rtol=0, atol=1e-6)


def test_known_points_of_the_curve():
    # 1 kHz gain ~ +0.69 dB (why a -23 dBFS stereo 1 kHz tone reads -23 LUFS), high shelf ~ +4 dB
    assert k_weighting_gain_db(1000.0, 48000) == pytest.approx(0.691, abs=0.01)
    assert k_weighting_gain_db(10000.0, 48000) == pytest.approx(4.0, abs=0.1)
    assert k_weighting_gain_db(20.0, 48000) < -10


@pytest.mark.parametrize("rate", [4000, 384000, 44100.5])
def test_rejects_rates_outside_range(rate):
    with pytest.raises(ParameterError):
        k_weighting_sos(rate)
