"""Approvals tied to the exact mix and masters they approved: a newer mix or master (with other content) ends them,
a redone mix ends the mastering approval above it, and the history says why."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from rich.console import Console
from signals import sine

from studioflow.audio.files import write
from studioflow.cli.mixing import mix as mix_command
from studioflow.cli.producer import print_status
from studioflow.producer import history
from studioflow.producer.notes import file_note
from studioflow.producer.pipeline import produce
from studioflow.producer.project import load_project, save_project
from studioflow.producer.stages import ApprovalRefused, approve
from studioflow.producer.status import project_status

SONG = "First Song"
MIX = "mixes/first-song-v{:03d}.wav"


def _approve(project: Path, *stages: str) -> list[dict]:
    return [approve(project, SONG, s, by="ana") for s in stages]


def _song_status(project: Path) -> dict:
    return project_status(project)["songs"][0]


def _revocations(project: Path) -> list[dict]:
    return [e for e in history.read(project) if e["event"] == "approval-revoked"]


def test_a_mix_with_other_content_ends_the_mixing_approval_and_history_says_why(project):
    produce(project, until="mixing")
    mixing = _approve(project, "tracking", "mixing")[1]
    assert mixing["files"]["mix"]["file"] == MIX.format(1) and len(mixing["files"]["mix"]["sha256"]) == 64

    again = produce(project, until="mixing", force=True)        # v002, the same audio: still what ana approved
    assert again["revoked"] == [] and _song_status(project)["approvals"]["mixing"]["holds"]

    file_note(project, SONG, "bass up 2 dB")
    r = produce(project, until="mixing", apply_notes=True)      # the note becomes v003, which sounds different
    why = f"approved {MIX.format(1)}, but {MIX.format(3)} is newer: approve mixing again"
    assert r["revoked"] == [{"song": SONG, "stage": "mixing", "by": "ana", "why": why}]
    entry = load_project(project).song(SONG)
    assert "mixing" not in entry["approvals"] and entry["revoked"]["mixing"]["why"] == why
    (event,) = _revocations(project)
    assert (event["stage"], event["by"], event["why"], event["files"]["mix"]["file"]) == ("mixing", "ana", why,
                                                                                        MIX.format(1))
    s = _song_status(project)
    assert s["stage"] == "mixing" and s["approvals"]["mixing"] | {"at": None, "revoked_at": None} == {
        "by": "ana", "at": None, "revoked_at": None, "files": mixing["files"], "why": why, "holds": False}
    console = Console(record=True, width=300)
    print_status(console, project_status(project))
    text = console.export_text()
    assert "no longer approved (ana, v001)" in text and f"First Song · mixing: {why}" in text

    renewed = approve(project, SONG, "mixing", by="ana")
    assert renewed["files"]["mix"]["file"] == MIX.format(3) and renewed["next"] == "mastering"
    assert "revoked" not in load_project(project).song(SONG)
    assert _song_status(project)["approvals"]["mixing"]["holds"]


def test_a_mix_rendered_with_studioflow_mix_shows_in_status_and_approve_records_the_revocation(project):
    song = project / "songs" / "first-song"
    produce(project, until="mixing")
    _approve(project, "tracking", "mixing")
    session = yaml.safe_load((song / "session.yaml").read_text())
    session["tracks"][0]["gain_db"] += 3.0
    (song / "session.yaml").write_text(yaml.safe_dump(session))           # the mixing engineer edits by hand ...
    mix_command.main(args=[str(song / "session.yaml")], standalone_mode=False)   # ... and renders mixes/v002

    why = f"approved {MIX.format(1)}, but {MIX.format(2)} is newer: approve mixing again"
    s = _song_status(project)                       # status only reads: it sees the approval no longer holds
    assert s["stage"] == "mixing" and (s["approvals"]["mixing"]["holds"], s["approvals"]["mixing"]["why"]) == (
        False, why)
    assert "mixing" in load_project(project).song(SONG)["approvals"] and not _revocations(project)

    r = approve(project, SONG, "mixing", by="ana")   # the next locked command records the revocation first
    assert r["revoked"] == [{"song": SONG, "stage": "mixing", "by": "ana", "why": why}]
    assert r["files"]["mix"]["file"] == MIX.format(2)
    assert [e["event"] for e in history.read(project)][-2:] == ["approval-revoked", "approve"]


def test_a_new_master_ends_the_mastering_and_ready_approvals_but_not_the_mix(project):
    produce(project)                                          # the mastering engineer's own master()
    _approve(project, "tracking", "mixing", "mastering", "ready")
    reference = project / "reference.wav"
    write(reference, sine(3000.0, 1.0, 48000, -10.0), 48000)
    p = load_project(project)
    p.brief["references"] = ["reference.wav"]
    save_project(p)
    r = produce(project)                                      # the masters follow the reference: new content
    steps = {s["step"]: s["status"] for s in r["songs"][SONG]}
    assert (steps["mix"], steps["master:spotify"], steps["master:apple-music"]) == ("up to date", "run", "run")
    masters = "; ".join(f"approved masters/first-song-{t}-v001.wav, but masters/first-song-{t}-v002.wav is newer"
                        for t in ("spotify", "apple-music"))
    assert r["revoked"] == [
        {"song": SONG, "stage": "mastering", "by": "ana", "why": f"{masters}: approve mastering again"},
        {"song": SONG, "stage": "ready", "by": "ana",
         "why": "the mastering approval it rests on no longer holds: approve ready again"}]
    assert [e["stage"] for e in _revocations(project)] == ["mastering", "ready"]
    s = _song_status(project)
    assert s["stage"] == "mastering" and s["approvals"]["mixing"]["holds"]
    assert not s["approvals"]["mastering"]["holds"] and not s["approvals"]["ready"]["holds"]


def test_a_redone_mix_ends_the_approval_of_the_masters_made_from_the_old_one(project, stand_in_master):
    produce(project)
    _approve(project, "tracking", "mixing", "mastering")
    file_note(project, SONG, "bass up 2 dB")
    r = produce(project, until="mixing", apply_notes=True)    # a new mix; the masters are still the old mix's
    assert [(g["stage"], g["why"]) for g in r["revoked"]] == [
        ("mixing", f"approved {MIX.format(1)}, but {MIX.format(2)} is newer: approve mixing again"),
        ("mastering", "the mixing approval it rests on no longer holds: approve mastering again")]
    approve(project, SONG, "mixing", by="ana")
    with pytest.raises(ApprovalRefused, match=r"masters/first-song-spotify-v001.wav, masters/first-song-apple-music"
                                              r"-v001.wav made from another mix than the approved "
                                              r"mixes/first-song-v002.wav; master it again with studioflow produce"):
        approve(project, SONG, "mastering", by="ana")
    assert produce(project)["revoked"] == []
    assert stand_in_master.calls[-1][0].endswith("first-song-v002.wav")
    mastering = approve(project, SONG, "mastering", by="ana")
    mix_hash = load_project(project).song(SONG)["approvals"]["mixing"]["files"]["mix"]["sha256"]
    assert {label: m["from_mix"] for label, m in mastering["files"].items()} == {
        "master:spotify": mix_hash, "master:apple-music": mix_hash}


def test_an_approval_made_before_any_mix_ends_when_the_first_mix_appears(project):
    _approve(project, "tracking", "mixing")
    r = produce(project, until="mixing")
    assert [g["why"] for g in r["revoked"]] == [
        f"approved when there was no mix; {MIX.format(1)} is new: approve mixing again"]


def test_an_approval_that_does_not_say_what_it_approved_is_revoked(project):
    produce(project, until="mixing")
    _approve(project, "tracking", "mixing")
    p = load_project(project)                                 # as an older studioflow wrote it: who and when only
    del p.song(SONG)["approvals"]["mixing"]["files"]
    save_project(p)
    assert _song_status(project)["stage"] == "mixing"
    assert approve(project, SONG, "mixing", by="ana")["revoked"][0]["why"] == (
        "it does not say which files it approved (made by an older studioflow): approve mixing again")


def test_status_lists_each_songs_open_notes_by_role_and_what_apply_notes_would_do(project):
    produce(project, until="mixing")
    up = file_note(project, SONG, "bass up 2 dB")
    ringy = file_note(project, SONG, "the snare is too ringy")          # mixing's, but there is no snare
    hum = file_note(project, SONG, "there's a hum on the bass take")
    drags = file_note(project, SONG, "the bridge drags")
    notes = _song_status(project)["notes"]
    assert {r: [(n["id"], n["next"]) for n in ns] for r, ns in notes.items()} == {
        "recording": [(hum["id"], "waits for the recording engineer")],
        "mixing": [(up["id"], "produce --apply-notes applies it"), (ringy["id"], "produce --apply-notes applies it")],
        "mastering": [],
        "producer": [(drags["id"], "waits for the producer")]}
    assert notes["mixing"][0]["text"] == "bass up 2 dB" and notes["mixing"][0]["reason"] == up["reason"]

    produce(project, until="mixing", apply_notes=True)
    s = _song_status(project)
    assert s["open_notes"] == {"recording": 1, "mixing": 1, "mastering": 0, "producer": 1}
    (left,) = s["notes"]["mixing"]
    assert left["id"] == ringy["id"] and left["next"].startswith("revise could not apply it (")
    assert left["next"].endswith("): waits for the mixing engineer")

    console = Console(record=True, width=300)
    print_status(console, project_status(project))
    text = console.export_text()
    assert "mixing engineer (1)" in text and "the snare is too ringy" in text and "revise could not apply" in text
    assert "recording engineer (1)" in text and "producer (1)" in text and "bass up 2 dB" not in text
