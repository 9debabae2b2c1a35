"""atomic_write, write_json / write_text and next_version."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest

from studioflow.audio.atomic import atomic_write, next_version, write_json, write_text
from studioflow.errors import OutputError, ParameterError


def test_atomic_write_renames_into_place_in_the_same_folder(tmp_path):
    target = tmp_path / "out.wav"
    with atomic_write(target) as tmp:
        assert tmp.parent == tmp_path and tmp.suffix == ".wav" and tmp.name.startswith(".")
        assert not target.exists()
        tmp.write_bytes(b"abc")
    assert target.read_bytes() == b"abc"
    assert [p.name for p in tmp_path.iterdir()] == ["out.wav"]
    mask = os.umask(0)
    os.umask(mask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~mask


def test_atomic_write_error_deletes_temporary_and_keeps_old(tmp_path):
    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(KeyError):
        with atomic_write(target) as tmp:
            tmp.write_text("half")
            raise KeyError("boom")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_atomic_write_needs_the_folder(tmp_path):
    with pytest.raises(OutputError, match="does not exist"):
        with atomic_write(tmp_path / "no" / "x.txt"):
            pass


@dataclass
class _Meter:
    lufs: float
    peaks: np.ndarray


def test_write_json_converts_numpy_and_nonfinite(tmp_path):
    obj = {"a": np.float32(0.5), "n": np.int64(3), "nan": float("nan"), "inf": np.float64(-np.inf),
           "arr": np.array([[1.0, np.nan], [np.inf, 2.0]]), "t": (1, np.bool_(True)), "p": Path("x/y.wav"),
           "m": _Meter(-14.0, np.array([0.1, 0.2], np.float32))}
    path = write_json(tmp_path / "r.json", obj)
    assert json.loads(path.read_text()) == {
        "a": 0.5, "n": 3, "nan": None, "inf": None, "arr": [[1.0, None], [None, 2.0]], "t": [1, True],
        "p": "x/y.wav", "m": {"lufs": -14.0, "peaks": [pytest.approx(0.1), pytest.approx(0.2)]}}
    assert "NaN" not in path.read_text()
    with pytest.raises(TypeError, match="cannot write a object as JSON"):
        write_json(tmp_path / "bad.json", {"x": object()})
    assert not (tmp_path / "bad.json").exists()


def test_write_text_utf8(tmp_path):
    write_text(tmp_path / "n.txt", "Motörhead – ♪\n")
    assert (tmp_path / "n.txt").read_text(encoding="utf-8") == "Motörhead – ♪\n"


def test_next_version_counts_past_the_highest(tmp_path):
    assert next_version(tmp_path, "mix", ".wav") == tmp_path / "mix-v001.wav"
    assert next_version(tmp_path, "mix", "wav") == tmp_path / "mix-v002.wav"
    (tmp_path / "mix-v007.wav").touch()
    (tmp_path / "mix-v099.flac").touch()  # other suffixes and stems do not count
    (tmp_path / "mixdown-v050.wav").touch()
    assert next_version(tmp_path, "mix", ".wav").name == "mix-v008.wav"
    assert next_version(tmp_path, "mix", ".wav", digits=5).name == "mix-v00009.wav"
    with pytest.raises(ParameterError, match="digits"):
        next_version(tmp_path, "mix", ".wav", digits=0)


def test_next_version_is_safe_against_a_race(tmp_path):
    with ThreadPoolExecutor(8) as pool:
        names = list(pool.map(lambda _: next_version(tmp_path, "take", ".wav").name, range(40)))
    assert sorted(names) == [f"take-v{i:03d}.wav" for i in range(1, 41)]


def test_json_files_indent_objects_and_keep_number_series_on_one_line(tmp_path):
    import json

    import numpy as np

    from studioflow.audio.atomic import write_json

    record = {"a": {"series": np.arange(5) * 0.5, "empty": {}, "none": None}, "rows": [{"x": 1}, {"y": [1, 2]}],
              "name": "ü", "bad": float("nan")}
    path = write_json(tmp_path / "r.json", record)
    text = path.read_text(encoding="utf-8")
    assert json.loads(text) == {"a": {"series": [0.0, 0.5, 1.0, 1.5, 2.0], "empty": {}, "none": None},
                                "rows": [{"x": 1}, {"y": [1, 2]}], "name": "ü", "bad": None}
    assert '    "series": [0.0, 0.5, 1.0, 1.5, 2.0],' in text.splitlines()
