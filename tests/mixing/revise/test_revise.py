"""revise(): edits applied to the session, written as the next version (never overwriting), a readable diff, and a
revised session that renders with the change audible by the numbers."""

import numpy as np
import pytest
import soundfile as sf

from studioflow.analysis.loudness import integrated_loudness
from studioflow.mixing import load_session, render
from studioflow.mixing.revise import revise
from studioflow.mixing.revise.apply import RAMP_S


def test_versions_keep_every_state_and_the_working_file_holds_the_newest(session_path):
    original = session_path.read_text()
    first = revise(session_path, "vocal up 2 dB")
    assert first["new_session"].endswith("session-v002.yaml")
    assert (session_path.parent / "session-v001.yaml").read_text() == original     # the starting point, kept
    v2 = (session_path.parent / "session-v002.yaml").read_text()
    assert session_path.read_text() == v2 and first["working_session"] == str(session_path)
    second = revise(first["new_session"], "the bass a bit quieter")
    assert second["new_session"].endswith("session-v003.yaml")
    assert load_session(session_path).strip("Lead Vox").gain_db == pytest.approx(1.0)
    assert load_session(session_path).strip("bass").gain_db == pytest.approx(-2.0)
    hand = session_path.read_text().replace("gain_db: -2.0", "gain_db: -5.0", 1)      # kick, by hand
    session_path.write_text(hand)
    again = revise(session_path, "kick up a touch")
    assert (session_path.parent / "session-v004.yaml").read_text() == hand          # the hand edit, kept
    assert again["new_session"].endswith("session-v005.yaml")
    assert load_session(session_path).strip("kick").gain_db == pytest.approx(-4.0)
    assert sorted(p.name for p in session_path.parent.glob("session*.yaml")) == [
        "session-v001.yaml", "session-v002.yaml", "session-v003.yaml", "session-v004.yaml", "session-v005.yaml",
        "session.yaml"]


def test_dry_run_and_refusals_write_nothing(session_path):
    before = sorted(p.name for p in session_path.parent.iterdir())
    dry = revise(session_path, "vocal up 2 dB", dry_run=True)
    assert dry["new_session"] is None and dry["diff"] == ["track Lead Vox: gain_db: -1 -> 1"]
    none = revise(session_path, "make it pop")
    assert none["new_session"] is None and none["not_applied"][0]["note"] == "make it pop"
    assert sorted(p.name for p in session_path.parent.iterdir()) == before


def test_scoped_level_is_automation_with_short_ramps(session_path):
    result = revise(session_path, "bring the snare down 3 dB in the verses")
    env = load_session(result["new_session"]).strip("snare").automation["gain_db"]
    at = lambda t: float(env.at_seconds(t)[0])   # noqa: E731
    assert at(1.0) == at(4.5) == at(7.5) == 0.0
    assert at(2.0) == at(3.9) == at(6.5) == -3.0
    assert at(2.0 - RAMP_S / 2) == pytest.approx(-1.5)
    assert any("automation.gain_db added" in line for line in result["diff"])


def test_space_width_dynamics_and_tone_edits(session_path):
    result = revise(session_path, "more reverb on the vocal. Drier drums. Pan the keys wider. "
                                  "The vocal jumps out in places. Drums hit harder. Less boomy kick.")
    assert not result["not_applied"]
    s = load_session(result["new_session"])
    assert s.strip("Lead Vox").sends[0].level_db == -11.0
    assert s.strip("snare").sends[0].level_db == -19.0
    assert [(i.type, i.params) for i in s.strip("keys").inserts] == [("width", {"width": 1.2})]
    comp = s.strip("Lead Vox").inserts[-1]
    assert comp.type == "compressor" and comp.params["ratio"] == 3.0
    for drum in ("kick", "snare", "hats"):
        shaper = next(i for i in s.strip(drum).inserts if i.type == "transient_shaper")
        assert shaper.params == {"attack_db": 3.0}
    eq = next(i for i in s.strip("kick").inserts if i.type == "eq")
    assert eq.params["bands"] == [{"type": "peak", "freq": 120.0, "gain_db": -2.0, "q": 1.4}]


