"""`studioflow export` and `studioflow import` from the command line: JSON out, one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from studioflow.cli.main import main


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    try:
        main(args)
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


def test_export_then_import_from_the_command_line(song: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["export", str(song), "--to", "ardour", "-o", str(tmp_path / "s-ardour"), "--json"], capsys)
    assert code == 0 and json.loads(out)["format"] == "ardour"
    assert (tmp_path / "s-ardour" / "s-ardour.ardour").exists()
    assert (tmp_path / "s-ardour" / "interchange" / "s-ardour" / "audiofiles" / "noise.wav").exists()
    code, out, _ = run(["import", str(tmp_path / "s-ardour"), "-o", str(tmp_path / "back.yaml")], capsys)
    assert code == 0 and "exact share" in out
    assert (tmp_path / "back.yaml.exchange.json").exists()


def test_bad_input_is_one_line_without_a_traceback(song: Path, tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["export", str(song), "--to", "dawproject", "-o", str(tmp_path / "x.zip")], capsys)
    assert code == 2 and "ends in .dawproject" in err and "Traceback" not in err
    (tmp_path / "broken.dawproject").write_text("nope")
    code, _, err = run(["import", str(tmp_path / "broken.dawproject"), "-o", str(tmp_path / "b.yaml")], capsys)
    assert code == 2 and err.count("\n") == 1 and "not a DAWproject archive" in err


def test_help_has_an_example(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("export", "import"):
        code, out, _ = run([command, "--help"], capsys)
        assert code == 0 and "Examples:" in out and "studioflow " + command in out
