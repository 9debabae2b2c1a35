"""The meter against EBU Tech 3341 / 3342 (signals built in code), at 48 kHz and 44.1 kHz, plus invariants."""

import numpy as np
import pyloudnorm
import pytest
from ebu_signals import (
    SUCCESSIVE_LEVELS_DBFS,
    TECH3341_INTEGRATED,
    TECH3342_LRA,
    burst,
    case6_surround,
    case9_short_term,
    case10_short_term_bursts,
    case11_segments,
    case12_momentary,
    case13_momentary_bursts,
    case14_segments,
    tone,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import noise, pink_noise

from studioflow.analysis.kweighting import k_weighting_gain_db
from studioflow.analysis.loudness import LoudnessMeter, integrated_loudness, loudness_range, measure
from studioflow.errors import ParameterError

RATES = [48000, 44100]


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("case", sorted(TECH3341_INTEGRATED))
def test_tech3341_integrated(case, rate):
    segments, expected = TECH3341_INTEGRATED[case]
    r = measure(tone(segments, rate), rate, true_peak=False)
    assert r.integrated_lufs == pytest.approx(expected, abs=0.1)
    if case in (1, 2):   # M, S and I all read the level of the steady tone
        assert r.momentary_max_lufs == pytest.approx(expected, abs=0.1)
        assert r.short_term_max_lufs == pytest.approx(expected, abs=0.1)
        steady = r.momentary_lufs[4:]                   # every 400 ms window inside the tone
        assert np.all(np.abs(steady - expected) <= 0.1)
        assert np.all(np.abs(r.short_term_lufs[29:] - expected) <= 0.1)    # from the first full 3 s window on


@pytest.mark.parametrize("rate", RATES)
def test_tech3341_case6_surround_weights(rate):
    assert integrated_loudness(case6_surround(rate), rate) == pytest.approx(-23.0, abs=0.1)
    # the test set's other case-6 file: 5.0 (L R C Ls Rs), no LFE channel at all
    five = np.delete(case6_surround(rate), 3, axis=0)
    assert integrated_loudness(five, rate) == pytest.approx(-23.0, abs=0.1)
    # the LFE (channel 4) does not count: putting a loud tone there changes nothing
    x = case6_surround(rate, seconds=5.0)
    quiet = integrated_loudness(x, rate)
    x[3] = 0.9
    assert integrated_loudness(x, rate) == quiet
    # surrounds weigh 1.41 (+1.49 dB): a tone only in Ls reads 10*log10(1.41) above the same tone in L
    only = np.zeros_like(x)
    only[0] = x[2]
    in_left = integrated_loudness(only, rate)
    only[[0, 4]] = only[[4, 0]]
    assert integrated_loudness(only, rate) - in_left == pytest.approx(10 * np.log10(1.41), abs=1e-6)


@pytest.mark.parametrize("rate", RATES)
def test_tech3341_case9_short_term_constant(rate):
    r = measure(case9_short_term(rate), rate, true_peak=False)
    after_3s = r.short_term_lufs[29:]      # value i is the window ending at (i + 1) / 10 s: from 3.0 s on
    assert after_3s.size > 50
    assert np.all(np.abs(after_3s + 23.0) <= 0.1)


@pytest.mark.parametrize("rate", RATES)
def test_tech3341_case12_momentary_constant(rate):
    r = measure(case12_momentary(rate), rate, true_peak=False)
    after_1s = r.momentary_lufs[9:]        # from 1.0 s on
    assert after_1s.size > 50
    assert np.all(np.abs(after_1s + 23.0) <= 0.1)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("signals,reading", [(case10_short_term_bursts, "short_term_max_lufs"),
                                             (case13_momentary_bursts, "momentary_max_lufs")], ids=["case10", "case13"])
def test_tech3341_cases10_13_maximum_of_each_burst(rate, signals, reading):
    for k, x in enumerate(signals(rate)):
        assert getattr(measure(x, rate, true_peak=False), reading) == pytest.approx(-23.0, abs=0.1), f"signal {k + 1}"


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("segments,reading", [(case11_segments, "short_term_max_lufs"),
                                              (case14_segments, "momentary_max_lufs")], ids=["case11", "case14"])
def test_tech3341_cases11_14_successive_maxima(rate, segments, reading):
    meter = LoudnessMeter(rate, 2, true_peak=False)
    for k, (segment, level) in enumerate(zip(segments(rate), SUCCESSIVE_LEVELS_DBFS)):
        meter.process(segment)
        assert getattr(meter.result(), reading) == pytest.approx(level, abs=0.1), f"segment {k + 1}"


# Beyond the cases: a burst's maximum does not depend on where it starts, off the 5 ms grid too.
@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("offset_s", [0.5123, 0.5377, 0.5891])
def test_burst_maxima_off_the_grid(rate, offset_s):
    r = measure(burst(rate, 0.4, -23.0, offset_s, 2.0), rate, true_peak=False)
    assert r.momentary_max_lufs == pytest.approx(-23.0, abs=0.1)
    r = measure(burst(rate, 3.0, -23.0, offset_s, 4.0), rate, true_peak=False)
    assert r.short_term_max_lufs == pytest.approx(-23.0, abs=0.1)


@pytest.mark.parametrize("rate", RATES)
@pytest.mark.parametrize("case", sorted(TECH3342_LRA))
def test_tech3342_loudness_range(case, rate):
    segments, expected = TECH3342_LRA[case]
    assert loudness_range(tone(segments, rate), rate) == pytest.approx(expected, abs=1.0)


@pytest.mark.parametrize("rate", [8000, 192000])
@pytest.mark.parametrize("freq_hz", [100.0, 1000.0, 3000.0])
def test_extreme_rates_read_what_the_filter_predicts(rate, freq_hz):
    # stereo tone at -23 dBFS: mean square 2 * 0.5 * a^2 = a^2, so L = -0.691 - 23 + K-gain(f) (BS.1770-4 eq. 2)
    expected = -0.691 - 23.0 + float(k_weighting_gain_db(freq_hz, rate))
    r = measure(tone([(3.0, -23.0)], rate, freq_hz=freq_hz), rate, true_peak=False)
    assert r.integrated_lufs == pytest.approx(expected, abs=0.01)
    if rate == 192000:
        result = measure(tone([(3.0, -23.0)], rate), rate, true_peak=False)
        assert result.integrated_lufs == pytest.approx(-23.0, abs=0.1)


def test_agrees_with_pyloudnorm_on_noise():
    for x in (noise(10.0, channels=2, seed=3), pink_noise(10.0, channels=2, seed=4)):
        ref = pyloudnorm.Meter(48000).integrated_loudness(x.T.astype(np.float64))
        assert integrated_loudness(x, 48000) == pytest.approx(ref, abs=0.1)


def test_silence_gives_none_not_minus_infinity():
    r = measure(np.zeros((2, 48000 * 4), np.float32), 48000)
    assert r.integrated_lufs is None
    assert r.loudness_range_lu is None
    assert r.momentary_max_lufs is None
    assert r.true_peak_dbtp is None and r.sample_peak_dbfs is None
    assert r.plr_db is None


def test_short_signal_has_no_integrated_but_has_peaks():
    r = measure(tone([(0.3, -20.0)], 48000), 48000)
    assert r.integrated_lufs is None
    assert r.sample_peak_dbfs == pytest.approx(-20.0, abs=0.01)


def test_gates_drop_quiet_passages():
    # -23 LUFS tone plus a long -45 dBFS passage: the relative gate (-10 LU) removes it
    x = tone([(10.0, -23.0), (30.0, -45.0)], 48000)
    assert integrated_loudness(x, 48000) == pytest.approx(-23.0, abs=0.1)
    assert integrated_loudness(tone([(10.0, -23.0)], 48000), 48000) == pytest.approx(-23.0, abs=0.01)


def test_nan_is_rejected():
    x = noise(1.0, channels=2)
    x[1, 1000] = np.nan
    with pytest.raises(ParameterError, match="NaN"):
        measure(x, 48000)


def test_wrong_channel_count_is_rejected():
    meter = LoudnessMeter(48000, 2)
    with pytest.raises(ParameterError):
        meter.process(np.zeros((1, 100), np.float32))


AUDIO = pink_noise(7.3, channels=2, seed=11) * np.linspace(0.1, 1.0, int(round(7.3 * 48000)), dtype=np.float32)


@pytest.fixture(scope="module")
def whole():
    """The meter's result on AUDIO fed in one block (computed once for all the examples)."""
    return measure(AUDIO, 48000)


@settings(max_examples=12, deadline=None)
@given(sizes=st.lists(st.integers(1, 40000), min_size=1, max_size=6))
def test_block_size_invariance(whole, sizes):
    meter = LoudnessMeter(48000, 2)
    pos, i = 0, 0
    while pos < AUDIO.shape[1]:
        meter.process(AUDIO[:, pos:pos + sizes[i % len(sizes)]])
        pos += sizes[i % len(sizes)]
        i += 1
    parts = meter.result()
    for key in ("integrated_lufs", "loudness_range_lu", "momentary_max_lufs", "short_term_max_lufs",
                "true_peak_dbtp", "sample_peak_dbfs"):
        assert getattr(parts, key) == getattr(whole, key), key
    assert np.array_equal(parts.momentary_lufs, whole.momentary_lufs)
    assert np.array_equal(parts.short_term_lufs, whole.short_term_lufs)
