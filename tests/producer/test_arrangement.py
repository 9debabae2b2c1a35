"""Arrangement advice: remarks that follow from the numbers, on synthesized songs and on the demo song."""

import json

import numpy as np
import pytest
from music_signals import RATE, song

from studioflow.analysis.sections import Section
from studioflow.audio.files import read, write
from studioflow.cli.main import main
from studioflow.demo.songs import song_sections, synthesize_demo
from studioflow.errors import ParameterError
from studioflow.producer.arrangement import analyze_arrangement, remarks


def _codes(result):
    return {r["code"]: r for r in result["remarks"]}


def test_a_40_second_intro_is_flagged_for_a_single_only():
    audio = song([(0, 40, "pad", 1.0), (40, 56, "drums", 1.0), (56, 70, "full", 1.0)])[None]
    single = analyze_arrangement(audio, RATE, single=True)
    remark = _codes(single)["long-intro"]
    assert remark["value"] == pytest.approx(40.0, abs=1.0) and remark["threshold"] == 30.0
    assert "40" in remark["message"]
    assert "long-intro" not in _codes(analyze_arrangement(audio, RATE, single=False))


def test_loud_chorus_has_contrast_and_a_flat_song_has_none():
    loud = song([(0, 12, "drums", 0.5), (12, 24, "full", 1.5), (24, 36, "drums", 0.5), (36, 48, "full", 1.5)])
    flat = song([(0, 12, "drums", 1.0), (12, 24, "full", 1.0), (24, 36, "drums", 1.0), (36, 48, "full", 1.0)])
    assert "no-contrast" not in _codes(analyze_arrangement(loud[None], RATE))
    remark = _codes(analyze_arrangement(flat[None], RATE))["no-contrast"]
    assert 0.0 <= remark["value"] < 2.0 and remark["unit"] == "LU"
    assert f"{remark['value']:.1f} LU" in remark["message"]


def test_length_far_from_the_genre_is_named():
    audio = song([(0, 20, "full", 1.0)])[None]
    remark = _codes(analyze_arrangement(audio, RATE, genre="Pop"))["length"]
    assert remark["value"] == pytest.approx(20.0, abs=0.01) and remark["threshold"] == [150.0, 240.0]
    assert "length" not in _codes(analyze_arrangement(audio, RATE))     # no genre, no length check
    with pytest.raises(ParameterError, match="unknown genre"):
        analyze_arrangement(audio, RATE, genre="zouk")


def _plan(*spans):
    """Sections from (start, end, label, LUFS) for the remark rules alone."""
    return [Section(a, b, label, loud) for a, b, label, loud in spans]


def test_late_hook_and_unchanged_stretch_rules():
    late = _plan((0, 20, "A", -20.0), (20, 70, "B", -16.0), (70, 90, "C", -11.0), (90, 110, "B", -16.0),
                 (110, 130, "C", -11.0), (130, 150, "D", -18.0))
    codes = {r["code"]: r for r in remarks(late, 150.0, genre=None, single=True, bpm=120.0)}
    assert codes["late-hook"]["value"] == 70.0
    assert codes["unchanged"]["value"] == 50.0 and "25 bars" in codes["unchanged"]["message"]
    early = _plan((0, 10, "A", -20.0), (10, 30, "B", -16.0), (30, 50, "C", -11.0), (50, 70, "B", -16.0),
                  (70, 90, "C", -11.0), (90, 100, "D", -18.0))
    assert remarks(early, 100.0, genre=None, single=True, bpm=120.0) == []


def test_demo_song_end_to_end(tmp_path):
    stems = synthesize_demo(tmp_path / "stems", rate=RATE)
    mix = None
    for path in stems.values():
        audio, rate = read(path)
        audio = np.repeat(audio, 2, axis=0) if audio.shape[0] == 1 else audio
        mix = audio if mix is None else mix + audio
    mix_path = write(tmp_path / "mix.wav", 0.4 * mix, rate)
    result = analyze_arrangement(mix_path)
    assert result["tempo"]["bpm"] == pytest.approx(120.0, abs=1.0)
    truth = [s["start_s"] for s in song_sections()][1:]
    found = np.array([s["start_s"] for s in result["sections"]][1:])
    hits = [b for b in truth if np.abs(found - b).min() <= 1.0]
    assert hits == truth                                   # every section change found within 1 s
    assert len(found) <= len(truth) + 1                    # at most one extra boundary
    labels = {s["start_s"]: s["label"] for s in result["sections"]}
    chorus = [lab for start, lab in labels.items() if abs(start - 24.0) <= 1.0]
    chorus2 = [lab for start, lab in labels.items() if abs(start - 48.0) <= 1.0]
    assert chorus == chorus2                               # the chorus comes back under its letter


def test_cli_json_and_plot(tmp_path, capsys):
    path = write(tmp_path / "song.wav", song([(0, 10, "pad", 1.0), (10, 24, "full", 1.0)])[None], RATE)
    plot = tmp_path / "arr.png"
    main(["arrangement", str(path), "--json", "--plot", str(plot), "--genre", "pop"])
    printed = json.loads(capsys.readouterr().out)
    assert printed["tempo"]["bpm"] == pytest.approx(120.0, abs=1.0)
    assert {r["code"] for r in printed["remarks"]} >= {"length"}
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads(plot.with_suffix(".json").read_text())["sections"] == printed["sections"]


def test_cli_bad_file_is_one_line(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["arrangement", str(tmp_path / "missing.wav")])
    assert exit_info.value.code == 2
    assert capsys.readouterr().err.startswith("studioflow: error:")
