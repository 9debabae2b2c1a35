"""The demo's coaching step: two planted vocal takes of a four-bar line (each with known faults) and their MIDI
guide, coached and comped.

Take 1 sings the first phrase well (vibrato on its long note) and then rushes bars 3-4 by about 20 ms while its long
notes sag about 25 cents flat; take 2 sits about 20 cents sharp and late in bars 1-2 and sings the rest well. So
the coach should keep take 1 for bars 1-2 and take 2 for bars 3-4.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from studioflow.audio.files import write
from studioflow.producer.coach import coach
from studioflow.producer.coach.guide import GuideNote, write_guide
from studioflow.producer.coach.synth import SungNote, sing
from studioflow.recording.comp import comp
from studioflow.recording.takes import add

# (beat, semitones above the tonic, length in beats): two phrases, a beat's rest between them
LINE = ((0, 0, 1), (1, 3, 1), (2, 7, 2), (4, 5, 1), (5, 3, 2), (8, 7, 1), (9, 8, 1), (10, 7, 2), (12, 5, 1),
        (13, 3, 3))
FAULTS = (
    {2: dict(vibrato_hz=5.6, vibrato_cents=40.0), 4: dict(vibrato_hz=5.4, vibrato_cents=35.0),
     5: dict(shift_ms=-16.0), 6: dict(shift_ms=-18.0), 7: dict(shift_ms=-22.0, drift_cents=-28.0),
     8: dict(shift_ms=-20.0), 9: dict(shift_ms=-21.0, drift_cents=-26.0)},
    {0: dict(cents=22.0, shift_ms=25.0), 1: dict(cents=18.0, shift_ms=20.0), 2: dict(cents=20.0, shift_ms=28.0),
     3: dict(cents=24.0), 4: dict(cents=19.0, shift_ms=22.0), 7: dict(vibrato_hz=5.5, vibrato_cents=30.0)},
)
BREATH_S = 0.08


def demo_takes(takes_folder: str | Path, guide_path: str | Path, *, bpm: float = 120.0, tonic_midi: int = 57,
               rate: int = 48000) -> list[Path]:
    """Write the guide (MIDI) and the planted takes ``take-001.wav``, ``take-002.wav`` (8.5 s, 24-bit); return the
    take paths."""
    beat = 60.0 / bpm
    guide = [GuideNote(b * beat, (b + n) * beat - BREATH_S, tonic_midi + step) for b, step, n in LINE]
    folder = Path(takes_folder)
    for made in (folder, Path(guide_path).parent):
        made.mkdir(parents=True, exist_ok=True)
    write_guide(guide_path, guide, bpm)
    paths = []
    for number, faults in enumerate(FAULTS, 1):
        notes = [SungNote(g.start_s, g.end_s, g.midi, **faults.get(i, {})) for i, g in enumerate(guide)]
        paths.append(write(folder / f"take-{number:03d}.wav",
                           sing(notes, rate, duration_s=16 * beat + 0.5, seed=number), rate))
    return paths


def coach_planted_takes(song_dir: str | Path, *,
                        progress: Callable[[str, float], None] | None = None) -> dict[str, Any]:
    """Write the planted takes into ``song_dir/takes/vocal`` (listed in takes.yaml), coach them against the guide
    (``coach.html`` + ``coach.json``, ``comp-plan.yaml``) and build the comp of the best phrases; return the takes,
    the file paths, the coaching result and the comp's record."""
    song = Path(song_dir)
    guide, report, plan = song / "guide.mid", song / "coach.html", song / "comp-plan.yaml"
    for path in demo_takes(song / "takes" / "vocal", guide):
        add(song, {"track": "vocal", "take": int(path.stem.split("-")[1]), "file": f"vocal/{path.name}"})
    takes = sorted((song / "takes" / "vocal").glob("take-*.wav"))
    result = coach(list(takes), guide=guide, report=report, plan=plan, progress=progress)
    return {"takes": takes, "guide": guide, "report": report, "plan": plan, "coaching": result,
            "comp": comp(song, "vocal", plan)}
