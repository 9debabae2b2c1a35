"""The renderer's lanes: any number of worker threads gives the same mix (to float64 rounding), the same number
gives the same file every time, and an insert failing mid-render stops the render without leaving a file."""

import sys
import types

import numpy as np
import pytest

from studioflow.dsp import registry
from studioflow.dsp.base import Processor
from studioflow.errors import ParameterError
from studioflow.mixing import load_session, render

RATE = 48000
SESSION = """
    tracks:
      - {name: a, source: a.wav, pan: -0.5, sends: [{bus: fx, level_db: -6}],
         automation: {gain_db: [[0, 0], [0.3, -12]]}}
      - {name: b, source: b.wav, inserts: [{type: test_delay, frames: 300}], sends: [{bus: fx, level_db: -3}]}
      - {name: c, source: a.wav, pan: 0.7, polarity: inverted, sends: [{bus: fx, level_db: -9, pre_fader: true}]}
      - {name: d, source: b.wav, gain_db: -4, output: grp}
      - {name: e, source: a.wav, gain_db: -8, sends: [{bus: fx, level_db: -12, pan: 1}]}
    buses:
      - {name: fx, inserts: [{type: test_delay, frames: 77}]}
      - {name: grp, pan: -0.2}
"""


@pytest.fixture
def five_tracks(wav, session_file, test_processors):
    rng = np.random.default_rng(5)
    wav("a.wav", (rng.standard_normal((1, int(0.4 * RATE))) * 0.1).astype(np.float32))
    wav("b.wav", (rng.standard_normal((2, int(0.35 * RATE))) * 0.1).astype(np.float32))
    return load_session(session_file(SESSION))


def test_worker_count_changes_only_the_rounding(five_tracks, read_audio, tmp_path):
    mixes = {}
    for workers in (1, 2, 3):
        render(five_tracks, tmp_path / f"w{workers}.wav", workers=workers, block_frames=1000,
               stems_dir=tmp_path / f"stems{workers}")
        mixes[workers] = read_audio(tmp_path / f"w{workers}.wav")
    assert np.max(np.abs(mixes[1])) > 0.05
    for workers in (2, 3):
        assert mixes[workers].shape == mixes[1].shape
        assert 20 * np.log10(np.max(np.abs(mixes[workers] - mixes[1])) + 1e-300) < -120
        for stem in ("a", "d", "fx", "grp"):
            np.testing.assert_array_equal(read_audio(tmp_path / f"stems{workers}" / f"{stem}.wav"),
                                          read_audio(tmp_path / "stems1" / f"{stem}.wav"))


def test_same_workers_same_file_whatever_the_block_size(five_tracks, read_audio, tmp_path):
    outs = []
    for k, block in enumerate((64, 999, 65536, 999)):
        render(five_tracks, tmp_path / f"m{k}.wav", workers=3, block_frames=block)
        outs.append(read_audio(tmp_path / f"m{k}.wav"))
    for other in outs[1:]:
        np.testing.assert_array_equal(other, outs[0])


class FailLater(Processor):
    """Passes audio through, then refuses the block that reaches ``after_frames``."""

    name = "test_fail_later"

    def __init__(self, sample_rate: int, *, after_frames: int = 5000) -> None:
        super().__init__(sample_rate)
        self.after_frames = after_frames
        self.seen = 0

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        self.seen += block.shape[1]
        if self.seen >= self.after_frames:
            raise ParameterError(f"test_fail_later: gave up after {self.seen} frames")
        return block


def test_an_insert_failing_mid_render_stops_it_and_leaves_no_file(five_tracks, session_file, tmp_path, monkeypatch):
    module = types.ModuleType("studioflow_mixing_test_fail")
    module.FailLater = FailLater
    monkeypatch.setitem(sys.modules, module.__name__, module)
    monkeypatch.setitem(registry.PROCESSORS, FailLater.name, f"{module.__name__}:FailLater")
    path = session_file(SESSION.replace("output: grp}", "output: grp, inserts: [{type: test_fail_later}]}"))
    with pytest.raises(ParameterError, match="test_fail_later: gave up"):
        render(load_session(path), tmp_path / "mix.wav", workers=2, block_frames=1000,
               stems_dir=tmp_path / "stems")
    assert not (tmp_path / "mix.wav").exists() and not (tmp_path / "mix.json").exists()
    assert not list((tmp_path / "stems").glob("*.wav"))
