"""Delay: echo timing to the sample, feedback decay per repeat, note values, ping-pong, glides, block invariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import impulse, noise, process_in_blocks, sine

from studioflow.dsp.registry import create
from studioflow.dsp.space.delay import Delay, note_ms
from studioflow.errors import ParameterError

RATE = 8000


@pytest.mark.parametrize("time_ms, at", [(10.0, 80), (125.0, 1000), (0.125, 1)])
def test_impulse_lands_on_the_exact_sample(time_ms, at):
    out = Delay(RATE, time_ms=time_ms, feedback=0.0, mix=1.0)(impulse(0.5, RATE))
    assert np.flatnonzero(out[0]).tolist() == [at]
    assert out[0, at] == 1.0


def test_each_repeat_is_feedback_times_the_one_before():
    out = Delay(RATE, time_ms=20, feedback=0.6, mix=1.0)(impulse(1.0, RATE))[0]
    hits = np.flatnonzero(out)
    assert hits.tolist() == [160 * k for k in range(1, len(hits) + 1)]
    np.testing.assert_allclose(out[hits[:10]], 0.6 ** np.arange(10), rtol=1e-6)


@pytest.mark.parametrize("note, bpm, ms", [("1/4", 120, 500.0), ("1/8", 120, 250.0), ("1/8d", 120, 375.0),
                                            ("1/16t", 120, 125.0 * 2 / 3), ("1/2", 90, 4000.0 / 3),
                                            ("3/16", 100, 450.0)])
def test_note_values(note, bpm, ms):
    assert note_ms(note, bpm) == pytest.approx(ms, rel=1e-12)


def test_note_at_tempo_sets_the_delay_in_samples():
    out = Delay(RATE, note="1/8d", tempo_bpm=120, feedback=0.0, mix=1.0)(impulse(0.6, RATE))[0]
    assert np.flatnonzero(out).tolist() == [3000]   # 375 ms at 8 kHz


def test_ping_pong_alternates_left_and_right():
    x = impulse(0.5, RATE, channels=2)
    out = Delay(RATE, time_ms=10, feedback=0.5, mix=1.0, ping_pong=True)(x)
    assert np.flatnonzero(out[0])[:3].tolist() == [80, 240, 400]
    assert np.flatnonzero(out[1])[:3].tolist() == [160, 320, 480]
    np.testing.assert_allclose(out[:, [80, 160, 240]].max(axis=0), [1.0, 0.5, 0.25], rtol=1e-6)


def test_high_cut_darkens_each_repeat():
    x = noise(0.02, RATE, seed=3)
    x = np.pad(x, ((0, 0), (0, RATE)))
    out = Delay(RATE, time_ms=100, feedback=0.7, mix=1.0, high_cut_hz=1000)(x)[0]
    def brightness(seg):
        return np.mean(np.diff(seg) ** 2) / np.mean(seg ** 2)
    first, third = out[800:960], out[2400:2560]
    assert brightness(third) < 0.5 * brightness(first)


def test_low_cut_removes_dc_from_the_repeats():
    x = np.ones((1, RATE), dtype=np.float32)
    out = Delay(RATE, time_ms=50, feedback=0.5, mix=1.0, low_cut_hz=200)(x)[0]
    assert abs(out[-100:]).max() < 1e-3


def test_mix_zero_is_dry():
    x = noise(0.1, RATE, channels=2)
    np.testing.assert_array_equal(Delay(RATE, time_ms=5, mix=0.0)(x), x)


def test_time_change_glides_without_clicks():
    x = sine(200, 1.0, RATE, amplitude_dbfs=-6)
    d = Delay(RATE, time_ms=100, feedback=0.3, mix=1.0)
    first = d.process(x[:, :4000])
    d.set_param("time_ms", 180.0)
    second = d.process(x[:, 4000:])
    y = np.concatenate([first, second], axis=1)[0, 1000:]
    steady_step = np.abs(np.diff(first[0, 1000:])).max()
    assert np.abs(np.diff(y)).max() < 1.6 * steady_step


@settings(max_examples=15, deadline=None)
@given(st.lists(st.integers(1, 3000), min_size=1, max_size=6), st.booleans())
def test_block_size_invariant(sizes, ping_pong):
    x = noise(0.5, RATE, channels=2, seed=1)

    def make():
        return Delay(RATE, time_ms=37.3, feedback=0.7, low_cut_hz=80, high_cut_hz=2500, ping_pong=ping_pong)

    np.testing.assert_array_equal(process_in_blocks(make, x, sizes), make()(x))


@pytest.mark.parametrize("kwargs", [dict(feedback=1.0), dict(feedback=-0.1), dict(time_ms=0.0), dict(time_ms=20000),
                                    dict(note="1/5x"), dict(note="1/4", time_ms=100), dict(mix=1.5),
                                    dict(high_cut_hz=5000)])
def test_bad_parameters_name_themselves(kwargs):
    with pytest.raises(ParameterError, match="delay"):
        Delay(RATE, **kwargs)


def test_registered_and_reports_tail():
    d = create("delay", RATE, time_ms=100, feedback=0.5)
    assert isinstance(d, Delay)
    assert d.tail_seconds() == pytest.approx(0.1 * (1 + np.log(1e-3) / np.log(0.5)))
    with pytest.raises(ParameterError):
        d.set_param("feedback", 1.2)
