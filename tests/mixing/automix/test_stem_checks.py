"""automix refuses stems a mix cannot take before it analyses them, and never leaves a session that does not load."""

import numpy as np
import pytest
import soundfile as sf

from studioflow.errors import AudioFileError
from studioflow.mixing import load_session
from studioflow.mixing.automix import automix


def _stem(path, rate, channels=1, seconds=3.0):
    noise = 0.1 * np.random.default_rng(1).standard_normal((int(rate * seconds), channels))
    sf.write(path, noise.astype(np.float32), rate)


def test_an_8_khz_session_loads_and_renders(tmp_path):
    (tmp_path / "stems").mkdir()
    for name in ("kick", "bass", "vox"):
        _stem(tmp_path / "stems" / f"{name}.wav", 8000)
    automix(tmp_path / "stems", tmp_path / "mix.yaml")
    delay = next(b for b in load_session(tmp_path / "mix.yaml").buses if b.name == "delay")
    assert delay.inserts[0].params["high_cut_hz"] <= 0.45 * 8000


@pytest.mark.parametrize("channels, frames, why", [(6, 3.0, "6 channels"), (1, 0.0, "0 frames")])
def test_stems_a_mix_cannot_take_are_refused_and_nothing_is_written(tmp_path, channels, frames, why):
    (tmp_path / "stems").mkdir()
    _stem(tmp_path / "stems" / "a.wav", 44100)
    _stem(tmp_path / "stems" / "b.wav", 44100, channels, frames)
    with pytest.raises(AudioFileError, match=why):
        automix(tmp_path / "stems", tmp_path / "mix.yaml")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["stems"]
