"""Matching to references: amounts per dimension, several weighted references as one, presets, reference warnings."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.signal import butter, sosfilt
from songs import RATE, beat_song

from studioflow.audio.files import write
from studioflow.errors import ParameterError
from studioflow.mastering import matching
from studioflow.mastering.api import master


def _tilted(seconds: float, treble_db: float, seed: int, width: float = 0.3) -> np.ndarray:
    """A stereo beat song with its top turned by ``treble_db`` and a side ``width`` times its mid."""
    x = beat_song(-20.0, seconds=seconds)
    sos = butter(2, 3000.0, "highpass", fs=RATE, output="sos")
    x = x + (10 ** (treble_db / 20) - 1) * sosfilt(sos, x, axis=-1)
    rng = np.random.default_rng(seed)
    side = width * sosfilt(butter(2, 200.0, "highpass", fs=RATE, output="sos"), rng.standard_normal(x.shape[1]))
    mid = x.mean(axis=0)
    return (np.stack([mid + side * np.std(mid), mid - side * np.std(mid)]) * 0.5).astype(np.float32)


@pytest.fixture(scope="module")
def files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("match")
    write(folder / "mix.wav", _tilted(6.0, -6.0, 1), RATE)
    write(folder / "bright.wav", _tilted(6.0, +6.0, 2, width=0.8), RATE)
    write(folder / "dark.wav", _tilted(6.0, -2.0, 3, width=0.8), RATE)
    return folder


def _top(record: dict) -> float:
    """How much the master lifted its 8 kHz octave over its 1 kHz octave (dB, mid spectrum)."""
    changed = record["what_changed"]["master_db"]
    return changed[8] - changed[5]


def test_amounts_default_to_all_and_refuse_out_of_range():
    assert matching.amounts() == {"tone": 1.0, "dynamics": 1.0, "width": 1.0, "loudness": 1.0}
    assert matching.amounts(0.5, width=0.0) == {"tone": 0.5, "dynamics": 0.5, "width": 0.0, "loudness": 0.5}
    with pytest.raises(ParameterError, match="tone match amount must be from 0 to 100%"):
        matching.amounts(tone=1.5)


def test_a_half_match_moves_the_tone_about_half_as_far(files, tmp_path):
    full = master(files / "mix.wav", tmp_path / "full.wav", reference=files / "bright.wav", target=None)
    half = master(files / "mix.wav", tmp_path / "half.wav", reference=files / "bright.wav", target=None,
                  match={"tone": 0.5})
    none = master(files / "mix.wav", tmp_path / "none.wav", reference=files / "bright.wav", target=None,
                  match={"tone": 0.0, "loudness": 0.0})
    lift = [_top(r) for r in (full, half)]
    assert lift[0] > 8.0 and lift[1] == pytest.approx(lift[0] / 2, abs=1.5)
    assert none["tonal_target"]["kind"] == "curve"                  # tone not matched: the style's curve decides
    assert none["target"]["lufs"] == -14.0                          # loudness not matched: the platform's


def test_two_weighted_references_are_one_target_between_them(files, tmp_path):
    bright = master(files / "mix.wav", tmp_path / "b.wav", reference=files / "bright.wav", target=None)
    both = master(files / "mix.wav", tmp_path / "both.wav", reference=[files / "bright.wav", files / "dark.wav"],
                  reference_weights=[1, 1], target=None)
    assert _top(both) < _top(bright) - 2.0
    assert both["reference"] == [str(files / "bright.wav"), str(files / "dark.wav")]
    with pytest.raises(ParameterError, match="one non-negative number per reference"):
        master(files / "mix.wav", tmp_path / "x.wav", reference=[files / "bright.wav"], reference_weights=[1, 2],
               target=None)


def test_a_saved_preset_masters_another_song_as_the_references_did(files, tmp_path):
    first = master(files / "mix.wav", tmp_path / "a.wav", reference=files / "bright.wav", target=None,
                   match=0.8, save_preset=tmp_path / "match.yaml")
    text = (tmp_path / "match.yaml").read_text()
    assert "kind: studioflow match preset" in text and "bright.wav" in text and "tone: 0.8" in text
    again = master(files / "mix.wav", tmp_path / "b.wav", target=None, preset=tmp_path / "match.yaml")
    assert again["match"] == first["match"]
    assert again["target"]["lufs"] == pytest.approx(first["target"]["lufs"], abs=0.01)
    assert _top(again) == pytest.approx(_top(first), abs=0.5)
    (tmp_path / "bad.yaml").write_text("kind: something else\n")
    with pytest.raises(ParameterError, match="not a studioflow match preset"):
        master(files / "mix.wav", tmp_path / "c.wav", target=None, preset=tmp_path / "bad.yaml")


def test_a_reference_with_dc_clipping_or_a_far_width_is_warned_of(files, tmp_path):
    bad = _tilted(6.0, 0.0, 4, width=0.0) + np.float32(0.01)       # mono-ish, with DC
    bad[:, 1000:1100] = 1.0                                         # clipped runs
    write(tmp_path / "bad.wav", bad, RATE, subtype="FLOAT")
    rec = master(files / "mix.wav", tmp_path / "m.wav", reference=tmp_path / "bad.wav", target=None)
    text = " ".join(rec["warnings"])
    assert "DC offset of +0.010" in text and "clipped samples" in text and "narrower than the mix" in text
