"""Reverb: measured RT60 (Schroeder backward integration, T30) matches the set decay; damping; block invariance;
the input diffusers' echo density, the modulation's smoothing of the late tail, and the static network without them."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import hadamard
from scipy.ndimage import median_filter
from scipy.signal import butter, sosfilt
from scipy.special import erfc
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

    def make():
        return Reverb(RATE, decay_s=1.0, predelay_ms=7)

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


# diffusion and modulation ----------------------------------------------------------------------------------------

def static_network(x: np.ndarray, r: Reverb) -> np.ndarray:
    """The plain Jot network in float64, one frame at a time: lines of ``r``'s lengths, its absorption shelves, a
    normalised Hadamard feedback matrix, its input and output gains (no pre-delay, mix 1, width 1)."""
    lengths = r._lengths
    feedback = hadamard(len(lengths)) / np.sqrt(len(lengths))
    b0, b1, a1 = (np.float64(c) for c in (r._b0, r._b1, r._a1))
    line_in = np.zeros((len(lengths), x.shape[1]))
    z = np.zeros(len(lengths))
    feed = np.where(np.arange(len(lengths)) % 2 == 0, 0, 1)   # even lines take the left input, odd the right
    rows = np.arange(len(lengths))
    y = np.zeros((2, x.shape[1]))
    for n in range(x.shape[1]):
        ready = n >= lengths
        line_out = np.where(ready, line_in[rows, np.where(ready, n - lengths, 0)], 0.0)
        s = b0 * line_out + z
        z = b1 * line_out - a1 * s
        y[:, n] = r._out_l @ s, r._out_r @ s
        line_in[:, n] = feedback @ s + r._in_gain * x[feed, n]
    return y


def test_diffusion_and_modulation_off_is_the_static_network():
    """Both at 0 the reverb is the plain network it was before they existed (checked against a float64 model)."""
    x = noise(0.3, RATE, channels=2, seed=7)
    r = Reverb(RATE, decay_s=1.2, size=0.3, damping=0.6, diffusion=0, modulation=0, predelay_ms=0, mix=1.0)
    np.testing.assert_allclose(r(x), static_network(x.astype(np.float64), r), atol=2e-7)


def normalized_echo_density(ir: np.ndarray, rate: int, window_ms: float = 20.0, hop: int = 48) -> np.ndarray:
    """Abel & Huang's normalized echo density (2006) in sliding 20 ms Hann windows: the weighted share of samples
    outside one standard deviation, divided by erfc(1/sqrt 2), the share for Gaussian noise (1 = dense as noise)."""
    n = int(window_ms * 1e-3 * rate) | 1
    w = np.hanning(n)
    w /= w.sum()
    frames = np.lib.stride_tricks.sliding_window_view(ir.astype(np.float64), n)[::hop]
    sigma = np.sqrt((frames ** 2) @ w)
    return ((np.abs(frames) > sigma[:, None]) @ w) / erfc(1 / np.sqrt(2))


def dense_after_s(ir: np.ndarray, rate: int, hop: int = 48) -> float:
    """Time (s) at which the normalized echo density first reaches 0.9 (inf if never)."""
    ned = normalized_echo_density(ir, rate, hop=hop)
    return np.argmax(ned >= 0.9) * hop / rate if (ned >= 0.9).any() else np.inf


@pytest.mark.parametrize("size", [0.0, 0.5, 1.0])
def test_diffusion_makes_the_response_dense_much_sooner(size):
    """Without the diffusers the onset is a few discrete echoes that take a long time to become noise-like (the
    echo density profile of Abel & Huang reaching 0.9); with them it gets there in well under half the time."""
    bare = response(0.6, size=size, decay_s=2.0, damping=0.0, diffusion=0.0, modulation=0.0)
    diffused = response(0.6, size=size, decay_s=2.0, damping=0.0, modulation=0.0)
    for b, d in zip(bare, diffused):
        assert dense_after_s(d, RATE) < 0.4 * dense_after_s(b, RATE)
        assert dense_after_s(d, RATE) < 0.15


def tail_peakiness_db(ir: np.ndarray, rate: int, decay_s: float) -> float:
    """How far the strongest narrow peaks of the late tail's spectrum stand out, in dB.

    The tail from 1 s to 3 s, its exponential decay undone, Hann-windowed (0.5 Hz resolution); each bin's power
    over the median of the 201 bins around it (100 Hz), and the 99th percentile of that ratio between 200 Hz and
    6 kHz. Static modes ring on as lines between near-silent gaps (some 40 dB); noise-like tails give about 8 dB
    (the 99th percentile of exponentially distributed power over its median). A percentile of local ratios, not
    the maximum or the raw level, so neither one bin nor the spectral tilt decides it."""
    seg = ir[int(1.0 * rate):int(3.0 * rate)].astype(np.float64)
    seg = seg * 10 ** (3 * np.arange(len(seg)) / rate / decay_s)
    power = np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) ** 2
    freqs = np.fft.rfftfreq(len(seg), 1 / rate)
    band = (freqs >= 200) & (freqs <= 6000)
    return float(np.percentile(10 * np.log10(power / median_filter(power, size=201))[band], 99))


@pytest.mark.parametrize("size", [0.2, 0.8])
def test_modulation_keeps_the_long_tail_from_ringing_on_fixed_modes(size):
    static = response(3.0, size=size, decay_s=4.0, damping=0.0, modulation=0.0)
    swung = response(3.0, size=size, decay_s=4.0, damping=0.0, modulation=0.5)
    for s, m in zip(static, swung):
        assert tail_peakiness_db(s, RATE, 4.0) > 25.0
        assert tail_peakiness_db(m, RATE, 4.0) < tail_peakiness_db(s, RATE, 4.0) - 15.0


@pytest.mark.parametrize("diffusion,modulation", [(0.85, 0.5), (1.0, 1.0)])
@pytest.mark.parametrize("decay_s", [0.5, 1.8, 4.0])
@pytest.mark.parametrize("size", [0.2, 0.8])
def test_rt60_holds_with_diffusion_and_modulation(diffusion, modulation, decay_s, size):
    """Broadband within the tolerance of the static network, the 1 kHz octave closer: the swinging lines'
    interpolation darkens only the top octave (the broadband T30 of a white response weighs it most)."""
    y = response(1.3 * decay_s, decay_s=decay_s, size=size, damping=0.0, diffusion=diffusion, modulation=modulation)
    for ch in y:
        assert rt60_t30(ch, RATE) == pytest.approx(decay_s, rel=0.15)
        assert rt60_t30(ch, RATE, band_hz=1000) == pytest.approx(decay_s, rel=0.1)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, 5000), min_size=1, max_size=5), st.sampled_from([1, 2]))
def test_block_size_invariant_bit_for_bit_with_modulation(sizes, channels):
    """The swings run on a clock counted from the stream's start, so blocks change nothing, not even a bit."""
    x = noise(0.5, RATE, channels=channels, seed=3)

    def make():
        return Reverb(RATE, decay_s=1.5, predelay_ms=13, size=0.0, diffusion=1.0, modulation=1.0)

    np.testing.assert_array_equal(process_in_blocks(make, x, sizes), make()(x))


