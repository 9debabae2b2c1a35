"""``analyze`` on arrays and files: keys, JSON safety, silence, and the same numbers as the meter."""

import json

import numpy as np
import pytest
import soundfile as sf
from signals import pink_noise

from studioflow.analysis.loudness import measure
from studioflow.analysis.report import BLOCK_FRAMES, HELPER_BLOCKS, analyze, measure_file, measure_files
from studioflow.errors import ParameterError, StudioflowError

KEYS = {"file", "duration_s", "sample_rate", "channels", "integrated_lufs", "loudness_range_lu", "true_peak_dbtp",
        "sample_peak_dbfs", "momentary_max_lufs", "short_term_max_lufs", "plr_db", "dc_offset", "clipped_samples",
        "correlation", "octave_bands"}


def test_array_report_matches_the_meter():
    x = pink_noise(5.0, channels=2, seed=7)
    report = analyze(x, 48000)
    assert KEYS <= set(report)
    ref = measure(x, 48000)
    assert report["integrated_lufs"] == ref.integrated_lufs
    assert report["true_peak_dbtp"] == ref.true_peak_dbtp
    assert report["plr_db"] == pytest.approx(ref.true_peak_dbtp - ref.integrated_lufs)
    assert report["duration_s"] == 5.0 and report["channels"] == 2
    json.dumps(report, allow_nan=False)


def test_silence_is_json_safe():
    report = analyze(np.zeros((2, 48000), np.float32), 48000)
    json.dumps(report, allow_nan=False)
    assert report["integrated_lufs"] is None and report["true_peak_dbtp"] is None


def test_file_report_and_series(tmp_path):
    x = pink_noise(4.0, channels=2, seed=8)
    path = tmp_path / "noise.wav"
    sf.write(path, x.T, 48000, subtype="FLOAT")
    analysis = measure_file(path)
    assert analysis.report["file"] == str(path)
    assert analysis.report["integrated_lufs"] == pytest.approx(measure(x, 48000).integrated_lufs, abs=1e-9)
    assert analysis.loudness.momentary_lufs.size == 40


def test_array_needs_a_rate_and_missing_files_fail_cleanly(tmp_path):
    with pytest.raises(ParameterError):
        analyze(np.zeros((1, 10), np.float32))
    with pytest.raises(StudioflowError):
        analyze(tmp_path / "missing.wav")


def test_helper_thread_and_parallel_files_give_the_same_bits(tmp_path):
    paths = []
    for i, (seconds, rate, channels) in enumerate([(6.5, 48000, 2), (0.3, 44100, 1), (2.0, 96000, 2),
                                                   (1.1, 48000, 6)]):
        paths.append(tmp_path / f"take-{i}.wav")
        sf.write(paths[-1], pink_noise(seconds, rate, channels=channels, seed=i).T * 12, rate, subtype="PCM_24")
    assert sf.info(paths[0]).frames > HELPER_BLOCKS * BLOCK_FRAMES          # long enough for the helper thread
    alone = [measure_file(p, helper=False) for p in paths]
    helped = [measure_file(p, helper=True) for p in paths]
    finished = []
    parallel = measure_files(paths, jobs=3, done=lambda i, a: finished.append(i))
    assert sorted(finished) == [0, 1, 2, 3]
    for a, b, c in zip(alone, helped, parallel):
        assert json.dumps(a.report) == json.dumps(b.report) == json.dumps(c.report)
        assert a.report["clipped_samples"] > 0                               # the clip runs went through too
        np.testing.assert_array_equal(a.loudness.momentary_lufs, c.loudness.momentary_lufs)
    assert [a.report["file"] for a in parallel] == [str(p) for p in paths]


def test_parallel_files_raise_the_error_of_a_bad_one(tmp_path):
    good = tmp_path / "good.wav"
    sf.write(good, pink_noise(0.5, channels=2).T, 48000)
    (tmp_path / "bad.wav").write_bytes(b"RIFF not really a wave file")
    with pytest.raises(StudioflowError, match="bad.wav"):
        measure_files([good, tmp_path / "bad.wav", good], jobs=2)


def test_a_set_cancel_event_stops_a_measurement(tmp_path):
    import threading

    from studioflow.analysis.report import Cancelled

    path = tmp_path / "long.wav"
    sf.write(path, pink_noise(3.0, channels=2).T, 48000)
    cancel = threading.Event()
    assert measure_file(path, cancel=cancel).report["duration_s"] == 3.0
    cancel.set()
    with pytest.raises(Cancelled):
        measure_file(path, cancel=cancel)
