"""``analyze`` on arrays and files: keys, JSON safety, silence, and the same numbers as the meter."""

import json

import numpy as np
import pytest
import soundfile as sf

from signals import pink_noise
from studioflow.analysis.loudness import measure
from studioflow.analysis.report import analyze, measure_file
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
