"""soxr resampling: level, frequency and timing kept; streaming equals whole."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import hilbert
from signals import noise, sine

from studioflow.audio.resample import Resampler, resample
from studioflow.errors import ParameterError


def _level_db(x: np.ndarray) -> float:
    return 10 * np.log10(np.mean(np.asarray(x, np.float64) ** 2))


def _frequency_hz(x: np.ndarray, rate: int) -> float:
    """Frequency from the slope of the analytic signal's unwrapped phase (least squares)."""
    phase = np.unwrap(np.angle(hilbert(np.asarray(x, np.float64))))
    t = np.arange(x.size) / rate
    return float(np.polyfit(t, phase, 1)[0] / (2 * np.pi))


@pytest.mark.parametrize("from_rate,to_rate", [(44100, 48000), (48000, 44100), (48000, 96000), (96000, 44100)])
def test_tone_keeps_level_frequency_and_length(from_rate, to_rate):
    x = sine(1000, 1.0, from_rate, -6.0, channels=2)
    y = resample(x, from_rate, to_rate)
    assert y.dtype == np.float32 and y.flags.c_contiguous and y.shape == (2, to_rate)
    mid_in, mid_out = slice(from_rate // 10, -from_rate // 10), slice(to_rate // 10, -to_rate // 10)
    assert _level_db(y[0, mid_out]) == pytest.approx(_level_db(x[0, mid_in]), abs=0.01)
    assert _frequency_hz(y[0, mid_out], to_rate) == pytest.approx(1000.0, abs=0.01)
    # aligned in time: the output's phase at t=0.5 s matches sin(2*pi*1000*t)
    t = np.arange(to_rate) / to_rate
    reference = 10 ** (-6 / 20) * np.sin(2 * np.pi * 1000 * t)
    assert np.max(np.abs(y[1, mid_out] - reference[mid_out])) < 1e-3


def test_content_above_the_new_nyquist_is_removed():
    x = sine(23000, 0.5, 48000, -6.0)  # above 22.05 kHz: must not alias down into the 44.1 kHz file
    y = resample(x, 48000, 44100)
    assert _level_db(y[0, 4410:-4410]) < -6.0 - 120


def test_same_rate_is_a_copy():
    x = noise(0.01, 48000, channels=2)
    y = resample(x, 48000, 48000)
    np.testing.assert_array_equal(y, x)
    assert y is not x


@pytest.mark.parametrize("sizes", [[1, 7, 4099, 333], [10007], [44100]])
def test_streaming_in_odd_blocks_equals_whole(sizes):
    x = noise(1.0, 44100, -10.0, channels=2, seed=5)
    whole = resample(x, 44100, 48000)
    stream = Resampler(44100, 48000, 2)
    out, pos, i = [], 0, 0
    while pos < x.shape[1]:
        n = sizes[i % len(sizes)]
        out.append(stream.process(x[:, pos:pos + n], last=pos + n >= x.shape[1]))
        pos, i = pos + n, i + 1
    joined = np.concatenate(out, axis=1)
    assert joined.shape == whole.shape
    np.testing.assert_allclose(joined, whole, rtol=0, atol=1e-6)


def test_reset_starts_over_and_bad_parameters_are_refused():
    x = noise(0.1, 48000, channels=1)
    r = Resampler(48000, 32000, 1)
    first = r.process(x, last=True)
    r.reset()
    np.testing.assert_array_equal(r.process(x, last=True), first)
    with pytest.raises(ParameterError, match="to_rate"):
        resample(x, 48000, 0)
    with pytest.raises(ParameterError, match="quality"):
        Resampler(48000, 44100, 1, quality="best")
    with pytest.raises(ParameterError, match="block has 2 channels, the resampler 1"):
        r.process(np.zeros((2, 10), np.float32))
