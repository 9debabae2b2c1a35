"""The demo's coaching step: the planted takes are coached, the best phrases kept and comped."""

from __future__ import annotations

import json

from rich.console import Console

from studioflow.cli.demo import Demo


def test_demo_coaches_the_planted_takes_and_comps_the_best_phrases(tmp_path):
    with open(tmp_path / "demo.txt", "w") as shown:
        Demo(Console(file=shown, highlight=False), tmp_path, None).coach()
    song = tmp_path / "coach"
    result = json.loads((song / "coach.json").read_text())
    assert [p["best_take"] for p in result["best"]] == [1, 2]
    said = {t["take"]: " ".join(r["message"] for r in t["remarks"]) for t in result["takes"]}
    assert "The long notes in bars 3-4" in said[1] and "sag about" in said[1] and "You rush bars 3-4 by about" \
        in said[1]
    assert "In bars 1-2 (0:00-0:03.4) you sit about" in said[2] and "cents sharp" in said[2]
    assert (song / "takes" / "vocal" / "comp.wav").resolve().name == "comp-v001.wav"
