"""Translation: the phone loses a bass-heavy master's low end (and says whether harmonics carry it), an out-of-phase
band is caught by the mono check, the codec's added true peak is measured, and each model is what its docs say."""

import numpy as np
import pytest
from scipy.signal import butter, sosfilt, sosfreqz

from studioflow.audio.files import write
from studioflow.mastering.translation import SYSTEMS
from studioflow.mastering.translation_check import OUT_OF_PHASE_DB, check_translation

RATE = 44100
T = np.arange(int(2.5 * RATE)) / RATE


def _mids(seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = sosfilt(butter(2, [400, 6000], "bandpass", fs=RATE, output="sos"), rng.standard_normal((2, T.size)), axis=1)
    return x / np.sqrt(np.mean(x ** 2)) * 0.03


def _bass(harmonics: bool) -> np.ndarray:
    ks = range(1, 12) if harmonics else [1]
    x = sum(np.sin(2 * np.pi * k * 55 * T) / k for k in ks)
    return 0.35 * x / np.max(np.abs(x))


@pytest.fixture(scope="module")
def masters(tmp_path_factory):
    folder = tmp_path_factory.mktemp("translation")
    out = {}
    for name, harm in (("sine-bass", False), ("saw-bass", True)):
        write(folder / f"{name}.wav", (_bass(harm)[None, :] + _mids(1)).astype(np.float32), RATE)
        out[name] = folder / f"{name}.wav"
    rng = np.random.default_rng(5)
    common = _mids(2)[0] * 3
    band = sosfilt(butter(4, [300, 600], "bandpass", fs=RATE, output="sos"), rng.standard_normal(T.size)) * 0.3
    write(folder / "phase.wav", np.stack([common + band, common - band]).astype(np.float32), RATE)
    out["phase"] = folder / "phase.wav"
    return out


def _check(result, name):
    return next(c for c in result["checks"] if c["name"] == name)


def test_models_follow_their_descriptions():
    phone, laptop, car = SYSTEMS["phone"], SYSTEMS["laptop"], SYSTEMS["car"]
    f = np.array([60.0, 150.0, 1000.0, 3000.0])
    r = phone.response_db(f, RATE)
    assert r[0] < -40 and r[1] < -20 and abs(r[2]) < 4       # 24 dB/oct below 500 Hz: 60 Hz is ~3 octaves down
    # at its 180 Hz corner the laptop is the 4th-order Butterworth high-pass's -3.01 dB (scipy's design), lifted
    # only by the skirt of the +3 dB bell 3.8 octaves above (under 0.05 dB there)
    _, h = sosfreqz(butter(4, 180.0, "highpass", fs=RATE, output="sos"), worN=[180.0], fs=RATE)
    corner = laptop.response_db(np.array([180.0]), RATE)[0] - 20 * np.log10(abs(h[0]))
    assert 0.0 <= corner < 0.05
    assert car.response_db(np.array([35.0]), RATE)[0] > 5     # cabin gain
    assert all(s.source for s in SYSTEMS.values())


def test_phone_loses_a_sine_bass_entirely(masters):
    res = check_translation(masters["sine-bass"], systems=["phone"])
    phone = _check(res, "phone")
    assert phone["lost_below_hz"] >= 150
    assert phone["harmonics"]["fundamental_hz"] == pytest.approx(55, abs=1)
    assert phone["harmonics"]["surviving_hz"] == []
    assert "no harmonics" in phone["findings"][0] and "below" in phone["findings"][0]
    # the bass was most of the loudness: the phone plays it much quieter
    assert phone["loudness_change_lu"] < -6


def test_phone_keeps_the_harmonics_of_a_rich_bass(masters):
    res = check_translation(masters["saw-bass"], systems=["phone"])
    phone = _check(res, "phone")
    surviving = phone["harmonics"]["surviving_hz"]
    assert surviving and min(surviving) >= phone["lost_below_hz"]
    assert all(abs(f / 55 - round(f / 55)) < 0.02 for f in surviving)   # whole multiples of 55 Hz
    assert "carried only by its harmonics above" in phone["findings"][0]


def test_out_of_phase_band_is_flagged_in_mono(masters):
    res = check_translation(masters["phase"], systems=["car"])
    mono = _check(res, "mono")
    assert len(mono["out_of_phase"]) == 1
    band = mono["out_of_phase"][0]
    assert band["from_hz"] < 450 < band["to_hz"] and band["worst_db"] <= OUT_OF_PHASE_DB
    assert "out of phase" in mono["findings"][0]
    # an in-phase master raises no flag
    clean = _check(check_translation(masters["sine-bass"], systems=["car"]), "mono")
    assert clean["out_of_phase"] == []


def test_codec_round_trip_reports_added_true_peak(masters):
    res = check_translation(masters["saw-bass"], systems=["club"], codec="mp3", kbps=128)
    codec = _check(res, "codec")
    assert codec["added_true_peak_db"] == pytest.approx(codec["true_peak_dbtp"] - res["true_peak_dbtp"])
    assert abs(codec["loudness_change_lu"]) < 1.0
    assert any("true peak" in w for w in codec["findings"])


def test_a_mono_master_has_nothing_to_fold(tmp_path):
    write(tmp_path / "mono.wav", (_bass(True) + _mids(3)[0]).astype(np.float32)[None, :], RATE)
    res = check_translation(tmp_path / "mono.wav", systems=["earbuds"])
    mono = _check(res, "mono")
    assert mono["findings"] == ["the master is mono: nothing folds"] and mono["out_of_phase"] == []
    assert abs(mono["loudness_change_lu"]) < 0.01
