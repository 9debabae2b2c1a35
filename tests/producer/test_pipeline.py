"""produce: the chain from takes to deliverables, redoing only the steps whose inputs changed."""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import numpy as np
import pytest
import yaml

from studioflow.audio.files import read, write
from studioflow.errors import ParameterError
from studioflow.producer import history, notes, pipeline
from studioflow.producer.notes import file_note
from studioflow.producer.pipeline import ProduceError, produce
from studioflow.producer.songs import is_starting_session, set_song_details
from studioflow.producer.status import project_status

SONG = "First Song"


def _status(result: dict) -> dict[str, str]:
    return {s["step"]: s["status"] for s in result["songs"][SONG]}


def test_second_run_redoes_nothing_and_a_changed_take_redoes_from_the_mix(project, stand_in_master):
    produce = functools.partial(pipeline.produce, include_unapproved=True)   # deliver without approvals
    first = produce(project)
    assert _status(first) == {"check": "run", "session": "run", "mix": "run", "master:spotify": "run",
                              "master:apple-music": "run", "deliver": "run"}
    song = project / "songs" / "first-song"
    delivered = sorted(p.relative_to(project).as_posix() for p in (project / "deliverables").rglob("*.wav"))
    assert delivered == ["deliverables/apple-music/01 First Song.wav", "deliverables/spotify/01 First Song.wav"]
    assert len(stand_in_master.calls) == 2
    check = json.loads((song / "reports" / "check.json").read_text())
    assert all(not g["members"] for g in check["groups"])      # imported stems are parts, not mics: not aligned

    again = produce(project)
    assert set(_status(again).values()) == {"up to date"}
    assert len(stand_in_master.calls) == 2 and len(list((song / "mixes").glob("*.wav"))) == 1

    take = song / "takes" / "bass" / "take-001.wav"
    st = take.stat()
    os.utime(take, ns=(st.st_atime_ns, st.st_mtime_ns + 5_000_000_000))   # touched, same content: nothing to do
    assert set(_status(produce(project)).values()) == {"up to date"}

    audio, rate = read(take)
    write(take, audio * np.float32(0.5), rate)                            # new content: redo from the mix on
    third = produce(project)
    assert _status(third) == {k: "run" for k in _status(first)}
    mix_step = next(s for s in third["songs"][SONG] if s["step"] == "mix")
    assert "takes/bass/take-001.wav changed" in mix_step["why"]
    session_step = next(s for s in third["songs"][SONG] if s["step"] == "session")
    assert session_step["why"] == ["takes/bass changed"]                  # the unedited automatic mix follows it
    assert sorted(p.name for p in (song / "mixes").glob("*.wav")) == ["first-song-v001.wav", "first-song-v002.wav"]
    assert stand_in_master.calls[-1][0].endswith("first-song-v002.wav")


def test_a_session_edit_that_leaves_the_mix_identical_does_not_remaster(project, stand_in_master):
    produce = functools.partial(pipeline.produce, include_unapproved=True)   # deliver without approvals
    produce(project)
    session = project / "songs" / "first-song" / "session.yaml"
    session.write_text(session.read_text() + "# a comment changes the file, not the sound\n")
    r = _status(produce(project))
    assert r["mix"] == "run" and r["master:spotify"] == "up to date" and r["deliver"] == "up to date"


def test_until_force_and_dry_run(project, stand_in_master):
    produce = functools.partial(pipeline.produce, include_unapproved=True)   # deliver without approvals
    assert list(_status(produce(project, until="mixing"))) == ["check", "session", "mix"]
    plan = produce(project, dry_run=True)
    assert _status(plan) == {"check": "up to date", "session": "up to date", "mix": "up to date",
                             "master:spotify": "would run", "master:apple-music": "would run", "deliver": "would run"}
    assert not stand_in_master.calls and not list((project / "songs" / "first-song" / "masters").glob("*.wav"))
    produce(project)
    assert set(_status(produce(project, force=True)).values()) == {"run"}
    assert [e["event"] for e in history.read(project)].count("produce") == 3    # dry runs are not changes