def test_reset_restarts_the_swings_and_the_diffusers():
    x = noise(0.3, RATE, channels=2, seed=4)
    r = Reverb(RATE, modulation=1.0)
    first = r.process(x)
    r.process(x)
    r.reset()
    np.testing.assert_array_equal(r.process(x), first)


@pytest.mark.parametrize("decay_s,size,diffusion", [(0.05, 1.0, 1.0), (0.05, 0.0, 0.85), (0.1, 0.5, 0.85),
                                                    (0.2, 0.0, 0.5), (0.5, 1.0, 0.5), (2.0, 0.5, 0.85)])
def test_tail_covers_the_diffusers_ringing(decay_s, size, diffusion):
    """After tail_seconds at most a hundred-millionth of the response's energy is left (-80 dB), also where the
    diffusers ring longer than the network (short decays, where 1.5 x RT60 alone leaves -55 dB)."""
    r = Reverb(RATE, decay_s=decay_s, size=size, diffusion=diffusion, damping=0.0, modulation=0.0, mix=1.0)
    y = r(impulse(r.tail_seconds() + 0.5, RATE, channels=2)).astype(np.float64)
    energy = np.cumsum((y ** 2).sum(axis=0)[::-1])[::-1]
    assert energy[int(round(r.tail_seconds() * RATE))] < 1e-8 * energy[0]


@pytest.mark.parametrize("name,value", [("diffusion", 1.5), ("diffusion", -0.1), ("modulation", 2.0),
                                        ("modulation", "lots")])
def test_diffusion_and_modulation_are_checked(name, value):
    with pytest.raises(ParameterError, match=f"reverb: {name} must be"):
        Reverb(RATE, **{name: value})
