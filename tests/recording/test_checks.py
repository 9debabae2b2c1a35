"""Input checks: each synthesized problem is found with its time; a clean tone finds none; mic pairs are compared."""

import json

import numpy as np
import pytest
from signals import noise, pink_noise, sine

from studioflow.audio.files import write
from studioflow.cli.main import main
from studioflow.recording.checks import advice, check_audio, check_takes, find_groups, group_problems

RATE = 48000


def _kinds(report):
    return sorted({p["kind"] for p in report["problems"]})


def _write(folder, name, audio):
    folder.mkdir(parents=True, exist_ok=True)
    return write(folder / f"{name}.wav", audio, RATE)


def test_clean_tone_has_no_problems():
    r = check_audio(sine(440, 2.0, RATE, -12.0), RATE)
    assert r["problems"] == []
    assert r["peak_dbfs"] == pytest.approx(-12.0, abs=0.01) and r["advice"].startswith("good")


@pytest.mark.parametrize("peak,bits,word,severity", [(-0.5, 24, "too hot", "error"), (-3, 24, "hot", "warning"),
                                                    (-12, 24, "good", None), (-35, 24, "low", "warning"),
                                                    (-5, 16, "good", None)])
def test_gain_staging_advice(peak, bits, word, severity):
    text, sev = advice(peak, bits)
    assert text.startswith(word) and sev == severity


def test_each_problem_found_with_its_time():
    x = sine(440, 3.0, RATE, -12.0) + noise(3.0, RATE, -90.0)
    x[:, int(0.5 * RATE):int(0.6 * RATE)] = np.clip(x[:, int(0.5 * RATE):int(0.6 * RATE)] * 8, -1, 1)
    x[:, int(2.0 * RATE):int(2.0 * RATE) + 240] = 0
    r = check_audio(x, RATE)
    by_kind = {p["kind"]: p for p in r["problems"]}
    assert {"clipping", "dropout", "level"} <= set(by_kind)
    assert 0.5 <= by_kind["clipping"]["time_s"] < 0.6
    assert by_kind["dropout"]["time_s"] == pytest.approx(2.0, abs=1e-3)


def test_hum_dc_and_noise():
    t = np.arange(2 * RATE) / RATE
    x = sine(1000, 2.0, RATE, -12.0) + noise(2.0, RATE, -45.0) + 0.02 + (0.01 * np.sin(2 * np.pi * 60 * t)).astype(
        np.float32)
    kinds = {p["kind"] for p in check_audio(x.astype(np.float32), RATE)["problems"]}
    assert {"hum", "dc_offset", "noise"} <= kinds


def test_silent_input_is_an_error():
    r = check_audio(np.zeros((1, RATE), np.float32), RATE)
    assert [p["severity"] for p in r["problems"] if p["kind"] == "level"] == ["error"]


def test_pairs_by_name_polarity_and_offset(tmp_path):
    src = pink_noise(1.0, RATE, -20.0, seed=3)
    _write(tmp_path, "kick_in", src)
    late = np.zeros_like(src)
    late[:, 24:] = -0.7 * src[:, :-24]                     # 0.5 ms later, inverted
    _write(tmp_path, "kick_out", late)
    _write(tmp_path, "vocal", sine(440, 1.0, RATE, -12.0))
    report = check_takes(tmp_path)
    assert len(report["takes"]) == 3 and len(report["groups"]) == 1
    member = report["groups"][0]["members"][0]
    assert report["groups"][0]["reference"] == "kick_in" and member["file"] == "kick_out"
    assert member["polarity_inverted"] and member["delay_ms"] == pytest.approx(0.5, abs=0.01)
    assert member["correction"] == {"delay_ms": pytest.approx(-0.5, abs=0.01), "polarity": "inverted"}
    assert {"polarity", "offset"} <= set(_kinds(report))


