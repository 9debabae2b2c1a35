"""Pan laws and Ardour's fader smoothing: the conversions the exchange relies on."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import lfilter

from studioflow.mixing.exchange.units import (
    ardour_gain_lag_s,
    ardour_gain_points,
    ardour_mono_gains,
    ardour_to_mono_pan,
    mono_pan_to_ardour,
)
from studioflow.mixing.panning import mono_gains

PANS = np.linspace(-1.0, 1.0, 41)


@pytest.mark.parametrize("law", [-3.0, -4.5, -6.0, 0.0])
def test_a_mono_pan_gives_the_same_left_and_right_gains_in_ardour(law: float) -> None:
    azimuth, comp_db = mono_pan_to_ardour(PANS, law)
    al, ar = ardour_mono_gains(azimuth)
    gl, gr = mono_gains(PANS, law)
    scale = 10.0 ** (comp_db / 20.0)
    np.testing.assert_allclose(al * scale, gl, atol=1e-12)
    np.testing.assert_allclose(ar * scale, gr, atol=1e-12)
    pan, back_db = ardour_to_mono_pan(azimuth, law)
    np.testing.assert_allclose(pan, PANS, atol=1e-12)
    np.testing.assert_allclose(back_db, -comp_db, atol=1e-12)


def test_ardour_mono_panner_is_minus_3_db_at_centre_and_not_sin_cos() -> None:
    left, right = ardour_mono_gains(0.5)
    assert 20 * np.log10(left) == pytest.approx(-3.0, abs=1e-9) and left == pytest.approx(right)
    al, _ = ardour_mono_gains(0.25)
    assert abs(20 * np.log10(al) - 20 * np.log10(np.cos(np.pi / 8))) > 0.1    # the residual we compensate


def test_gain_points_come_back_through_ardours_smoothing() -> None:
    rate = 48000
    t = np.arange(0, 2.0, 1 / rate)

    def curve(x):
        return 10 ** (np.interp(x, [0.5, 1.0, 1.5], [-20.0, 0.0, -10.0]) / 20)

    knots = np.concatenate([np.arange(0.5, 1.5, 0.005), [1.5]])
    times, values = ardour_gain_points(curve, knots, rate)
    x = np.interp(t, times, values)
    a = 156.825 / rate                                    # Ardour's amp: one pole, 25 Hz
    y, _ = lfilter([a], [1.0, a - 1.0], x, zi=[(1.0 - a) * x[0]])
    err_db = 20 * np.log10(np.max(np.abs(y - curve(t))))
    naive = lfilter([a], [1.0, a - 1.0], curve(t), zi=[(1.0 - a) * curve(t[:1])[0]])[0]
    assert err_db < -70.0
    assert 20 * np.log10(np.max(np.abs(naive - curve(t)))) > -50.0          # without the lead it would not null
    assert ardour_gain_lag_s(rate) * rate == pytest.approx(305.07, abs=0.01)
