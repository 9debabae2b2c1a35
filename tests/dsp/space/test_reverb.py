"""Reverb: measured RT60 (Schroeder backward integration, T30) matches the set decay; damping; block invariance."""

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from scipy.signal import butter, sosfilt

from signals import impulse, noise, process_in_blocks
from studioflow.dsp.registry import create
from studioflow.dsp.space.reverb import Reverb
from studioflow.errors import ParameterError

RATE = 48000


def rt60_t30(ir: np.ndarray, rate: int, band_hz: float | None = None) -> float:
    """RT60 from T30 (ISO 3382-1): Schroeder's backward-integrated energy decay, line fit from -5 to -35 dB, x2."""
    ir = ir.astype(np.float64)
    if band_hz is not None:  # octave band
        ir = sosfilt(butter(4, [band_hz / np.sqrt(2), band_hz * np.sqrt(2)], "bandpass", fs=rate, output="sos"), ir)
    energy = np.cumsum(ir[::-1] ** 2)[::-1]
    edc = 10 * np.log10(energy / energy[0])
    i5, i35 = np.argmax(edc <= -5), np.argmax(edc <= -35)
    slope_db_per_s = np.polyfit(np.arange(i5, i35) / rate, edc[i5:i35], 1)[0]
    return -60.0 / slope_db_per_s


def response(seconds: float, **kwargs) -> np.ndarray:
    x = impulse(seconds, RATE, channels=2)
    return Reverb(RATE, mix=1.0, predelay_ms=0, **kwargs)(x)


@pytest.mark.parametrize("decay_s", [0.5, 1.8, 4.0])
@pytest.mark.parametrize("size", [0.2, 0.8])
def test_measured_rt60_matches_the_set_decay(decay_s, size):
    y = response(1.3 * decay_s, decay_s=decay_s, size=size, damping=0.0)
    for ch in y:
        assert rt60_t30(ch, RATE) == pytest.approx(decay_s, rel=0.15)


@pytest.mark.parametrize("decay_s", [0.5, 1.8])
def test_damping_keeps_the_mid_decay_and_shortens_the_highs(decay_s):
    y = response(1.3 * decay_s, decay_s=decay_s, damping=0.8)[0]
    assert rt60_t30(y, RATE, band_hz=500) == pytest.approx(decay_s, rel=0.15)
    assert rt60_t30(y, RATE, band_hz=8000) < 0.7 * decay_s


def test_predelay_delays_the_first_reflection():
    x = impulse(0.2, RATE, channels=2)
    dry = Reverb(RATE, mix=1.0, predelay_ms=0)(x)
    late = Reverb(RATE, mix=1.0, predelay_ms=25)(x)
    np.testing.assert_allclose(late[:, 1200:], dry[:, :-1200], atol=1e-7)
    assert not late[:, :1200].any()


def test_width_zero_makes_the_wet_signal_mono_and_outputs_decorrelate_otherwise():
    y0 = response(0.5, width=0.0)
    np.testing.assert_allclose(y0[0], y0[1], atol=1e-7)
    y1 = response(0.5, width=1.0)
    assert abs(np.corrcoef(y1[0], y1[1])[0, 1]) < 0.3


def test_mix_zero_is_dry_and_mono_stays_mono():
    x = noise(0.1, RATE, channels=2)
    np.testing.assert_allclose(Reverb(RATE, mix=0.0)(x), x, atol=1e-7)
    mono = Reverb(RATE)(noise(0.1, RATE, channels=1))
    assert mono.shape == (1, 4800) and np.isfinite(mono).all()


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=1, max_size=5))
def test_block_size_invariant(sizes):
    x = noise(0.4, RATE, channels=2, seed=2)
    make = lambda: Reverb(RATE, decay_s=1.0, predelay_ms=7)
    np.testing.assert_allclose(process_in_blocks(make, x, sizes), make()(x), atol=1e-6)


def test_mix_automation_glides():
    x = noise(0.2, RATE, channels=2)
    r = Reverb(RATE, mix=0.0)
    a = r.process(x[:, :4800])
    r.set_param("mix", 1.0)
    b = r.process(x[:, 4800:])
    assert np.abs(b[:, 0] - x[:, 4800]).max() < 0.01   # not jumped yet
    assert np.abs(np.diff(np.concatenate([a, b], axis=1))).max() < 2 * np.abs(np.diff(x)).max()


@pytest.mark.parametrize("kwargs", [dict(decay_s=0), dict(predelay_ms=-1), dict(size=2), dict(damping=1.5),
                                    dict(width=3), dict(mix=-0.2)])
def test_bad_parameters_name_themselves(kwargs):
    with pytest.raises(ParameterError, match="reverb"):
        Reverb(RATE, **kwargs)


def test_registered_with_its_tail():
    r = create("reverb", RATE, decay_s=2.0, predelay_ms=20)
    assert r.tail_seconds() == pytest.approx(3.02)
    with pytest.raises(ParameterError, match="channels"):
        r.process(np.zeros((3, 10), np.float32))
