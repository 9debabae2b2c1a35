"""``coach``: the producer listens to takes of one part and says what to fix, which take to keep per phrase, and
writes the comp plan, the report (HTML with plots) and its numbers (JSON)."""

from __future__ import annotations

from dataclasses import asdict
from pathlib import Path
from typing import Any, Callable

import numpy as np

from studioflow.audio.atomic import write_json, write_text
from studioflow.audio.files import read
from studioflow.errors import ParameterError
from studioflow.producer.coach.guide import Grid, parse_key, read_guide
from studioflow.producer.coach.notes import Note, notes_from_guide, notes_from_track
from studioflow.producer.coach.phrases import (
    best_per_phrase,
    comp_plan,
    phrase_spans,
    take_number,
)
from studioflow.producer.coach.pitch import PitchTrack, mono_at_rate, track_pitch
from studioflow.producer.coach.timing import grid_line, tightness_ms
from studioflow.producer.coach.wording import OFF_CENTS, remarks

Progress = Callable[[str, float], None]


def coach(takes: list[str | Path], *, key: str | None = None, tempo_bpm: float | None = None,
          guide: str | Path | None = None, beats_per_bar: int | None = None, report: str | Path | None = None,
          plan: str | Path | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """Coach takes of one part against a MIDI ``guide`` or a ``key`` and the ``tempo_bpm`` grid.

    Writes the HTML ``report`` with a JSON of the same name beside it, and, with two takes or more, the comp
    ``plan`` (YAML for ``studioflow comp``), when those paths are given. Returns the result (see the JSON).
    """
    if not takes:
        raise ParameterError("coach: give at least one take")
    if tempo_bpm is not None and not 20.0 <= tempo_bpm <= 400.0:
        raise ParameterError(f"coach: --tempo must be from 20 to 400 BPM; got {tempo_bpm:g}")
    if beats_per_bar is not None and not 1 <= beats_per_bar <= 16:
        raise ParameterError(f"coach: beats per bar must be from 1 to 16; got {beats_per_bar}")
    scale = parse_key(key) if key else None
    melody, grid = read_guide(guide) if guide is not None else (None, None)
    if beats_per_bar is not None and tempo_bpm is None and grid is None:
        raise ParameterError("coach: beats per bar needs a tempo (--tempo) or a guide (--guide) to count bars with")
    if tempo_bpm is not None or beats_per_bar is not None:
        bpm = tempo_bpm if tempo_bpm is not None else grid.bpm if grid is not None else None
        assert bpm is not None                      # beats per bar alone needs the guide's grid (checked above)
        grid = Grid(bpm, beats_per_bar or (grid.beats_per_bar if grid else 4))
    tell = progress or (lambda stage, fraction: None)
    results, tracks = [], []
    for i, path in enumerate(takes):
        tell(f"listening to {Path(path).name}", i / len(takes))
        audio, rate = read(path)
        take, track = _take(path, i + 1, audio, rate, melody, scale, grid)
        results.append(take)
        tracks.append(track)
    tell("choosing takes", 1.0)
    if len({r["take"] for r in results}) < len(results):        # names do not tell the takes apart: number by order
        for i, r in enumerate(results, 1):
            r["take"] = i
    spans = [(g.start_s, g.end_s) for g in melody] if melody else \
        [(n.start_s, n.end_s) for n in results[0]["notes"] if n.sung]
    phrases = phrase_spans(spans)
    expected = [sum(a <= g.start_s <= b for g in melody) for a, b in phrases] if melody else None
    for r in results:
        r["remarks"] = remarks(r["notes"], phrases, grid)
    result: dict[str, Any] = {
        "guide": None if guide is None else str(guide), "key": key, "grid": None if grid is None else asdict(grid),
        "target": "guide" if melody else f"the notes of {key}" if key else "the nearest semitone",
        "phrases": [{"start_s": round(a, 3), "end_s": round(b, 3)} for a, b in phrases], "takes": results}
    if len(results) > 1 and phrases:
        best = best_per_phrase(results, phrases, expected)
        result["best"] = best
        result["plan"] = comp_plan(best, max(r["duration_s"] for r in results))
        result["comp_hint"] = _comp_hint(takes, plan)
    for r in results:
        r["notes"] = [_note_json(n) for n in r["notes"]]
    if plan is not None and "plan" in result:
        _write_plan(plan, result)
    if report is not None:
        from studioflow.producer.coach.report import write_report

        write_json(Path(report).with_suffix(".json"), result)
        write_report(report, result, tracks)
    return result


def _take(path: str | Path, position: int, audio: np.ndarray, rate: int, melody: list | None,
          scale: tuple[int, str] | None, grid: Grid | None) -> tuple[dict[str, Any], PitchTrack]:
    """One take measured: its notes and summary numbers, and its pitch track."""
    name = Path(path).name
    track = track_pitch(audio, rate, name=name)
    y = mono_at_rate(audio, rate)
    if melody:
        notes = notes_from_guide(y, track, melody)
    else:
        notes = notes_from_track(y, track, scale, grid_line(grid) if grid is not None else None)
    sung = [n for n in notes if n.sung]
    offsets = np.array([n.offset_cents for n in sung])
    vib = [n for n in sung if n.vibrato_hz is not None]
    spread = tightness_ms(notes)
    timings = [n.timing_ms for n in sung if n.timing_ms is not None]
    return {
        "file": str(path), "take": take_number(path, position), "duration_s": round(audio.shape[1] / rate, 3),
        "notes": notes,
        "summary": {
            "notes": len(notes), "sung": len(sung),
            "in_tune_pct": float(np.mean(np.abs(offsets) < OFF_CENTS) * 100) if sung else None,
            "mean_abs_cents": float(np.mean(np.abs(offsets))) if sung else None,
            "mean_timing_ms": float(np.mean(timings)) if timings else None,
            "tightness_ms": spread,
            "vibrato_hz": float(np.mean([n.vibrato_hz for n in vib])) if vib else None,
            "vibrato_cents": float(np.mean([n.vibrato_cents for n in vib])) if vib else None}}, track


def _note_json(n: Note) -> dict[str, Any]:
    """A note as JSON numbers, rounded to what they mean (0.1 cent, 0.01 ms, 1 ms in time)."""
    d = asdict(n)
    return {k: (round(v, 2) if isinstance(v, float) else v) for k, v in d.items()} | {"sung": n.sung}


def _comp_hint(takes: list[str | Path], plan: str | Path | None) -> str | None:
    """The ``studioflow comp`` command for the plan when the takes sit in a song's ``takes/<track>/`` folder."""
    folders = {Path(t).resolve().parent for t in takes}
    if len(folders) != 1 or plan is None:
        return None
    folder = folders.pop()
    if folder.parent.name != "takes":
        return None
    return f"studioflow comp {folder.parent.parent} --track {folder.name} --plan {plan}"


def _write_plan(path: str | Path, result: dict[str, Any]) -> None:
    """The comp plan as YAML, with a comment saying where it came from."""
    lines = ["# comp plan written by `studioflow coach`: the best take of each phrase (song time, s)", "segments:"]
    lines += [f"  - {{take: {s['take']}, from: {s['from']:g}, to: {s['to']:g}}}" for s in result["plan"]]
    write_text(path, "\n".join(lines) + "\n")
