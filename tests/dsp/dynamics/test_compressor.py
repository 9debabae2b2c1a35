"""Compressor: static curve, time constants, identity, link, sidechain, lookahead, mix, validation."""

import numpy as np
import pytest
from signals import noise, sine

from studioflow.dsp.dynamics.compressor import Compressor, static_reduction_db
from studioflow.errors import ParameterError

RATE = 48000


def peak_db(x):
    return 20 * np.log10(np.max(np.abs(x)))


def rms_db(x):
    return 10 * np.log10(np.mean(np.asarray(x, dtype=np.float64) ** 2))


@pytest.mark.parametrize("level_db,ratio,knee",
                         [(-6.0, 4.0, 0.0), (-12.0, 2.0, 0.0), (-18.0, 8.0, 6.0), (-30.0, 4.0, 0.0)])
def test_steady_sine_lands_on_the_static_curve_peak(level_db, ratio, knee):
    # instant attack + very slow release: the smoothed reduction sits on the curve at the sine's peak
    comp = Compressor(RATE, threshold_db=-20, ratio=ratio, knee_db=knee, attack_ms=0, release_ms=5000)
    out = comp(sine(1000, 0.3, RATE, amplitude_dbfs=level_db))
    expected = level_db - static_reduction_db(level_db, -20, ratio, knee)
    assert peak_db(out[:, -4800:]) == pytest.approx(expected, abs=0.01)
    # analytic curve: above threshold + knee/2 the slope is 1/ratio
    if level_db > -20 + knee / 2:
        assert expected == pytest.approx(-20 + (level_db + 20) / ratio, abs=1e-9)


def test_rms_detection_lands_on_the_curve_for_the_rms_level():
    comp = Compressor(RATE, threshold_db=-30, ratio=3, knee_db=0, attack_ms=5, release_ms=50, detection="rms")
    x = sine(1000, 0.5, RATE, amplitude_dbfs=-6)
    out = comp(x)
    level = rms_db(x[:, -9600:])
    assert rms_db(out[:, -9600:]) == pytest.approx(-30 + (level + 30) / 3, abs=0.05)


def test_ratio_one_is_identity():
    x = sine(440, 0.1, RATE, amplitude_dbfs=0, channels=2)
    assert np.array_equal(Compressor(RATE, threshold_db=-40, ratio=1)(x), x)


def test_attack_and_release_time_constants():
    # a level step from below to 20 dB above threshold: reduction reaches 1 - 1/e of its final value at attack_ms
    att, rel = 5.0, 50.0
    comp = Compressor(RATE, threshold_db=-30, ratio=1000, knee_db=0, attack_ms=att, release_ms=rel, detection="peak")
    x = np.zeros((1, RATE), dtype=np.float32)
    x[0, 1000:24000] = 0.1  # DC steps: -20 dBFS, 10 dB over threshold
    comp.process(x)
    gr = comp.last_gain_reduction_db[0].astype(np.float64)
    final = gr[23999]
    assert final == pytest.approx(10 * (1 - 1 / 1000), abs=1e-3)
    k_att = 1000 + int(round(att * RATE / 1000)) - 1
    assert gr[k_att] == pytest.approx(final * (1 - np.exp(-1)), rel=2e-3)
    k_rel = 24000 + int(round(rel * RATE / 1000)) - 1
    assert gr[k_rel] == pytest.approx(final * np.exp(-1), rel=2e-3)


def test_auto_release_is_faster_after_a_brief_peak_than_after_sustained_reduction():
    def recovery_samples(burst_s):
        comp = Compressor(RATE, threshold_db=-30, ratio=10, knee_db=0, attack_ms=0.1, release_ms=50, auto_release=True)
        x = np.full((1, int((burst_s + 2) * RATE)), 0.001, dtype=np.float32)
        x[0, :int(burst_s * RATE)] = 0.3
        comp.process(x)
        gr = comp.last_gain_reduction_db[0][int(burst_s * RATE):]
        return int(np.argmax(gr < 1.0))
    assert recovery_samples(0.01) < recovery_samples(1.5) / 2


def test_stereo_link_full_applies_the_same_gain_to_both_channels():
    x = np.vstack([sine(1000, 0.2, RATE, -3)[0], sine(1000, 0.2, RATE, -40)[0]])
    linked = Compressor(RATE, threshold_db=-20, ratio=4, stereo_link=1.0)(x)
    free = Compressor(RATE, threshold_db=-20, ratio=4, stereo_link=0.0)(x)
    gains_linked = linked[:, -2000:] / np.where(x[:, -2000:] == 0, 1, x[:, -2000:])
    assert np.allclose(gains_linked[0], gains_linked[1], atol=1e-5)
    assert peak_db(free[1, -4800:]) == pytest.approx(-40, abs=1e-4)  # the quiet channel is left alone unlinked
    assert peak_db(linked[1, -4800:]) < -45


