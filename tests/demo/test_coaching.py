"""The demo's coaching step: the planted takes are coached, the best phrases kept and comped."""

from __future__ import annotations

import json

from studioflow.demo import coach_planted_takes


def test_demo_coaches_the_planted_takes_and_comps_the_best_phrases(tmp_path):
    song = tmp_path / "coach"
    made = coach_planted_takes(song)
    assert [t.name for t in made["takes"]] == ["take-001.wav", "take-002.wav"]
    result = json.loads((song / "coach.json").read_text())
    assert [p["best_take"] for p in result["best"]] == [p["best_take"] for p in made["coaching"]["best"]] == [1, 2]
    said = {t["take"]: " ".join(r["message"] for r in t["remarks"]) for t in result["takes"]}
    assert "The long notes in bars 3-4" in said[1] and "sag about" in said[1] and "You rush bars 3-4 by about" \
        in said[1]
    assert "In bars 1-2 (0:00-0:03.4) you sit about" in said[2] and "cents sharp" in said[2]
    assert (song / "takes" / "vocal" / "comp.wav").resolve().name == "comp-v001.wav"
    assert made["comp"]["file"].endswith("comp-v001.wav") and made["plan"].is_file()
