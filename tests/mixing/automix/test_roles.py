"""Role recognition: from names (common studio spellings) and, for unnamed stems, from the sound."""

from pathlib import Path

import pytest
import soundfile as sf

from automix_stems import PARTS, write_stems
from studioflow.mixing.automix.measure import analyse
from studioflow.mixing.automix.roles import recognise, role_from_name


@pytest.mark.parametrize("name, role", [
    ("Kick In", "kick"), ("bass drum", "kick"), ("SNR_top", "snare"), ("HiHat", "hats"), ("ride", "hats"),
    ("Floor Tom", "toms"), ("OH L", "overheads"), ("perc shaker", "percussion"), ("Bass DI", "bass"),
    ("LeadVox", "lead_vocal"), ("vocal_take3", "lead_vocal"), ("lead", "lead_vocal"), ("BV 2", "backing_vocals"),
    ("harmonies", "backing_vocals"), ("gtr_L", "guitar"), ("Acoustic", "guitar"), ("Rhodes", "keys"),
    ("piano", "keys"), ("String pad", "pads"), ("Synth Lead", "synth_lead"), ("lead synth", "synth_lead"),
    ("FX riser", "fx"), ("track1", None), ("audio_07", None),
])
def test_roles_from_names(name, role):
    assert role_from_name(name) == role


@pytest.fixture(scope="module")
def unnamed(tmp_path_factory):
    folder = tmp_path_factory.mktemp("unnamed")
    names = {part: f"track{i + 1}" for i, part in enumerate(PARTS)}
    write_stems(folder, names=names)
    return folder, names


EXPECTED = {"kick": "kick", "snare": "snare", "hats": "hats", "bass": "bass", "pad": "pads", "keys": "keys",
            "vocal": "lead_vocal"}


@pytest.mark.parametrize("part", list(EXPECTED))
def test_roles_from_sound_on_unnamed_stems(unnamed, part):
    folder, names = unnamed
    path = Path(folder) / f"{names[part]}.wav"
    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    guess = recognise(analyse(path.stem, path, audio.T, rate))
    assert guess.source == "sound"
    assert guess.role == EXPECTED[part], guess.reason
    assert 0.3 <= guess.confidence <= 0.9          # printed with its confidence, never claimed certain


def test_name_wins_over_sound(tmp_path):
    write_stems(tmp_path, names={"kick": "snare"})   # a kick's sound in a file the engineer called "snare"
    audio, rate = sf.read(tmp_path / "snare.wav", dtype="float32", always_2d=True)
    guess = recognise(analyse("snare", tmp_path / "snare.wav", audio.T, rate))
    assert (guess.role, guess.source, guess.confidence) == ("snare", "name", 0.95)
