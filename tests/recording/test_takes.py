"""The take list: ids, numbering, rating and comments, atomic YAML, and the `takes` command."""

import pytest

from studioflow.cli.main import main
from studioflow.errors import ParameterError, SessionError
from studioflow.recording import takes


@pytest.mark.parametrize("text", ["vocal/take-003", "vocal:3", "vocal/3", "vocal:take-003", " vocal:003 "])
def test_take_id_forms(text):
    assert takes.parse_take_id(text) == ("vocal", 3)
    assert takes.take_id("vocal", 3) == "vocal/take-003"


@pytest.mark.parametrize("text", ["vocal", "vocal:x", ":3", "a/b/3"])
def test_bad_take_ids(text):
    with pytest.raises(ParameterError, match="TRACK"):
        takes.parse_take_id(text)


def test_numbers_count_up_and_are_shared(tmp_path):
    (tmp_path / "takes" / "kick_in").mkdir(parents=True)
    (tmp_path / "takes" / "kick_in" / "take-004.recording.wav").write_bytes(b"")
    takes.add(tmp_path, {"track": "kick_out", "take": 2})
    assert takes.next_number(tmp_path, ["kick_out"]) == 3
    assert takes.next_number(tmp_path, ["kick_in", "kick_out"]) == 5
    assert takes.next_number(tmp_path, ["snare"]) == 1


def test_rate_and_comment_through_the_cli(tmp_path, capsys):
    takes.add(tmp_path, {"track": "vocal", "take": 3, "duration_s": 1.0})
    main(["takes", str(tmp_path), "--rate", "vocal:3", "4", "--comment", "vocal/take-003", "great chorus"])
    t = takes.find(tmp_path, "vocal:3")
    assert (t["rating"], t["comment"], t["id"]) == (4, "great chorus", "vocal/take-003")
    main(["takes", str(tmp_path), "--json"])
    assert '"great chorus"' in capsys.readouterr().out


def test_errors_are_one_line(tmp_path, capsys):
    takes.add(tmp_path, {"track": "vocal", "take": 1})
    with pytest.raises(SystemExit) as e:
        main(["takes", str(tmp_path), "--rate", "vocal:9", "4"])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.count("\n") == 1 and "vocal/take-009" in err
    with pytest.raises(ParameterError, match="0..5"):
        takes.update(tmp_path, "vocal:1", rating=7)


def test_broken_yaml_names_the_file(tmp_path):
    (tmp_path / "takes").mkdir()
    (tmp_path / "takes" / "takes.yaml").write_text("takes: [\n")
    with pytest.raises(SessionError, match="takes.yaml"):
        takes.load(tmp_path)


def test_track_names_are_checked():
    with pytest.raises(ParameterError, match="track name"):
        takes.check_track_name("../etc")
