"""The session plan: the input list from a line-up, the knowledge table's integrity, and a room measurement in the
project changing the advice (rooms made from planted impulse responses, analyzed for real)."""

import json
import re
import sys
from pathlib import Path

import pytest
import yaml

sys.path.insert(0, str(Path(__file__).parent / "room"))   # planted_room.py

from planted_room import RATE, planted_ir  # noqa: E402

from studioflow.cli.main import main  # noqa: E402
from studioflow.errors import ParameterError, SessionError  # noqa: E402
from studioflow.producer.project import create_project, load_project  # noqa: E402
from studioflow.recording import plan as planning  # noqa: E402
from studioflow.recording.room.analyze import analyze_irs, write_result  # noqa: E402


def _with_lineup(folder: Path, lineup) -> Path:
    create_project(folder)
    data = yaml.safe_load((folder / "project.yaml").read_text())
    data["brief"]["lineup"] = lineup
    (folder / "project.yaml").write_text(yaml.safe_dump(data))
    return folder


def _sources(plan) -> list[str]:
    return [row["source"] for row in plan["inputs"]]


def test_input_list_from_a_lineup():
    plan = planning.plan_session(["Vocals", "drums", {"instrument": "Bass guitar", "player": "Sam"}])
    rows = plan["inputs"]
    assert [r["channel"] for r in rows] == list(range(1, len(rows) + 1))
    assert rows[0]["source"] == "kick in" and rows[-1]["source"] == "lead vocal"          # drums first, vocals last
    assert [r["instrument"] for r in rows if r["player"] == "Sam"] == ["bass", "bass"]
    assert {"bass DI", "bass amp", "room", "overhead L", "overhead R"} <= set(_sources(plan))
    assert all(r["mic"] and r["placement"] for r in rows)
    by = {r["source"]: r for r in rows}
    assert "invert" in by["snare bottom"]["phase"] and "pad" in by["snare top"]["notes"]
    assert plan["format"]["bits"] == 24 and plan["format"]["sample_rate_hz"] == 48000
    assert plan["headroom"]["peaks_dbfs"] == [-12, -6] and plan["headroom"]["average_dbfs"] == -18
    groups = {g["name"]: g["instruments"] for g in plan["groups"]}
    assert groups["basic tracks"] == ["drums", "bass (Sam)"] and groups["overdubs"] == ["lead vocal"]
    assert plan["room"] is None and "studioflow room measure" in plan["advice"][0]


def test_one_player_singing_and_playing_is_recorded_together():
    plan = planning.plan_session([{"instrument": "acoustic guitar", "player": "Ana"},
                                  {"instrument": "lead vocal", "player": "Ana"}])
    together = [g for g in plan["groups"] if g["name"] == "Ana's parts together"]
    assert together and together[0]["instruments"] == ["acoustic guitar", "lead vocal"]
    assert "3:1" in together[0]["why"]


def test_unknown_instrument_is_one_clear_error():
    with pytest.raises(ParameterError, match="unknown instrument 'theremin'.*drums"):
        planning.plan_session(["drums", "theremin"])
    with pytest.raises(ParameterError, match="item 2"):
        planning.plan_session(["drums", {"player": "Jo"}])


def test_the_table_cites_its_sources():
    table = planning.load_table()
    text = planning.TABLE_FILE.read_text()
    cited = set(re.findall(r"\[([A-Z])\]", text))
    assert cited and cited <= set(table["sources"])
    for name, entry in table["instruments"].items():
        assert entry["part"] in ("basics", "overdub"), name
        for src in entry["sources"]:
            assert src["mic"] and src["placement"], (name, src)
    for alias in ("vocals", "Lead Singer", "guitars", "double bass", "rhodes"):
        assert planning.instrument_of(alias) in table["instruments"]


@pytest.fixture(scope="module")
def rooms(tmp_path_factory):
    """Two measured rooms: a dead one (decays 0.4 x the planted ones, no mode) and a live one (1.5 x, the mode)."""
    dead = analyze_irs([planted_ir(seed=21, t30_scale=0.4, mode_amp=0.0)], RATE)
    live = analyze_irs([planted_ir(seed=22, t30_scale=1.5, length_s=2.4)], RATE)
    assert dead["liveness"] == "dead" and live["liveness"] == "live"
    return dead, live


def test_a_room_measurement_changes_the_plan(tmp_path, rooms):
    project = _with_lineup(tmp_path / "band", ["drums", "bass", "vocals"])
    unmeasured = planning.plan_project(project)
    assert "room" in _sources(unmeasured) and unmeasured["room"] is None

    write_result(rooms[0], project / "room", report=False)
    dead = planning.plan_project(project)
    assert dead["room"]["liveness"] == "dead" and dead["room"]["file"].endswith("room-v001.json")
    assert "room" not in _sources(dead)                                  # no drum room mic in a dead room
    assert any("dead" in a for a in dead["advice"])

    write_result(rooms[1], project / "room", report=False)               # the newest measurement counts
    live = planning.plan_project(project)
    assert live["room"]["liveness"] == "live"
    room_mic = [r for r in live["inputs"] if r["source"] == "room"]
    assert room_mic and "live" in room_mic[0]["notes"]
    assert any("gobos" in a for a in live["advice"])
    assert any("57 Hz" in a for a in live["advice"])                     # the planted mode, named
    assert any("1.61 m" in a for a in live["advice"])                    # the planted reflection's path


def test_cli_plan_json_and_table(tmp_path, capsys):
    project = _with_lineup(tmp_path / "duo", ["acoustic guitar", {"instrument": "vocals", "player": "Ana"}])
    main(["plan", str(project), "--json"])
    shown = json.loads(capsys.readouterr().out)
    assert shown == json.loads(json.dumps(planning.plan_project(project)))
    main(["plan", str(project)])
    out = capsys.readouterr().out
    assert "Input list: acoustic guitar, vocals" in out and "Format: 24-bit" in out and "[B]" in out


def test_lineup_in_the_brief_is_validated_and_optional(tmp_path, capsys):
    old = tmp_path / "old"
    create_project(old)
    assert "lineup" not in load_project(old).brief                        # projects without a line-up still load
    with pytest.raises(SystemExit) as exc:
        main(["plan", str(old)])
    assert exc.value.code == 2 and "has no line-up" in capsys.readouterr().err
    bad = _with_lineup(tmp_path / "bad", ["drums", 5])
    with pytest.raises(SessionError, match="brief.lineup"):
        load_project(bad)
    good = _with_lineup(tmp_path / "good", ["drums", {"instrument": "vocals", "player": "Ana"}])
    assert load_project(good).brief["lineup"][1]["player"] == "Ana"
    assert len(planning.plan_project(good)["inputs"]) == 11             # ten drum inputs and the vocal
