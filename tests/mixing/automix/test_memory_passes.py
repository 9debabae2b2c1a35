"""automix's passes after measuring (tempo sum, each track's loudness, the dry sum's peaks) stream the stems and
hear what processing the whole stems at once would."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from automix_stems import RATE, TEMPO, write_stems

from studioflow.analysis.loudness import integrated_loudness
from studioflow.analysis.tempo import analyze_tempo
from studioflow.audio.files import read, write
from studioflow.dsp import registry
from studioflow.mixing.automix import passes
from studioflow.mixing.panning import place

INSERTS = [{"type": "gain", "gain_db": -4.0},
           {"type": "eq", "bands": [{"type": "highpass", "freq": 80.0, "slope": 12},
                                    {"type": "peak", "freq": 400.0, "gain_db": -3.0, "q": 1.4}]},
           {"type": "compressor", "threshold_db": -24.0, "ratio": 3.0, "attack_ms": 10.0, "release_ms": 120.0}]


def _whole(audio: np.ndarray, inserts: list[dict], pan: float, rate: int) -> np.ndarray:
    """A stem through its inserts and pan processed whole (stereo float64)."""
    x = audio
    for spec in inserts:
        proc = registry.create(spec["type"], rate, **{k: v for k, v in spec.items() if k != "type"})
        x = proc.process(np.ascontiguousarray(x, dtype=np.float32))
    return place(np.asarray(x, np.float32), 1.0, pan, -3.0)


@pytest.fixture
def stems(tmp_path: Path) -> dict[str, Path]:
    return write_stems(tmp_path / "stems")


def test_track_loudness_is_the_whole_processed_stems(stems):
    for part, pan in (("bass", 0.0), ("keys", -0.4), ("vocal", 0.3)):
        audio, rate = read(stems[part])
        expected = integrated_loudness(_whole(audio, INSERTS, pan, rate).astype(np.float32), rate)
        assert passes.track_loudness(stems[part], rate, INSERTS, pan) == pytest.approx(expected, rel=1e-6)
    assert passes.track_loudness(stems["bass"], rate, [{"type": "gain", "gain_db": -6.0}], 0.0) == pytest.approx(
        integrated_loudness(read(stems["bass"])[0], rate) - 6.0, abs=0.01)     # centred at -3 dB a side: as loud


def test_dry_sum_peaks_are_the_whole_sums(tmp_path, stems):
    short = tmp_path / "short.wav"                       # a stem that ends early: silence after it
    write(short, read(stems["pad"])[0][:, :RATE * 3 + 123], RATE, subtype="FLOAT")
    tracks = [passes.DryTrack(stems["kick"], INSERTS[:1], 0.0, 2.0), passes.DryTrack(short, INSERTS, 0.5, -1.5),
              passes.DryTrack(stems["keys"], INSERTS[2:], -0.3, 0.0)]
    frames = read(stems["kick"])[0].shape[1] + 777       # a silent stem longer than the others
    mix = np.zeros((2, frames))
    for t in tracks:
        audio = read(t.path)[0]
        padded = np.zeros((audio.shape[0], frames), np.float32)
        padded[:, :audio.shape[1]] = audio
        mix += _whole(padded, t.inserts, t.pan, RATE) * 10 ** (t.fader_db / 20)
    hop = int(0.05 * RATE)
    n = frames // hop
    block_peaks, top = passes.dry_sum_peaks(tracks, RATE, frames)
    np.testing.assert_allclose(block_peaks, np.abs(mix[:, :n * hop]).reshape(2, n, hop).max(axis=(0, 2)), rtol=1e-6)
    assert top == pytest.approx(np.abs(mix).max(), rel=1e-6)
    tiny, tiny_top = passes.dry_sum_peaks(tracks[:1], RATE, hop - 1)             # shorter than one 50 ms block
    assert tiny.tolist() == [tiny_top] and tiny_top == pytest.approx(np.abs(_whole(
        read(stems["kick"])[0][:, :hop - 1], INSERTS[:1], 0.0, RATE)).max() * 10 ** 0.1, rel=1e-6)


def test_drum_tempo_is_the_whole_sums_tempo(stems, monkeypatch):
    parts = [(stems["kick"], 3.0), (stems["snare"], -2.0), (stems["hats"], 0.0)]
    mix = sum(read(p)[0].mean(axis=0) * np.float32(10 ** (g / 20)) for p, g in parts)
    expected = analyze_tempo(mix[None, :], RATE)
    got = passes.drum_tempo(parts, RATE)
    assert got.bpm == pytest.approx(TEMPO, abs=1.0)
    assert (got.bpm, got.confidence) == pytest.approx((expected.bpm, expected.confidence), rel=1e-6)
    monkeypatch.setattr(passes, "TEMPO_MAX_S", 5.3)      # a long song: only its beginning is heard
    first = analyze_tempo(mix[None, :int(5.3 * RATE)], RATE)
    got = passes.drum_tempo(parts, RATE)
    assert (got.bpm, got.confidence) == pytest.approx((first.bpm, first.confidence), rel=1e-6)
    assert got.confidence != pytest.approx(expected.confidence, rel=1e-5)        # the cut is heard
