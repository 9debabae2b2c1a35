"""``studioflow studio``: help with an example, one-line errors, and the server run as a command: it prints its
links, serves the project, and stops cleanly on SIGTERM even with a page listening for live events."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

import httpx
from web.room_fixtures import SONG, studioflow

from studioflow.web.server import bind


def test_help_has_an_example():
    result = studioflow("studio", "--help")
    assert result.returncode == 0
    assert "Example" in result.stdout and "studioflow studio demo-out/project" in result.stdout
    assert "--host" in result.stdout and "--port" in result.stdout


def test_a_folder_without_a_project_is_one_line(tmp_path):
    result = studioflow("studio", str(tmp_path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "no project here" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_port_in_use_is_one_line(project):
    taken = bind("127.0.0.1", 0)
    try:
        result = studioflow("studio", str(project), "--port", str(taken.getsockname()[1]))
    finally:
        taken.close()
    assert result.returncode == 2 and "choose another --port" in result.stderr
    assert result.stderr.strip().count("\n") == 0


def test_the_command_serves_the_project_and_stops_cleanly(project):
    proc = subprocess.Popen([sys.executable, "-m", "studioflow.cli.main", "studio", str(project), "--port", "0",
                             "--json"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        links = json.loads(proc.stdout.readline())
        assert links["url"].startswith("http://127.0.0.1:") and links["listen"] != links["comment"]
        with httpx.Client(base_url=links["url"], timeout=30) as c:
            assert c.get("/api/project").json()["songs"][0]["name"] == SONG
            with c.stream("GET", "/api/events") as events:          # a page listening when the server stops
                lines = events.iter_lines()
                assert next(lines).startswith("retry:")
                proc.send_signal(signal.SIGTERM)
                rest = list(lines)                                  # the stream ends: the server closed it
        _, err = proc.communicate(timeout=30)
    finally:
        proc.kill() if proc.poll() is None else None
    assert "event: hello" in rest and proc.returncode == 143
    assert "Traceback" not in err and "CancelledError" not in err
