"""The listening room's JSON API over a real server: what it lists, notes through the producer's router into
notes.yaml (with the lock and the history), replies, done, approvals by the project's rules, markers, peaks, audio
with range requests and live events."""

from __future__ import annotations

import json
import subprocess
import sys
import threading

import httpx
import numpy as np
import pytest
from web.room_fixtures import FOLDER, SONG

from studioflow.analysis.report import analyze
from studioflow.audio.files import read, write
from studioflow.producer import history, notes

SONG_DIR = f"songs/{FOLDER}"


def client(room) -> httpx.Client:
    """A client of the room that writes as its own page does (comment token, same origin)."""
    return httpx.Client(base_url=room.url, timeout=60,
                        headers={"x-studio-token": room.access.comment_token, "origin": room.url})


def test_project_lists_songs_stages_and_open_notes(room):
    with client(room) as c:
        data = c.get("/api/project").json()
    assert data["title"] == "Room EP" and data["access"] == "comment"
    assert data["stages"] == ["tracking", "mixing", "mastering", "ready"]
    [song] = data["songs"]
    assert (song["name"], song["folder"], song["stage"]) == (SONG, FOLDER, "tracking")
    assert sum(song["open_notes"].values()) == 0


def test_song_lists_every_version_with_loudness_and_matching_gains(room, project):
    with client(room) as c:
        song = c.get(f"/api/songs/{SONG}").json()
    labels = [v["label"] for v in song["versions"]]
    assert labels == ["mix v1", "mix v2", "spotify master v1", "reference: ref.wav"]
    by_label = {v["label"]: v for v in song["versions"]}
    for v in song["versions"]:                       # the loudness each render measured, or measured here
        measured = analyze(project / v["file"], spectrum=False)
        assert v["lufs"] == pytest.approx(measured["integrated_lufs"], abs=0.05)
        assert v["duration_s"] == pytest.approx(measured["duration_s"], abs=1e-3)
    assert by_label["reference: ref.wav"]["loudness_from"] == "measured by the room"
    quietest = min(v["lufs"] for v in song["versions"])
    for v in song["versions"]:                       # every version brought to the quietest one
        assert v["lufs"] + v["match_gain_db"] == pytest.approx(quietest, abs=0.011)
        assert v["match_gain_db"] <= 0
    assert by_label["mix v2"]["lufs"] > by_label["mix v1"]["lufs"] + 1      # the bass 6 dB up is louder


def test_note_at_a_time_is_routed_into_notes_yaml_with_lock_and_history(room, project):
    with client(room) as c:
        r = c.post(f"/api/songs/{SONG}/notes", json={"text": "the snare is too loud", "at": 83.2, "by": "Alex"})
        assert r.status_code == 201, r.text
        note = r.json()
        ranged = c.post(f"/api/songs/{SONG}/notes", json={"text": "the vocal is harsh here", "at": "1:23",
                                                           "to": 100.4, "by": "Sam"}).json()
    assert (note["role"], note["at"], note["at_s"], note["to_s"]) == ("mixing", "1:23", 83.0, None)
    assert "mixing engineer" in note["reason"] and note["filed_by"] == "Alex"
    assert (ranged["at"], ranged["at_s"], ranged["to_s"]) == ("1:23-1:40", 83.0, 100.0)
    stored = {n["id"]: n for n in notes.load(project / SONG_DIR)}
    assert stored[note["id"]]["at"] == "1:23" and stored[ranged["id"]]["at"] == "1:23-1:40"
    assert stored[note["id"]]["reason"] == note["reason"]
    events = [(e["event"], e.get("id")) for e in history.read(project)]
    assert ("note", note["id"]) in events and ("note", ranged["id"]) in events
    assert (project / ".studioflow.lock").read_text() == ""          # held only while writing


