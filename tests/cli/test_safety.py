"""Issue 17: nothing of the user's is ever overwritten, no input exhausts the machine, every failure is one line.

Each case runs ``studioflow.cli.main.main`` in-process in a folder of small files made here and checks the one error
line and that the folder is untouched (``snapshot``).
"""

from __future__ import annotations

import os
import shlex
from pathlib import Path

import numpy as np
import pytest
from cli.test_errors import run, snapshot

from studioflow.audio.files import write
from studioflow.cli.main import main

RATE = 48000
SESSION = "session: s\nsample_rate: 48000\ntracks:\n  - name: a\n    source: stems/a.wav\n"


def _tone(seconds: float = 1.0, level: float = 0.3) -> np.ndarray:
    t = np.arange(int(seconds * RATE)) / RATE
    x = level * np.sin(2 * np.pi * 220 * t)
    return np.vstack([x, 0.8 * x]).astype(np.float32)


@pytest.fixture()
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A source stem, a session reading it, an unrelated take and a mix."""
    (tmp_path / "stems").mkdir()
    write(tmp_path / "stems" / "a.wav", _tone(), RATE)
    write(tmp_path / "user_take.wav", _tone(), RATE)
    write(tmp_path / "d.wav", _tone(), RATE)
    (tmp_path / "s.yaml").write_text(SESSION)
    (tmp_path / "mine.yaml").write_text("# mine\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


REFUSED = [
    ("mix s.yaml -o user_take.wav", "user_take.wav: a file is already there; choose another name, or pass --overwrite"),
    ("mix s.yaml -o stems/a.wav --overwrite", "stems/a.wav: this is an input of the command"),
    ("mix s.yaml -o s.wav --stems stems --overwrite", "stems/a.wav: this is an input of the command"),
    ("mix s.yaml -o s.yaml --format float --overwrite", "s.yaml: this is an input"),
    ("analyze d.wav --plot d.wav --overwrite", "d.wav: this is an input of the command"),
    ("analyze d.wav --plot user_take.wav", "user_take.wav: a file is already there"),
    ("master d.wav -o new.wav --report d.wav --overwrite", "d.wav: this is an input of the command"),
    ("master d.wav -o new.wav --report user_take.wav", "user_take.wav: a file is already there"),
    ("automix stems -o mine.yaml", "mine.yaml: a file is already there"),
    ("automix stems -o stems/mix.yaml", "stems/mix.yaml: this is inside stems, which the command reads"),
    ("translation d.wav --report d.wav --overwrite", "d.wav: this is an input of the command"),
    ("arrangement d.wav --plot user_take.wav", "user_take.wav: a file is already there"),
]


@pytest.mark.parametrize("command, message", REFUSED, ids=[c for c, _ in REFUSED])
def test_outputs_never_replace_the_users_files(folder: Path, capsys: pytest.CaptureFixture[str], command: str,
                                               message: str) -> None:
    before = snapshot(folder)
    code, err = run(shlex.split(command), capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and message in lines[0], err
    assert snapshot(folder) == before


def test_a_hard_link_to_an_input_is_the_input(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.link(folder / "d.wav", folder / "link.wav")
    code, err = run(["analyze", "d.wav", "--plot", "link.wav", "--overwrite"], capsys)
    assert code == 2 and "link.wav: this is an input of the command" in err


def test_check_refuses_its_earlier_report_unless_overwrite(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["check", "user_take.wav", "--json"])
    first = (folder / "check.json").read_text()
    code, err = run(["check", "user_take.wav"], capsys)
    assert code == 2 and "check.json: a file is already there" in err
    assert (folder / "check.json").read_text() == first
    main(["check", "user_take.wav", "--overwrite"])


def test_mix_overwrite_replaces_an_earlier_mix_but_not_a_source(folder: Path) -> None:
    main(["mix", "s.yaml", "-o", "out.wav", "--json"])
    main(["mix", "s.yaml", "-o", "out.wav", "--overwrite", "--json"])
    assert (folder / "out.wav").stat().st_size > 0 and (folder / "out.json").is_file()


# ----------------------------------------------------------------------------------- bounded YAML, session limits
BOMB = "a0: &a0 [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]\n" for i in range(1, 10))
HOSTILE = [
    (BOMB, "expands to more than"),
    ("session: &s [1, *s]\n", "an alias refers to the list or mapping it is in"),
    ("session: !!python/name:os.system x\n", "the tag !!python/name:os.system is not allowed"),
    ("session: !custom x\n", "the tag !custom is not allowed"),
    ("session: " + "[" * 3000 + "]" * 3000 + "\n", "nested more than"),
    (SESSION.replace("source: stems/a.wav", "regions: [{file: stems/a.wav, at: 1e12}]"), "times run from 0 to"),
    (SESSION.replace("source: stems/a.wav", "regions: [{file: stems/a.wav, at: 10799.5}]"), "a song may last"),
    ("sample_rate: 48000\ntracks:\n" + "".join(f"  - {{name: t{i}, source: stems/a.wav}}\n" for i in range(257)),
     "at most 256 tracks"),
    (SESSION + "    automation:\n      gain_db: [" + ", ".join(f"[{i / 1000}, 0]" for i in range(100_001)) + "]\n",
     "at most 100,000 automation points"),
    (SESSION.replace("name: a", 'name: "a\\0b"'), "control characters"),
]


@pytest.mark.parametrize("text, message", HOSTILE, ids=["bomb", "recursive", "python-tag", "custom-tag", "deep",
                                                         "at-1e12", "past-3-hours", "257-tracks", "points",
                                                         "nul-name"])
def test_hostile_sessions_fail_at_once_in_one_line(folder: Path, capsys: pytest.CaptureFixture[str], text: str,
                                                   message: str) -> None:
    (folder / "h.yaml").write_text(text)
    before = snapshot(folder)
    code, err = run(["mix", "h.yaml", "-o", "h.wav", "--stems", "hs"], capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and message in lines[0], err[:500]
    assert snapshot(folder) == before


def test_an_alias_bomb_in_an_album_file_and_a_project_file_is_refused(folder: Path,
                                                                      capsys: pytest.CaptureFixture[str]) -> None:
    (folder / "ALBUM.yaml").write_text(BOMB)
    code, err = run(["album", "ALBUM.yaml", "-o", "rel"], capsys)
    assert code == 2 and "expands to more than" in err and not (folder / "rel").exists()
    main(["new", "p"])
    (folder / "p" / "project.yaml").write_text(BOMB)
    code, err = run(["status", "p"], capsys)
    assert code == 2 and "project.yaml:" in err and "expands to more than" in err


# ------------------------------------------------------------------------------------- project files, add-song
PROJECTS = [
    ("brief: {title: T, platforms: 5}\nsongs: []\n", "brief.platforms: must be a list of names"),
    ("brief: {title: T, platforms: []}\nsongs: []\n", "name at least one target platform"),
    ("brief: {title: 7}\nsongs: []\n", "brief.title: must be a text"),
    ("brief: {title: T}\nsongs: [{name: S, folder: s, approvals: 7}]\n", "songs[0].approvals: must be a mapping"),
    ("brief: {title: T}\nsongs: [{name: S, folder: s, approvals: {mixing: {by: me}}}]\n",
     "songs[0].approvals.mixing: needs 'at'"),
    ("brief: {title: T}\nsongs: [{name: S, folder: ../../etc}]\n", "songs[0].folder: must be a folder name"),
    ("brief: {title: T}\nsongs: [{name: S, folder: /tmp}]\n", "songs[0].folder: must be a folder name"),
]


@pytest.mark.parametrize("text, message", PROJECTS, ids=[m for _, m in PROJECTS])
def test_project_files_of_the_wrong_shape_are_one_line(folder: Path, capsys: pytest.CaptureFixture[str], text: str,
                                                       message: str) -> None:
    main(["new", "p"])
    (folder / "p" / "project.yaml").write_text(text)
    code, err = run(["status", "p"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err


def test_a_project_file_that_is_not_utf8_is_one_line(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["new", "p"])
    (folder / "p" / "project.yaml").write_bytes(b"brief: {title: \xff}\n")
    code, err = run(["status", "p"], capsys)
    assert code == 2 and "is not UTF-8 text" in err


def _bad_stem(kind: str, path: Path) -> None:
    if kind == "nan":
        a = _tone()
        a[0, 100] = np.nan
        import soundfile as sf
        sf.write(path, a.T, RATE, subtype="FLOAT")
    elif kind == "empty":
        import soundfile as sf
        sf.write(path, np.zeros((0, 2), np.float32), RATE, subtype="PCM_24")
    elif kind == "six":
        write(path, np.zeros((6, RATE), np.float32) + 0.1, RATE)
    elif kind == "rate":
        write(path, _tone(), 4000)


@pytest.mark.parametrize("kind, message", [("nan", "NaN"), ("empty", "holds no audio"), ("six", "6 channels"),
                                           ("rate", "runs at 4000 Hz")])
def test_add_song_refuses_stems_produce_would_refuse(folder: Path, capsys: pytest.CaptureFixture[str], kind: str,
                                                     message: str) -> None:
    main(["new", "proj"])
    (folder / "bad").mkdir()
    _bad_stem(kind, folder / "bad" / "x.wav")
    before = snapshot(folder)
    code, err = run(["add-song", "proj", "S", "--stems", "bad"], capsys)
    assert code == 2 and len(err.strip().splitlines()) == 1 and message in err, err
    assert snapshot(folder) == before


# --------------------------------------------------------------------------------- headers, names, content
def test_a_header_claiming_1_hz_is_one_line(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = bytearray((folder / "d.wav").read_bytes())
    data[24:28] = (1).to_bytes(4, "little")                    # fmt chunk: sample rate
    (folder / "one.wav").write_bytes(bytes(data))
    for command in (["check", "one.wav"], ["analyze", "one.wav"]):
        code, err = run(command, capsys)
        assert code == 2 and "claims 1 Hz" in err and len(err.strip().splitlines()) == 1


def test_file_names_that_are_not_utf8_work_and_errors_show_them(folder: Path,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    name = os.fsdecode(b"take-\xff.wav")
    write(folder / name, _tone(), RATE)
    main(["check", name, "--json"])
    assert "take-\\udcff" in (folder / "check.json").read_text()
    code, err = run(["analyze", os.fsdecode(b"no-\xfe.wav")], capsys)
    assert code == 2 and err.strip() == "studioflow: error: no-\\xfe.wav: no such file"


def test_a_fifo_and_a_link_loop_are_named_for_what_they_are(folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    os.mkfifo(folder / "pipe.wav")
    os.symlink("loop.wav", folder / "loop.wav")
    assert "not a regular file" in run(["analyze", "pipe.wav"], capsys)[1]
    assert "a symbolic link to nothing (or a loop of links)" in run(["analyze", "loop.wav"], capsys)[1]


@pytest.mark.parametrize("audio", ["dc", "dc-and-noise", "faint-hum"])
def test_master_refuses_a_mix_with_no_music(folder: Path, capsys: pytest.CaptureFixture[str], audio: str) -> None:
    n = 5 * RATE
    x = {"dc": np.full((2, n), 0.5), "dc-and-noise": 0.5 + 1e-4 * np.random.default_rng(0).standard_normal((2, n)),
         "faint-hum": 1e-3 * np.sin(2 * np.pi * 50 * np.arange(n) / RATE) * np.ones((2, 1))}[audio]
    write(folder / "m.wav", x.astype(np.float32), RATE, subtype="FLOAT")
    before = snapshot(folder)
    code, err = run(["master", "m.wav", "-o", "out.wav"], capsys)
    assert code == 2 and "the mix holds no music to master" in err
    assert snapshot(folder) == before
