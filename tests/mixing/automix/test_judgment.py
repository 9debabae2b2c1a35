"""automix's learned ear and its safety rules: the shipped model, genres in a brief's words, a kit's low end kept,
cuts in a part's own band limited, and a part that plays a few seconds never made the loudest."""

import json

import numpy as np
import pytest
import soundfile as sf
from automix_stems import RATE, SECONDS, hats, kick, snare, write_stems

from studioflow.mixing.automix import automix
from studioflow.mixing.automix.balance import resolve_genre
from studioflow.mixing.automix.eqmask import MAX_OWN_BAND_CUT_DB, masking_cuts
from studioflow.mixing.automix.measure import analyse
from studioflow.mixing.automix.model import FEATURE_NAMES, MODEL_FILE, feature_vector, shipped
from studioflow.mixing.automix.roles import ROLES


def test_shipped_model_records_how_it_was_fitted_and_how_well():
    data = json.loads(MODEL_FILE.read_text())
    record = data["record"]
    assert record["by"] == "bench/corpus/train.py"
    cv = record["cross_validated"]
    assert 0 < cv["balance_rms_lu"] and 0 < cv["equal_rms_lu"] and 0 < cv["role_accuracy"] <= 1
    model = shipped()
    assert set(model.roles) <= set(ROLES) and {"drums", "bass", "keys", "guitar"} <= set(model.roles)


def test_model_gives_a_probability_per_role_and_a_finite_level():
    rng = np.random.default_rng(0)
    x = rng.standard_normal(int(4 * RATE)).astype(np.float32)[None, :] * 0.1
    f = analyse("noise", None, x, RATE)
    v = feature_vector(f)
    assert v.shape == (len(FEATURE_NAMES),) and np.isfinite(v).all()
    model = shipped()
    p = model.role_probabilities(v)
    assert p.shape == (len(model.roles),) and p.sum() == pytest.approx(1.0) and (p >= 0).all()
    assert np.isfinite(model.relative_level_lu(v, p))


@pytest.mark.parametrize("text, names", [
    ("jazz pop", ("jazz", "pop")), ("Synthwave", ("electronic",)), ("Hip-Hop", ("hiphop",)), ("indie rock", ("rock",)),
    ("rock", ("rock",)), (None, ()), ("polka", ()),
])
def test_genres_in_a_briefs_words(text, names):
    g = resolve_genre(text)
    assert g.names == names
    if text == "polka":
        assert "not one automix knows" in g.reason and "nearest" in g.reason
    if text == "jazz pop":
        assert g.offset_lu("kick") == pytest.approx((-3.0 + 0.0) / 2)


def _kit() -> np.ndarray:
    rng = np.random.default_rng(4)
    return (kick(rng) + snare(rng) + hats(rng)).astype(np.float32)


@pytest.mark.parametrize("name", ["drums", "track1"])
def test_a_whole_kit_keeps_its_kick(tmp_path, name):
    """A kit stem, named or not, is never high-passed above 40 Hz (its kick lives there)."""
    stems = write_stems(tmp_path / "stems")
    stems["kick"].unlink(), stems["snare"].unlink(), stems["hats"].unlink()
    sf.write(tmp_path / "stems" / f"{name}.wav", _kit(), RATE, subtype="FLOAT")
    report = automix(tmp_path / "stems", tmp_path / "mix.yaml", tempo=120)
    kit = next(t for t in report["tracks"] if t["name"] == name)
    for ins in kit["inserts"]:
        for band in ins.get("bands", []):
            assert not (band["type"] == "highpass" and band["freq"] > 40), kit["explain"]
    if name == "drums":
        assert kit["role"] == "drums"


def test_no_deep_cut_in_a_parts_own_band():
    """Two parts strongest in the same band: the one that yields is cut there by at most 3 dB."""
    t = np.arange(int(6 * RATE)) / RATE
    tone = (0.2 * np.sin(2 * np.pi * 250 * t)).astype(np.float32)[None, :]
    a = analyse("vox", None, tone, RATE)
    b = analyse("keys", None, tone * 1.5, RATE)
    cuts = masking_cuts([(a, "lead_vocal", 0.0), (b, "keys", 0.0)])
    assert cuts["keys"], "the keys mask the vocal at its own band and should yield"
    assert all(-MAX_OWN_BAND_CUT_DB <= gain < 0 for _, gain, _ in cuts["keys"])


def test_a_part_that_plays_a_moment_is_not_made_the_loudest(tmp_path):
    write_stems(tmp_path / "stems")
    x = np.zeros(int(SECONDS * RATE), np.float32)
    n = int(0.4 * RATE)
    x[:n] = 0.3 * np.sin(2 * np.pi * 660 * np.arange(n) / RATE)        # a 0.4 s phrase in 8 s: 5% of the song
    sf.write(tmp_path / "stems" / "melody.wav", x, RATE, subtype="FLOAT")
    report = automix(tmp_path / "stems", tmp_path / "mix.yaml", tempo=120)
    targets = {t["name"]: t["target_lufs"] for t in report["tracks"]}
    steady = [v for k, v in targets.items() if k != "melody"]
    assert targets["melody"] <= max(steady) + 1e-6
