"""automix measures a stem as a stream: the same features as the whole stem at once, in flat memory."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from automix_stems import write_stems
from music_signals import drums, song

from studioflow.analysis.loudness import measure as loudness_measure
from studioflow.analysis.spectrum import OCTAVE_RATIO
from studioflow.audio.files import read, write
from studioflow.audio.resample import resample
from studioflow.audio.stream import BlockWriter
from studioflow.mixing.automix.measure import FRAME_S, StemFeatures, analyse, analyse_file
from studioflow.mixing.automix.model import feature_vector

SCALARS = ("duration_s", "loudness_lufs", "loudness_range_lu", "peak_dbfs", "active_rms_dbfs", "crest_db", "activity",
           "centroid_hz", "low_share", "high_share", "onsets_per_s", "voiced", "periodicity", "sustain", "pitch_hz",
           "pitch_span_st", "attack_ms", "decay_db_per_s", "flatness", "centroid_spread", "correlation")
ARRAYS = ("band_hz", "band_frames_db", "spectrum_db")
RTOL = 1e-6
RSS_BOUND_MB = 400        # whole-array measuring of the 10 min stem below peaked near 950 MB; streaming near 150 MB


def _stereo(x: np.ndarray) -> np.ndarray:
    return np.stack([x, 0.7 * np.roll(x, 17)]).astype(np.float32)


def _signals(folder: Path) -> list[Path]:
    """Real-ish stems: the automix test parts (mono, 32 kHz) and songs with silent gaps, stereo and mono."""
    paths = list(write_stems(folder / "parts").values())
    for rate in (44100, 48000):
        x = song([(0.0, 3.0, "pad", 1.0), (3.0, 6.3, "drums", 0.5), (8.0, 12.77, "full", 1.0)], rate=rate)
        for name, audio in ((f"song-{rate}", x[None]), (f"stereo-{rate}", _stereo(x)),
                            (f"drums-{rate}", drums(97.0, 7.3, rate)[None])):
            path = folder / f"{name}.wav"
            write(path, audio, rate, subtype="FLOAT")
            paths.append(path)
    return paths


def _same(a: StemFeatures, b: StemFeatures) -> None:
    for name in SCALARS:
        x, y = getattr(a, name), getattr(b, name)
        assert (x is None) == (y is None), name
        if x is not None:
            assert y == pytest.approx(x, rel=RTOL, abs=1e-12), name
    for name in ARRAYS:
        np.testing.assert_allclose(getattr(b, name), getattr(a, name), rtol=RTOL, err_msg=name)
    np.testing.assert_array_equal(b.active, a.active)
    np.testing.assert_allclose(feature_vector(b), feature_vector(a), rtol=RTOL, atol=1e-12)


def test_streamed_features_equal_the_whole_stem(tmp_path):
    for path in _signals(tmp_path):
        audio, rate = read(path)
        whole = analyse(path.stem, path, audio, rate)
        assert whole.loudness_lufs is not None and whole.active.any()
        for block_frames in (4097, 65536):                 # odd blocks: frames and 5 ms steps cut across them
            _same(whole, analyse_file(path.stem, path, block_frames=block_frames))


def test_streamed_levels_and_spectra_match_direct_whole_file_measurements(tmp_path):
    path = _signals(tmp_path)[-2]                          # stereo song at 48 kHz, with silent gaps
    audio, rate = read(path)
    f = analyse_file(path.stem, path, block_frames=3001)
    lr = loudness_measure(audio, rate, true_peak=False)
    assert (f.loudness_lufs, f.loudness_range_lu, f.peak_dbfs) == pytest.approx(
        (lr.integrated_lufs, lr.loudness_range_lu, lr.sample_peak_dbfs), rel=RTOL)
    hop = int(round(FRAME_S * rate))
    frames = audio.shape[1] // hop
    active = lr.momentary_lufs[:frames] > np.max(lr.momentary_lufs) - 30.0
    np.testing.assert_array_equal(f.active, active)
    assert 0.5 < f.activity < 0.95                         # the gaps are not playing
    framed = audio.mean(axis=0)[:frames * hop].reshape(frames, hop).astype(np.float64)
    assert f.active_rms_dbfs == pytest.approx(10 * np.log10(np.mean(framed[active] ** 2)), rel=RTOL)
    window = np.hanning(hop)
    power = np.abs(np.fft.rfft(framed * window, axis=1)) ** 2 * 4.0 / window.sum() ** 2
    freqs = np.fft.rfftfreq(hop, 1.0 / rate)
    k = int(np.argmin(np.abs(f.band_hz - 1000.0)))         # the 1 kHz third-octave band
    half = OCTAVE_RATIO ** (1 / 6)
    inside = (freqs >= f.band_hz[k] / half) & (freqs < f.band_hz[k] * half)
    np.testing.assert_allclose(10 ** (f.band_frames_db[:, k] / 10), np.maximum(power[:, inside].sum(axis=1), 1e-20),
                               rtol=1e-9)
    assert f.correlation == pytest.approx(np.corrcoef(audio)[0, 1], abs=0.05)


def test_a_stem_at_another_rate_is_measured_resampled_as_a_stream(tmp_path):
    path = _signals(tmp_path)[-4]                          # the stereo song at 44.1 kHz
    audio, rate = read(path)
    whole = analyse(path.stem, path, resample(audio, rate, 48000), 48000)
    streamed = analyse_file(path.stem, path, 48000, block_frames=10007)
    assert streamed.sample_rate == 48000
    np.testing.assert_allclose(feature_vector(streamed), feature_vector(whole), rtol=RTOL, atol=1e-9)
    assert streamed.loudness_lufs == pytest.approx(whole.loudness_lufs, rel=RTOL)


def test_silent_and_tiny_stems(tmp_path):
    for name, frames in (("silent", 48000 * 3), ("tiny", 1000)):
        path = tmp_path / f"{name}.wav"
        audio = np.zeros((2, frames), np.float32)
        if name == "tiny":
            audio[:, ::50] = 0.5
        write(path, audio, 48000, subtype="FLOAT")
        streamed = analyse_file(name, path, block_frames=777)
        assert streamed.duration_s == pytest.approx(frames / 48000)
        assert streamed.activity == 0.0 and not streamed.active.any()      # silent, or shorter than one frame
        assert streamed.loudness_lufs is None and not feature_vector(streamed).any()
        _same(analyse(name, path, *read(path)), streamed)


@pytest.mark.slow
def test_measuring_and_hearing_a_ten_minute_stem_keeps_memory_flat(tmp_path):
    """Peak RSS of a process that measures a 10 min stereo 44.1 kHz stem (200 MB of float32 samples; measuring the
    whole array needed about 950 MB) and makes automix's passes over it: streaming stays far under the bound."""
    path = tmp_path / "ten.wav"
    x = song([(0.0, 10.0, "pad", 1.0), (10.0, 20.0, "drums", 1.0), (20.0, 30.0, "full", 1.0)], rate=44100)
    piece = _stereo(x)
    with BlockWriter(path, 44100, 2, subtype="PCM_24") as out:
        for k in range(20):
            out.write(piece * np.float32(0.5 + 0.025 * k))
    code = ("import sys\n"
            "from pathlib import Path\n"
            "from studioflow.mixing.automix.measure import analyse_file\n"
            "from studioflow.mixing.automix import passes\n"
            "path = Path(sys.argv[1])\n"
            "f = analyse_file('ten', path)\n"
            "tempo = passes.drum_tempo([(path, 0.0)], 44100)\n"
            "inserts = [{'type': 'gain', 'gain_db': -3.0}, {'type': 'compressor', 'threshold_db': -20.0}]\n"
            "loud = passes.track_loudness(path, 44100, inserts, 0.0)\n"
            "peaks, top = passes.dry_sum_peaks([passes.DryTrack(path, inserts, 0.2)], 44100, "
            "int(f.duration_s * 44100))\n"
            "print(f.duration_s, f.activity, tempo.bpm, loud, peaks.size, "
            "next(int(line.split()[1]) for line in open('/proc/self/status') if line.startswith('VmHWM:')))\n")
    # the peak is this process's own (VmHWM): getrusage's ru_maxrss would carry the parent's peak over the exec
    done = subprocess.run([sys.executable, "-c", code, str(path)], capture_output=True, text=True, check=True)
    duration, activity, bpm, loud, blocks, rss_kb = done.stdout.split()
    assert float(duration) == pytest.approx(600.0)
    assert float(activity) > 0.9
    assert float(bpm) == pytest.approx(120.0, abs=1.0)
    assert -40.0 < float(loud) < -10.0
    assert int(blocks) == 600 * 20                         # 50 ms blocks
    assert int(rss_kb) / 1024 < RSS_BOUND_MB
