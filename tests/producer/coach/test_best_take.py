"""Several takes of one part: the best take of each phrase is chosen, and `studioflow comp` builds the plan."""

from __future__ import annotations

import numpy as np
import pytest
from producer.coach.sung_takes import BEAT, PHRASE_SPLIT, RATE, guide_notes, write_take

from studioflow.audio.files import read
from studioflow.producer.coach import coach
from studioflow.recording.comp import comp as build_comp
from studioflow.recording.takes import add, take_path

# take 1 is so-so everywhere, take 2 nails phrase 1 and drags phrase 2, take 3 is flat in phrase 1 and fine after
FLAWS = {
    1: {0: dict(cents=14.0), 3: dict(shift_ms=18.0), 7: dict(cents=-12.0), 9: dict(shift_ms=-20.0)},
    2: {7: dict(shift_ms=35.0), 8: dict(shift_ms=30.0, cents=-15.0), 9: dict(shift_ms=40.0)},
    3: {1: dict(cents=-25.0), 2: dict(cents=-30.0), 4: dict(cents=-20.0)},
}


@pytest.fixture(scope="module")
def song(tmp_path_factory):
    song_dir = tmp_path_factory.mktemp("song")
    for number, flaws in FLAWS.items():
        path = write_take(take_path(song_dir, "vocal", number), flaws, seed=number)
        add(song_dir, {"track": "vocal", "take": number, "file": f"vocal/{path.name}", "rate": RATE})
    return song_dir


@pytest.fixture(scope="module")
def coached(song, guide_file):
    files = [take_path(song, "vocal", n) for n in FLAWS]
    return coach(files, guide=guide_file, plan=song / "plan.yaml", report=song / "coach.html")


def test_best_take_per_phrase(coached):
    assert [p["best_take"] for p in coached["best"]] == [2, 3]
    rest = guide_notes()[PHRASE_SPLIT - 1].end_s, guide_notes()[PHRASE_SPLIT].start_s
    assert coached["plan"] == [{"take": 2, "from": 0.0, "to": pytest.approx(sum(rest) / 2, abs=1e-3)},
                               {"take": 3, "from": pytest.approx(sum(rest) / 2, abs=1e-3), "to": 8.5}]


def test_comp_builds_the_plan_from_the_best_takes(song, coached):
    made = build_comp(song, "vocal", song / "plan.yaml")
    audio, rate = read(made["file"])
    first, _ = read(take_path(song, "vocal", 2))
    second, _ = read(take_path(song, "vocal", 3))
    a = slice(int(2 * BEAT * rate), int(3 * BEAT * rate))           # inside phrase 1: take 2
    b = slice(int(12 * BEAT * rate), int(13 * BEAT * rate))         # inside phrase 2: take 3
    np.testing.assert_allclose(audio[:, a], first[:, a], atol=1e-6)
    np.testing.assert_allclose(audio[:, b], second[:, b], atol=1e-6)


def test_report_and_its_numbers_are_written(song, coached):
    page = (song / "coach.html").read_text()
    assert page.count("data:image/png;base64,") == 3 and "Best take per phrase" in page
    assert (song / "coach.json").exists()
    assert coached["comp_hint"] == f"studioflow comp {song} --track vocal --plan {song / 'plan.yaml'}"
    drag = [r["message"] for r in coached["takes"][1]["remarks"] if r["kind"] == "drag"]
    assert drag and drag[0].startswith("You drag bars 3-4 by about")
