"""Fractional delay: the FIR against the ideal delay exp(-j w D), delays undone to -60 dB, whole samples exact."""

import numpy as np
import pytest
from delayed_signals import periodic_noise
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import noise, process_in_blocks

from studioflow.dsp import fractional
from studioflow.dsp.fractional import BULK, FractionalDelay, fir, shift, split
from studioflow.errors import ParameterError

RATE = 48000
FRACTIONS = [0.01, 0.1, 0.25, 0.37, 0.5, 0.63, 0.75, 0.9, 0.99]


def _response(taps, cycles):
    """H(w) and its group delay (samples) at ``cycles`` (fractions of fs): tau = Re(sum k h[k] e^-jwk / H)."""
    k = np.arange(len(taps))
    e = np.exp(-2j * np.pi * np.outer(cycles, k))
    h = e @ taps
    return h, np.real((e @ (k * taps)) / h)


@pytest.mark.parametrize("fraction", FRACTIONS)
def test_fir_is_flat_with_exact_group_delay_to_045_fs(fraction):
    cycles = np.linspace(0.0, 0.45, 4001)
    h, tau = _response(fir(fraction), cycles)
    assert np.max(np.abs(20 * np.log10(np.abs(h)))) < 0.05
    assert np.max(np.abs(tau - (BULK + fraction))) < 0.01
    low = cycles <= 0.4
    ideal = np.exp(-2j * np.pi * cycles[low] * (BULK + fraction))
    assert 20 * np.log10(np.max(np.abs(h[low] - ideal))) < -60


def test_split_snaps_float_noise_to_whole_samples():
    assert split(12.5) == (12, 0.5) and split(-3.5) == (-4, 0.5)
    assert split(0.02 * 50000 / 1000 * 48) == (48, 0.0)            # 48.00000000000001
    assert split(47.9999999) == (48, 0.0) and split(-0.0) == (0, 0.0)
    assert fractional.latency([3.0, 17.0]) == 0 and fractional.latency([3.0, 2.5]) == BULK


def _band_noise(frames, seed, delay=0.0):
    """Noise band-limited to 50 Hz .. 0.4 fs, delayed exactly by ``delay`` samples."""
    return periodic_noise(frames, delay, band=(50 / RATE, 0.4), seed=seed)


def _residual_db(got, want):
    return 10 * np.log10(np.sum((got - want) ** 2) / np.sum(want ** 2))


@pytest.mark.parametrize("delay", [0.37, 12.5])
def test_a_known_fraction_is_shifted_back_to_minus_60_db(delay):
    frames = 1 << 15
    x = _band_noise(frames, seed=1)
    late = np.tile(_band_noise(frames, seed=1, delay=delay), 3)
    back = shift(late[None].astype(np.float32), -delay)[0]
    inner = slice(frames, 2 * frames)                                 # away from the zeros beyond the ends
    assert _residual_db(back[inner], x) < -60
    whole = shift(late[None].astype(np.float32), -round(delay))[0]
    assert _residual_db(whole[inner], x) > -10                        # what the nearest whole sample leaves


@pytest.mark.parametrize("delay", [0.37, 12.5])
def test_streaming_delay_matches_the_exact_delay(delay):
    frames = 1 << 15
    x = np.tile(_band_noise(frames, seed=2), 2)
    want = _band_noise(frames, seed=2, delay=delay + BULK)
    line = FractionalDelay([delay], 1)
    assert line.latency == BULK
    got = line.process(x[None].astype(np.float32))[0]
    assert _residual_db(got[frames:], want) < -60


def test_whole_sample_shifts_are_exact():
    x = noise(0.05, RATE, channels=2, seed=3)
    assert np.array_equal(shift(x, 7.0)[:, 7:], x[:, :-7]) and not shift(x, 7.0)[:, :7].any()
    assert np.array_equal(shift(x, -48.0)[:, :-48], x[:, 48:]) and not shift(x, -48.0)[:, -48:].any()
    assert np.array_equal(shift(x, 0.0), x) and not shift(x, 5000.0).any()
    line = FractionalDelay([0.0, 3.0], 2)
    assert line.latency == 0 and np.array_equal(line.process(x)[1, 3:], x[1, :-3])


def test_fractional_channel_keeps_whole_channels_exact_but_later_by_the_latency():
    x = noise(0.05, RATE, channels=2, seed=4)
    y = FractionalDelay([3.0, 2.5], 2).process(x)
    assert np.array_equal(y[0, 3 + BULK:], x[0, :-(3 + BULK)]) and not y[0, :3 + BULK].any()


def test_negative_or_mismatched_delays_are_refused():
    with pytest.raises(ParameterError, match="2 delays"):
        FractionalDelay([1.5], 2)
    with pytest.raises(ParameterError, match="0 samples or more"):
        FractionalDelay([-0.5], 1)


@settings(max_examples=15, deadline=None)
@given(sizes=st.lists(st.integers(1, 9000), min_size=1, max_size=5))
def test_block_size_invariance(sizes):
    x = noise(0.1, RATE, channels=3, seed=5)
    make = lambda: FractionalDelay([0.37, 12.5, 40.0], 3)           # noqa: E731
    assert np.array_equal(process_in_blocks(make, x, sizes), process_in_blocks(make, x, [x.shape[1]]))
