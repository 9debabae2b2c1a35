"""Faults while recording: xruns are counted and reported with the take; a write error (full disk) stops the take
but keeps and lists what was written; meters latch clips."""

import errno
import json
from types import SimpleNamespace

import numpy as np
import pytest

from studioflow.audio.files import info
from studioflow.errors import DeviceError
from studioflow.recording import takes
from studioflow.recording.capture import Recorder, plan_inputs
from studioflow.recording.meters import Meters, plain_line
from studioflow.recording.takewriter import TakeWriter

pytestmark = pytest.mark.jack


def _status(**flags):
    names = ("input_overflow", "input_underflow", "output_underflow", "output_overflow")
    return SimpleNamespace(**{n: flags.get(n, False) for n in names})


def test_xruns_counted_and_reported(tmp_path, jack_server):
    rec = Recorder(tmp_path, plan_inputs(["bass"]), duration_s=0.5)
    rec.start()
    block = np.zeros((256, 1), np.float32)
    rec._input_callback(block, 256, None, _status(input_overflow=True))
    rec._input_callback(block, 256, None, _status())
    rec._input_callback(block, 256, None, _status(input_underflow=True))
    assert rec.wait(20)
    entry, = rec.finish()
    assert entry["xruns"] >= 2 and takes.find(tmp_path, "bass:1")["xruns"] == entry["xruns"]


def test_full_disk_keeps_what_was_written(tmp_path, jack_server, monkeypatch):
    real_write, calls = TakeWriter.write, []

    def failing(self, block):
        calls.append(len(block))
        if len(calls) > 20:
            raise OSError(errno.ENOSPC, "No space left on device")
        real_write(self, block)

    monkeypatch.setattr(TakeWriter, "write", failing)
    rec = Recorder(tmp_path, plan_inputs(["vocal"]), duration_s=30)
    rec.start()
    assert rec.wait(20)
    with pytest.raises(DeviceError, match="No space left"):
        rec.finish()
    entry = takes.find(tmp_path, "vocal:1")
    assert info(takes.file_of(tmp_path, entry)).frames == sum(calls[:20])
    assert not list(tmp_path.glob("takes/vocal/*.recording.*"))


def test_meters_peak_hold_and_clip():
    m = Meters(["a", "b"], 48000)
    m.update(0, np.full((480, 1), 0.5, np.float32))
    m.update(0, np.full((480, 1), 0.1, np.float32))
    m.update(1, np.full((480, 1), 1.0, np.float32))
    a, b = m.snapshot()
    assert a["peak_dbfs"] == pytest.approx(-20.0, abs=0.05) and a["hold_dbfs"] == pytest.approx(-6.0, abs=0.05)
    assert not a["clip"] and b["clip"]
    assert "CLIP" in plain_line(m, 1.0)
    json.dumps(m.snapshot())


def test_rich_view_renders():
    from rich.console import Console

    from studioflow.recording.meters import render

    m = Meters(["vocal"], 48000)
    m.update(0, np.full((480, 1), 0.5, np.float32))
    console = Console(record=True, width=120)
    console.print(render(m, 61.5))
    text = console.export_text()
    assert "01:01.5" in text and "vocal" in text and "-6.0" in text
