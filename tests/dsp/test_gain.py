"""Gain and fades: exact levels, smooth automation, curve shapes, block-size invariance."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import noise, process_in_blocks

from studioflow.dsp import registry
from studioflow.dsp.gain import Fade, Gain
from studioflow.errors import ParameterError

RATE = 48000


def test_gain_level_and_smooth_automation():
    g = registry.create("gain", RATE, gain_db=-6.0)
    x = np.ones((2, 100), np.float32)
    assert np.allclose(g(x), 10 ** (-6 / 20))
    g.set_param("gain_db", 6.0)
    y = g.process(np.ones((2, 2000), np.float32))[0]
    ramp_len = int(0.02 * RATE)
    assert np.all(np.diff(y[:ramp_len]) > 0)                    # a glide, not a jump
    steps_db = np.diff(20 * np.log10(y[:ramp_len].astype(float)))     # float32 output: 1e-3 relative
    assert np.max(steps_db) == pytest.approx(12 / ramp_len, rel=1e-3)
    assert np.allclose(y[ramp_len:], 10 ** (6 / 20))
    with pytest.raises(ParameterError, match="gain_db"):
        Gain(RATE, gain_db=100)


def test_fade_curves():
    f = np.array([0.0, 0.25, 0.5, 1.0])
    frames = f * RATE
    lin = Fade(RATE, in_s=1.0, curve="linear").gain_at(frames)
    eqp = Fade(RATE, in_s=1.0, curve="equal_power").gain_at(frames)
    log = Fade(RATE, in_s=1.0, curve="logarithmic").gain_at(frames)
    assert lin == pytest.approx([0, 0.25, 0.5, 1.0])
    assert eqp[2] ** 2 == pytest.approx(0.5)                      # equal power: -3 dB half way
    assert 20 * np.log10(log[2]) == pytest.approx(-30.0)          # log: linear in dB from -60 to 0
    assert log[0] == 0.0 and log[3] == 1.0


def test_fade_out_is_positioned_from_stream_start():
    fade = Fade(RATE, in_s=0.1, in_start_s=0.05, out_s=0.2, out_end_s=0.5, curve="linear")
    y = fade(np.ones((1, RATE), np.float32))[0]
    assert np.all(y[:int(0.05 * RATE)] == 0)
    assert y[int(0.1 * RATE)] == pytest.approx(0.5, abs=1e-4)
    assert np.all(y[int(0.15 * RATE):int(0.3 * RATE)] == 1.0)
    assert y[int(0.4 * RATE)] == pytest.approx(0.5, abs=1e-4)
    assert np.all(y[int(0.5 * RATE):] == 0)
    with pytest.raises(ParameterError, match="out_end_s"):
        Fade(RATE, out_s=1.0)


@settings(max_examples=20, deadline=None)
@given(sizes=st.lists(st.integers(1, 65536), min_size=1, max_size=5))
def test_block_size_invariance(sizes):
    x = noise(0.1, RATE, channels=2, seed=2)
    make_fade = lambda: Fade(RATE, in_s=0.03, out_s=0.02, out_end_s=0.09, curve="logarithmic")  # noqa: E731
    assert np.array_equal(process_in_blocks(make_fade, x, sizes), process_in_blocks(make_fade, x, [x.shape[1]]))

    def automated(block_sizes):
        g = Gain(RATE, gain_db=-3.0)
        first = process_in_blocks(lambda: g, x[:, :1000], block_sizes)
        g.set_param("gain_db", 4.0)
        return np.concatenate([first, process_in_blocks(lambda: g, x[:, 1000:], block_sizes)], axis=1)
    assert np.array_equal(automated(sizes), automated([x.shape[1]]))


def test_a_block_given_frames_first_is_refused_with_what_to_do():
    from studioflow.dsp.base import as_block
    from studioflow.errors import ParameterError
    with pytest.raises(ParameterError, match=r"got 48000 channels of 2 frames: pass the array transposed \(audio.T\)"):
        as_block(np.zeros((48000, 2), dtype=np.float32))
    assert as_block(np.zeros((64, 10))).shape == (64, 10)
