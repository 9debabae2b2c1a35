"""Gate/expander, de-esser and transient shaper against their defining behaviour."""

import numpy as np
import pytest
from scipy.signal import sosfreqz
from signals import sine

from studioflow.dsp.dynamics.deesser import DeEsser
from studioflow.dsp.dynamics.gate import Gate
from studioflow.dsp.dynamics.transient import TransientShaper
from studioflow.dsp.filters import linkwitz_riley_sos
from studioflow.errors import ParameterError

RATE = 48000


def peak_db(x):
    return 20 * np.log10(np.max(np.abs(x)))


def test_gate_passes_above_threshold_and_closes_by_range_below():
    loud = sine(1000, 0.2, RATE, -10)
    quiet = sine(1000, 0.2, RATE, -50)
    assert peak_db(Gate(RATE, threshold_db=-40, range_db=30)(loud)[:, -4800:]) == pytest.approx(-10, abs=1e-3)
    assert peak_db(Gate(RATE, threshold_db=-40, range_db=30)(quiet)[:, -4800:]) == pytest.approx(-80, abs=0.01)


def test_expander_ratio_below_threshold():
    # ratio 2: 10 dB under threshold becomes 20 dB under (level taken by the peak detector)
    out = Gate(RATE, threshold_db=-30, range_db=60, ratio=2, hysteresis_db=0, release_ms=20)(sine(1000, 0.3, RATE, -40))
    assert peak_db(out[:, -4800:]) == pytest.approx(-50, abs=0.3)


def test_gate_hold_keeps_it_open_then_release_closes_it():
    x = np.zeros((1, RATE // 2), dtype=np.float32)
    x[0, :4800] = 0.5
    x[0, 4800:] = 0.001  # -60 dBFS after the burst
    gate = Gate(RATE, threshold_db=-40, range_db=40, attack_ms=0.1, hold_ms=50, release_ms=5, hysteresis_db=3)
    gate(x)
    gr = gate.last_gain_reduction_db
    detector_fall = 4800 + int(0.02 * RATE * np.log(0.5 / 10 ** (-43 / 20)))  # 20 ms detector release to -43 dB
    hold = int(0.05 * RATE)
    assert gr[detector_fall + hold - 100] < 0.01  # still open during the hold
    assert gr[detector_fall + hold + int(0.05 * RATE)] > 39  # closed after hold + release


def test_gate_hysteresis_stays_open_between_the_two_thresholds():
    x = np.concatenate([sine(1000, 0.1, RATE, -30), sine(1000, 0.2, RATE, -42)], axis=1)  # -42: between -40 and -45
    with_h = Gate(RATE, threshold_db=-40, hysteresis_db=5, hold_ms=0)(x)
    without = Gate(RATE, threshold_db=-40, hysteresis_db=0, hold_ms=0)(x)
    assert peak_db(with_h[:, -2400:]) == pytest.approx(-42, abs=0.01)
    assert peak_db(without[:, -2400:]) < -80


def test_gate_external_sidechain():
    x = sine(200, 0.2, RATE, -50)
    key = sine(1000, 0.2, RATE, -10)
    assert peak_db(Gate(RATE, threshold_db=-40)(x, sidechain=key)[:, -4800:]) == pytest.approx(-50, abs=1e-3)


def test_deesser_reduces_only_the_band_above_its_frequency():
    low = sine(1000, 0.3, RATE, -12)
    ess = sine(9000, 0.3, RATE, -12)
    de = DeEsser(RATE, frequency_hz=6000, threshold_db=-30, range_db=10)
    out = de(low + ess)
    spec_in = np.abs(np.fft.rfft((low + ess)[0, -9600:] * np.hanning(9600)))
    spec_out = np.abs(np.fft.rfft(out[0, -9600:] * np.hanning(9600)))
    k1, k9 = 1000 * 9600 // RATE, 9000 * 9600 // RATE
    assert 20 * np.log10(spec_out[k1] / spec_in[k1]) == pytest.approx(0, abs=0.1)
    # the 9 kHz tone sits partly in the low band: expected |LP(f) + g HP(f)| with g = -10 dB (range_db caps it)
    lp = sosfreqz(linkwitz_riley_sos(6000, 4, RATE, "lowpass"), [9000], fs=RATE)[1][0]
    hp = sosfreqz(linkwitz_riley_sos(6000, 4, RATE, "highpass"), [9000], fs=RATE)[1][0]
    expected = 20 * np.log10(abs(lp + 10 ** (-10 / 20) * hp))
    assert 20 * np.log10(spec_out[k9] / spec_in[k9]) == pytest.approx(expected, abs=0.1)
    quiet = DeEsser(RATE, frequency_hz=6000, threshold_db=-30)(ess * np.float32(0.01))
    assert peak_db(quiet[:, -4800:]) == pytest.approx(peak_db(ess * 0.01), abs=0.05)  # below threshold: untouched


def drum_hits(seconds=0.6):
    n = int(seconds * RATE)
    t = np.arange(n) / RATE
    env = np.exp(-((t % 0.2) / 0.04))
    return (0.5 * env * np.sin(2 * np.pi * 180 * t)).astype(np.float32)[None]


def test_transient_shaper_zero_is_identity():
    x = drum_hits()
    assert np.array_equal(TransientShaper(RATE)(x), x)


def test_transient_shaper_attack_lifts_onsets_and_sustain_cuts_tails():
    x = drum_hits()
    hit = slice(int(0.4 * RATE), int(0.4 * RATE) + 240)  # first 5 ms of the third hit
    tail = slice(int(0.4 * RATE) + 4800, int(0.4 * RATE) + 9600)  # 100-200 ms later
    up = TransientShaper(RATE, attack_db=6)(x)
    down = TransientShaper(RATE, sustain_db=-6)(x)
    assert peak_db(up[:, hit]) - peak_db(x[:, hit]) > 3
    assert abs(peak_db(up[:, tail]) - peak_db(x[:, tail])) < 0.5
    assert peak_db(down[:, tail]) - peak_db(x[:, tail]) < -3
    assert abs(peak_db(down[:, hit]) - peak_db(x[:, hit])) < 1.0


def test_transient_shaper_leaves_a_steady_tone_nearly_alone():
    x = sine(1000, 0.5, RATE, -12)
    out = TransientShaper(RATE, attack_db=12)(x)
    assert abs(peak_db(out[:, -4800:]) - (-12)) < 0.5


@pytest.mark.parametrize("cls,kw", [(Gate, {"ratio": 0.5}), (Gate, {"hold_ms": -1}), (DeEsser, {"range_db": -3}),
                                    (DeEsser, {"frequency_hz": 30000}), (TransientShaper, {"attack_db": 60})])
def test_impossible_parameters(cls, kw):
    with pytest.raises(ParameterError, match=next(iter(kw))):
        cls(RATE, **kw)
