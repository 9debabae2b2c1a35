"""Filter design against analog prototypes and analytic formulas (RBJ cookbook, Butterworth, Linkwitz-Riley)."""

import numpy as np
import pytest
from scipy import signal

from studioflow.dsp import filters

RATE = 48000


def analog_db(b, a, f, f0):
    s = 1j * np.asarray(f, dtype=float) / f0
    return 20 * np.log10(np.abs(np.polyval(b, s) / np.polyval(a, s)))


def rbj_bilinear_peak(f0, gain_db, q, rate):
    """The cookbook's bilinear bell, the cramped reference the matched design improves on."""
    amp, w = 10 ** (gain_db / 40), 2 * np.pi * f0 / rate
    alpha = np.sin(w) / (2 * q)
    b = [1 + alpha * amp, -2 * np.cos(w), 1 - alpha * amp]
    a = [1 + alpha / amp, -2 * np.cos(w), 1 - alpha / amp]
    return np.array([b + a]) / a[0]


@pytest.mark.parametrize("rate", [44100, 48000, 96000])
@pytest.mark.parametrize("f0", [40.0, 1000.0, 12000.0, 19000.0])
@pytest.mark.parametrize("gain_db", [-15.0, -3.0, 6.0, 18.0])
def test_bell_gain_is_exact_at_centre_and_unity_at_dc(rate, f0, gain_db):
    sos = filters.peak_sos(f0, gain_db, 1.4, rate)
    assert filters.sos_response_db(sos, [f0], rate)[0] == pytest.approx(gain_db, abs=1e-9)
    assert filters.sos_response_db(sos, [0.0], rate)[0] == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("gain_db", [-12.0, 6.0, 12.0])
@pytest.mark.parametrize("kind", ["low", "high"])
def test_shelves_half_gain_at_corner_and_full_gain_at_the_ends(gain_db, kind):
    fn = filters.lowshelf_sos if kind == "low" else filters.highshelf_sos
    sos = fn(2000.0, gain_db, 0.7071, RATE)
    db = filters.sos_response_db(sos, [0.0, 2000.0, RATE / 2], RATE)
    end, other = (db[0], db[2]) if kind == "low" else (db[2], db[0])
    assert db[1] == pytest.approx(gain_db / 2, abs=1e-9)
    assert end == pytest.approx(gain_db, abs=0.05)
    assert other == pytest.approx(0.0, abs=0.05)


def test_bell_and_shelves_follow_the_analog_prototype():
    f = np.geomspace(20, 20000, 300)
    amp, q = 10 ** (6 / 40), 1.0
    bell = filters.sos_response_db(filters.peak_sos(1000.0, 6.0, q, RATE), f, RATE)
    assert np.max(np.abs(bell - analog_db([1, amp / q, 1], [1, 1 / (amp * q), 1], f, 1000.0))) < 0.02
    r = np.sqrt(amp) / 0.7071
    low = filters.sos_response_db(filters.lowshelf_sos(300.0, 6.0, 0.7071, RATE), f, RATE)
    assert np.max(np.abs(low - analog_db([amp, amp * r, amp * amp], [amp, r, 1], f, 300.0))) < 0.02


def test_near_nyquist_bell_at_44k1_is_not_cramped():
    rate, f0, g, q = 44100, 16000.0, 6.0, 1.0
    amp = 10 ** (g / 40)
    f = np.geomspace(1000, 20000, 300)
    want = analog_db([1, amp / q, 1], [1, 1 / (amp * q), 1], f, f0)
    matched = np.max(np.abs(filters.sos_response_db(filters.peak_sos(f0, g, q, rate), f, rate) - want))
    cramped = np.max(np.abs(filters.sos_response_db(rbj_bilinear_peak(f0, g, q, rate), f, rate) - want))
    assert matched < 1.0
    assert cramped > 3.0


def test_high_shelf_near_nyquist_at_44k1():
    amp, q, f0 = 10 ** (6 / 40), 0.7071, 15000.0
    r = np.sqrt(amp) / q
    f = np.geomspace(1000, 20000, 300)
    got = filters.sos_response_db(filters.highshelf_sos(f0, 6.0, q, 44100), f, 44100)
    assert np.max(np.abs(got - analog_db([amp * amp, amp * r, amp], [1, r, amp], f, f0))) < 0.3


