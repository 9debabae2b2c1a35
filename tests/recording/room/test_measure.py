"""``measure_room`` through PortAudio's JACK host API against a room made of known impulse responses, convolved in
real time by a JACK client (see conftest): the decays, the mode and the reflection it must find."""

import json
from pathlib import Path

import numpy as np
import pytest
from planted_room import DIRECT_MS, LENGTH_S, MODE_HZ, MODE_T60_S, REFLECTION_MS, T30_S, planted_ir

from studioflow.audio.files import info
from studioflow.cli.main import main
from studioflow.errors import ParameterError
from studioflow.recording.room.measure import measure_room

pytestmark = pytest.mark.jack


@pytest.mark.slow
def test_measure_finds_the_planted_room(tmp_path, room):
    """Three mics, measured at two positions (the room client moves them between sweeps): six responses averaged
    (one response's T30 in the low octaves spreads by several per cent, ISO 3382-2's statistical uncertainty)."""
    moved = []

    def between(position):
        room.move([planted_ir(seed=s, length_s=LENGTH_S) for s in (4, 5, 6)])
        moved.append(position)

    room.wire(output=1, inputs=[1, 2, 3])
    result = measure_room(output=1, inputs=[1, 2, 3], sweep_s=2.0, ir_s=1.8, positions=2, between=between,
                          out_dir=tmp_path)
    assert moved == [2] and result["positions"] == 6
    for band in result["bands"]:
        assert band["t30_s"] == pytest.approx(T30_S[int(band["band_hz"])], rel=0.05), band
    mode = result["modes"][0]
    assert mode["freq_hz"] == pytest.approx(MODE_HZ, abs=2.0)
    assert mode["decay_s"] == pytest.approx(MODE_T60_S, rel=0.15)
    for position in result["reflections"]:
        assert position[0]["delay_ms"] == pytest.approx(REFLECTION_MS, abs=0.2)
    # the reported round-trip latency is taken off: the direct sound lands where the planted response puts it,
    # after the room client's own delay
    assert np.allclose(result["direct_ms"], DIRECT_MS + room.delay / 48.0, atol=0.05)
    assert room.late == 0
    assert info(result["ir_file"]).channels == 6
    # at -12 dBFS the planted room's mode rings the sweep past full scale: the advice says to lower the level
    assert max(result["peak_dbfs"]) > -1 and any("lower --level" in a for a in result["advice"])


def test_cli_measure_writes_the_responses_and_the_result(tmp_path, room, capsys):
    room.wire(output=1, inputs=[1, 2, 3])
    main(["room", "measure", "--output", "1", "--input", "1", "--input", "2", "--input", "3", "--sweep", "1.5",
          "--length", "1.8", "--level", "-30", "--attempts", "2", "--folder", str(tmp_path / "room"), "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown["ir_file"].endswith("room-ir-v001.wav") and shown["json"].endswith("room-v001.json")
    assert json.loads(Path(shown["json"]).read_text())["bands"] == shown["bands"]
    assert Path(shown["report"]).is_file() and shown["sweep"]["inputs"] == [1, 2, 3]
    assert shown["modes"][0]["freq_hz"] == pytest.approx(MODE_HZ, abs=2.0)
    assert all(p[0]["delay_ms"] == pytest.approx(REFLECTION_MS, abs=0.2) for p in shown["reflections"])
    # the planted room rings up to 20 dB over the sweep at its mode: at -30 dBFS the sweep comes back well heard and
    # under full scale, so the advice has no word about clipping
    assert all(-30 < p < -1 for p in shown["peak_dbfs"]), shown["peak_dbfs"]
    assert not any("full scale" in a for a in shown["advice"])


def test_measure_rejects_impossible_settings_before_playing(tmp_path):
    with pytest.raises(ParameterError, match="channels count from 1"):
        measure_room(output=0, inputs=[1], out_dir=tmp_path)
    with pytest.raises(ParameterError, match="given twice"):
        measure_room(output=1, inputs=[2, 2], out_dir=tmp_path)
    with pytest.raises(ParameterError, match="sweep length"):
        measure_room(output=1, inputs=[1], sweep_s=0.1, out_dir=tmp_path)
    assert not any(tmp_path.iterdir())