@pytest.mark.parametrize("auto_release", [False, True])
def test_unlinked_channels_are_each_compressed_alone(auto_release):
    # unlinked, channels are smoothed two at a time in one loop: each must equal that channel compressed by itself
    x = noise(0.05, RATE, rms_dbfs=-10, channels=3, seed=3)
    kw = dict(threshold_db=-24, ratio=4, attack_ms=1, release_ms=20, auto_release=auto_release, detection="rms")
    free = Compressor(RATE, stereo_link=0.0, **kw)
    out = free(x)
    for c in range(3):
        alone = Compressor(RATE, **kw)
        assert np.array_equal(out[c], alone(x[c:c + 1])[0])
        assert np.array_equal(free.last_gain_reduction_db[c], alone.last_gain_reduction_db[0])


def test_external_sidechain_drives_the_gain():
    x = sine(200, 0.3, RATE, -30)
    key = sine(1000, 0.3, RATE, 0)
    comp = Compressor(RATE, threshold_db=-20, ratio=4, knee_db=0, attack_ms=0, release_ms=5000)
    out = comp(x, sidechain=key)
    assert peak_db(out[:, -4800:]) == pytest.approx(-30 - 20 * (1 - 1 / 4), abs=0.02)
    assert np.array_equal(Compressor(RATE, threshold_db=-20, ratio=4)(x), x)  # x alone is below threshold


def test_sidechain_highpass_ignores_bass():
    bass = sine(50, 0.5, RATE, -6)
    comp = Compressor(RATE, threshold_db=-20, ratio=4, knee_db=0, sidechain_hpf_hz=500)
    assert peak_db(comp(bass)[:, -4800:]) > -6.2


def test_lookahead_latency_and_delay_compensated_mix():
    comp = Compressor(RATE, threshold_db=-60, ratio=1, lookahead_ms=2, mix=0.5)
    assert comp.latency == 96
    x = np.random.default_rng(0).standard_normal((2, 1000)).astype(np.float32) * 0.1
    out = comp(x)
    assert np.array_equal(out[:, 96:], x[:, :-96])  # dry and wet aligned: at ratio 1 the mix is the delayed input


def test_parallel_mix_blends_dry_and_compressed():
    x = sine(1000, 0.3, RATE, -6)
    wet = Compressor(RATE, threshold_db=-20, ratio=4, knee_db=0, attack_ms=0, release_ms=5000)(x)
    half = Compressor(RATE, threshold_db=-20, ratio=4, knee_db=0, attack_ms=0, release_ms=5000, mix=0.5)(x)
    assert np.allclose(half, 0.5 * x + 0.5 * wet, atol=1e-6)


def test_makeup_manual_and_auto():
    x = sine(1000, 0.2, RATE, -40)
    assert peak_db(Compressor(RATE, threshold_db=-20, makeup_db=6)(x)[:, -4800:]) == pytest.approx(-34, abs=1e-3)
    auto = Compressor(RATE, threshold_db=-20, ratio=4, knee_db=0, auto_makeup=True)
    assert auto.auto_makeup_db() == pytest.approx(0.5 * 20 * 0.75)
    assert peak_db(auto(x)[:, -4800:]) == pytest.approx(-40 + 7.5, abs=1e-3)


def test_threshold_automation_glides_without_a_jump():
    comp = Compressor(RATE, threshold_db=-10, ratio=10, knee_db=0, attack_ms=0, release_ms=0)
    x = np.full((1, 4800), 0.5, dtype=np.float32)
    comp.process(x)
    comp.set_param("threshold_db", -30)
    comp.process(x)
    gr = comp.last_gain_reduction_db[0]
    assert np.max(np.abs(np.diff(gr))) < 0.2  # glides over ~20 ms, no step of 18 dB
    comp.process(np.concatenate([x, x], axis=1))
    gr = comp.last_gain_reduction_db[0]
    assert gr[-1] == pytest.approx((-6.0206 + 30) * 0.9, abs=1e-3)


@pytest.mark.parametrize("kw", [{"ratio": 0.5}, {"attack_ms": -3}, {"detection": "loud"}, {"mix": 1.5},
                                {"stereo_link": 2}])
def test_impossible_parameters_name_the_parameter(kw):
    with pytest.raises(ParameterError, match=next(iter(kw))):
        Compressor(RATE, **kw)


def test_gain_reduction_signal_has_a_value_per_sample_and_channel():
    comp = Compressor(RATE, stereo_link=0.0)
    comp.process(np.zeros((2, 123), dtype=np.float32))
    assert comp.last_gain_reduction_db.shape == (2, 123)
