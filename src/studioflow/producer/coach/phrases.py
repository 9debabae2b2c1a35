"""Phrases, the best take of each, and the comp plan that joins them (the plan ``studioflow comp`` builds from).

A phrase is a run of notes with no rest of ``PHRASE_GAP_S`` or more inside it. Each take is scored per phrase:
its mean pitch error in cents (a note's offset, plus half its drift, so a sagging note counts against it), plus
``MS_WEIGHT`` cents for each ms of mean timing error, plus ``MISSED_CENTS`` for each note not sung; the lowest score
wins. The plan cuts between phrases in the middle of the rests, so every edit falls where nobody sings.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from studioflow.producer.coach.notes import Note, SungNote, is_sung

PHRASE_GAP_S = 0.3
MS_WEIGHT = 0.5
MISSED_CENTS = 100.0
_TAKE_RE = re.compile(r"take-(\d+)")
NoteT = TypeVar("NoteT", Note, SungNote)     # a list of notes, or of sung notes only


def phrase_spans(spans: list[tuple[float, float]], *, gap_s: float = PHRASE_GAP_S) -> list[tuple[float, float]]:
    """(start, end) of the phrases made of note spans (s): notes closer than ``gap_s`` belong together."""
    out: list[list[float]] = []
    for start, end in sorted(spans):
        if out and start - out[-1][1] < gap_s:
            out[-1][1] = max(out[-1][1], end)
        else:
            out.append([start, end])
    return [(a, b) for a, b in out]


def in_phrase(notes: list[NoteT], phrase: tuple[float, float], *, slack_s: float = 0.15) -> list[NoteT]:
    """The notes whose target (or sung) start falls in ``phrase``, give or take ``slack_s``."""
    a, b = phrase
    return [n for n in notes if a - slack_s <= (n.target_start_s if n.target_start_s is not None else n.start_s) < b]


def phrase_score(notes: list[Note], expected: int) -> dict[str, Any]:
    """Pitch error (cents), timing error (ms), notes missed and the score (lower is better) of one take's phrase."""
    sung = [n for n in notes if is_sung(n)]
    pitch = float(np.mean([abs(n.offset_cents) + abs(n.drift_cents) / 2 for n in sung])) if sung else None
    times = [abs(n.timing_ms) for n in sung if n.timing_ms is not None]
    timing = float(np.mean(times)) if times else None
    missed = max(expected - len(sung), 0)
    score = (pitch if pitch is not None else MISSED_CENTS) + MS_WEIGHT * (timing or 0.0) \
        + MISSED_CENTS * missed / max(expected, 1)
    return {"pitch_cents": pitch, "timing_ms": timing, "missed": missed, "score": score}


def take_number(path: str | Path, position: int) -> int:
    """The take's number from its name (``take-003.wav`` -> 3), else its position on the command line (from 1)."""
    m = _TAKE_RE.search(Path(path).name)
    return int(m[1]) if m else position


def best_per_phrase(takes: list[dict[str, Any]], phrases: list[tuple[float, float]],
                    expected: list[int] | None = None) -> list[dict[str, Any]]:
    """For each phrase: its span, every take's score and the best take (``takes``: ``[{take, notes}]``);
    ``expected`` notes per phrase (default: the most any take sang there)."""
    out = []
    for i, phrase in enumerate(phrases):
        members = {t["take"]: in_phrase(t["notes"], phrase) for t in takes}
        want = expected[i] if expected else max(sum(n.sung for n in m) for m in members.values())
        scores = {take: phrase_score(m, want) for take, m in members.items()}
        best = min(scores, key=lambda k: scores[k]["score"])
        out.append({"start_s": phrase[0], "end_s": phrase[1], "best_take": best, "scores": scores})
    return out


def comp_plan(best: list[dict[str, Any]], duration_s: float) -> list[dict[str, Any]]:
    """Segments ``[{take, from, to}]`` (s) covering 0 .. ``duration_s``, cut mid-rest between phrases, neighbouring
    phrases from the same take joined."""
    plan: list[dict[str, Any]] = []
    for i, p in enumerate(best):
        start = 0.0 if i == 0 else round((best[i - 1]["end_s"] + p["start_s"]) / 2, 3)
        if plan and plan[-1]["take"] == p["best_take"]:
            continue
        if plan:
            plan[-1]["to"] = start
        plan.append({"take": p["best_take"], "from": start, "to": None})
    if plan:
        plan[-1]["to"] = round(duration_s, 3)
    return plan
