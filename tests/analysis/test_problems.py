"""Problem detectors: each synthesized problem is found at its time; a clean tone gives nothing."""

import numpy as np
import pytest
from signals import noise, sine

from studioflow.analysis import problems

RATE = 48000


def test_clean_tone_has_no_problems():
    x = sine(1000, 2.0, RATE, -12.0)
    assert problems.clipped_runs(x, RATE) == []
    assert problems.mains_hum(x, RATE) is None
    s = problems.silences(x, RATE)
    assert s["dropouts"] == [] and s["silence"] == [] and not s["all_silent"]
    assert problems.peak_dbfs(x)[0] == pytest.approx(-12.0, abs=0.01)
    assert problems.rms_dbfs(x)[0] == pytest.approx(-12.0, abs=0.01)   # sine-peak convention


def test_clipped_run_found_with_its_time():
    x = sine(220, 2.0, RATE, -6.0)
    seg = slice(int(1.2 * RATE), int(1.3 * RATE))
    x[:, seg] = np.clip(x[:, seg] * 4, -1.0, 1.0)
    runs = problems.clipped_runs(x, RATE)
    assert runs, "clipping not found"
    assert all(1.2 <= r["time_s"] < r["end_s"] <= 1.3 for r in runs)
    assert runs[0]["samples"] >= 3


def test_dc_offset_measured():
    x = sine(440, 1.0, RATE, -20.0) + np.float32(0.02)
    assert problems.dc_offset(x)[0] == pytest.approx(0.02, abs=1e-4)


LSB_24 = 2.0 ** -23


def _quantize_24(x: np.ndarray) -> np.ndarray:
    """What a 24-bit file holds: tails below half an LSB become exact digital zero."""
    return (np.round(x.astype(np.float64) / LSB_24) * LSB_24).astype(np.float32)


def _drum_pattern(seconds: float = 4.0, gated: bool = False) -> np.ndarray:
    """Kick-like hits (pitch-swept sine, 20 ms decay) on the beat at 120 BPM and noise hats on the off-beats, each
    decaying naturally to digital silence; ``gated``: every hit is cut to zero once it has decayed 40 dB."""
    n = int(seconds * RATE)
    out = np.zeros(n)
    rng = np.random.default_rng(4)
    t = np.arange(int(0.4 * RATE)) / RATE
    kick = 0.8 * np.sin(2 * np.pi * np.cumsum(50 + 100 * np.exp(-t * 30)) / RATE) * np.exp(-t / 0.02)
    hat = 0.1 * rng.standard_normal(len(t)) * np.exp(-t / 0.01)
    for sound, offset in ((kick, 0.0), (hat, 0.25)):
        if gated:
            sound = np.where(t < np.log(100) * (0.02 if sound is kick else 0.01), sound, 0.0)
        for start in np.arange(offset, seconds - 0.4, 0.5):
            i = int(start * RATE)
            out[i:i + len(t)] += sound
    return _quantize_24(out[None])


@pytest.mark.parametrize("gated", [False, True])
def test_drum_hits_decaying_to_digital_silence_are_not_dropouts(gated):
    x = _drum_pattern(gated=gated)
    zero_runs = problems.runs(np.all(x == 0, axis=0))
    assert len(zero_runs[0]) >= 10                                 # the pattern does fall to zero between hits
    s = problems.silences(x, RATE)
    assert s["dropouts"] == [] and s["silence"] == []


def test_sustained_tone_cut_to_zero_has_two_dropouts_at_their_times():
    x = _quantize_24(sine(220, 3.0, RATE, -12.0) + noise(3.0, RATE, -80.0, seed=5))
    x[:, int(0.8 * RATE):int(0.8 * RATE) + int(0.020 * RATE)] = 0          # 20 ms at 0.8 s
    x[:, int(2.1 * RATE):int(2.1 * RATE) + int(0.100 * RATE)] = 0          # 100 ms at 2.1 s
    d = problems.silences(x, RATE)["dropouts"]
    assert [r["time_s"] for r in d] == [pytest.approx(0.8, abs=1e-4), pytest.approx(2.1, abs=1e-4)]
    assert [r["duration_ms"] for r in d] == [pytest.approx(20.0, abs=0.05), pytest.approx(100.0, abs=0.05)]
    # the 10 ms edge of a 220 Hz tone holds 2.2 periods: its mean power is within 1 / (2 * omega * T) = 7 % of the
    # steady one, so the level reads -12 dBFS within 0.3 dB (plus 0.05 for the report's rounding)
    assert all(r["level_before_dbfs"] == pytest.approx(-12.0, abs=0.35) for r in d)


