"""The project file, its brief and songs (stems imported as takes, copied never moved), and the history."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

from studioflow.errors import ParameterError, SessionError
from studioflow.producer import history
from studioflow.producer.project import create_project, load_project
from studioflow.producer.songs import add_song
from studioflow.recording import takes


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_new_project_holds_the_brief(tmp_path):
    p = create_project(tmp_path / "ep", title="EP", artist="A", genre="pop", references=["Artist - Song"],
                       platforms=["spotify", "tidal"], release_format="ep", deadline="2030-05-01", vision="warm")
    data = yaml.safe_load((tmp_path / "ep" / "project.yaml").read_text())
    assert data["brief"] == {"artist": "A", "title": "EP", "genre": "pop", "references": ["Artist - Song"],
                             "platforms": ["spotify", "tidal"], "release_format": "EP", "deadline": "2030-05-01",
                             "vision": "warm"}
    assert load_project(p.path).brief == data["brief"]
    with pytest.raises(SessionError, match="already exists"):
        create_project(tmp_path / "ep", title="again")


@pytest.mark.parametrize("kwargs, word", [({"release_format": "mixtape"}, "release format"),
                                          ({"deadline": "next week"}, "YYYY-MM-DD"),
                                          ({"platforms": ["myspace"]}, "myspace")])
def test_bad_brief_is_refused_naming_the_field(tmp_path, kwargs, word):
    with pytest.raises(ParameterError, match=word):
        create_project(tmp_path / "x", title="X", **kwargs)


def test_add_song_copies_stems_as_takes(project, stems_dir):
    before = {p.name: _sha(p) for p in stems_dir.iterdir()}
    song = project / "songs" / "first-song"
    for sub in ("takes", "mixes", "masters", "notes.yaml", "session.yaml"):
        assert (song / sub).exists(), sub
    entries = takes.load(song)
    assert sorted(t["id"] for t in entries) == ["bass/take-001", "hats/take-001"]
    for name, digest in before.items():                     # the stems are untouched and the takes identical
        assert _sha(stems_dir / name) == digest
        assert _sha(song / "takes" / Path(name).stem / "take-001.wav") == digest
    session = yaml.safe_load((song / "session.yaml").read_text())
    assert [(t["name"], t["gain_db"], t["pan"]) for t in session["tracks"]] == [("bass", 0.0, 0.0),
                                                                               ("hats", 0.0, 0.0)]
    with pytest.raises(ParameterError, match="already in the project"):
        add_song(project, "First Song")


def test_history_is_appended_never_rewritten(project):
    first = (project / "history.jsonl").read_bytes()
    add_song(project, "Second Song")
    after = (project / "history.jsonl").read_bytes()
    assert after.startswith(first) and len(after) > len(first)
    events = [e["event"] for e in history.read(project)]
    assert events == ["add-song", "add-song"]
    assert history.read(project)[-1]["song"] == "Second Song"


def test_missing_project_and_song_say_what_and_where(tmp_path, project):
    with pytest.raises(SessionError, match="no project here"):
        load_project(tmp_path / "nowhere")
    with pytest.raises(SessionError, match="no song 'Nope'.*First Song"):
        load_project(project).song("Nope")


def test_the_lineup_given_to_new_is_in_the_brief_and_plans_the_session(tmp_path):
    from click.testing import CliRunner

    from studioflow.cli.main import cli
    from studioflow.recording import plan_project

    folder = tmp_path / "band"
    r = CliRunner().invoke(cli, ["new", str(folder), "--lineup", "drums", "--lineup", "vocals:Ana",
                                 "--lineup", "acoustic guitar : Ana"])
    assert r.exit_code == 0, r.output
    assert load_project(folder).brief["lineup"] == ["drums", {"instrument": "vocals", "player": "Ana"},
                                                    {"instrument": "acoustic guitar", "player": "Ana"}]
    rows = plan_project(folder)["inputs"]
    assert {r["instrument"] for r in rows} == {"drums", "lead vocal", "acoustic guitar"}     # as the plan names them
    assert {r["player"] for r in rows if r["instrument"] != "drums"} == {"Ana"}
    with pytest.raises(ParameterError, match="name the instrument"):
        create_project(tmp_path / "other", lineup=[":Ana"])
    assert "lineup" not in create_project(tmp_path / "plain").brief        # old briefs stay as they were
