"""Issue 17's fuzz suite: bad audio headers, odd file names, YAML documents and project files never give a
traceback: each command succeeds or prints one ``studioflow: error:`` line (exit 2)."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import numpy as np
import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from studioflow.audio.files import write
from studioflow.cli.main import main
from studioflow.errors import SessionError

RATE = 8000
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _wav_bytes() -> bytes:
    folder = Path(tempfile.mkdtemp())
    t = np.arange(RATE // 4) / RATE
    write(folder / "t.wav", (0.3 * np.sin(2 * np.pi * 440 * t)).astype(np.float32)[None, :], RATE)
    return (folder / "t.wav").read_bytes()


WAV = _wav_bytes()


def _one_line_or_success(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    try:
        main(argv)
    except SystemExit as e:
        err = capsys.readouterr().err.strip().splitlines()
        assert e.code == 2 and len(err) == 1 and err[0].startswith("studioflow: error: "), err


@FUZZ
@given(edits=st.lists(st.tuples(st.integers(0, 63), st.integers(0, 255)), min_size=1, max_size=6),
       cut=st.one_of(st.none(), st.integers(0, len(WAV))))
def test_damaged_wav_headers(tmp_path: Path, capsys: pytest.CaptureFixture[str], edits: list[tuple[int, int]],
                             cut: int | None) -> None:
    data = bytearray(WAV)
    for at, value in edits:
        data[at] = value
    path = tmp_path / "bad.wav"
    path.write_bytes(bytes(data[:cut]))
    _one_line_or_success(["analyze", str(path), "--json"], capsys)
    _one_line_or_success(["check", str(path), "--json", "--overwrite"], capsys)


NAME = st.text(st.characters(blacklist_characters="/\x00", blacklist_categories=("Cs",)), min_size=1, max_size=40) \
    .filter(lambda s: s not in (".", "..") and len(os.fsencode(s)) < 200)


@FUZZ
@given(name=st.one_of(NAME, st.binary(min_size=1, max_size=30).map(os.fsdecode)
                      .filter(lambda s: "/" not in s and "\x00" not in s and s not in (".", ".."))))
def test_odd_file_names(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / name).write_bytes(WAV)
    _one_line_or_success(["analyze", str(folder / name), "--plot", str(folder / (name + ".png")), "--json"],
                         capsys)
    _one_line_or_success(["check", str(folder / name), "--json"], capsys)


SCALAR = st.one_of(st.none(), st.booleans(), st.integers(-10**12, 10**12), st.floats(allow_nan=True),
                   st.text(max_size=12))
VALUE = st.recursive(SCALAR, lambda inner: st.one_of(st.lists(inner, max_size=4),
                                                     st.dictionaries(st.text(max_size=10), inner, max_size=4)),
                     max_leaves=20)
SESSION_KEYS = st.sampled_from(["session", "sample_rate", "tempo", "tracks", "buses", "master", "sections",
                                "tail_s", "pan_law_db", "time_signature"])


@FUZZ
@given(doc=st.one_of(st.dictionaries(SESSION_KEYS, VALUE, max_size=6), VALUE),
       raw=st.one_of(st.none(), st.text(max_size=80)))
def test_yaml_documents_as_sessions(tmp_path: Path, doc: object, raw: str | None) -> None:
    from studioflow.mixing.session import load_session

    path = tmp_path / "s.yaml"
    path.write_text(raw if raw is not None else yaml.safe_dump(doc), encoding="utf-8")
    try:
        load_session(path)
    except SessionError:
        pass


BRIEF_KEYS = st.sampled_from(["title", "artist", "genre", "references", "platforms", "release_format", "deadline",
                              "vision"])


@FUZZ
@given(brief=st.dictionaries(BRIEF_KEYS, VALUE, max_size=5),
       songs=st.lists(st.dictionaries(st.sampled_from(["name", "folder", "approvals", "revoked"]), VALUE,
                                      max_size=4), max_size=3))
def test_project_files(tmp_path: Path, capsys: pytest.CaptureFixture[str], brief: dict, songs: list) -> None:
    folder = Path(tempfile.mkdtemp(dir=tmp_path))
    (folder / "project.yaml").write_text(yaml.safe_dump({"brief": brief, "songs": songs}), encoding="utf-8")
    _one_line_or_success(["status", str(folder), "--json"], capsys)