def test_a_note_that_ends_and_a_new_one_that_starts_is_not_a_dropout():
    t = np.arange(RATE) / RATE
    note = np.sin(2 * np.pi * 330 * t) * np.exp(-t / 0.08) * 0.5         # decays ~50 dB over 0.45 s
    x = np.zeros(2 * RATE)
    x[:int(0.45 * RATE)] = note[:int(0.45 * RATE)]
    x[int(0.5 * RATE):int(1.5 * RATE)] = note
    assert problems.silences(_quantize_24(x[None]), RATE)["dropouts"] == []


def test_noise_floor_and_snr_of_tone_in_white_noise():
    x = sine(1000, 2.0, RATE, -12.0) + noise(2.0, RATE, rms_dbfs=-53.0, seed=1)
    n = problems.noise_floor(x, RATE)
    # white noise at -53 dBFS RMS reads -50 dBFS in the sine-peak convention. 200 ms frames estimate white noise's
    # power to about 0.06 dB and the band below 47 Hz holds 0.2 % of it: 0.5 dB leaves room for the tonal lines
    # the estimator sets aside, nothing more
    assert n["noise_floor_dbfs"] == pytest.approx(-50.0, abs=0.5)
    assert n["snr_db"] == pytest.approx(-12.0 - -50.0, abs=0.5)


def test_tone_over_minus_60_dbfs_white_noise():
    # white noise at -63.01 dBFS RMS reads -60 dBFS in the sine-peak convention the report uses
    x = sine(1000, 2.0, RATE, -12.0) + noise(2.0, RATE, rms_dbfs=-63.01, seed=6)
    n = problems.noise_floor(x, RATE)
    assert n["noise_floor_dbfs"] == pytest.approx(-60.0, abs=0.5)
    assert n["noise_measured_s"] == pytest.approx(2.0, abs=0.05)


def test_noise_floor_ignores_hum_lines_and_chords():
    t = np.arange(2 * RATE) / RATE
    hum = (0.01 * np.sin(2 * np.pi * 50 * t) + 0.005 * np.sin(2 * np.pi * 100 * t)).astype(np.float32)
    chord = sum(sine(f, 2.0, RATE, -20.0) for f in (220, 277.2, 329.6))
    x = chord + hum + noise(2.0, RATE, rms_dbfs=-73.01, seed=7)           # noise reads -70 dBFS
    assert problems.noise_floor(x, RATE)["noise_floor_dbfs"] == pytest.approx(-70.0, abs=0.5)


def test_stereo_noise_keeps_its_level():
    x = noise(2.0, RATE, rms_dbfs=-63.01, channels=2, seed=8)            # uncorrelated channels at -60 each
    assert problems.noise_floor(x, RATE)["noise_floor_dbfs"] == pytest.approx(-60.0, abs=0.5)


@pytest.mark.parametrize("gated", [False, True])
def test_kick_pattern_has_no_measurable_noise_floor(gated):
    n = problems.noise_floor(_drum_pattern(gated=gated), RATE)
    assert n["noise_floor_dbfs"] is None and n["snr_db"] is None and n["signal_dbfs"] > -20


def test_pure_synthesized_tone_has_no_measurable_noise_floor():
    assert problems.noise_floor(_quantize_24(sine(440, 2.0, RATE, -12.0)), RATE)["noise_floor_dbfs"] is None


def test_noise_floor_from_pauses():
    x = np.concatenate([noise(1.0, RATE, -73.0, seed=2), sine(500, 1.0, RATE, -10.0) + noise(1.0, RATE, -73.0, seed=3)],
                       axis=1)
    assert problems.noise_floor(x, RATE)["noise_floor_dbfs"] == pytest.approx(-70.0, abs=0.5)


@pytest.mark.parametrize("mains", [50, 60])
def test_mains_hum_and_harmonics(mains):
    t = np.arange(3 * RATE) / RATE
    hum = 10 ** (-50 / 20) * np.sin(2 * np.pi * mains * t) + 10 ** (-56 / 20) * np.sin(2 * np.pi * 3 * mains * t)
    x = (sine(1000, 3.0, RATE, -12.0)[0] + noise(3.0, RATE, -90.0)[0] + hum).astype(np.float32)[None]
    h = problems.mains_hum(x, RATE)
    assert h is not None and h["mains_hz"] == mains
    assert h["harmonics_dbfs"][mains] == pytest.approx(-50.0, abs=0.5)
    assert h["harmonics_dbfs"][3 * mains] == pytest.approx(-56.0, abs=0.5)
    assert h["time_s"] == 0.0 and h["end_s"] == pytest.approx(3.0)


