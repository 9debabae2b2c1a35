"""Mic alignment by GCC-PHAT: known delays (whole and fractional samples) and polarity are found."""

import numpy as np
import pytest
from signals import noise, pink_noise

from studioflow.analysis import alignment

RATE = 48000


def _delayed(x, delay_samples):
    """x delayed by a (fractional) number of samples, by a linear phase in the frequency domain."""
    n = len(x)
    f = np.fft.rfftfreq(2 * n)
    return np.fft.irfft(np.fft.rfft(x, 2 * n) * np.exp(-2j * np.pi * f * delay_samples), 2 * n)[:n]


@pytest.mark.parametrize("delay", [0, 7, -23, 12.5, 96.3])
def test_delay_found(delay):
    ref = pink_noise(1.0, RATE, seed=4)[0].astype(np.float64)
    other = 0.6 * _delayed(ref, delay) + noise(1.0, RATE, -50.0, seed=5)[0]
    al = alignment.measure(ref, other, RATE)
    assert al.delay_samples == pytest.approx(delay, abs=0.15)
    assert al.delay_ms == pytest.approx(delay * 1000 / RATE, abs=0.004)
    assert not al.polarity_inverted
    assert al.correlation > 0.9


def test_inverted_polarity_and_correction():
    ref = pink_noise(1.0, RATE, seed=6)[0]
    other = -0.5 * _delayed(ref.astype(np.float64), 48)
    al = alignment.measure(ref, other, RATE)
    assert al.polarity_inverted and al.correlation < -0.9
    assert al.correction() == {"delay_ms": pytest.approx(-1.0, abs=0.01), "polarity": "inverted"}
    fixed = alignment.apply(other[None].astype(np.float32), RATE, al)[0]
    assert np.corrcoef(fixed[:-48], 0.5 * ref[:-48])[0, 1] > 0.999


def test_unrelated_signals_have_low_correlation():
    al = alignment.measure(noise(1.0, RATE, seed=7)[0], noise(1.0, RATE, seed=8)[0], RATE)
    assert abs(al.correlation) < 0.1


def test_group_of_long_takes_correlates_a_bounded_excerpt_where_both_are_loud():
    """Four 30 s takes of one source: each pair is measured on a few seconds, where ref and other both sound."""
    n = 30 * RATE
    src = np.zeros(n)
    src[18 * RATE:24 * RATE] = pink_noise(6.0, RATE, seed=9)[0]       # the source plays from 18 s to 24 s only
    src[2 * RATE:3 * RATE] = 3 * pink_noise(1.0, RATE, seed=10)[0]    # and a louder burst the others do not hear
    takes = [src, 0.5 * np.roll(src, 31), -0.7 * np.roll(src, 77), 0.4 * np.roll(src, -12)]
    takes[1][:5 * RATE] = takes[2][:5 * RATE] = takes[3][:5 * RATE] = 0.0
    for take, delay, inverted in zip(takes[1:], (31, 77, -12), (False, True, False)):
        al = alignment.measure(takes[0], take + noise(30.0, RATE, -60.0, seed=abs(delay))[0], RATE)
        assert al.excerpt_s <= alignment.EXCERPT_S
        assert 18 - alignment.EXCERPT_S / 20 <= al.excerpt_start_s and al.excerpt_start_s + al.excerpt_s <= 24.3
        assert al.delay_samples == pytest.approx(delay, abs=0.15) and al.polarity_inverted == inverted
        assert abs(al.correlation) > 0.9


@pytest.mark.parametrize("fraction", [0.25, 0.5, 0.75])
def test_fractional_delay_with_stereo_input(fraction):
    ref = pink_noise(1.0, RATE, seed=11)[0].astype(np.float64)
    other = np.stack([_delayed(ref, 3 + fraction), _delayed(ref, 3 + fraction)])
    al = alignment.measure(np.stack([ref, ref]), other, RATE)
    assert al.delay_samples == pytest.approx(3 + fraction, abs=0.15) and al.excerpt_s == 1.0
