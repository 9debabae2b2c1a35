"""A recording killed with SIGKILL loses at most half a second, and `studioflow recover` finishes the take."""

import os
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from studioflow.audio.files import read
from studioflow.cli.main import main
from studioflow.recording import takes
from studioflow.recording.takewriter import DATA_OFFSET

pytestmark = pytest.mark.jack
RATE = 48000


def test_kill_9_then_recover(tmp_path, player, capsys):
    partial = takes.take_path(tmp_path, "vocal", 1, recording=True)
    proc = subprocess.Popen([sys.executable, "-m", "studioflow.cli.main", "record", str(tmp_path), "--track", "vocal",
                             "--inputs", "1", "--duration", "60"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=os.environ.copy())
    try:
        player.feed(1)
        end = time.monotonic() + 20
        while time.monotonic() < end and not (partial.exists() and partial.stat().st_size > DATA_OFFSET):
            time.sleep(0.005)
        # audio time is counted in the frames the JACK server ran (the player's position), not in wall-clock
        # seconds: a loaded machine can slow the dummy backend below real time
        first_audio = player.pos
        assert partial.exists(), proc.stderr.read().decode() if proc.poll() is not None else "no take file"
        end = time.monotonic() + 30
        while player.pos - first_audio < 2 * RATE and time.monotonic() < end and proc.poll() is None:
            time.sleep(0.01)
        killed_after = player.pos - first_audio
        assert killed_after >= 2 * RATE, "the server did not run 2 s of audio in 30 s"
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    # readable as it is, holding all but the last half second
    audio, rate = read(partial)
    assert audio.shape[1] >= killed_after - 0.5 * RATE
    main(["recover", str(tmp_path)])
    assert "recovered" in capsys.readouterr().out
    assert not partial.exists()
    entry = takes.find(tmp_path, "vocal:1")
    assert entry["recovered"] is True and entry["inputs"] == [1] and entry["xruns"] is not None
    fixed, _ = read(takes.file_of(tmp_path, entry))
    assert fixed.shape[1] >= audio.shape[1]
    tail = fixed[0, -RATE // 2:]
    spec = np.abs(np.fft.rfft(tail * np.hanning(len(tail))))
    assert np.argmax(spec) * RATE / len(tail) == pytest.approx(440.0, abs=2.0)
    # a second recover has nothing to do
    main(["recover", str(tmp_path)])
    assert "no interrupted takes" in capsys.readouterr().out