def test_a_song_without_session_gets_the_automatic_mix_with_the_songs_tempo_and_sections(project, stand_in_master):
    song = project / "songs" / "first-song"
    (song / "session.yaml").unlink()
    set_song_details(project, SONG, tempo_bpm=96, sections=[{"name": "verse", "start_s": 0},
                                                             {"name": "chorus", "start_s": 0.25}])
    r = produce(project, until="mixing")
    step = next(s for s in r["songs"][SONG] if s["step"] == "session")
    assert step["status"] == "run" and step["why"] == ["no session yet: the automatic mix is written"]
    assert step["result"]["written_by"] == "automix" and step["result"]["tempo_bpm"] == 96.0
    text = (song / "session.yaml").read_text()
    data = yaml.safe_load(text)
    assert data["tempo"] == 96.0 and [x["name"] for x in data["sections"]] == ["verse", "chorus"]
    assert {t["name"]: t["source"] for t in data["tracks"]} == {"bass": "takes/bass/take-001.wav",
                                                               "hats": "takes/hats/take-001.wav"}
    assert "# " in text and (song / "session.automix.json").exists()     # automix's reasons travel with it
    assert {t["name"]: t["role"] for t in step["result"]["tracks"]}["bass"] == "bass"

    set_song_details(project, SONG, tempo_bpm=100)                        # the brief changed, session unedited
    again = produce(project, until="mixing")
    step = next(s for s in again["songs"][SONG] if s["step"] == "session")
    assert step["status"] == "run" and step["why"] == ["settings changed (tempo_bpm)"]
    assert yaml.safe_load((song / "session.yaml").read_text())["tempo"] == 100.0


def test_the_starting_session_add_song_writes_is_at_unity_and_mixes_to_the_plain_sum(project, tmp_path):
    from studioflow.mixing import load_session, render

    song = project / "songs" / "first-song"
    assert is_starting_session(song)
    tracks = yaml.safe_load((song / "session.yaml").read_text())["tracks"]
    assert {t["name"]: t["gain_db"] for t in tracks} == {"bass": 0.0, "hats": 0.0}
    # at unity the mix is the plain sum of the takes (mono tracks at centre, constant power: cos(pi/4) each side)
    (bass, _), (hats, _) = read(song / "takes/bass/take-001.wav"), read(song / "takes/hats/take-001.wav")
    render(load_session(song / "session.yaml"), tmp_path / "mix.wav")
    mixed, _ = read(tmp_path / "mix.wav")
    expected = (bass[0] + hats[0]) * np.float32(np.cos(np.pi / 4))
    assert np.max(np.abs(mixed[0, : expected.size] - expected)) < 1e-5


def test_a_failing_step_stops_with_the_song_stage_and_fix(project, stand_in_master):
    session = project / "songs" / "first-song" / "session.yaml"
    data = yaml.safe_load(session.read_text())
    data["tracks"][0]["gain_db"] = "loud"
    session.write_text(yaml.safe_dump(data))
    with pytest.raises(ProduceError, match=r"song 'First Song', stage mixing \(mix\): .*session.yaml.*fix session"):
        produce(project)
    assert not stand_in_master.calls
    redo = project_status(project)["songs"][0]["would_redo"]
    assert redo[0]["step"] == "mix" and "would fail" in redo[0]["why"][0]


def test_status_shows_masters_against_the_targets(project, stand_in_master):
    produce(project)
    s = project_status(project)["songs"][0]
    assert s["mix"]["version"] == 1 and s["would_redo"] == []
    sp = s["masters"]["spotify"]
    assert (sp["version"], sp["lufs"], sp["target_lufs"], sp["lufs_ok"], sp["peak_ok"]) == (1, -14.0, -14.0, True,
                                                                                           True)
    assert s["masters"]["apple-music"]["target_lufs"] == -16.0


def test_a_comp_plan_is_comped_and_the_starting_session_follows_it(project, stand_in_master):
    song = project / "songs" / "first-song"
    produce(project, until="mixing")
    (song / "takes" / "bass" / "comp-plan.yaml").write_text("[{take: 1, from: 0.0, to: 0.25}]\n")
    plan = _status(produce(project, dry_run=True))
    assert (plan["comp:bass"], plan["session"], plan["mix"]) == ("would run", "would run", "would run")
    r = produce(project, until="mixing")
    assert _status(r) == {"check": "up to date", "comp:bass": "run", "session": "run", "mix": "run"}
    tracks = yaml.safe_load((song / "session.yaml").read_text())["tracks"]
    assert {t["name"]: t["source"] for t in tracks}["bass"] == "takes/bass/comp.wav"
    comp, _ = read(song / "takes/bass/comp.wav")
    assert comp.shape[1] == 12000                                # the plan's 0.25 s at 48 kHz
    edited = (song / "session.yaml").read_text().replace("pan: 0.0", "pan: -0.5", 1)
    assert edited != (song / "session.yaml").read_text()
    (song / "session.yaml").write_text(edited)                  # an edited session is never rewritten
    audio, rate = read(song / "takes" / "hats" / "take-001.wav")
    write(song / "takes" / "hats" / "take-001.wav", audio * np.float32(0.5), rate)
    r = produce(project, until="mixing")
    step = next(s for s in r["songs"][SONG] if s["step"] == "session")
    assert step["status"] == "up to date" and step["result"]["written_by"] == "you"
    assert (song / "session.yaml").read_text() == edited


