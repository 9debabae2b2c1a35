"""Recording through PortAudio's JACK host API from a real (dummy) JACK server fed by a JACK client."""

import numpy as np
import pytest

from studioflow.audio.files import info, read
from studioflow.recording import devices, takes
from studioflow.recording.capture import Recorder, plan_inputs

pytestmark = pytest.mark.jack
RATE = 48000


def _tone(x, rate):
    """(frequency Hz of the strongest FFT bin, peak dBFS estimated from RMS) of a 1-D signal."""
    spec = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    freq = np.argmax(spec) * rate / len(x)
    return freq, 20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)) * np.sqrt(2))


def test_sounddevice_sees_jack(jack_server):
    assert devices.has_jack(), "sounddevice's PortAudio has no JACK host API"
    d = devices.choose(None, inputs=2)
    assert d["hostapi"] == devices.JACK_API and d["inputs"] >= 2


def test_two_tracks_hold_their_signals(tmp_path, player):
    rec = Recorder(tmp_path, plan_inputs(["gtr", "bass"], [1, 2]), duration_s=1.5, bits=24)
    rec.start()
    player.feed()
    assert rec.wait(20)
    entries = rec.finish()
    assert sorted(e["id"] for e in entries) == ["bass/take-001", "gtr/take-001"]
    for track, (freq, dbfs) in (("gtr", (440.0, -12.0)), ("bass", (1000.0, -20.0))):
        path = takes.take_path(tmp_path, track, 1)
        i = info(path)
        assert (i.sample_rate, i.channels, i.subtype, i.frames) == (RATE, 1, "PCM_24", int(1.5 * RATE))
        audio, rate = read(path)
        f, level = _tone(audio[0, -RATE // 2:], rate)
        assert f == pytest.approx(freq, abs=2.0)
        assert level == pytest.approx(dbfs, abs=0.1)
    listed = takes.load(tmp_path)
    assert {t["id"] for t in listed} == {"gtr/take-001", "bass/take-001"}
    assert all(isinstance(t["xruns"], int) and t["check"]["peak_dbfs"] < 0 for t in listed)
    # the next take gets the next number and never overwrites
    assert takes.next_number(tmp_path, ["gtr"]) == 2


def test_stereo_pair_track(tmp_path, player):
    rec = Recorder(tmp_path, plan_inputs(["keys"], [1, 2]), duration_s=1.0, bits=32)
    rec.start()
    player.feed()
    assert rec.wait(20)
    entry, = rec.finish()
    audio, rate = read(takes.file_of(tmp_path, entry))
    assert audio.shape == (2, RATE) and entry["inputs"] == [1, 2]
    assert info(takes.file_of(tmp_path, entry)).subtype == "FLOAT"
    assert _tone(audio[0, -RATE // 2:], rate)[0] == pytest.approx(440.0, abs=2.0)
    assert _tone(audio[1, -RATE // 2:], rate)[0] == pytest.approx(1000.0, abs=2.0)
