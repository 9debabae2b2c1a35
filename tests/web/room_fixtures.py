"""A project for the listening room's tests, built once with studioflow's own parts (stems written in code, mixes
rendered by the mixing engine, a master by the mastering engineer), and the room served on a free loopback port."""

from __future__ import annotations

import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest
import yaml
from signals import noise, sine

from studioflow.audio.files import write
from studioflow.mastering.api import master
from studioflow.mixing.versions import render_version
from studioflow.producer.project import create_project
from studioflow.producer.songs import add_song
from studioflow.web.access import Access
from studioflow.web.app import create_app
from studioflow.web.server import bind, make_server

RATE = 22050
SECONDS = 90.0          # long enough to click at 1:23
SONG, FOLDER = "Long Song", "long-song"


def build_project(path: Path) -> Path:
    """A project with one 90-second song: two mixes (the second with the bass 6 dB up), a Spotify master of the
    second, and a reference track inside the project."""
    stems = path.parent / "stems"
    stems.mkdir(parents=True)
    bass = sine(55.0, SECONDS, RATE, -14.0) * (1 + 0.5 * sine(0.5, SECONDS, RATE, 0.0))
    write(stems / "bass.wav", bass.astype("float32"), RATE)
    write(stems / "hats.wav", noise(SECONDS, RATE, -30.0, seed=1), RATE)
    (path / "references").mkdir(parents=True)
    write(path / "references" / "ref.wav", sine(440.0, 20.0, RATE, -10.0, channels=2), RATE)
    create_project(path, title="Room EP", artist="The Testers", platforms=["spotify"],
                   references=["references/ref.wav", "a song we like (a name only)"])
    add_song(path, SONG, stems=stems)
    song = path / "songs" / FOLDER
    render_version(song / "session.yaml")
    session = yaml.safe_load((song / "session.yaml").read_text())
    session["tracks"][0]["gain_db"] = 6.0
    (song / "session.yaml").write_text(yaml.safe_dump(session, sort_keys=False))
    render_version(song / "session.yaml")
    (song / "masters").mkdir(exist_ok=True)
    master(song / "mixes" / f"{FOLDER}-v002.wav", song / "masters" / f"{FOLDER}-spotify-v001.wav", target="spotify")
    return path


@pytest.fixture(scope="session")
def built_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The project, built once per test session (copy it before writing: see ``project``)."""
    return build_project(tmp_path_factory.mktemp("room") / "project")


@pytest.fixture
def project(built_project: Path, tmp_path: Path) -> Path:
    """A fresh copy of the project for one test."""
    return Path(shutil.copytree(built_project, tmp_path / "project", symlinks=True))


class Room:
    """The listening room served on 127.0.0.1 in a thread (a real uvicorn server on a free port)."""

    def __init__(self, project: Path, access: Access) -> None:
        self.project, self.access = project, access
        self.sock = bind("127.0.0.1", 0)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.server = make_server(create_app(project, access))
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.sock]}, daemon=True)

    def __enter__(self) -> "Room":
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("the listening room did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.sock.close()


@pytest.fixture
def room(project: Path) -> Iterator[Room]:
    """The room on a fresh copy of the project, bound to loopback (this machine needs no token)."""
    with Room(project, Access("127.0.0.1")) as r:
        yield r


def studioflow(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the ``studioflow`` command in another process; its result (exit code, stdout, stderr)."""
    return subprocess.run([sys.executable, "-m", "studioflow.cli.main", *args], capture_output=True, text=True,
                          cwd=cwd, timeout=300)
