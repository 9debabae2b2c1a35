"""What the producer says about a take, with times and bars: phrases that sit flat or sharp, long notes that sag,
single notes off, bars rushed or dragged, how tight the take is, and the vibrato (never counted against the tuning).

Each remark is ``{kind, time_s, bars, message}``; thresholds are the constants below (cents and ms).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from studioflow.producer.arrangement import clock
from studioflow.producer.coach.guide import Grid, note_name
from studioflow.producer.coach.notes import Note, is_sung
from studioflow.producer.coach.phrases import in_phrase
from studioflow.producer.coach.timing import leaning_bars, tightness_ms

OFF_CENTS = 15.0        # a note this far from its target is out of tune
PHRASE_CENTS = 10.0     # a phrase whose notes sit this far one way on average
DRIFT_CENTS = 15.0      # a long note whose pitch moves this far from start to end
LONG_NOTE_S = 0.6
LATE_MS = 30.0          # a single note this early or late
TIGHT_MS, LOOSE_MS = 10.0, 20.0
MAX_SINGLE = 5          # single-note remarks listed before "and N more"


def _bars(grid: Grid | None, times: list[float]) -> str:
    """``bar 3`` / ``bars 3-5`` / ``bars 3, 7-9`` for the bars the times fall in; empty without a grid."""
    if grid is None or not times:
        return ""
    bars = sorted({grid.bar_of(t) for t in times})
    runs: list[list[int]] = []
    for b in bars:
        if runs and b == runs[-1][-1] + 1:
            runs[-1].append(b)
        else:
            runs.append([b])
    text = ", ".join(f"{r[0]}" if len(r) == 1 else f"{r[0]}-{r[-1]}" for r in runs)
    return f"bar{'s' if len(bars) > 1 else ''} {text}"


def _where(grid: Grid | None, t: float) -> str:
    """``0:05.1 (bar 3:2)``, or the time alone without a grid."""
    return clock(t) + (f" (bar {grid.bar_beat(t)})" if grid is not None else "")


def _remark(kind: str, time_s: float, bars: str, message: str) -> dict[str, Any]:
    return {"kind": kind, "time_s": round(time_s, 3), "bars": bars, "message": message}


def _way(cents: float) -> str:
    return "sharp" if cents > 0 else "flat"


def remarks(notes: list[Note], phrases: list[tuple[float, float]], grid: Grid | None) -> list[dict[str, Any]]:
    """The remarks on one take, in the order a producer gives them: tuning, then timing, then what works."""
    out: list[dict[str, Any]] = []
    sung = [n for n in notes if is_sung(n)]
    if not notes:
        return [_remark("nothing", 0.0, "", "No sung notes heard in this take.")]
    covered: set[int] = set()
    for phrase in phrases:
        members = [n for n in in_phrase(sung, phrase)]
        offsets = np.array([n.offset_cents for n in members])
        if len(members) >= 2 and abs(offsets.mean()) >= PHRASE_CENTS and np.mean(np.sign(offsets) ==
                                                                                 np.sign(offsets.mean())) >= 0.7:
            bars = _bars(grid, [phrase[0], phrase[1] - 1e-3])
            where = f"In {bars} ({clock(phrase[0])}-{clock(phrase[1])})" if bars else \
                f"From {clock(phrase[0])} to {clock(phrase[1])}"
            out.append(_remark("phrase-pitch", phrase[0], bars,
                               f"{where} you sit about {abs(offsets.mean()):.0f} cents {_way(offsets.mean())}."))
            covered.update(id(n) for n in members if np.sign(n.offset_cents) == np.sign(offsets.mean()))
    long_drift = [n for n in sung if n.end_s - n.start_s >= LONG_NOTE_S and abs(n.drift_cents) >= DRIFT_CENTS]
    for sign, verb in ((-1, "sag"), (1, "creep")):
        group = [n for n in long_drift if np.sign(n.drift_cents) == sign]
        if not group:
            continue
        size = abs(float(np.mean([n.drift_cents for n in group])))
        way = "flat" if sign < 0 else "sharp"
        if len(group) == 1:
            n = group[0]
            text = f"The long {note_name(n.target_midi)} at {_where(grid, n.start_s)} {verb}s about {size:.0f} cents " \
                   f"{way} toward its end."
        else:
            bars = _bars(grid, [n.start_s for n in group])
            times = ", ".join(clock(n.start_s) for n in group[:4]) + (", ..." if len(group) > 4 else "")
            text = f"The long notes{' in ' + bars if bars else ''} ({times}) {verb} about {size:.0f} cents {way} " \
                   "toward their end."
        out.append(_remark("drift", group[0].start_s, _bars(grid, [n.start_s for n in group]), text))
    off = sorted((n for n in sung if abs(n.offset_cents) >= OFF_CENTS and id(n) not in covered),
                 key=lambda n: -abs(n.offset_cents))
    for n in sorted(off[:MAX_SINGLE], key=lambda n: n.start_s):
        out.append(_remark("note-pitch", n.start_s, _bars(grid, [n.start_s]),
                           f"The {note_name(n.target_midi)} at {_where(grid, n.start_s)} is {abs(n.offset_cents):.0f} "
                           f"cents {_way(n.offset_cents)}."))
    if len(off) > MAX_SINGLE:
        out.append(_remark("note-pitch", off[MAX_SINGLE].start_s, "",
                           f"... and {len(off) - MAX_SINGLE} more notes {OFF_CENTS:.0f} cents or more off."))
    out += _timing(notes, grid)
    for note in notes:
        if not note.sung:
            out.append(_remark("missed", note.start_s, _bars(grid, [note.start_s]),
                               f"No {note_name(note.target_midi)} heard at {_where(grid, note.start_s)}."))
    vib = [n for n in sung if n.vibrato_hz is not None]
    if vib:
        out.append(_remark("vibrato", vib[0].start_s, _bars(grid, [n.start_s for n in vib]),
                           f"Vibrato on {len(vib)} note{'s' if len(vib) > 1 else ''}, about "
                           f"{np.mean([n.vibrato_hz for n in vib]):.1f} Hz and +-"
                           f"{np.mean([n.vibrato_cents for n in vib]):.0f} cents: centred on the pitch, so it does not "
                           "count against the tuning."))
    if sung and not any(r["kind"] in ("phrase-pitch", "drift", "note-pitch", "rush", "drag", "note-timing", "missed")
                        for r in out):
        out.insert(0, _remark("good", sung[0].start_s, "", f"Pitch and timing are solid: every note within "
                              f"{OFF_CENTS:.0f} cents{f' and {LATE_MS:.0f} ms' if grid is not None else ''}."))
    return out


def _timing(notes: list[Note], grid: Grid | None) -> list[dict[str, Any]]:
    """Rushed and dragged bars, single notes well off the grid, and the take's tightness."""
    if grid is None:
        return []
    out = []
    spans = leaning_bars(notes, grid)
    for s in spans:
        bars = f"bar {s['first_bar']}" if s["first_bar"] == s["last_bar"] else f"bars {s['first_bar']}-{s['last_bar']}"
        out.append(_remark(s["kind"], s["start_s"], bars, f"You {s['kind']} {bars} by about {abs(s['mean_ms']):.0f} ms "
                           f"({clock(s['start_s'])}-{clock(s['end_s'])})."))
    inside = [(s["start_s"], s["end_s"]) for s in spans]
    for n in notes:
        if n.sung and n.timing_ms is not None and abs(n.timing_ms) >= LATE_MS \
                and not any(a <= n.start_s <= b for a, b in inside):
            out.append(_remark("note-timing", n.start_s, _bars(grid, [n.start_s]),
                               f"The {note_name(n.target_midi)} at {_where(grid, n.start_s)} comes in "
                               f"{abs(n.timing_ms):.0f} ms {'late' if n.timing_ms > 0 else 'early'}."))
    spread = tightness_ms(notes)
    if spread is not None:
        word = "tight" if spread < TIGHT_MS else "fair" if spread < LOOSE_MS else "loose"
        out.append(_remark("tightness", 0.0, "", f"Timing spread {spread:.0f} ms (standard deviation): {word}."))
    return out
