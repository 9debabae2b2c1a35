"""A reference match tries the chain and the limiter on an excerpt first: what the limiter took there (and what one
more dB of gain gives) sets the full render's first gain, so a master limited hard lands on target in one render."""

import numpy as np
import pytest
from scipy.signal import butter, sosfilt
from songs import RATE, beat_song

from studioflow.analysis.loudness import integrated_loudness
from studioflow.audio.files import read, write
from studioflow.mastering import api, chain
from studioflow.mastering.api import master


@pytest.fixture(scope="module")
def hard_pair(tmp_path_factory):
    """A quiet, dark mix and a bright reference clipped loud: matching its loudness takes several dB of limiting."""
    folder = tmp_path_factory.mktemp("trial")
    write(folder / "mix.wav", beat_song(-20.0, seconds=8.0), RATE)
    ref = beat_song(-10.0, seconds=8.0)
    ref = ref + 0.7 * sosfilt(butter(2, 3000.0, "highpass", fs=RATE, output="sos"), ref, axis=-1)
    write(folder / "ref.wav", np.clip(ref, -0.9, 0.9).astype(np.float32), RATE)
    return folder


def _loudness_stage(record: dict) -> dict:
    return next(s for s in record["stages"] if s["name"] == "loudness")


def test_the_trial_foresees_the_limiters_loss_and_one_render_lands(hard_pair, tmp_path):
    rec = master(hard_pair / "mix.wav", tmp_path / "m.wav", reference=hard_pair / "ref.wav", target=None)
    stage = _loudness_stage(rec)
    s = stage["settings"]
    assert s["predicted_limiting_db"] > 3.0                      # limited hard: the plain gain would land short
    assert s["trial_limiter_loss_lu"] > chain.POST_GAIN_MAX_DB   # ... by more than a post-gain may make up
    assert 0.2 <= s["trial_lu_per_db"] < 1.0                      # one more dB of gain gives less than one LU
    assert len(s["iterations"]) == 1                              # the first render landed
    plain = rec["target"]["lufs"] - rec["analysis"]["after_chain"]["integrated_lufs"]
    assert s["iterations"][0]["gain_db"] >= plain + s["trial_limiter_loss_lu"] - 0.02   # made up for the loss
    assert "the excerpt's trial lost" in stage["reason"]
    audio, rate = read(tmp_path / "m.wav")
    landed = integrated_loudness(audio, rate)                     # the file as written, measured independently
    assert landed == pytest.approx(rec["target"]["lufs"], abs=chain.LOUDNESS_TOLERANCE_LU)
    assert rec["analysis"]["output"]["integrated_lufs"] == pytest.approx(landed, abs=0.01)


def test_without_the_trials_first_gain_the_same_master_needs_more_renders(hard_pair, tmp_path, monkeypatch):
    monkeypatch.setattr(api, "_limiter_response", lambda *args, **kwargs: None)
    rec = master(hard_pair / "mix.wav", tmp_path / "m.wav", reference=hard_pair / "ref.wav", target=None)
    s = _loudness_stage(rec)["settings"]
    assert "trial_limiter_loss_lu" not in s
    assert len(s["iterations"]) >= 2                              # the plain gain lands short: rendered again
