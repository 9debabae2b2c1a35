"""The project lock: a second process gets a clear error naming the holder; a dead holder's lock is taken over."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from studioflow.errors import ProjectLockedError
from studioflow.producer.lock import LOCK_FILE, project_lock
from studioflow.producer.notes import file_note

HOLD = """
import sys
from studioflow.producer.lock import project_lock
with project_lock(sys.argv[1], command="studioflow produce held"):
    print("locked", flush=True)
    sys.stdin.readline()
"""


def test_second_process_is_refused_with_the_holders_pid_and_command(project):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(project)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(ProjectLockedError, match=rf"pid {holder.pid} running 'studioflow produce held'"):
            file_note(project, "First Song", "the bridge drags")
    finally:
        holder.stdin.close()
        holder.wait(timeout=30)
    note = file_note(project, "First Song", "the bridge drags")       # free again once the holder is done
    assert note["id"] == 1


def test_a_dead_holders_lock_is_taken_over(project):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    (project / LOCK_FILE).write_text(json.dumps({"pid": dead.pid, "command": "studioflow produce crashed",
                                                 "host": __import__("socket").gethostname(), "since": "x"}))
    with project_lock(project) as info:
        assert info["stale"]["pid"] == dead.pid


def test_the_lock_is_reentrant_within_one_process(project):
    with project_lock(project):
        note = file_note(project, "First Song", "the vocal is buried in the chorus")   # takes the lock again
    assert note["role"] == "mixing"
