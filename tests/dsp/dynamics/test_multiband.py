"""Multiband compressor: LR4 bands sum to an allpass (flat magnitude within 0.01 dB); per-band compression."""

import numpy as np
import pytest
from signals import impulse, sine

from studioflow.dsp.dynamics.bands import BandSplitter
from studioflow.dsp.dynamics.multiband import MultibandCompressor
from studioflow.errors import ParameterError

RATE = 48000


def magnitude_db(ir):
    return 20 * np.log10(np.maximum(np.abs(np.fft.rfft(ir.astype(np.float64))), 1e-300))


@pytest.mark.parametrize("crossovers", [[1000.0], [120.0, 2500.0], [80.0, 400.0, 3000.0, 10000.0]])
def test_bands_sum_flat_at_unity_settings(crossovers):
    ir = impulse(1.0, RATE)
    out = MultibandCompressor(RATE, crossovers_hz=crossovers, ratio=1.0)(ir)
    mag = magnitude_db(out[0])
    assert np.max(np.abs(mag[1:])) < 0.01


def test_split_bands_are_the_lr4_halves():
    bands = BandSplitter([1000.0], RATE)(impulse(0.5, RATE))
    f = np.fft.rfftfreq(bands[0].shape[1], 1 / RATE)
    k = np.argmin(np.abs(f - 1000))
    for band in bands:  # each band is -6 dB at the crossover
        assert magnitude_db(band[0])[k] == pytest.approx(-6.02, abs=0.05)


def test_only_the_loud_band_is_compressed():
    low = sine(100, 0.5, RATE, -6)
    high = sine(5000, 0.5, RATE, -40)
    mb = MultibandCompressor(RATE, crossovers_hz=[1000], threshold_db=[-20, -20], ratio=[4, 4], knee_db=0,
                             attack_ms=1, release_ms=2000)
    out = mb(low + high)
    spec = lambda x: np.abs(np.fft.rfft(x[0, -9600:] * np.hanning(9600)))  # noqa: E731
    s_in, s_out = spec(low + high), spec(out)
    k_low, k_high = 100 * 9600 // RATE, 5000 * 9600 // RATE
    assert 20 * np.log10(s_out[k_low] / s_in[k_low]) < -6
    assert 20 * np.log10(s_out[k_high] / s_in[k_high]) == pytest.approx(0, abs=0.05)
    assert len(mb.last_gain_reduction_db) == 2


@pytest.mark.parametrize("kw", [{"crossovers_hz": []}, {"crossovers_hz": [1, 2, 3, 4, 5]},
                                {"crossovers_hz": [2000, 1000]}, {"ratio": [2, 2, 2, 2]}, {"ratio": 0.5}])
def test_impossible_parameters(kw):
    with pytest.raises(ParameterError):
        MultibandCompressor(RATE, **kw)