def test_groups_by_take_number_and_explicit(tmp_path):
    files = ([tmp_path / "takes" / t / "take-002.wav" for t in ("oh_l", "snare")]
             + [tmp_path / "takes/oh_l/take-001.wav"])
    assert find_groups(files) == [sorted(files[:2])]
    a = _write(tmp_path / "x", "a", pink_noise(1.0, RATE, seed=1))
    b = _write(tmp_path / "x", "b", -pink_noise(1.0, RATE, seed=1))
    r = check_takes([a, b], groups=[[a, b]], report_path=tmp_path / "reports" / "check.json")
    pol = [p for p in r["problems"] if p["kind"] in ("polarity", "offset")]
    assert len(pol) == 1 and pol[0]["kind"] == "polarity" and pol[0]["correction"]["polarity"] == "inverted"
    saved = json.loads((tmp_path / "reports" / "check.json").read_text())     # the API writes its report itself
    assert saved["summary"] == r["summary"] and [t["name"] for t in saved["takes"]] == ["a", "b"]


def test_check_command_writes_json(tmp_path, capsys):
    _write(tmp_path, "gtr", sine(440, 1.0, RATE, -12.0))
    hot = sine(440, 1.0, RATE, -12.0)
    hot[:, 1000:2000] = 1.0
    _write(tmp_path, "bass", hot)
    main(["check", str(tmp_path), "--json"])
    printed = json.loads(capsys.readouterr().out)
    saved = json.loads((tmp_path / "check.json").read_text())
    assert printed["summary"] == saved["summary"] and saved["summary"]["errors"] >= 1
    clip = [p for p in saved["problems"] if p["kind"] == "clipping"]
    assert clip and clip[0]["time_s"] == pytest.approx(1000 / RATE, abs=1e-4) and clip[0]["file"].endswith("bass.wav")
    main(["check", str(tmp_path), "--overwrite"])
    assert "clipped run" in capsys.readouterr().out


def test_repeated_dropouts_fold_into_one_line_and_json_keeps_each(tmp_path, capsys):
    x = sine(220, 3.0, RATE, -12.0) + noise(3.0, RATE, -80.0, seed=4)
    cuts = (0.5, 1.0, 1.5, 2.0, 2.5)
    for at in cuts:
        x[:, int(at * RATE):int(at * RATE) + 480] = 0                   # 10 ms each
    r = check_audio(x, RATE)
    drops = [p for p in r["problems"] if p["kind"] == "dropout"]
    assert [p["time_s"] for p in drops] == [pytest.approx(a, abs=1e-4) for a in cuts]
    groups = [g for g in group_problems(r["problems"]) if g["kind"] == "dropout"]
    assert len(groups) == 1 and groups[0]["count"] == len(cuts) and groups[0]["times"] == [p["time_s"] for p in drops]
    assert groups[0]["message"].startswith("5 dropouts at 0.50, 1.00, 1.50, ... s (10 ms each)")
    _write(tmp_path, "gtr", x)
    main(["check", str(tmp_path)])
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith(("error", "warning", "info"))]
    assert len(lines) == 1 and "5 dropouts" in lines[0]
    problems = json.loads((tmp_path / "check.json").read_text())["problems"]
    assert len([p for p in problems if p["kind"] == "dropout"]) == 5


def test_decaying_hits_give_no_dropout_noise_or_click():
    t = np.arange(int(0.3 * RATE)) / RATE
    hit = (0.7 * np.sin(2 * np.pi * 60 * t) * np.exp(-t / 0.03)).astype(np.float32)
    x = np.zeros((1, 3 * RATE), np.float32)
    for start in np.arange(0.0, 2.6, 0.375):
        i = int(start * RATE)
        x[0, i:i + len(hit)] += hit
    x = (np.round(x.astype(np.float64) * 2 ** 23) / 2 ** 23).astype(np.float32)   # a 24-bit file: tails reach zero
    r = check_audio(x, RATE)
    assert r["noise_floor_dbfs"] is None and {p["kind"] for p in r["problems"]} <= {"level"}


def test_noise_floor_not_measurable_is_said_in_the_table(tmp_path, capsys):
    t = np.arange(RATE) / RATE
    _write(tmp_path, "kick", (0.5 * np.sin(2 * np.pi * 55 * t) * np.exp(-t / 0.05))[None].astype(np.float32))
    main(["check", str(tmp_path)])
    assert "not measurable" in capsys.readouterr().out
    assert json.loads((tmp_path / "check.json").read_text())["takes"][0]["noise_floor_dbfs"] is None
