"""Debris of interrupted runs: no placeholder under a versioned name, a dead process's hidden files removed by the
next run (and said so), a live one's left alone; journals take back a failed or killed command's new files."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest

from studioflow.audio import debris
from studioflow.audio.atomic import atomic_write, next_version, release_version, write_text


def _dead_pid() -> int:
    """The id of a process that has ended."""
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_a_reserved_version_leaves_nothing_under_its_real_name(tmp_path: Path) -> None:
    first = next_version(tmp_path, "mix", ".wav")
    second = next_version(tmp_path, "mix", ".wav")
    assert (first.name, second.name) == ("mix-v001.wav", "mix-v002.wav")
    assert not first.exists() and not second.exists()
    write_text(first, "a")
    release_version(second)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix-v001.wav"]
    assert next_version(tmp_path, "mix", ".wav").name == "mix-v002.wav"


def test_the_next_run_removes_a_dead_runs_debris_and_says_so(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    dead = _dead_pid()
    part = tmp_path / f".mix-v001-abc.{dead}.part.wav"
    part.write_bytes(b"x" * 100)
    work = tmp_path / f".album-work-q1.{dead}.work"
    work.mkdir()
    (work / "master-01.wav").write_bytes(b"x")
    marker = tmp_path / ".mix-v001.wav.reserved"
    marker.write_text(str(dead))
    orphan = tmp_path / "orphan.wav"
    orphan.write_text("landed before the kill")
    (tmp_path / f".delivery-1.{dead}.journal").write_text(f"{orphan}\n")
    live = tmp_path / f".other-xyz.{os.getpid()}.part.wav"
    live.write_bytes(b"y")
    with caplog.at_level(logging.WARNING, logger="studioflow"):
        out = next_version(tmp_path, "mix", ".wav")
    assert out.name == "mix-v001.wav"                       # the dead run's number is free again
    assert sorted(p.name for p in tmp_path.iterdir()) == [".mix-v001.wav.reserved", live.name]
    assert f"interrupted run (process {dead})" in caplog.text and "orphan.wav" in caplog.text


def test_a_journal_takes_back_new_files_on_an_error_but_keeps_replaced_ones(tmp_path: Path) -> None:
    old = tmp_path / "old.txt"
    old.write_text("before")
    with pytest.raises(KeyboardInterrupt):
        with debris.Journal(tmp_path):
            write_text(tmp_path / "a.txt", "new")
            write_text(old, "after")
            (tmp_path / "sub").mkdir()
            write_text(tmp_path / "sub" / "b.txt", "new")
            raise KeyboardInterrupt
    assert sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")) == ["old.txt", "sub"]
    assert old.read_text() == "after"
    with debris.Journal(tmp_path):
        write_text(tmp_path / "a.txt", "kept")
    assert (tmp_path / "a.txt").read_text() == "kept" and not list(tmp_path.glob(".*journal"))


def test_temporary_files_carry_the_process_id(tmp_path: Path) -> None:
    with atomic_write(tmp_path / "x.wav") as tmp:
        assert tmp.name.startswith(".x-") and tmp.name.endswith(f".{os.getpid()}.part.wav")
        tmp.write_bytes(b"1")
