"""Click and count-in on an output, and punch-in over a playing mix: the recorder's outputs looped back into its
input inside the JACK server."""

import numpy as np
import pytest
from signals import pink_noise

from studioflow.analysis import alignment
from studioflow.audio.files import read
from studioflow.recording import takes
from studioflow.recording.capture import Recorder, plan_inputs
from studioflow.recording.click import click_bar

pytestmark = pytest.mark.jack
RATE = 48000


def test_click_bar_beats():
    bar = click_bar(120, RATE)
    assert len(bar) == 4 * RATE // 2
    onsets = np.flatnonzero(np.abs(bar) > 1e-3)
    starts = onsets[np.r_[True, np.diff(onsets) > 1000]]
    assert list(starts) == [1, RATE // 2 + 1, RATE + 1, 3 * RATE // 2 + 1]     # sin(0) = 0, first non-zero after


def test_count_in_then_click_during_the_take(tmp_path, player):
    rec = Recorder(tmp_path, plan_inputs(["drums"]), duration_s=1.0, count_in_bars=1, tempo_bpm=240,
                   click_output=2)
    rec.start()
    player.loop_back(out_channel=2, in_channel=1)
    assert rec.wait(20)
    entry, = rec.finish()
    audio, _ = read(takes.file_of(tmp_path, entry))
    assert audio.shape[1] == RATE                              # the count-in bar is not in the take
    loud = np.flatnonzero(np.abs(audio[0]) > 0.05)
    starts = loud[np.r_[True, np.diff(loud) > 2000]]
    assert len(starts) >= 3
    assert np.all(np.abs(np.diff(starts) - RATE // 4) <= 2)   # a click every beat at 240 BPM


def test_punch_in_keeps_only_the_punch_range(tmp_path, player):
    mix = pink_noise(3.0, RATE, -20.0, seed=9)
    rec = Recorder(tmp_path, plan_inputs(["vocal"]), punch_s=(0.5, 1.0), play=(mix, RATE))
    rec.start()
    player.loop_back(out_channel=1, in_channel=1)
    assert rec.wait(20)
    entry, = rec.finish()
    assert entry["offset_s"] == 0.5 and entry["punch"] == [0.5, 1.0]
    audio, _ = read(takes.file_of(tmp_path, entry))
    assert audio.shape[1] == RATE // 2
    # what was recorded is the mix between the punch points, lined up in song time: the round-trip latency that
    # PortAudio reports is compensated, so the loop-back lands on the very sample
    al = alignment.measure(mix[0, RATE // 2:RATE], audio[0], RATE, max_delay_ms=10)
    assert al.correlation > 0.99 and abs(al.delay_samples) < 0.5
