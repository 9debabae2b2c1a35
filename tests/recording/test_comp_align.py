"""Comping with equal-power crossfades at quiet points, and aligning mics to a reference track."""

import os

import numpy as np
import pytest
from signals import noise, pink_noise, sine

from studioflow.analysis import alignment
from studioflow.audio.files import read, write
from studioflow.cli.main import main
from studioflow.errors import SessionError
from studioflow.recording import takes
from studioflow.recording.comp import build, comp, load_plan

RATE = 48000


def _take(song, track, number, audio, **extra):
    path = takes.take_path(song, track, number)
    path.parent.mkdir(parents=True, exist_ok=True)
    write(path, audio, RATE)
    takes.add(song, {"track": track, "take": number, "rate": RATE, **extra})


def test_segments_and_equal_power_crossfade(tmp_path):
    a, b = noise(2.0, RATE, -20.0, seed=1), noise(2.0, RATE, -20.0, seed=2)
    _take(tmp_path, "vocal", 1, a)
    _take(tmp_path, "vocal", 3, b)
    plan = [{"take": 1, "from": 0.0, "to": 1.0}, {"take": 3, "from": 1.0, "to": 2.0}]
    out, rate, bounds = build(tmp_path, "vocal", plan, crossfade_ms=10.0, search_ms=0.0)
    a, b = read(takes.take_path(tmp_path, "vocal", 1))[0], read(takes.take_path(tmp_path, "vocal", 3))[0]
    cut = RATE
    assert bounds == [{"at_s": 1.0, "planned_s": 1.0, "into_take": 3}]
    assert np.array_equal(out[:, :cut - 240], a[:, :cut - 240])
    assert np.array_equal(out[:, cut + 240:], b[:, cut + 240:])
    # equal power: the gains satisfy g_out^2 + g_in^2 = 1 across the fade
    seg = slice(cut - 240, cut + 240)
    t = (np.arange(cut - 240, cut + 240) - (cut - 240)) / 480
    expected = a[0, seg] * np.cos(t * np.pi / 2) + b[0, seg] * np.sin(t * np.pi / 2)
    assert np.allclose(out[0, seg], expected, atol=1e-6)


def test_cut_moves_to_a_quiet_point(tmp_path):
    _take(tmp_path, "gtr", 1, sine(100, 1.0, RATE, -6.0))
    _take(tmp_path, "gtr", 2, sine(100, 1.0, RATE, -6.0))
    plan = [{"take": 1, "from": 0.0, "to": 0.5025}, {"take": 2, "from": 0.5025, "to": 1.0}]   # at a sine peak
    _, _, bounds = build(tmp_path, "gtr", plan, search_ms=5.0)
    at = bounds[0]["at_s"]
    assert abs(at - 0.5025) <= 0.005
    assert abs(np.sin(2 * np.pi * 100 * at)) < abs(np.sin(2 * np.pi * 100 * 0.5025)) * 0.05


def test_punch_take_lands_at_its_offset(tmp_path):
    _take(tmp_path, "vox", 1, np.full((1, RATE), 0.1, np.float32))
    _take(tmp_path, "vox", 2, np.full((1, RATE // 2), 0.3, np.float32), offset_s=0.5)
    out, _, _ = build(tmp_path, "vox", [{"take": 1, "from": 0, "to": 0.5}, {"take": 2, "from": 0.5, "to": 1.0}])
    assert out[0, 100] == pytest.approx(0.1) and out[0, RATE - 100] == pytest.approx(0.3)


def test_comp_versions_and_latest_link(tmp_path, capsys):
    _take(tmp_path, "vocal", 1, noise(1.0, RATE, seed=3))
    _take(tmp_path, "vocal", 2, noise(1.0, RATE, seed=4))
    plan = tmp_path / "comp.yaml"
    plan.write_text("segments:\n  - {take: 1, from: 0, to: 0.4}\n  - {take: 2, from: 0.4, to: 1.0}\n")
    main(["comp", str(tmp_path), "--track", "vocal", "--plan", str(plan)])
    r = comp(tmp_path, "vocal", plan)
    folder = tmp_path / "takes" / "vocal"
    assert (folder / "comp-v001.wav").exists() and r["file"].endswith("comp-v002.wav")
    assert os.path.realpath(folder / "comp.wav") == os.path.realpath(folder / "comp-v002.wav")
    assert (folder / "comp-v002.json").exists() and "comp-v001.wav" in capsys.readouterr().out


@pytest.mark.parametrize("text,word", [("- {take: 1, from: 2, to: 1}\n", "before"),
                                       ("- {take: 1, from: 0, to: 2}\n- {take: 2, from: 1, to: 3}\n", "previous"),
                                       ("- {take: 1, start: 0}\n", "keys"), ("[\n", "YAML")])
def test_bad_plans_name_the_file(tmp_path, text, word):
    plan = tmp_path / "p.yaml"
    plan.write_text(text)
    with pytest.raises(SessionError, match=word) as e:
        load_plan(plan)
    assert "p.yaml" in str(e.value)


def test_align_command(tmp_path, capsys):
    src = pink_noise(1.0, RATE, -18.0, seed=5)
    out = np.zeros_like(src)
    out[:, 48:] = -0.8 * src[:, :-48]                       # 1 ms late, inverted
    oh = np.zeros_like(src)
    oh[:, 144:] = 0.3 * src[:, :-144] + noise(1.0, RATE, -40.0, seed=6)[:, 144:]
    _take(tmp_path, "kick_in", 1, src)
    _take(tmp_path, "kick_out", 1, out)
    _take(tmp_path, "overheads", 1, oh)
    main(["align", str(tmp_path), "--ref", "kick_in", "--tracks", "kick_out,overheads"])
    printed = capsys.readouterr().out
    assert "delay_ms: -1.0" in printed and "polarity: inverted" in printed and "delay_ms: -3.0" in printed
    fixed, _ = read(tmp_path / "takes" / "kick_out" / "take-001.aligned-v001.wav")
    al = alignment.measure(src, fixed, RATE)
    assert abs(al.delay_samples) < 0.1 and not al.polarity_inverted and al.correlation > 0.99
    assert list((tmp_path / "takes").glob("align-v001.json"))
