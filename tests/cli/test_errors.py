"""Bad input on the command line: one line ``studioflow: error: ...`` saying what and where, exit code 2, no
traceback, and nothing left behind (no half-written or temporary file, no lock file in a folder that is no project).

Each case runs ``studioflow.cli.main.main`` in-process in a folder of small files made here; an exception other than
the exit would fail the test, so a traceback cannot pass.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

from studioflow.audio.files import write
from studioflow.cli.main import main

RATE = 48000

SESSION = """\
session: t
sample_rate: 48000
tracks:
  - name: tone
    source: tone.wav
    inserts:
      - {type: compressor, threshold_db: -20, ratio: 4}
"""
ALBUM = """\
title: EP
artist: Band
target: spotify
formats: [wav24]
tracks:
  - mix: mix.wav
    title: One
"""


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A working folder: a 1 s stereo mix and mono tone, bad audio files, sessions, album files, a project."""
    t = np.arange(RATE) / RATE
    tone = (0.3 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[None, :]
    write(tmp_path / "mix.wav", np.vstack([tone, 0.8 * tone]), RATE)
    write(tmp_path / "tone.wav", tone, RATE)
    (tmp_path / "text.wav").write_text("not audio\n")
    (tmp_path / "empty.wav").write_bytes(b"")
    (tmp_path / "dir.wav").mkdir()
    (tmp_path / "emptydir").mkdir()
    (tmp_path / "badstems").mkdir()
    (tmp_path / "badstems" / "vocal.wav").write_text("not audio\n")
    (tmp_path / "session.yaml").write_text(SESSION)
    (tmp_path / "typo.yaml").write_text(SESSION.replace("    source:", "    sourse:"))
    (tmp_path / "ratio.yaml").write_text(SESSION.replace("ratio: 4", "ratio: 0.5"))
    (tmp_path / "ALBUM.yaml").write_text(ALBUM)
    (tmp_path / "album-typo.yaml").write_text(ALBUM.replace("tracks:", "trakcs:"))
    (tmp_path / "album-bad.yaml").write_text("title: EP\ntracks:\n  - mix: [unclosed\n")
    monkeypatch.chdir(tmp_path)
    assert main(["new", "proj"]) is None
    return tmp_path


def snapshot(root: Path) -> set[tuple[str, int, int]]:
    """Every file and folder under ``root``, with each file's size and modification time (but the project's own lock
    file, which a locking command makes in the project and leaves empty)."""
    return {(str(p.relative_to(root)), *((p.stat().st_size, p.stat().st_mtime_ns) if p.is_file() else (-1, 0)))
            for p in root.rglob("*") if p != root / "proj" / ".studioflow.lock"}


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    capsys.readouterr()
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    return exit_info.value.code, capsys.readouterr().err


# (command line, what the one error line must say)
CASES = [
    ("analyze nosuch.wav", "nosuch.wav: no such file"),
    ("analyze text.wav", "text.wav: not a readable audio file"),
    ("analyze empty.wav", "empty.wav: the file is empty"),
    ("analyze mix.wav --plot nodir/x.png", "nodir/x.png: the folder nodir does not exist; create it first"),
    ("analyze mix.wav --plot mix.wav/x.png", "the folder mix.wav is not a folder"),
    ("check text.wav", "text.wav: not a readable audio file"),
    ("check emptydir", "emptydir: no takes"),
    ("mix nosuch.yaml", "nosuch.yaml: session file not found"),
    ("mix typo.yaml -o out.wav", "typo.yaml:5 tracks[0].sourse: unknown key"),
    ("mix ratio.yaml -o out.wav", "ratio.yaml:7 tracks[0].inserts[0].ratio: must be >= 1"),
    ("mix session.yaml -o nodir/out.wav", "nodir/out.wav: the folder nodir does not exist"),
    ("mix session.yaml -o out.wav --from abc", "--from: expected seconds or \"bar:beat\""),
    ("mix session.yaml -o out.wav --stems mix.wav/stems", "mix.wav is a file, not a folder"),
    ("automix emptydir -o mix.yaml", "no stems"),
    ("automix badstems -o mix.yaml", "badstems/vocal.wav: not a readable audio file"),
    ("automix badstems -o nodir/mix.yaml", "nodir/mix.yaml: the folder nodir does not exist"),
    ("master text.wav -o m.wav", "text.wav: not a readable audio file"),
    ("master mix.wav -o m.wav --lufs 10", "target loudness must be from -40 to -3 LUFS; got 10.0"),
    ("master mix.wav -o m.wav --target spotifyy", "unknown mastering target 'spotifyy'; known targets: spotify"),
    ("master mix.wav -o nodir/m.wav", "nodir/m.wav: the folder nodir does not exist"),
    ("master mix.wav -o m.wav --report nodir/r.html", "nodir/r.html: the folder nodir does not exist"),
    ("translation mix.wav --report nodir/t.html", "nodir/t.html: the folder nodir does not exist"),
    ("album album-bad.yaml -o rel", "album-bad.yaml:4 not valid YAML"),
    ("album album-typo.yaml -o rel", "album-typo.yaml:5 trakcs: unknown key"),
    ("album ALBUM.yaml -o mix.wav/rel", "mix.wav is a file, not a folder"),
    ("arrangement text.wav", "text.wav: not a readable audio file"),
    ("arrangement mix.wav --plot nodir/a.png", "nodir/a.png: the folder nodir does not exist"),
    ("new p2 --platform spotifyy", "platform 'spotifyy': not a mastering target"),
    ("add-song emptydir S --stems badstems", "emptydir: no project here (no project.yaml); create one with"),
    ("add-song proj S --stems badstems", "badstems/vocal.wav: not a readable audio file"),
    ("add-song proj S --stems emptydir", "--stems emptydir: no audio files"),
    ("approve proj Nope tracking", "no song 'Nope'"),
    ("note emptydir S 'too loud'", "emptydir: no project here"),
    ("produce emptydir", "emptydir: no project here"),
    ("takes proj --rate vocal-one 4", "take id 'vocal-one': expected TRACK/take-NNN or TRACK:N"),
    ("demo d --rate -1", "demo: sample rate must be from 22050 to 192000 Hz; got -1"),
]


@pytest.mark.parametrize("command, message", CASES, ids=[c for c, _ in CASES])
def test_bad_input_gives_one_line_and_leaves_nothing(folder: Path, capsys: pytest.CaptureFixture[str],
                                                     command: str, message: str) -> None:
    import shlex

    before = snapshot(folder)
    code, err = run(shlex.split(command), capsys)
    lines = err.strip().splitlines()
    assert code == 2
    assert len(lines) == 1 and lines[0].startswith("studioflow: error: "), err
    assert message in lines[0]
    assert snapshot(folder) == before          # no output, no temporary file, no lock file, nothing touched


@pytest.mark.parametrize("command, option", [
    ("mix session.yaml -o out.wav --tail -1", "--tail"),
    ("translation mix.wav --kbps 500", "--kbps"),
    ("analyze dir.wav", "FILES"),
])
def test_click_usage_errors_exit_2(folder: Path, capsys: pytest.CaptureFixture[str], command: str,
                                   option: str) -> None:
    import shlex

    before = snapshot(folder)
    code, err = run(shlex.split(command), capsys)
    assert code == 2
    assert f"Invalid value for '{option}" in err and "Traceback" not in err
    assert snapshot(folder) == before


@pytest.mark.parametrize("command, path", [
    ("master mix.wav -o ro/m.wav", "ro/m.wav: the folder ro is not writable"),
    ("analyze mix.wav --plot ro/x.png", "ro/x.png: the folder ro is not writable"),
    ("mix session.yaml -o ro/out.wav", "ro/out.wav: the folder ro is not writable"),
    ("album ALBUM.yaml -o ro", "ro: the folder ro is not writable"),
    ("demo ro", "ro: the folder ro is not writable"),
])
def test_read_only_output_folder(folder: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch,
                                 command: str, path: str) -> None:
    """A folder the user may not write in (simulated: tests may run as root, who may write anywhere)."""
    import shlex

    (folder / "ro").mkdir()
    real_access = os.access
    read_only = (folder / "ro").resolve()
    monkeypatch.setattr(os, "access", lambda p, mode, **kw: real_access(p, mode, **kw) and not (
        mode & os.W_OK and Path(p).resolve() == read_only))
    before = snapshot(folder)
    code, err = run(shlex.split(command), capsys)
    assert code == 2
    assert err.strip().splitlines() == [f"studioflow: error: {path}; check its permissions or choose another folder"]
    assert snapshot(folder) == before


def test_file_system_errors_are_one_line(folder: Path, capsys: pytest.CaptureFixture[str],
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    """A permission error the command did not foresee still ends in one line naming the path, not a traceback."""
    import studioflow.producer.songs as songs

    def refuse(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", "proj/project.yaml")

    monkeypatch.setattr(songs, "save_project", refuse)
    code, err = run(["add-song", "proj", "S"], capsys)
    assert code == 2
    assert err.strip().splitlines() == ["studioflow: error: proj/project.yaml: permission denied; check its "
                                        "permissions or choose another place"]
