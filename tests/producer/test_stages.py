"""Stages and approvals: in order, recorded with who and when, refused while notes for the stage are open."""

from __future__ import annotations

import pytest

from studioflow.errors import ParameterError
from studioflow.producer import history
from studioflow.producer.notes import close_note, file_note, project_notes
from studioflow.producer.project import load_project
from studioflow.producer.stages import ApprovalRefused, approve


def test_approve_records_who_and_when_in_order(project):
    with pytest.raises(ApprovalRefused, match="approve tracking before mixing"):
        approve(project, "First Song", "mixing", by="ana")
    r = approve(project, "First Song", "tracking", by="ana")
    assert (r["by"], r["next"]) == ("ana", "mixing")
    song = load_project(project).song("First Song")
    assert song["approvals"]["tracking"]["by"] == "ana" and song["approvals"]["tracking"]["at"]
    assert history.read(project)[-1] | {"at": None} == history.read(project)[-1] | {
        "at": None, "event": "approve", "song": "First Song", "stage": "tracking", "by": "ana"}
    with pytest.raises(ApprovalRefused, match="already approved by ana"):
        approve(project, "First Song", "tracking")


def test_approval_is_refused_while_notes_for_the_stage_are_open(project):
    approve(project, "First Song", "tracking", by="ana")
    mix_note = file_note(project, "First Song", "the snare is too ringy")
    producer_note = file_note(project, "First Song", "the bridge drags")
    assert (mix_note["role"], producer_note["role"]) == ("mixing", "producer")
    with pytest.raises(ApprovalRefused, match=r"1 note\(s\) for it are open: #1"):
        approve(project, "First Song", "mixing")
    with pytest.raises(ParameterError, match="belongs to the mixing role"):
        close_note(project, "First Song", mix_note["id"], by="mastering")
    close_note(project, "First Song", mix_note["id"], by="mixing", resolution="snare EQ cut at 900 Hz")
    approve(project, "First Song", "mixing", by="ana")
    approve(project, "First Song", "mastering", by="ana")
    with pytest.raises(ApprovalRefused, match="#2"):      # ready waits on every open note, the producer's too
        approve(project, "First Song", "ready")
    close_note(project, "First Song", producer_note["id"])
    assert approve(project, "First Song", "ready", by="ana")["next"] == "done"
    assert [e["event"] for e in history.read(project)][-3:] == ["approve", "close-note", "approve"]


def test_notes_are_listed_open_by_role(project):
    file_note(project, "First Song", "can it hit harder", at="1:23")
    file_note(project, "First Song", "the lead take is out of tune")
    by_role = project_notes(project)
    assert [n["text"] for n in by_role["recording"]] == ["the lead take is out of tune"]
    assert sum(len(v) for v in by_role.values()) == 2
    with pytest.raises(ParameterError, match="m:ss"):
        file_note(project, "First Song", "too loud", at="ninety")