def _gains(path: Path) -> dict[str, float]:
    return {t["name"]: t["gain_db"] for t in yaml.safe_load(path.read_text())["tracks"]}


def test_apply_notes_revises_the_session_closes_applied_notes_and_keeps_refused_ones_open(project, stand_in_master):
    song = project / "songs" / "first-song"
    produce(project, until="mixing")
    start = (song / "session.yaml").read_text()
    up = file_note(project, SONG, "bass up 2 dB")
    refused = file_note(project, SONG, "the snare is too ringy")           # routed to mixing; no snare here
    other = file_note(project, SONG, "there's a hum on the bass take")       # the recording engineer's
    assert (up["role"], refused["role"], other["role"]) == ("mixing", "mixing", "recording")

    plan = produce(project, until="mixing", apply_notes=True, dry_run=True)
    assert _status(plan)["notes"] == "would run" and (song / "session.yaml").read_text() == start

    r = produce(project, until="mixing", apply_notes=True)
    assert _status(r) == {"check": "up to date", "session": "up to date", "notes": "run", "mix": "run"}
    result = next(s for s in r["songs"][SONG] if s["step"] == "notes")["result"]
    assert [(a["id"], a["session"]) for a in result["applied"]] == [(up["id"], "session-v002.yaml")]
    assert [x["id"] for x in result["refused"]] == [refused["id"]] and result["refused"][0]["why"]
    assert (song / "session-v001.yaml").read_text() == start           # the starting point is kept
    assert (song / "session.yaml").read_text() == (song / "session-v002.yaml").read_text()
    before, after = _gains(song / "session-v001.yaml"), _gains(song / "session.yaml")
    assert after["bass"] == pytest.approx(before["bass"] + 2.0) and after["hats"] == before["hats"]
    state = {n["id"]: n for n in notes.load(song)}
    assert state[up["id"]]["status"] == "closed" and state[up["id"]]["closed_by"] == "mixing"
    assert "session-v002.yaml" in state[up["id"]]["resolution"]
    assert state[refused["id"]]["status"] == "open" and state[refused["id"]]["revision"]["not_applied"]
    assert state[other["id"]]["status"] == "open" and "revision" not in state[other["id"]]

    assert set(_status(produce(project, until="mixing", apply_notes=True)).values()) == {"up to date"}

    edited = (song / "session.yaml").read_text().replace("# revised", "# revised, then edited by hand;", 1)
    (song / "session.yaml").write_text(edited)                        # a hand edit is kept as a version first
    file_note(project, SONG, "hats down 3 dB")
    r = produce(project, until="mixing", apply_notes=True)
    result = next(s for s in r["songs"][SONG] if s["step"] == "notes")["result"]
    assert result["kept"] == ["session-v003.yaml"] and result["applied"][0]["session"] == "session-v004.yaml"
    assert (song / "session-v003.yaml").read_text() == edited
    assert _gains(song / "session.yaml")["hats"] == pytest.approx(after["hats"] - 3.0)


@pytest.mark.parametrize("details, message", [
    ({"tempo_bpm": 5}, "tempo_bpm must be a number from 20 to 400"),
    ({"sections": [{"name": "a", "start_s": 4}, {"name": "b", "start_s": 2}]}, r"sections\[1\]: needs a name"),
    ({"key": "A minor"}, "unknown 'key'"),
])
def test_song_details_are_checked(project, details, message):
    with pytest.raises(ParameterError, match=message):
        set_song_details(project, SONG, **details)


def test_apply_notes_takes_the_time_a_note_was_made_at_and_says_why_one_stays_open(project, stand_in_master):
    from studioflow.cli.producer import step_line
    song = project / "songs" / "first-song"
    produce(project, until="mixing")
    file_note(project, SONG, "bass up 2 dB", at="0:00")     # the fixture's song is half a second long
    file_note(project, SONG, "the snare is too ringy")
    r = produce(project, until="mixing", apply_notes=True)
    step = next(s for s in r["songs"][SONG] if s["step"] == "notes")
    bass = next(t for t in yaml.safe_load((song / "session.yaml").read_text())["tracks"] if t["name"] == "bass")
    assert "gain_db" in bass["automation"]                     # a passage around 0:00, as automation
    assert step["result"]["applied"][0]["edits"][0].endswith("around 0:00")
    line = step_line(step)
    assert "'the snare is too ringy' left open: no track in the session is a snare" in line
