"""Stereo tools: pan laws, balance, width, mono bass, polarity, time alignment."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import noise, process_in_blocks

from studioflow.dsp import filters, fractional, registry
from studioflow.dsp.stereo import Balance, MonoBass, Pan, TimeAlign, Width
from studioflow.errors import ParameterError

RATE = 48000


@pytest.mark.parametrize("law_db", [-3.0, -4.5, -6.0])
def test_pan_law_at_centre_and_hard_sides(law_db):
    one = np.ones((1, 10), np.float32)
    centre = Pan(RATE, law_db=law_db)(one)
    assert centre.shape == (2, 10)
    exact = law_db / 6.0 * 20 * np.log10(2.0)          # nominal -3/-4.5/-6 are 1/2, 3/4, 1 x 6.02 dB
    assert 20 * np.log10(centre[:, 0]) == pytest.approx([exact, exact], abs=1e-4)
    assert Pan(RATE, pan=-1.0, law_db=law_db)(one)[:, 0] == pytest.approx([1.0, 0.0], abs=1e-7)
    assert Pan(RATE, pan=1.0, law_db=law_db)(one)[:, 0] == pytest.approx([0.0, 1.0], abs=1e-7)


def test_constant_power_pan_keeps_power():
    for p in np.linspace(-1, 1, 9):
        left, right = Pan(RATE, pan=p)(np.ones((1, 1), np.float32))[:, 0]
        assert left ** 2 + right ** 2 == pytest.approx(1.0, abs=1e-6)


def test_pan_on_stereo_is_a_balance():
    two = np.ones((2, 10), np.float32)
    assert np.array_equal(Pan(RATE)(two), two)
    left, right = Balance(RATE, balance=0.5)(two)[:, 0]
    assert right == 1.0 and left == pytest.approx(np.cos(3 * np.pi / 8) / np.cos(np.pi / 4), abs=1e-6)
    with pytest.raises(ParameterError, match="pan"):
        Pan(RATE, pan=1.5)


def test_pan_automation_has_no_click():
    pan = Pan(RATE, pan=-1.0)
    first = pan.process(np.ones((1, 500), np.float32))
    pan.set_param("pan", 1.0)
    rest = pan.process(np.ones((1, 2000), np.float32))
    y = np.concatenate([first, rest], axis=1)
    assert np.max(np.abs(np.diff(y, axis=1))) < 2.0 / (0.02 * RATE) * 1.6   # a 20 ms sin/cos glide
    assert rest[:, -1] == pytest.approx([0.0, 1.0], abs=1e-7)


def test_width():
    x = noise(0.05, RATE, channels=2)
    mono = Width(RATE, width=0.0)(x)
    assert np.allclose(mono[0], mono[1]) and np.allclose(mono[0], 0.5 * (x[0] + x[1]), atol=1e-7)
    assert np.allclose(Width(RATE, width=1.0)(x), x, atol=1e-7)
    wide = Width(RATE, width=2.0)(x)
    assert np.allclose(wide[0] - wide[1], 2 * (x[0] - x[1]), atol=1e-6)
    assert np.allclose(wide[0] + wide[1], x[0] + x[1], atol=1e-6)


def test_mono_bass_sums_flat_and_monos_the_low_end():
    freq = 120.0
    lp = filters.linkwitz_riley_sos(freq, 4, RATE, "lowpass")
    hp = filters.linkwitz_riley_sos(freq, 4, RATE, "highpass")
    f = np.geomspace(10, 20000, 200)
    # for a mono-compatible (L = R) signal the path is LP + HP: flat magnitude
    summed = filters.sos_response(lp, f, RATE) + filters.sos_response(hp, f, RATE)
    assert np.max(np.abs(20 * np.log10(np.abs(summed)))) < 1e-6
    t = np.arange(RATE // 2) / RATE
    side_low = np.stack([np.sin(2 * np.pi * 30 * t), -np.sin(2 * np.pi * 30 * t)]).astype(np.float32)
    y = MonoBass(RATE, freq=freq)(side_low)[:, RATE // 4:]
    assert np.max(np.abs(y)) < 10 ** (-40 / 20)                 # 30 Hz side content is removed (> 40 dB)
    side_high = np.stack([np.sin(2 * np.pi * 2000 * t), -np.sin(2 * np.pi * 2000 * t)]).astype(np.float32)
    high = MonoBass(RATE, freq=freq)(side_high)[:, RATE // 4:].astype(float)
    want = np.abs(filters.sos_response(hp, [2000.0], RATE))[0] / np.sqrt(2)  # side above freq: the high-pass alone
    assert np.sqrt(np.mean(high ** 2, axis=1)) == pytest.approx([want, want], rel=1e-4)


def test_polarity_and_time_align():
    x = noise(0.01, RATE, channels=2)
    y = registry.create("polarity", RATE, invert=[False, True])(x)
    assert np.array_equal(y[0], x[0]) and np.array_equal(y[1], -x[1])
    d = TimeAlign(RATE, delay_ms=[0.0, 1.0])(x)
    assert np.array_equal(d[0], x[0])
    assert np.all(d[1, :48] == 0) and np.array_equal(d[1, 48:], x[1, :-48])
    with pytest.raises(ParameterError, match="channel"):
        TimeAlign(RATE, delay_samples=[1, 2, 3])(x)


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 65536), min_size=1, max_size=5))
def test_block_size_invariance(sizes):
    x = noise(0.1, RATE, channels=2, seed=6)
    for make in (lambda: MonoBass(RATE, freq=150.0), lambda: TimeAlign(RATE, delay_samples=[17, 3000]),
                 lambda: Width(RATE, width=1.5), lambda: Balance(RATE, balance=-0.3)):
        assert np.array_equal(process_in_blocks(make, x, sizes), process_in_blocks(make, x, [x.shape[1]]))

    def automated(block_sizes):
        p = Pan(RATE, pan=-0.5)
        first = process_in_blocks(lambda: p, x[:1, :700], block_sizes)
        p.set_param("pan", 0.8)
        return np.concatenate([first, process_in_blocks(lambda: p, x[:1, 700:], block_sizes)], axis=1)
    assert np.array_equal(automated(sizes), automated([x.shape[1]]))


def test_time_align_takes_fractions_and_reports_the_fir_latency():
    x = noise(0.05, RATE, channels=2, seed=7)
    assert TimeAlign(RATE, delay_samples=[0, 17]).latency == 0
    assert TimeAlign(RATE, delay_ms=1.0).latency == 0
    mixed = TimeAlign(RATE, delay_samples=[3, 2.5])
    assert mixed.latency == fractional.BULK
    y = mixed(x)
    late = 3 + fractional.BULK                                 # the whole channel waits for the FIR's bulk delay
    assert np.array_equal(y[0, late:], x[0, :-late]) and not y[0, :late].any()
    in_ms = TimeAlign(RATE, delay_ms=[3 / 48, 2.5 / 48])      # the same delays in ms
    assert in_ms.latency == fractional.BULK
    np.testing.assert_allclose(in_ms(x), y, atol=1e-6)
    shared = TimeAlign(RATE, delay_samples=2.5)(x)             # one value for every channel
    assert np.array_equal(shared[1], y[1])
    assert np.array_equal(shared[0], TimeAlign(RATE, delay_samples=[2.5, 3])(x)[0])


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 9000), min_size=1, max_size=5))
def test_fractional_time_align_block_size_invariance(sizes):
    x = noise(0.1, RATE, channels=2, seed=8)
    for make in (lambda: TimeAlign(RATE, delay_samples=[0.37, 12.5]), lambda: TimeAlign(RATE, delay_ms=[0.5, 0.0729])):
        assert np.array_equal(process_in_blocks(make, x, sizes), process_in_blocks(make, x, [x.shape[1]]))
