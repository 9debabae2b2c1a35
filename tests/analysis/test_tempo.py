"""Tempo and beat grid on click tracks and a plain 4/4 drum kit at known tempi."""

import numpy as np
import pytest
from music_signals import RATE, click_track, drums

from studioflow.analysis.tempo import SpectralFrames, analyze_tempo, estimate_tempo, mel_filterbank, spectral_frames
from studioflow.errors import ParameterError

TEMPI = (90.0, 120.0, 128.0, 140.0)


@pytest.mark.parametrize("bpm", TEMPI)
def test_click_track_tempo_within_1_bpm(bpm):
    result = analyze_tempo(click_track(bpm, 16.0), RATE)
    assert result.bpm == pytest.approx(bpm, abs=1.0)
    assert result.confidence > 0.5


@pytest.mark.parametrize("bpm", TEMPI)
def test_drum_pattern_tempo_without_octave_error(bpm):
    result = analyze_tempo(drums(bpm, 16.0, seed=int(bpm)), RATE)
    assert result.bpm == pytest.approx(bpm, abs=1.0)       # not half, not double
    assert result.confidence > 0.3


@pytest.mark.parametrize("bpm", (90.0, 140.0))
def test_beat_grid_lands_on_the_clicks(bpm):
    seconds = 16.0
    result = analyze_tempo(click_track(bpm, seconds), RATE)
    clicks = np.arange(0.0, seconds, 60.0 / bpm)
    error = np.abs(result.beats_s[:, None] - clicks[None, :]).min(axis=1)
    assert np.median(error) < 0.02                          # within 20 ms (the 10 ms frame grid)
    assert abs(result.beats_s.size - clicks.size) <= 2      # at most the edge beats missed
    assert np.all(np.diff(result.beats_s) == pytest.approx(60.0 / bpm, abs=0.03))


def test_spectral_frames_same_in_any_block_size():
    audio = drums(120.0, 4.0)[None, :]
    whole = spectral_frames(audio, RATE)
    streamed = SpectralFrames(RATE)
    cuts = [0, 1000, 1037, 5133, 17478, 17991, audio.shape[1]]
    for a, b in zip(cuts[:-1], cuts[1:]):
        streamed.process(audio[:, a:b])
    got = streamed.result()
    assert got.count == whole.count == int(np.ceil(audio.shape[1] / round(RATE / 100)))
    np.testing.assert_allclose(got.bands_db, whole.bands_db, atol=1e-3)


def test_filterbank_bands_have_unit_sum():
    fb = mel_filterbank(22050, 1024)
    np.testing.assert_allclose(fb.sum(axis=0), 1.0)


def test_silence_has_no_tempo():
    result = analyze_tempo(np.zeros(RATE * 8, dtype=np.float32), RATE)
    assert result.bpm is None and result.confidence == 0.0 and result.beats_s.size == 0


def test_bad_inputs_raise():
    with pytest.raises(ParameterError):
        SpectralFrames(100)
    with pytest.raises(ParameterError):
        estimate_tempo(np.ones(1000), 100.0, min_bpm=200, max_bpm=60)