def test_hum_only_in_second_half_has_its_span():
    t = np.arange(4 * RATE) / RATE
    hum = np.where(t >= 2.0, 10 ** (-40 / 20) * np.sin(2 * np.pi * 50 * t), 0)
    x = (noise(4.0, RATE, -80.0)[0] + hum).astype(np.float32)[None]
    h = problems.mains_hum(x, RATE)
    assert h is not None and h["time_s"] == pytest.approx(2.0) and h["end_s"] == pytest.approx(4.0)


def test_dropout_and_digital_silence():
    x = sine(440, 3.0, RATE, -12.0)
    x[:, int(1.0 * RATE):int(1.0 * RATE) + 480] = 0            # 10 ms dropout at 1.0 s
    x[:, int(2.0 * RATE):] = 0                                  # silence from 2.0 s
    s = problems.silences(x, RATE)
    assert len(s["dropouts"]) == 1 and s["dropouts"][0]["time_s"] == pytest.approx(1.0, abs=1e-3)
    assert s["dropouts"][0]["duration_ms"] == pytest.approx(10.0, abs=0.1)
    assert len(s["silence"]) == 1 and s["silence"][0]["time_s"] == pytest.approx(2.0, abs=1e-3)


def test_all_silent():
    assert problems.silences(np.zeros((1, RATE), np.float32), RATE)["all_silent"]


def test_hum_span_not_hidden_by_a_loud_passage():
    t = np.arange(4 * RATE) / RATE
    x = 0.003 * np.sin(2 * np.pi * 60 * t) + noise(4.0, RATE, -90.0)[0]
    x[2 * RATE:3 * RATE] *= 40                                           # an overdriven second
    h = problems.mains_hum(x.astype(np.float32)[None], RATE)
    assert h is not None and h["mains_hz"] == 60 and h["time_s"] == 0.0 and h["end_s"] == pytest.approx(4.0)


def test_step_discontinuity_in_a_tone_is_one_click():
    x = _quantize_24(sine(440, 2.0, RATE, -12.0) + noise(2.0, RATE, -90.0, seed=9))
    i = int(1.3 * RATE)
    x[:, i:] = x[:, i - 9:-9]                                            # 9 samples repeated: a buffer glitch
    c = problems.clicks(x, RATE)
    assert len(c) == 1 and c[0]["time_s"] == pytest.approx(1.3, abs=1e-3)
    # the level is the jump the straight-line prediction misses: the step plus the change of the tone's slope
    # across it, which is at most 2 * A * omega (A = 0.25, omega = 2 pi 440 / 48000)
    step = abs(float(x[0, i] - x[0, i - 1]))
    slope_change = 2 * 10 ** (-12 / 20) * 2 * np.pi * 440 / RATE
    assert float(problems.db(step - slope_change)) - 0.05 <= c[0]["level_dbfs"]
    assert c[0]["level_dbfs"] <= float(problems.db(step + slope_change)) + 0.05
    residual = np.abs(np.diff(x[0].astype(np.float64), 2))           # residual[k] belongs to sample k + 1
    assert c[0]["level_dbfs"] == pytest.approx(float(problems.db(residual[i - 3:i + 2].max())), abs=0.05)


def test_single_sample_spike_in_noise_is_a_click_but_noise_itself_is_not():
    x = noise(2.0, RATE, -40.0, seed=10)
    assert problems.clicks(x, RATE) == []
    x[0, int(0.7 * RATE)] += 0.5
    c = problems.clicks(x, RATE)
    assert [round(k["time_s"], 3) for k in c] == [0.7]


def test_excluded_samples_give_no_click():
    x = sine(440, 1.0, RATE, -12.0)
    x[:, int(0.5 * RATE):] *= 0.5                                        # a gain step (an edit without a fade)
    assert len(problems.clicks(x, RATE)) == 1
    near = np.zeros(x.shape[1], dtype=bool)
    near[int(0.5 * RATE)] = True
    assert problems.clicks(x, RATE, exclude=problems.widen(near, 48)) == []


def test_clipped_runs_merge_into_one_passage():
    x = sine(440, 2.0, RATE, -6.0)
    seg = slice(int(1.0 * RATE), int(1.25 * RATE))
    x[:, seg] = np.clip(x[:, seg] * 8, -1.0, 1.0)
    clips = problems.clipped_runs(x, RATE)
    passages = problems.clipped_passages(clips)
    assert len(clips) > 100 and len(passages) == 1
    p = passages[0]
    assert p["runs"] == len(clips) and p["samples"] == sum(c["samples"] for c in clips)
    assert 1.0 <= p["time_s"] < 1.01 and 1.24 < p["end_s"] <= 1.25 and p["channels"] == [1]
