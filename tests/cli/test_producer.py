"""The producer's commands: JSON outputs and one-line errors (exit 2) for a missing project or song."""

from __future__ import annotations

import json

import pytest

from studioflow.cli.main import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    """Run ``studioflow ARGS``; return (exit code, stdout, stderr)."""
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


@pytest.fixture
def cli_project(tmp_path, capsys, stems_dir):
    path = tmp_path / "ep"
    code, out, err = run(capsys, "new", str(path), "--title", "EP", "--artist", "Band", "--format", "EP",
                         "--platform", "spotify", "--json")
    assert code == 0, err
    assert json.loads(out)["brief"]["release_format"] == "EP"
    code, out, err = run(capsys, "add-song", str(path), "Song One", "--stems", str(stems_dir), "--json")
    assert code == 0, err
    assert sorted(t["id"] for t in json.loads(out)["takes"]) == ["bass/take-001", "hats/take-001"]
    return path


def test_note_json_routes_and_notes_lists_by_role(capsys, cli_project):
    code, out, _ = run(capsys, "note", str(cli_project), "Song One", "the snare is too ringy", "--at", "1:23", "--json")
    assert code == 0
    note = json.loads(out)
    assert {k: note[k] for k in ("role", "song", "at")} == {"role": "mixing", "song": "Song One", "at": "1:23"}
    assert note["reason"]
    code, out, _ = run(capsys, "notes", str(cli_project), "--json")
    assert [n["text"] for n in json.loads(out)["mixing"]] == ["the snare is too ringy"]
    code, out, _ = run(capsys, "note", str(cli_project), "Song One", "--close", str(note["id"]), "--by", "mixing",
                       "--json")
    assert json.loads(out)["status"] == "closed"
    code, out, _ = run(capsys, "notes", str(cli_project), "--json")
    assert not any(json.loads(out).values())


def test_approve_refused_with_open_notes_is_one_line(capsys, cli_project):
    run(capsys, "note", str(cli_project), "Song One", "the lead take is out of tune")
    code, out, err = run(capsys, "approve", str(cli_project), "Song One", "tracking")
    assert code == 2 and err.startswith("studioflow: error: Song One: cannot approve tracking")
    assert err.count("\n") == 1 and "Traceback" not in err


def test_status_and_produce_json(capsys, cli_project, stand_in_master):
    code, out, err = run(capsys, "produce", str(cli_project), "--json")
    assert code == 0, err
    steps = json.loads(out)["songs"]["Song One"]
    assert [s["step"] for s in steps] == ["check", "session", "mix", "master:spotify", "deliver"]
    code, out, _ = run(capsys, "status", str(cli_project), "--json")
    song = json.loads(out)["songs"][0]
    assert song["stage"] == "tracking" and song["would_redo"] == []
    assert song["masters"]["spotify"]["version"] == 1 and song["mix"]["version"] == 1


def test_produce_apply_notes_prints_what_was_applied(capsys, cli_project, stand_in_master):
    run(capsys, "note", str(cli_project), "Song One", "bass up 2 dB")
    code, out, err = run(capsys, "produce", str(cli_project), "--until", "mixing", "--apply-notes")
    assert code == 0, err
    assert "Song One · notes: done 1 note(s) applied (now session-v002.yaml)" in " ".join(out.split())


@pytest.mark.parametrize("args, message", [
    (("status", "{tmp}/nowhere"), "no project here"),
    (("notes", "{tmp}/nowhere"), "no project here"),
    (("note", "{project}", "No Such Song", "too loud"), "no song 'No Such Song'"),
    (("approve", "{project}", "No Such Song", "mixing"), "no song 'No Such Song'"),
    (("produce", "{project}", "--song", "No Such Song"), "no song 'No Such Song'"),
])
def test_missing_project_or_song_is_one_line_exit_2(capsys, tmp_path, cli_project, args, message):
    args = [a.format(tmp=tmp_path, project=cli_project) for a in args]
    code, out, err = run(capsys, *args)
    assert code == 2 and message in err
    assert err.startswith("studioflow: error:") and err.count("\n") == 1
