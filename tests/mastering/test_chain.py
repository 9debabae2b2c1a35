"""The limiter render lands on the loudness target: one render and a post-gain when it is close, secant re-renders
when it is not; the post-gain stays inside its bounds and the limited file is what was measured."""

import numpy as np
import pytest
from songs import RATE, beat_song

from studioflow.analysis.loudness import integrated_loudness
from studioflow.analysis.truepeak import true_peak_dbtp
from studioflow.audio.files import write
from studioflow.audio.stream import BlockReader
from studioflow.mastering import chain, decisions
from studioflow.mastering.scratch import Scratch
from studioflow.mastering.targets import get_target


@pytest.mark.parametrize("target", ["ebu-r128", "cd"])
def test_limit_to_target_lands_with_a_bounded_post_gain(tmp_path, target):
    pre = beat_song(-20.0, seconds=4.0)
    write(tmp_path / "pre.wav", pre, RATE, subtype="FLOAT")
    t = get_target(target)
    stage = decisions.loudness(integrated_loudness(pre, RATE), true_peak_dbtp(pre, RATE), t, None)
    def source(gain_db):
        return (b * np.float32(10 ** (gain_db / 20)) for b in BlockReader(tmp_path / "pre.wav", 10000))

    fit = chain.limit_to_target(source, lambda: Scratch(tmp_path, "lim", RATE, 2), stage, RATE, 2, t.lufs)
    lim = np.concatenate(list(fit["render"].blocks()), axis=1)
    last = fit["tried"][-1]
    # the render kept is the last one, measured as it was made
    assert integrated_loudness(lim, RATE) == pytest.approx(last["integrated_lufs"], abs=1e-6)
    assert true_peak_dbtp(lim, RATE) == pytest.approx(last["true_peak_dbtp"], abs=1e-6)
    assert abs(fit["post_gain_db"]) <= chain.POST_GAIN_MAX_DB
    landed = integrated_loudness(lim * np.float32(10 ** (fit["post_gain_db"] / 20)), RATE)
    assert landed == pytest.approx(t.lufs, abs=chain.LOUDNESS_TOLERANCE_LU)
    if fit["post_gain_db"] > 0:      # turning up keeps the 4x peaks under the ceiling by the margin
        assert last["true_peak_dbtp"] + fit["post_gain_db"] <= t.ceiling_dbtp - chain.POST_GAIN_PEAK_MARGIN_DB + 1e-9
    if target == "ebu-r128":         # no limiting needed: the predicted gain lands in one render
        assert len(fit["tried"]) == 1
    assert fit["gain_reduction"]["max_db"] >= 0.0
