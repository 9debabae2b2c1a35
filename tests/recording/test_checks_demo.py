"""Input checks on the demo song's stems: synthesized drums, bass, keys and pad are clean apart from their level
advice; the lead's planted problems (50 Hz hum with harmonics, a 0.25 s clipped run at bar 13) are found."""

import contextlib
import io
import json

import pytest

from studioflow.cli.main import main
from studioflow.demo.songs import PLANS, synthesize_demo
from studioflow.recording.checks import group_problems


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    """The demo stems checked once through ``studioflow check``: (the printed report, the saved JSON report)."""
    folder = tmp_path_factory.mktemp("demo") / "stems"
    synthesize_demo(folder)
    printed = io.StringIO()
    with contextlib.redirect_stdout(printed):
        main(["check", str(folder)])
    return printed.getvalue(), json.loads((folder / "check.json").read_text())


def _of(report, name):
    return [p for p in report["problems"] if p["file"].endswith(f"/{name}.wav")]


def test_demo_stems_have_no_errors_except_the_lead_and_hot_levels(demo):
    _, report = demo
    errors = [p for p in report["problems"] if p["severity"] == "error" and not p["file"].endswith("/lead.wav")]
    assert all(p["kind"] == "level" for p in errors), errors          # the snare is hot on purpose
    kinds = {p["kind"] for p in report["problems"]}
    assert "dropout" not in kinds and "noise" not in kinds
    for name in ("kick", "snare", "hats"):
        take = next(t for t in report["takes"] if t["name"] == name)
        assert take["dropouts"] == [] and take["noise_floor_dbfs"] is None and take["snr_db"] is None
    hot = {p["file"].rsplit("/", 1)[-1] for p in report["problems"] if p["kind"] == "level"}
    assert {"kick.wav", "snare.wav", "lead.wav"} <= hot


def test_demo_lead_hum_and_clipping_found(demo):
    _, report = demo
    lead = _of(report, "lead")
    hum = [p for p in lead if p["kind"] == "hum"]
    assert len(hum) == 1 and "50 Hz" in hum[0]["message"] and "100" in hum[0]["message"]
    take = next(t for t in report["takes"] if t["name"] == "lead")
    assert take["hum"]["mains_hz"] == 50 and {"50", "100", "150"} <= set(take["hum"]["harmonics_dbfs"])   # JSON keys
    assert take["hum"]["time_s"] == 0.0 and take["hum"]["end_s"] >= take["duration_s"] - 1.0   # heard all along
    bar_s = 4 * 60.0 / PLANS[0].tempo_bpm
    clips = [p for p in lead if p["kind"] == "clipping"]
    assert len(clips) == 1 and clips[0]["severity"] == "error"
    assert 13 * bar_s <= clips[0]["time_s"] < clips[0]["end_s"] <= 13 * bar_s + 0.25
    assert clips[0]["runs"] == len(take["clipped_runs"]) > 1


def test_demo_report_groups_repeated_problems(demo):
    printed, report = demo
    groups = group_problems(report["problems"])
    assert sum(g["count"] for g in groups) == len(report["problems"])
    lines = [line for line in printed.splitlines() if line.startswith(("error", "warning", "info"))]
    assert len(lines) == len(groups) < 30                              # one line per kind of problem in a take
    assert "not measurable" in printed and "mains hum at 50 Hz" in printed and "clipped for" in printed
