"""demo-run --quick: the whole demo production on 10-second songs leaves every artefact it promises and tells its
story; a failing step is named (by ``run_demo`` and by the command)."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
import yaml

from studioflow.audio.tags import read_tags
from studioflow.cli.main import main
from studioflow.demo import DemoStepError, run_demo
from studioflow.demo.songs import song_sections
from studioflow.errors import AudioFileError
from studioflow.mastering.cue import parse_cue
from studioflow.producer import notes

FRAMES_PER_S = 75        # CD frames (Red Book): CUE times count 1/75 s


def _run(capsys, *args: str) -> tuple[int, str]:
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = int(e.code or 0)
    return code, capsys.readouterr().out


def test_the_quick_demo_runs_every_step_and_leaves_every_artefact(tmp_path, capsys):
    code, text = _run(capsys, "demo-run", str(tmp_path), "--quick")   # one run (it is the slow part) for all checks
    assert code == 0, text[-3000:]
    assert "failed" not in text and "demo finished" in text
    project = tmp_path / "project"
    check_story(text, project)
    check_masters_and_status(project)
    check_sessions_and_notes(project)
    check_ep(project)
    check_translation(project)


def check_story(text: str, project: Path) -> None:
    """Every step is titled in order; the tables and lines of the commands each step stands for are printed; the
    closing list names every artefact; the last line says how to open the listening room."""
    flat = "".join(text.split())            # the console wraps long paths anywhere: compare without white space
    titles = [line.split(". ", 1)[1].rstrip(" ─") for line in text.splitlines()
              if line.startswith("─") and ". " in line]
    assert titles[0].startswith("the demo songs") and titles[-1].startswith("where everything is")
    assert len(titles) == 14
    for said in ("Demo Song: 120 BPM", "Analysis (EBU R128", "input check", "song Demo Ballad:", "-> mixing engineer",
                 "applied #", "again: ", "mastering report:",
                 f"$ studioflow album {project / 'ALBUM.yaml'} -o {project / 'release'}", "CUE sheet: 2 tracks",
                 "tags of 01 - Demo Song.flac", "mono fold-down", "refused, as it should be", "tracking approved by",
                 "best take per phrase", "comp-v001.wav", "EP release (masters, CD image + CUE, manifest):",
                 f"comp of the best phrases: {project.parent / 'coach' / 'takes' / 'vocal' / 'comp.wav'}"):
        assert "".join(said.split()) in flat, said
    assert flat.endswith("".join(f"listen, compare and leave notes: studioflow studio {project} "
                                 "(then open http://127.0.0.1:8765/)".split()))


def check_masters_and_status(project: Path) -> None:
    """Masters of both songs for both platforms meet their targets; the status has nothing to redo."""
    status = json.loads((project / "reports" / "status.json").read_text())
    assert [s["name"] for s in status["songs"]] == ["Demo Song", "Demo Ballad"]
    for song in status["songs"]:
        assert song["would_redo"] == []
        for target in ("spotify", "apple-music"):
            m = song["masters"][target]
            assert (project / "songs" / song["folder"] / m["file"]).is_file()
            assert m["lufs_ok"] and m["peak_ok"]
    assert status["brief"]["release_format"] == "EP"
    assert (project / "songs" / "demo-song" / "masters" / "demo-song-spotify-v001.html").is_file()


def check_sessions_and_notes(project: Path) -> None:
    """The demo song starts from automix and takes the two revision notes; the refused one stays open."""
    song = project / "songs" / "demo-song"
    start = yaml.safe_load((song / "session-v001.yaml").read_text())
    final = yaml.safe_load((song / "session.yaml").read_text())
    assert start["tempo"] == 120.0 and [s["name"] for s in start["sections"]] == \
        [s["name"] for s in song_sections(0, 10.0)]
    lead = {t["name"]: t for t in start["tracks"]}["lead"]
    assert {t["name"]: t for t in final["tracks"]}["lead"]["gain_db"] == pytest.approx(lead["gain_db"] + 2.0)
    by_text = {n["text"]: n for n in notes.load(song)}
    assert by_text["lead up 2 dB"]["status"] == "closed"
    assert by_text["more reverb on the lead in the chorus"]["status"] == "closed"
    assert by_text["the shaker is too loud"]["status"] == "open"             # revise refused it: left open


def check_ep(project: Path) -> None:
    """The EP: a CUE sheet that parses (ISRCs, catalog, the gap in CD frames), tags, a manifest whose checksums
    match."""
    release = project / "release"
    cue = parse_cue((release / "cd-image.cue").read_text())
    assert [t["isrc"] for t in cue["tracks"]] == ["GBSFD2500001", "GBSFD2500002"]
    assert cue["catalog"] == "5012345678900"
    second = cue["tracks"][1]["index"]
    assert second[1] - second[0] == 2 * FRAMES_PER_S                       # the ALBUM.yaml's 2 s gap
    manifest = json.loads((release / "manifest.json").read_text())
    paths = {f["path"] for f in manifest["files"]}
    assert {"cd-image.wav", "cd-image.cue", "01 - Demo Song.flac", "02 - Demo Ballad.mp3"} <= paths
    for f in manifest["files"]:
        assert hashlib.sha256((release / f["path"]).read_bytes()).hexdigest() == f["sha256"]
    tags = read_tags(release / "02 - Demo Ballad.flac")
    assert (tags["title"], tags["album"], tags["track_number"], tags["track_total"], tags["isrc"]) == \
        ("Demo Ballad", "Demo EP", 2, 2, "GBSFD2500002")
    album = json.loads((release / "album.json").read_text())
    assert album["songs"][1]["intended_relative_lu"] == -2.0               # the ballad stays under the single


def check_translation(project: Path) -> None:
    """The translation report and its numbers."""
    reports = project / "songs" / "demo-song" / "reports"
    assert (reports / "translation.html").read_text().lstrip().lower().startswith("<!doctype html")
    data = json.loads((reports / "translation.json").read_text())
    labels = [c["label"] for c in data["checks"]]
    assert len(labels) == 7 and "mono fold-down" in labels                 # 5 playback systems, mono, the codec
    assert all(c["integrated_lufs"] is not None for c in data["checks"])


def test_a_failing_step_is_named_and_exits_non_zero(capsys, tmp_path, monkeypatch):
    def broken(*args, **kwargs):
        raise AudioFileError("the synthesizer is broken")

    monkeypatch.setattr("studioflow.demo.songs.synthesize_demo", broken)
    heard = []
    with pytest.raises(DemoStepError) as failed:
        run_demo(tmp_path / "api", quick=True, progress=heard.append)
    assert (failed.value.number, failed.value.title) == (1, "the demo songs")
    assert isinstance(failed.value.error, AudioFileError)
    assert [e["event"] for e in heard] == ["step"]                       # started, never done
    code, out = _run(capsys, "demo-run", str(tmp_path / "cli"), "--quick")
    assert code == 1
    assert "demo step 1 (the demo songs) failed: AudioFileError: the synthesizer is broken" in " ".join(out.split())
