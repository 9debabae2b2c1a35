"""`studioflow coach` through the CLI: tables and remarks, --json, the report and plan files, one-line errors."""

from __future__ import annotations

import json

import pytest

from studioflow.cli.main import main


def run(args, capsys):
    with pytest.raises(SystemExit) as exit_:
        main(args)
        raise SystemExit(0)
    out = capsys.readouterr()
    return exit_.value.code, out.out, out.err


def test_help_has_an_example(capsys):
    code, out, _ = run(["coach", "--help"], capsys)
    assert code == 0 and "studioflow coach take.wav --key" in out


def test_json_and_report(planted_take, guide_file, tmp_path, capsys):
    report = tmp_path / "coach.html"
    code, out, err = run(["coach", str(planted_take), "--guide", str(guide_file), "--json", "--report", str(report)],
                         capsys)
    assert code == 0, err
    result = json.loads(out)
    assert result["grid"]["bpm"] == 120.0 and len(result["takes"][0]["notes"]) == 11
    assert json.loads(report.with_suffix(".json").read_text())["takes"][0]["remarks"] == \
        result["takes"][0]["remarks"]
    code, _, err = run(["coach", str(planted_take), "--guide", str(guide_file), "--report", str(report)], capsys)
    assert code == 2 and "a file is already there" in err and err.count("\n") == 1


def test_people_see_remarks_with_bars(planted_take, tmp_path, capsys):
    code, out, err = run(["coach", str(planted_take), "--key", "A minor", "--tempo", "120"], capsys)
    assert code == 0, err
    assert "is 30 cents sharp" in out and "(bar 1:1)" in out and "Vibrato on" in out


@pytest.mark.parametrize("args, message", [
    (["missing.wav"], "missing.wav"),
    (["{take}", "--key", "Q"], "expected a key like"),
    (["{take}", "--tempo", "1000"], "--tempo must be from 20 to 400 BPM"),
    (["{take}", "--beats-per-bar", "3"], "beats per bar needs a tempo"),
    (["{take}", "--guide", "{take}"], "not a readable MIDI file"),
])
def test_errors_are_one_line(planted_take, capsys, args, message):
    code, _, err = run(["coach"] + [a.format(take=planted_take) for a in args], capsys)
    assert code == 2 and message in err and err.count("\n") == 1 and "Traceback" not in err
