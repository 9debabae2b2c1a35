"""Timing against the grid: the grid line a note aims at, the spread of a take, and the bars it rushes or drags.

A note's timing is its attack minus its target time (the guide note's start, or the nearest grid line), in ms:
negative is early (rushing), positive late (dragging). A take's tightness is the standard deviation of its notes'
timings. Rushed or dragged stretches are runs of bars whose mean timing leans the same way by ``LEAN_MS`` or more.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from studioflow.producer.coach.guide import Grid
from studioflow.producer.coach.notes import Note

LEAN_MS = 10.0
SUBDIVISION = 4          # grid lines a beat (16th notes in 4/4) when there is no guide


def grid_line(grid: Grid, subdivision: int = SUBDIVISION) -> Callable[[float], float]:
    """A function giving the grid line (s) nearest to a time (s), lines ``1/subdivision`` beat apart."""
    step = grid.beat_s / subdivision
    return lambda t: grid.start_s + round((t - grid.start_s) / step) * step


def timed(notes: list[Note]) -> list[Note]:
    """The notes that were sung and have a target time."""
    return [n for n in notes if n.sung and n.timing_ms is not None]


def tightness_ms(notes: list[Note]) -> float | None:
    """Standard deviation (ms) of the notes' timings; None with fewer than 3 timed notes."""
    t = [n.timing_ms for n in notes if n.sung and n.timing_ms is not None]
    return float(np.std(t)) if len(t) >= 3 else None


def leaning_bars(notes: list[Note], grid: Grid, *, lean_ms: float = LEAN_MS) -> list[dict]:
    """Runs of bars rushed (early) or dragged (late) by ``lean_ms`` or more on average, each with at least 2 notes:
    ``[{kind: "rush"|"drag", first_bar, last_bar, mean_ms, notes, start_s, end_s}]``."""
    by_bar: dict[int, list[Note]] = {}
    for n in timed(notes):
        by_bar.setdefault(grid.bar_of(n.target_start_s if n.target_start_s is not None else n.start_s), []).append(n)
    runs: list[list[int]] = []
    sign_of = {b: np.sign(np.mean([n.timing_ms for n in v])) if abs(np.mean([n.timing_ms for n in v])) >= lean_ms
               else 0 for b, v in by_bar.items()}
    for bar in sorted(by_bar):
        if sign_of[bar] == 0:
            if runs and runs[-1]:
                runs.append([])
            continue
        if runs and runs[-1] and sign_of[runs[-1][-1]] == sign_of[bar]:
            runs[-1].append(bar)
        else:
            runs.append([bar])
    out = []
    for run in (r for r in runs if r):
        members = [n for b in run for n in by_bar[b]]
        if len(members) < 2:
            continue
        mean = float(np.mean([n.timing_ms for n in members]))
        out.append({"kind": "rush" if mean < 0 else "drag", "first_bar": run[0], "last_bar": run[-1],
                    "mean_ms": mean, "notes": len(members), "start_s": min(n.start_s for n in members),
                    "end_s": max(n.end_s for n in members)})
    return out