@pytest.mark.parametrize("slope,order", sorted(filters.BUTTERWORTH_ORDERS.items()))
def test_butterworth_minus_3db_and_slope(slope, order):
    fc = 1000.0
    hp = filters.pass_sos("highpass", fc, slope, RATE)
    lp = filters.pass_sos("lowpass", fc, slope, RATE)
    assert filters.sos_response_db(hp, [fc], RATE)[0] == pytest.approx(-3.0103, abs=1e-3)
    assert filters.sos_response_db(lp, [fc], RATE)[0] == pytest.approx(-3.0103, abs=1e-3)
    # an octave inside the stop band the high-pass falls by about the nominal slope (6.02 dB per order) ...
    db = filters.sos_response_db(hp, [fc / 16, fc / 8], RATE)
    assert abs(db[1] - db[0] - slope) < 0.25
    # ... exactly as the prewarped Butterworth high-pass 1 / (1 + (Wc / W)^2N) does
    w = np.tan(np.pi * np.array([fc / 16, fc / 8]) / RATE) / np.tan(np.pi * fc / RATE)
    want = -10 * np.log10(1 + w ** (-2 * order))
    assert db == pytest.approx(want, abs=1e-6)
    # the digital response is exactly the prewarped Butterworth magnitude 1 / (1 + (W / Wc)^2N)
    f = np.geomspace(50, 20000, 50)
    warp = np.tan(np.pi * f / RATE) / np.tan(np.pi * fc / RATE)
    want = -10 * np.log10(1 + warp ** (2 * order))
    assert np.allclose(filters.sos_response_db(lp, f, RATE), want, atol=1e-6)


@pytest.mark.parametrize("order", [2, 4, 6, 8])
def test_linkwitz_riley_crossover_sums_flat(order):
    f = np.geomspace(10, 23000, 400)
    lp = filters.linkwitz_riley_sos(500.0, order, RATE, "lowpass")
    hp = filters.linkwitz_riley_sos(500.0, order, RATE, "highpass")
    assert filters.sos_response_db(lp, [500.0], RATE)[0] == pytest.approx(-6.0206, abs=1e-3)
    assert filters.sos_response_db(hp, [500.0], RATE)[0] == pytest.approx(-6.0206, abs=1e-3)
    total = filters.sos_response(lp, f, RATE) + filters.sos_response(hp, f, RATE)
    assert np.max(np.abs(20 * np.log10(np.abs(total)))) < 1e-6


def test_notch_bandpass_and_tilt():
    f0 = 2000.0
    notch = filters.notch_sos(f0, 4.0, RATE)
    assert filters.sos_response_db(notch, [f0], RATE)[0] < -100
    assert filters.sos_response_db(notch, [0.0], RATE)[0] == pytest.approx(0.0, abs=1e-9)
    bp = filters.bandpass_sos(f0, 2.0, RATE)
    assert filters.sos_response_db(bp, [f0], RATE)[0] == pytest.approx(0.0, abs=1e-9)
    # -3 dB edges of the analog band-pass: f0 (sqrt(1 + 1/4Q^2) +- 1/2Q)
    lo, hi = f0 * (np.sqrt(1 + 1 / 16) - 0.25), f0 * (np.sqrt(1 + 1 / 16) + 0.25)
    assert np.allclose(filters.sos_response_db(bp, [lo, hi], RATE), -3.0103, atol=0.02)
    tilt = filters.tilt_sos(1000.0, 6.0, RATE)
    f = np.array([0.0, 1000.0, RATE / 2])
    g = 10 ** (6 / 40)                      # first-order prototype (g s + 1) / (s + g): -3 dB at DC, 0 dB at 1 kHz
    assert filters.sos_response_db(tilt, f, RATE) == pytest.approx(analog_db([g, 1], [1, g], f, 1000.0), abs=1e-9)
    assert filters.sos_response_db(tilt, f, RATE)[:2] == pytest.approx([-3.0, 0.0], abs=1e-9)


@pytest.mark.parametrize("channels", [1, 2, 3])
def test_cascade_kernel_matches_sosfilt_and_carries_state(channels):
    # 3 sections (a pair, then one alone) on channel pairs and a lone channel, across a chunk boundary
    rng = np.random.default_rng(3)
    x = rng.standard_normal((channels, 3000)).astype(np.float32)
    sos = np.vstack([filters.peak_sos(300.0, 5.0, 2.0, RATE), filters.pass_sos("highpass", 40.0, 24, RATE)])
    zi = np.zeros((channels, sos.shape[0], 2))
    y = np.concatenate([filters.sos_cascade(sos, x[:, :1234], zi), filters.sos_cascade(sos, x[:, 1234:], zi)], axis=1)
    assert np.allclose(y, signal.sosfilt(sos, x.astype(float), axis=1), atol=1e-6)


@pytest.mark.parametrize("freq", [80.0, 150.0, 4000.0, 15000.0])
def test_linkwitz_riley_allpass_is_the_sum_of_the_pair(freq):
    from scipy.signal import sosfilt

    from studioflow.dsp.filters import linkwitz_riley_allpass_sos
    impulse = np.zeros(8192)
    impulse[0] = 1.0
    pair = sum(sosfilt(filters.linkwitz_riley_sos(freq, 4, 48000, kind), impulse) for kind in ("lowpass", "highpass"))
    assert np.max(np.abs(sosfilt(linkwitz_riley_allpass_sos(freq, 48000), impulse) - pair)) < 1e-12
