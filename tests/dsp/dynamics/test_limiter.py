"""True-peak limiter: never above the ceiling on a torture set (independent 8x check), latency, gain report."""

import sys
from pathlib import Path

import numpy as np
import pytest
from scipy.signal import resample_poly
from signals import noise

from studioflow.analysis.truepeak import true_peak_dbtp
from studioflow.dsp.dynamics.limiter import (
    SAFETY_DB,
    TAPS_PER_PHASE,
    TruePeakLimiter,
    gain_reduction_stats,
    interpolator_phases,
)
from studioflow.errors import ParameterError

RATE = 48000
CEILING = -1.0


def true_peak_8x(x: np.ndarray) -> float:
    """Independent true peak: 8x polyphase resampling (scipy), max over channels, dBTP."""
    up = resample_poly(np.asarray(x, dtype=np.float64), 8, 1, axis=-1)
    return float(20 * np.log10(np.max(np.abs(up))))


def hot_mix(seconds: float) -> np.ndarray:
    sys.path.insert(0, str(Path(__file__).resolve().parents[3] / "bench"))
    from common import music_like
    return music_like(seconds, RATE) * np.float32(10 ** (12 / 20))


def torture_set():
    n = np.arange(int(0.25 * RATE))
    sq = np.sign(np.sin(2 * np.pi * 997 * n / RATE))
    yield "square full scale", np.vstack([sq, -sq]).astype(np.float32)
    yield "white noise full scale", np.random.default_rng(3).uniform(-1, 1, (2, n.size)).astype(np.float32)
    yield "gaussian noise +6 dB", noise(0.25, RATE, rms_dbfs=-3, channels=2, seed=4)
    imp = np.zeros((2, n.size), dtype=np.float32)
    imp[:, ::2400] = 1.0
    imp[1, 1200::2400] = -1.0
    yield "impulses", imp
    for deg in (45, 60, 30):  # EBU Tech 3341 cases 15-19 style: fs/4 sines whose peaks fall between samples
        s = np.sin(2 * np.pi * n / 4 + np.deg2rad(deg))
        yield f"fs/4 sine at {deg} degrees", np.vstack([s, s]).astype(np.float32)
    s = np.sin(2 * np.pi * 0.45 * n + 0.5)
    yield "0.45 fs sine", np.vstack([s, s]).astype(np.float32)
    yield "hot mix pushed 12 dB", hot_mix(1.0)


@pytest.mark.parametrize("name,x", list(torture_set()), ids=lambda v: v if isinstance(v, str) else "")
def test_output_never_exceeds_the_ceiling(name, x):
    lim = TruePeakLimiter(RATE, ceiling_dbtp=CEILING, release_ms=50)
    tail = np.zeros((x.shape[0], lim.latency + 64), dtype=np.float32)
    out = lim(np.concatenate([x, tail], axis=1))
    assert true_peak_8x(x) > CEILING  # the input really goes over
    assert true_peak_8x(out) <= CEILING


@pytest.mark.parametrize("name,x", list(torture_set()), ids=lambda v: v if isinstance(v, str) else "")
def test_project_meter_agrees_nothing_exceeds_the_ceiling(name, x):
    lim = TruePeakLimiter(RATE, ceiling_dbtp=CEILING, release_ms=50)
    out = lim(np.concatenate([x, np.zeros((x.shape[0], lim.latency + 64), dtype=np.float32)], axis=1))
    assert true_peak_dbtp(out, RATE) <= CEILING


def test_detector_error_is_inside_the_safety_margin():
    # for sines up to 0.45 fs at any phase, the 4x detector falls short of the real peak by less than SAFETY_DB
    phases = interpolator_phases()
    n = np.arange(600)
    worst = 0.0
    for f in np.linspace(50, 0.45 * RATE, 120):
        for ph in np.linspace(0, np.pi, 8, endpoint=False):
            x = np.cos(2 * np.pi * f / RATE * n + ph)
            est = np.abs(x[TAPS_PER_PHASE:])
            for k in range(phases.shape[0]):
                est = np.maximum(est, np.abs(np.convolve(x, phases[k])[TAPS_PER_PHASE:600]))
            worst = max(worst, -20 * np.log10(est[100:500].max()))
    assert worst < SAFETY_DB


def test_latency_aligns_the_output_with_the_input():
    lim = TruePeakLimiter(RATE, ceiling_dbtp=0.0, lookahead_ms=1.0)
    x = np.zeros((1, 2000), dtype=np.float32)
    x[0, 300] = 0.25
    out = lim(x)
    assert np.argmax(np.abs(out[0])) == 300 + lim.latency
    assert out[0, 300 + lim.latency] == pytest.approx(0.25)  # below the ceiling: untouched


def test_gain_reaches_its_target_before_the_peak():
    lim = TruePeakLimiter(RATE, ceiling_dbtp=-6.0, lookahead_ms=2.0)
    x = np.zeros((1, 3000), dtype=np.float32)
    x[0, 1000] = 1.0
    out = lim(x)
    peak_at = 1000 + lim.latency
    target = 10 ** ((-6.0 - SAFETY_DB) / 20)
    assert lim.last_gain[peak_at] == pytest.approx(target, rel=1e-6)
    assert np.all(np.diff(lim.last_gain[peak_at - 96:peak_at + 1]) <= 0)  # a monotonic ramp down, no click
    assert np.max(np.abs(out)) <= target + 1e-7


def test_gain_reduction_report():
    x = hot_mix(0.5)
    lim = TruePeakLimiter(RATE, ceiling_dbtp=-1.0)
    lim(x)
    stats = gain_reduction_stats(lim.last_gain_reduction_db)
    assert 9 < stats["max_db"] < 20
    assert 0 < stats["mean_db"] < stats["max_db"]
    assert 50 < stats["percent_limiting"] <= 100


@pytest.mark.parametrize("kw", [{"ceiling_dbtp": 1.0}, {"release_ms": -3}, {"lookahead_ms": 0}])
def test_impossible_parameters(kw):
    with pytest.raises(ParameterError, match=next(iter(kw))):
        TruePeakLimiter(RATE, **kw)
