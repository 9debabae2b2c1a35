"""ParametricEQ and the single-band processors: responses, linear phase, automation, block-size invariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import noise, process_in_blocks

from studioflow.dsp import registry
from studioflow.dsp.eq import ParametricEQ, PeakEQ
from studioflow.errors import ParameterError

RATE = 48000
BANDS = [
    {"type": "highpass", "freq": 30.0, "slope": 12},
    {"type": "peak", "freq": 1000.0, "gain_db": 4.0, "q": 1.0},
    {"type": "lowshelf", "freq": 150.0, "gain_db": 3.0},
    {"type": "highshelf", "freq": 8000.0, "gain_db": -3.0},
]


def measured_db(proc, freq, seconds=0.25):
    """Steady-state gain of a processor on a sine at ``freq`` Hz, in dB."""
    t = np.arange(int(seconds * RATE)) / RATE
    x = (0.1 * np.sin(2 * np.pi * freq * t)).astype(np.float32)[np.newaxis]
    y = proc(x)[0, x.shape[1] // 2:]
    return 20 * np.log10(np.sqrt(np.mean(y.astype(float) ** 2)) / (0.1 / np.sqrt(2)))


@pytest.mark.parametrize("type_name", ["eq", "highpass", "lowpass", "peak", "lowshelf", "highshelf", "notch",
                                       "bandpass", "tilt"])
def test_registered_and_unity_shape(type_name):
    proc = registry.create(type_name, RATE)
    y = proc(noise(0.05, RATE, channels=2))
    assert y.shape == (2, 2400) and y.dtype == np.float32 and np.all(np.isfinite(y))


def test_processed_sine_matches_response():
    eq = ParametricEQ(RATE, bands=BANDS)
    for f in (100.0, 1000.0, 10000.0):
        assert measured_db(eq, f) == pytest.approx(eq.response([f])[0], abs=0.02)
    assert PeakEQ(RATE, freq=1000.0, gain_db=-9.0, q=2.0).response([1000.0])[0] == pytest.approx(-9.0, abs=1e-9)
    for type_name in ("peak", "lowshelf", "tilt"):               # cuts go through the kernel too (a0 = 1)
        cut = registry.create(type_name, RATE, freq=1000.0, gain_db=-9.0)
        assert measured_db(cut, 3000.0) == pytest.approx(cut.response([3000.0])[0], abs=0.02)


def test_bad_parameters_name_the_parameter():
    with pytest.raises(ParameterError, match="freq"):
        ParametricEQ(RATE, bands=[{"type": "peak", "freq": 30000.0}])
    with pytest.raises(ParameterError, match="slope"):
        registry.create("highpass", RATE, slope=18, character="linkwitz_riley")
    with pytest.raises(ParameterError, match="wobble"):
        ParametricEQ(RATE, bands=[{"type": "peak", "wobble": 1}])
    with pytest.raises(ParameterError, match="mode"):
        ParametricEQ(RATE, bands=BANDS, mode="zero")
    with pytest.raises(ParameterError, match="slope"):
        PeakEQ(RATE).set_param("slope", 24)


def test_linear_phase_matches_minimum_phase_magnitude():
    f = np.geomspace(20, 20000, 400)
    minimum = ParametricEQ(RATE, bands=BANDS)
    linear = ParametricEQ(RATE, bands=BANDS, mode="linear")
    assert np.max(np.abs(linear.response(f) - minimum.response(f))) < 0.1
    # the FIR the processor actually runs: the impulse response's spectrum is the same magnitude
    x = np.zeros((1, 3 * linear.latency), np.float32)
    x[0, 10] = 1.0
    h = process_in_blocks(lambda: ParametricEQ(RATE, bands=BANDS, mode="linear"), x, [777, 4096, 1])[0]
    assert np.argmax(np.abs(h)) == 10 + linear.latency
    spectrum = np.fft.rfft(h.astype(float), 1 << 16)
    bins = np.fft.rfftfreq(1 << 16, 1 / RATE)
    sel = (bins > 20) & (bins < 20000)
    got = 20 * np.log10(np.abs(spectrum[sel]))
    assert np.max(np.abs(got - minimum.response(bins[sel]))) < 0.1


def test_linear_phase_latency_is_compensated_exactly():
    flat = ParametricEQ(RATE, bands=[{"type": "peak", "freq": 1000.0, "gain_db": 0.0}], mode="linear")
    x = noise(0.5, RATE, channels=2)
    y = flat(x)
    d = flat.latency
    assert d > 0 and np.max(np.abs(y[:, :d])) < 1e-6
    assert np.max(np.abs(y[:, d:] - x[:, :-d])) < 1e-6
    # and a real EQ is symmetric (linear phase) around the reported latency
    eq = ParametricEQ(RATE, bands=BANDS, mode="linear")
    imp = np.zeros((1, 2 * d + 1), np.float32)
    imp[0, 0] = 1.0
    h = eq(imp)[0]
    assert np.allclose(h[d - 5000:d], h[d + 5000:d:-1], atol=1e-7)


def test_automation_glides_without_clicks():
    """A 12 dB gain jump on a bell glides: the sample-to-sample step stays that of the steady signal."""
    eq = ParametricEQ(RATE, bands=[{"type": "peak", "freq": 1000.0, "gain_db": 0.0, "q": 1.0}])
    t = np.arange(RATE // 4) / RATE
    x = (0.25 * np.sin(2 * np.pi * 1000 * t)).astype(np.float32)[np.newaxis]
    first = eq.process(x[:, :4000])
    eq.set_param("band1_gain_db", 12.0)
    rest = eq.process(x[:, 4000:])
    y = np.concatenate([first, rest], axis=1)[0]
    steady_step = 2 * np.pi * 1000 / RATE * 0.25 * 10 ** (12 / 20)
    assert np.max(np.abs(np.diff(y))) < steady_step * 1.01
    assert np.sqrt(np.mean(y[-4800:].astype(float) ** 2)) == pytest.approx(0.25 / np.sqrt(2) * 10 ** 0.6, rel=1e-3)
    assert eq.bands[0]["gain_db"] == 12.0


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 65536), min_size=1, max_size=6), auto_at=st.integers(1, 4))
def test_block_size_invariance_with_automation(sizes, auto_at):
    x = noise(0.1, RATE, channels=2, seed=4)
    cut = 1000 * auto_at

    def run(block_sizes):
        eq = ParametricEQ(RATE, bands=BANDS)
        return np.concatenate([process_in_blocks(lambda: eq, x[:, :cut], block_sizes),
                               _then(eq, x[:, cut:], block_sizes)], axis=1)

    def _then(eq, rest, block_sizes):
        eq.set_param("band2_freq", 3000.0)
        eq.set_param("band4_gain_db", 2.0)
        return process_in_blocks(lambda: eq, rest, block_sizes)

    whole = run([x.shape[1]])
    assert np.array_equal(run(sizes), whole)


@settings(max_examples=10, deadline=None)
@given(sizes=st.lists(st.integers(1, 65536), min_size=1, max_size=4))
def test_linear_phase_block_size_invariance(sizes):
    x = noise(0.3, RATE, channels=1, seed=5)
    make = lambda: ParametricEQ(RATE, bands=BANDS, mode="linear")  # noqa: E731
    assert np.array_equal(process_in_blocks(make, x, sizes), process_in_blocks(make, x, [x.shape[1]]))


def test_cuts_are_stable_and_exact():
    """A cut is the inverted boost with a0 = 1: its poles sit inside the unit circle and its gain is exact."""
    import numpy as np

    from studioflow.dsp.eq import band_sos
    from studioflow.dsp.filters import sos_response_db

    for kind in ("peak", "lowshelf", "highshelf"):
        sos = band_sos({"type": kind, "freq": 125, "gain_db": -2.26, "q": 1.2}, 48000)
        assert np.allclose(sos[:, 3], 1.0)
        assert np.all(np.abs(np.roots(sos[0, 3:])) < 1.0)
    peak = band_sos({"type": "peak", "freq": 1000, "gain_db": -9.0, "q": 1.0}, 48000)
    assert abs(sos_response_db(peak, np.array([1000.0]), 48000)[0] + 9.0) < 1e-6