def test_reply_and_done_keep_the_notes_rules(room, project):
    with client(room) as c:
        note = c.post(f"/api/songs/{SONG}/notes", json={"text": "there's a hum on the bass", "at": 10}).json()
        replied = c.post(f"/api/songs/{SONG}/notes/{note['id']}/replies", json={"text": "hear it too", "by": "Sam"})
        assert replied.status_code == 201
        wrong = c.post(f"/api/songs/{SONG}/notes/{note['id']}/done", json={"by": "Sam", "role": "mastering"})
        assert wrong.status_code == 400 and "belongs to the recording role" in wrong.json()["error"]
        done = c.post(f"/api/songs/{SONG}/notes/{note['id']}/done", json={"by": "Sam"}).json()
        listed = c.get(f"/api/songs/{SONG}/notes").json()
    assert note["role"] == "recording"
    assert done["status"] == "closed" and done["closed_by"] == "recording" and "Sam" in done["resolution"]
    [stored] = [n for n in listed if n["id"] == note["id"]]
    assert [(r["by"], r["text"]) for r in stored["replies"]] == [("Sam", "hear it too")]
    assert {"note", "note-reply", "close-note"} <= {e["event"] for e in history.read(project)}


def test_approve_follows_the_stage_rules(room, project):
    with client(room) as c:
        note = c.post(f"/api/songs/{SONG}/notes", json={"text": "the kick drum was recorded too quiet"}).json()
        refused = c.post(f"/api/songs/{SONG}/approve", json={"stage": "tracking", "by": "Alex"})
        out_of_order = c.post(f"/api/songs/{SONG}/approve", json={"stage": "mastering", "by": "Alex"})
        c.post(f"/api/songs/{SONG}/notes/{note['id']}/done", json={"by": "Alex"})
        nameless = c.post(f"/api/songs/{SONG}/approve", json={"stage": "tracking"})
        ok = c.post(f"/api/songs/{SONG}/approve", json={"stage": "tracking", "by": "Alex"})
        song = c.get(f"/api/songs/{SONG}").json()
    assert note["role"] == "recording"
    assert refused.status_code == 409 and "open" in refused.json()["error"]
    assert out_of_order.status_code == 409 and "approve tracking before mastering" in out_of_order.json()["error"]
    assert nameless.status_code == 400
    assert ok.status_code == 200 and ok.json()["by"] == "Alex" and ok.json()["next"] == "mixing"
    assert song["stage"] == "mixing" and song["approvals"]["tracking"]["holds"]
    assert [e["by"] for e in history.read(project) if e["event"] == "approve"] == ["Alex"]


HOLD_LOCK = """
import sys, time
from studioflow.producer.lock import project_lock
with project_lock(sys.argv[1], command="studioflow produce"):
    print("held", flush=True)
    time.sleep(60)
"""


def test_a_write_while_another_command_holds_the_lock_is_refused_with_its_holder(room, project):
    other = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(project)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
    try:
        assert other.stdout.readline().strip() == "held", other.stderr.read()    # another process holds the lock
        with client(room) as c:
            r = c.post(f"/api/songs/{SONG}/notes", json={"text": "the snare is too loud", "at": 5})
    finally:
        other.kill()
        other.wait(10)
    assert r.status_code == 423 and "locked by pid" in r.json()["error"] and "studioflow produce" in r.json()["error"]
    assert notes.load(project / SONG_DIR) == []


