"""Versions in a song folder, the loudness-matched comparison, and the `studioflow mix` command."""

import json

import numpy as np
import pytest

from studioflow.cli.main import main
from studioflow.mixing.compare import compare, session_changes
from studioflow.mixing.versions import render_version

SESSION = """
session: Demo Song
tracks:
  - {{name: a, source: a.wav, gain_db: {gain}}}
  - {{name: b, source: b.wav, pan: 0.5}}
"""


@pytest.fixture
def song(wav, session_file, tmp_path):
    rng = np.random.default_rng(4)
    wav("a.wav", (rng.standard_normal((2, 48000)) * 0.1).astype(np.float32))
    wav("b.wav", (rng.standard_normal((1, 48000)) * 0.1).astype(np.float32))
    return tmp_path


def test_versions_never_overwrite_and_keep_the_session(song, session_file):
    path = session_file(SESSION.format(gain=0), "mix.yaml")
    first = render_version(path)
    path.write_text(SESSION.format(gain=-6))
    second = render_version(path)
    mixes = song / "mixes"
    assert (first["version"], second["version"]) == (1, 2)
    assert sorted(p.name for p in mixes.iterdir()) == [
        "demo-song-v001.json", "demo-song-v001.wav", "demo-song-v001.yaml",
        "demo-song-v002.json", "demo-song-v002.wav", "demo-song-v002.yaml"]
    assert "gain_db: -6" in (mixes / "demo-song-v002.yaml").read_text()
    result = compare(song, "v1", "v2")
    assert result["loudness_difference_lu"] < -1.0
    assert result["bands"] and all(abs(b["difference_db"]) < 6 for b in result["bands"])
    assert "track a: gain_db: 0 -> -6" in result["changes"]


def test_session_changes_lists_inserts_and_added_tracks():
    old = {"tracks": [{"name": "v", "inserts": [{"type": "compressor", "ratio": 2}]}]}
    new = {"tracks": [{"name": "v", "inserts": [{"type": "compressor", "ratio": 4}]}, {"name": "gtr"}],
           "master": {"gain_db": -1}}
    assert session_changes(old, new) == ["track gtr: added", "track v: inserts[0].ratio: 2 -> 4",
                                         "master: gain_db: None -> -1"]


def test_cli_renders_with_json_and_reports_errors_on_one_line(song, session_file, capsys):
    path = session_file(SESSION.format(gain=-1), "mix.yaml")
    out = song / "out.wav"
    main(["mix", str(path), "-o", str(out), "--to", "0.5", "--format", "float", "--json"])
    report = json.loads(capsys.readouterr().out)
    assert report["duration_s"] == 0.5 and out.exists() and out.with_suffix(".json").exists()
    path.write_text("session: x\ntracks:\n  - {name: a, source: a.wav, pan: 3}\n")
    with pytest.raises(SystemExit) as failed:
        main(["mix", str(path), "-o", str(out)])
    assert failed.value.code == 2
    assert capsys.readouterr().err.strip() == "studioflow: error: mix.yaml:3 tracks[0].pan: must be <= 1; got 3"
