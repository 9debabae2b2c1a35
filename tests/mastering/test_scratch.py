"""Audio kept between mastering passes: in memory up to a budget, spilled to a scratch file past it, gone after."""

import numpy as np
import pytest

from studioflow.mastering.scratch import Scratch


def _blocks(seed=1, sizes=(1000, 70000, 3, 65536)):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal((2, n)).astype(np.float32) for n in sizes]


@pytest.mark.parametrize("budget", [1 << 30, 300_000, 0])     # all in memory, part spilled, all spilled
def test_blocks_come_back_in_order_with_the_gain_and_nothing_is_left(tmp_path, budget):
    blocks = _blocks()
    with Scratch(tmp_path, "song-pre", 48000, 2, memory_bytes=budget) as kept:
        for b in blocks:
            kept.put(b)
        kept.done()
        assert kept.frames == sum(b.shape[1] for b in blocks)
        assert (kept.path is not None) == (budget < 1 << 30)
        whole = np.concatenate(blocks, axis=1)
        for _ in range(2):                                         # as often as asked
            np.testing.assert_array_equal(np.concatenate(list(kept.blocks()), axis=1), whole)
        louder = np.concatenate(list(kept.blocks(6.0)), axis=1)
        np.testing.assert_allclose(louder, whole * np.float32(10 ** 0.3), rtol=1e-6)
        np.testing.assert_array_equal(np.concatenate(list(kept.blocks()), axis=1), whole)   # the kept blocks unchanged
    assert list(tmp_path.iterdir()) == []


def test_an_error_leaves_no_scratch_file(tmp_path):
    with pytest.raises(RuntimeError, match="stopped"):
        with Scratch(tmp_path, "song-mix", 48000, 2, memory_bytes=0) as kept:
            for b in _blocks():
                kept.put(b)
            raise RuntimeError("stopped")
    assert list(tmp_path.iterdir()) == []


def test_a_master_spilled_to_scratch_files_is_the_master_kept_in_memory(tmp_path, monkeypatch):
    from songs import RATE, beat_song

    from studioflow.audio.files import write
    from studioflow.mastering import scratch
    from studioflow.mastering.api import master

    write(tmp_path / "mix.wav", beat_song(-20.0, seconds=4.0), RATE)
    master(tmp_path / "mix.wav", tmp_path / "memory.wav")
    monkeypatch.setattr(scratch, "MEMORY_BYTES", 100_000)          # a few blocks in memory, the rest spilled
    master(tmp_path / "mix.wav", tmp_path / "spilled.wav")
    from studioflow.audio.bwf import read_bwf
    from studioflow.audio.files import read

    # the same samples and loudness (the BWF's bext also holds the file's name and the time it was made)
    assert np.array_equal(read(tmp_path / "memory.wav")[0], read(tmp_path / "spilled.wav")[0])
    loudness = ("loudness_value", "loudness_range", "max_true_peak_level", "max_short_term_loudness")
    assert [read_bwf(tmp_path / "memory.wav")["bext"][k] for k in loudness] == \
        [read_bwf(tmp_path / "spilled.wav")["bext"][k] for k in loudness]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["memory.json", "memory.wav", "mix.wav", "spilled.json",
                                                          "spilled.wav"]
