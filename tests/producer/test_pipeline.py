"""produce: the chain from takes to deliverables, redoing only the steps whose inputs changed."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
import yaml

from signals import sine
from studioflow.audio.files import read, write
from studioflow.producer import history
from studioflow.producer.pipeline import ProduceError, produce
from studioflow.producer.status import project_status

SONG = "First Song"


def _status(result: dict) -> dict[str, str]:
    return {s["step"]: s["status"] for s in result["songs"][SONG]}


def test_second_run_redoes_nothing_and_a_changed_take_redoes_from_the_mix(project, stand_in_master):
    first = produce(project)
    assert _status(first) == {"check": "run", "mix": "run", "master:spotify": "run", "master:apple-music": "run",
                              "deliver": "run"}
    song = project / "songs" / "first-song"
    delivered = sorted(p.relative_to(project).as_posix() for p in (project / "deliverables").rglob("*.wav"))
    assert delivered == ["deliverables/apple-music/01 First Song.wav", "deliverables/spotify/01 First Song.wav"]
    assert len(stand_in_master.calls) == 2

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
    assert mix_step["why"] == ["takes/bass/take-001.wav changed"]
    assert sorted(p.name for p in (song / "mixes").glob("*.wav")) == ["first-song-v001.wav", "first-song-v002.wav"]
    assert stand_in_master.calls[-1][0].endswith("first-song-v002.wav")


def test_a_session_edit_that_leaves_the_mix_identical_does_not_remaster(project, stand_in_master):
    produce(project)
    session = project / "songs" / "first-song" / "session.yaml"
    session.write_text(session.read_text() + "# a comment changes the file, not the sound\n")
    r = _status(produce(project))
    assert r["mix"] == "run" and r["master:spotify"] == "up to date" and r["deliver"] == "up to date"


def test_until_force_and_dry_run(project, stand_in_master):
    assert list(_status(produce(project, until="mixing"))) == ["check", "mix"]
    plan = produce(project, dry_run=True)
    assert _status(plan) == {"check": "up to date", "mix": "up to date", "master:spotify": "would run",
                             "master:apple-music": "would run", "deliver": "would run"}
    assert not stand_in_master.calls and not list((project / "songs" / "first-song" / "masters").glob("*.wav"))
    produce(project)
    assert set(_status(produce(project, force=True)).values()) == {"run"}
    assert [e["event"] for e in history.read(project)].count("produce") == 3    # dry runs are not changes


def test_a_song_without_session_gets_one_at_unity(project, stand_in_master):
    song = project / "songs" / "first-song"
    (song / "session.yaml").unlink()
    r = produce(project, until="mixing")
    mix = next(s for s in r["songs"][SONG] if s["step"] == "mix")
    assert mix["result"]["session_written"] is True
    tracks = yaml.safe_load((song / "session.yaml").read_text())["tracks"]
    assert {t["name"]: t["gain_db"] for t in tracks} == {"bass": 0.0, "hats": 0.0}
    # at unity the mix is the plain sum of the takes (mono tracks at centre, constant power: cos(pi/4) each side)
    (bass, rate), (hats, _) = read(song / "takes/bass/take-001.wav"), read(song / "takes/hats/take-001.wav")
    mixed, _ = read(song / mix["result"]["mix"])
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
    assert _status(produce(project, dry_run=True))["comp:bass"] == "would run"
    r = produce(project, until="mixing")
    assert _status(r) == {"check": "up to date", "comp:bass": "run", "mix": "run"}
    tracks = yaml.safe_load((song / "session.yaml").read_text())["tracks"]
    assert {t["name"]: t["source"] for t in tracks}["bass"] == "takes/bass/comp.wav"
    mix, _ = read(song / next(s for s in r["songs"][SONG] if s["step"] == "mix")["result"]["mix"])
    (hats, _), (comp, _) = read(song / "takes/hats/take-001.wav"), read(song / "takes/bass/comp.wav")
    assert comp.shape[1] == 12000                                # the plan's 0.25 s at 48 kHz
    tail = mix[0, 12000:24000] - hats[0, 12000:24000] * np.float32(np.cos(np.pi / 4))
    assert np.max(np.abs(tail)) < 1e-5                           # after the comp ends only the hats play
    edited = (song / "session.yaml").read_text().replace("gain_db: 0.0", "gain_db: -1.0", 1)
    (song / "session.yaml").write_text(edited)                  # an edited session is never rewritten
    produce(project, until="mixing")
    assert (song / "session.yaml").read_text() == edited