def test_second_tone_note_adjusts_the_same_band(session_path):
    first = revise(session_path, "the vocal is harsh")
    second = revise(first["new_session"], "the vocal is still a bit harsh")
    eq = next(i for i in load_session(second["new_session"]).strip("Lead Vox").inserts if i.type == "eq")
    assert eq.params["bands"] == [{"type": "peak", "freq": 3500.0, "gain_db": -4.0, "q": 1.4}]


def test_drier_with_nothing_to_reduce_is_not_applied(session_path):
    result = revise(session_path, "drier bass", dry_run=True)
    assert result["not_applied"][0]["why"].startswith("bass send nothing to the reverb")


def _stem_loudness(session_path, out):
    render(load_session(session_path), out / "mix.wav", stems_dir=out)
    audio, rate = sf.read(out / "Lead Vox.wav", dtype="float32", always_2d=True)
    return integrated_loudness(audio.T, rate), audio


def test_revised_session_renders_with_the_change(session_path, tmp_path):
    result = revise(session_path, "vocal up 2 dB; in the chorus, the vocal up 3 dB")
    (tmp_path / "a").mkdir(), (tmp_path / "b").mkdir()
    before, a = _stem_loudness(session_path.parent / "session-v001.yaml", tmp_path / "a")
    after, b = _stem_loudness(result["new_session"], tmp_path / "b")
    rate = 16000
    outside = slice(int(0.5 * rate), int(3.5 * rate))
    inside = slice(int(4.2 * rate), int(5.8 * rate))
    gain = lambda seg: 20 * np.log10(np.sqrt(np.mean(b[seg] ** 2) / np.mean(a[seg] ** 2)))   # noqa: E731
    assert gain(outside) == pytest.approx(2.0, abs=0.01)
    assert gain(inside) == pytest.approx(5.0, abs=0.01)
    assert after > before


def test_cli_revise_prints_edits_and_diff(session_path, capsys):
    from studioflow.cli.main import main
    main(["revise", str(session_path), "vocal up 2 dB and the theremin down", "--dry-run"])
    out = capsys.readouterr().out
    assert "applied" in out and "Lead Vox: level +2.0 dB" in out and "not applied" in out and "dry run" in out


def test_master_true_peak_over_zero_is_said_with_the_number(session_path):
    quiet = revise(session_path, "kick up a touch", render=True)
    assert quiet["render"]["analysis"]["true_peak_dbtp"] < 0.0 and quiet["warnings"] == []
    hot = revise(session_path, "vocal up 20 dB", render=True)
    peak = hot["render"]["analysis"]["true_peak_dbtp"]
    assert peak > 0.0
    assert len(hot["warnings"]) == 1 and f"{peak:+.1f} dBTP" in hot["warnings"][0]
    assert "limiter" in hot["warnings"][0] and "master fader" in hot["warnings"][0]


def test_unrendered_revision_reads_the_last_render_of_its_session(session_path):
    from studioflow.mixing.versions import render_version
    hot = revise(session_path, "vocal up 20 dB")["new_session"]
    assert revise(hot, "bass down 1 dB", dry_run=True)["warnings"] == []          # never rendered: nothing to say
    report = render_version(hot)
    warnings = revise(hot, "bass down 1 dB", dry_run=True)["warnings"]
    assert len(warnings) == 1 and f"v{report['version']:03d}.json" in warnings[0]
    assert f"{report['analysis']['true_peak_dbtp']:+.1f} dBTP" in warnings[0]
    working = revise(session_path, "bass down 1 dB", dry_run=True)["warnings"]      # the working file holds v002
    assert working == [warnings[0].replace("session-v002.yaml", "session.yaml")]
    start = session_path.parent / "session-v001.yaml"
    assert revise(start, "bass down 1 dB", dry_run=True)["warnings"] == []          # another session's render