def test_markers_export_csv_audacity_and_reaper(room):
    with client(room) as c:
        c.post(f"/api/songs/{SONG}/notes", json={"text": "the snare is too loud", "at": 83})
        c.post(f"/api/songs/{SONG}/notes", json={"text": "the bridge drags", "at": 30, "to": 45})
        c.post(f"/api/songs/{SONG}/notes", json={"text": "the whole thing is great but too quiet"})
        out = {f: c.get(f"/api/songs/{SONG}/markers", params={"format": f}) for f in ("csv", "audacity", "reaper")}
        bad = c.get(f"/api/songs/{SONG}/markers", params={"format": "midi"})
    assert bad.status_code == 400
    assert out["csv"].headers["content-type"].startswith("text/csv")
    rows = out["csv"].text.splitlines()
    assert rows[0] == "id,start_s,end_s,role,status,by,text,reason" and len(rows) == 3    # the untimed note left out
    assert rows[1].split(",")[1:3] == ["30.000", "45.000"] and rows[2].split(",")[1:3] == ["83.000", ""]
    assert out["audacity"].text.splitlines() == [
        "30.000000\t45.000000\t#2 [producer] the bridge drags",
        "83.000000\t83.000000\t#1 [mixing] the snare is too loud"]
    assert out["reaper"].text.splitlines() == ["#,Name,Start,End,Length", "R1,#2 [producer] the bridge drags,0:30.000,"
                                               "0:45.000,0:15.000", "M1,#1 [mixing] the snare is too loud,1:23.000,,"]
    assert 'filename="long-song-notes-reaper.csv"' in out["reaper"].headers["content-disposition"]


def test_peaks_are_the_extremes_of_each_slice(room, project):
    audio, rate = read(project / SONG_DIR / "mixes" / f"{FOLDER}-v002.wav")
    with client(room) as c:
        data = c.get(f"/api/peaks/{SONG_DIR}/mixes/{FOLDER}-v002.wav", params={"points": 300}).json()
        too_many = c.get(f"/api/peaks/{SONG_DIR}/mixes/{FOLDER}-v002.wav", params={"points": 10 ** 6})
    edges = np.linspace(0, audio.shape[1], 301).round().astype(int)
    lows = [audio[:, a:b].min() for a, b in zip(edges[:-1], edges[1:])]
    highs = [audio[:, a:b].max() for a, b in zip(edges[:-1], edges[1:])]
    assert data["points"] == 300 and data["sample_rate"] == rate
    np.testing.assert_allclose(data["min"], lows, atol=6e-5)
    np.testing.assert_allclose(data["max"], highs, atol=6e-5)
    assert too_many.status_code == 400


def test_audio_is_served_with_range_requests(room, project):
    path = f"{SONG_DIR}/masters/{FOLDER}-spotify-v001.wav"
    whole = (project / path).read_bytes()
    with client(room) as c:
        full = c.get(f"/audio/{path}")
        part = c.get(f"/audio/{path}", headers={"range": "bytes=1000-1999"})
        tail = c.get(f"/audio/{path}", headers={"range": "bytes=-10"})
        beyond = c.get(f"/audio/{path}", headers={"range": f"bytes={len(whole) + 10}-"})
    assert full.status_code == 200 and full.content == whole and full.headers["accept-ranges"] == "bytes"
    assert part.status_code == 206 and part.content == whole[1000:2000]
    assert part.headers["content-range"] == f"bytes 1000-1999/{len(whole)}"
    assert tail.status_code == 206 and tail.content == whole[-10:]
    assert beyond.status_code == 416


def test_a_new_mix_is_announced_as_a_live_event(room, project):
    got: list[tuple[str, dict]] = []
    ready = threading.Event()

    def listen() -> None:
        with httpx.Client(base_url=room.url, timeout=30) as c, c.stream("GET", "/api/events") as r:
            name = None
            for line in r.iter_lines():
                if line.startswith("event: "):
                    name = line[7:]
                elif line.startswith("data: ") and name:
                    got.append((name, json.loads(line[6:])))
                    ready.set() if name == "hello" else None
                    if name == "version":
                        return

    t = threading.Thread(target=listen, daemon=True)
    t.start()
    assert ready.wait(20)
    audio, rate = read(project / SONG_DIR / "mixes" / f"{FOLDER}-v001.wav")
    write(project / SONG_DIR / "mixes" / f"{FOLDER}-v003.wav", audio, rate)
    t.join(20)
    assert ("version", {"song": FOLDER, "file": f"{SONG_DIR}/mixes/{FOLDER}-v003.wav", "kind": "mix"}) in got
