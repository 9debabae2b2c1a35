"""Dither: quantized output, error level (TPDF: 3 q^2/12), error spectrum (flat or the shaping filter's), seeding."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import signal
from signals import noise, process_in_blocks

from studioflow.dsp import registry
from studioflow.dsp.dither import Dither, noise_transfer
from studioflow.errors import ParameterError

RATE = 44100


def error_of(shape, bits=16, seconds=2.0):
    x = noise(seconds, RATE, rms_dbfs=-20.0, seed=1)
    y = Dither(RATE, bits=bits, shape=shape, seed=3)(x)
    return x, y, (y.astype(float) - x)[0]


@pytest.mark.parametrize("bits", [16, 24])
def test_output_is_on_the_grid_and_tpdf_error_power_is_three_q2_over_12(bits):
    x, y, e = error_of("tpdf", bits)
    q = 2.0 ** -(bits - 1)
    assert np.array_equal(np.round(y / q) * q, y)
    # TPDF: q^2/12 (rounding) + q^2/6 (dither) = q^2/4, i.e. 20 log10(q / 2) = -96.33 dBFS RMS at 16 bits
    assert 10 * np.log10(np.mean(e ** 2) / (q * q / 4)) == pytest.approx(0.0, abs=0.1)
    if bits == 16:
        assert 20 * np.log10(np.sqrt(np.mean(e ** 2))) == pytest.approx(-96.33, abs=0.1)


def octave_levels(e, want_psd):
    f, p = signal.welch(e, RATE, nperseg=1024)
    rows = []
    for lo in 125 * 2.0 ** np.arange(7):            # octaves 125 Hz .. 16 kHz
        sel = (f >= lo) & (f < min(2 * lo, 20000))
        rows.append(10 * np.log10(p[sel].mean() / want_psd(f[sel]).mean()))
    return np.array(rows)


@pytest.mark.parametrize("shape", ["tpdf", "shaped"])
def test_error_spectrum_shape(shape):
    _, _, e = error_of(shape)
    q = 2.0 ** -15
    want = lambda f: q * q / 4 * 2 / RATE * noise_transfer(f, RATE, shape)  # noqa: E731  one-sided PSD
    assert np.max(np.abs(octave_levels(e, want))) < 0.3
    if shape == "shaped":                            # less noise at 3-4 kHz than flat TPDF, more near Nyquist
        assert noise_transfer(np.array([3500.0]), RATE, shape)[0] < 0.1
        assert noise_transfer(np.array([20000.0]), RATE, shape)[0] > 10


def test_seeded_and_validated():
    x = noise(0.05, RATE)
    assert np.array_equal(Dither(RATE, seed=5)(x), Dither(RATE, seed=5)(x))
    assert not np.array_equal(Dither(RATE, seed=5)(x), Dither(RATE, seed=6)(x))
    assert registry.create("dither", RATE, bits=24).lsb == 2.0 ** -23
    with pytest.raises(ParameterError, match="bits"):
        Dither(RATE, bits=20)


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 65536), min_size=1, max_size=5))
def test_block_size_invariance(sizes):
    x = noise(0.1, RATE, channels=2, seed=9)
    make = lambda: Dither(RATE, shape="shaped", seed=2)  # noqa: E731
    assert np.array_equal(process_in_blocks(make, x, sizes), process_in_blocks(make, x, [x.shape[1]]))
