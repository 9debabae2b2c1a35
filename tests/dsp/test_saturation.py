"""Saturation: no aliasing (oversampled), latency compensated, mix and output gain, block-size invariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import noise, process_in_blocks, sine

from studioflow.dsp import registry
from studioflow.dsp.saturation import Saturation, curve
from studioflow.errors import ParameterError

RATE = 48000


@pytest.mark.parametrize("kind", ["soft", "tape"])
def test_5khz_driven_hard_does_not_alias(kind):
    x = sine(5000.0, 0.6, RATE, amplitude_dbfs=-6.0)
    y = Saturation(RATE, drive_db=24.0, curve=kind)(x)[0, 4800:4800 + 24000].astype(float)
    spectrum = np.abs(np.fft.rfft(y * np.blackman(y.size)))
    f = np.fft.rfftfreq(y.size, 1 / RATE)
    harmonic = np.zeros(f.size, bool)
    for k in range(5):                                   # DC (tape's even harmonics) and 5, 10, 15, 20 kHz
        harmonic |= np.abs(f - 5000 * k) <= 30
    assert 20 * np.log10(spectrum[harmonic].max() / spectrum.max()) == 0.0
    assert 20 * np.log10(spectrum[~harmonic].max() / spectrum.max()) < -80.0
    assert 20 * np.log10(spectrum[np.abs(f - 15000) <= 30].max() / spectrum.max()) > -30.0   # it does saturate


def test_latency_is_compensated_and_mix_and_output():
    # quiet (the curve is linear there) and inside the filters' 20 kHz pass band
    x = sine(1000.0, 0.1, RATE, -60.0, channels=2) + sine(15000.0, 0.1, RATE, -66.0, channels=2, phase=1.0)
    sat = registry.create("saturation", RATE, drive_db=0.0, output_db=-6.0)
    d = sat.latency
    y = sat(x)
    assert d == 80
    settled = slice(d + 400, None)                     # after the onset transient of the abrupt start
    assert np.allclose(y[:, settled], x[:, 400:-d] * 10 ** (-6 / 20), atol=1e-4 * np.max(np.abs(x)))
    dry = Saturation(RATE, drive_db=20.0, mix=0.0)(x)
    assert np.array_equal(dry[:, d:], x[:, :-d]) and np.all(dry[:, :d] == 0)
    assert curve(np.array([0.0]), "tape")[0] == 0.0
    with pytest.raises(ParameterError, match="mix"):
        Saturation(RATE, mix=1.5)


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 65536), min_size=1, max_size=5))
def test_block_size_invariance(sizes):
    x = noise(0.05, RATE, rms_dbfs=-10.0, channels=2, seed=8)
    make = lambda: Saturation(RATE, drive_db=12.0, curve="tape", mix=0.7)  # noqa: E731
    assert np.array_equal(process_in_blocks(make, x, sizes), process_in_blocks(make, x, [x.shape[1]]))
