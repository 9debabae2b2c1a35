"""Section boundaries, labels and loudness on synthesized songs of known structure."""

import numpy as np
import pytest
from music_signals import RATE, song
from signals import sine

from studioflow.analysis.loudness import measure
from studioflow.analysis.sections import checkerboard_kernel, find_sections, section_loudness
from studioflow.analysis.tempo import spectral_frames, tempo_from_frames


def _sections(audio, rate=RATE):
    frames = spectral_frames(audio, rate)
    tempo = tempo_from_frames(frames)
    return find_sections(frames, measure(audio, rate, true_peak=False), bpm=tempo.bpm, beats_s=tempo.beats_s)


def test_textures_give_boundaries_within_1_s_and_repeats_share_a_label():
    parts = [(0, 10, "pad", 1.0), (10, 24, "drums", 1.0), (24, 38, "full", 1.0), (38, 48, "pad", 1.0)]
    sections = _sections(song(parts))
    starts = [s.start_s for s in sections]
    assert len(sections) == 4
    np.testing.assert_allclose(starts, [0.0, 10.0, 24.0, 38.0], atol=1.0)
    assert sections[-1].end_s == pytest.approx(48.0, abs=0.01)
    labels = [s.label for s in sections]
    assert labels[0] == labels[3] and len(set(labels[:3])) == 3     # the pad returns; the rest are new


def test_a_steady_loop_is_one_section():
    sections = _sections(song([(0, 30, "full", 1.0)]))
    assert len(sections) == 1
    assert sections[0].end_s == pytest.approx(30.0, abs=0.01)


def test_section_loudness_matches_bs1770_of_a_sine():
    # BS.1770: a 997 Hz sine of peak amplitude A (mono) measures 20 log10(A) - 3.01 LUFS (K-weighting ~0 dB there)
    audio = np.concatenate([sine(997.0, 10.0, 48000, -20.0), sine(997.0, 10.0, 48000, -30.0)], axis=1)
    result = measure(audio, 48000, true_peak=False)
    assert section_loudness(result, 0.0, 10.0) == pytest.approx(-23.01, abs=0.1)
    assert section_loudness(result, 10.0, 20.0) == pytest.approx(-33.01, abs=0.1)


def test_checkerboard_kernel_balanced():
    k = checkerboard_kernel(8)
    assert k.shape == (16, 16)
    assert abs(k.sum()) < 1e-12 and np.abs(k).sum() == pytest.approx(1.0)
    assert k[0, 0] > 0 and k[0, -1] < 0
