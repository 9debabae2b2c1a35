"""Takes sung with planted errors against a MIDI guide: the performances the coach is measured on (helpers and
fixtures; conftest.py makes the fixtures visible)."""

from __future__ import annotations

from pathlib import Path

import pytest

from studioflow.audio.files import write
from studioflow.producer.coach.guide import GuideNote, write_guide
from studioflow.producer.coach.synth import SungNote, sing

BPM, RATE = 120.0, 44100
BEAT = 60.0 / BPM
# (beat, MIDI note, length in beats): two phrases of 4 bars of 4/4, a beat's rest between them, A2 to E5
MELODY = ((0, 57, 1), (1, 60, 1), (2, 64, 2), (4, 62, 1), (5, 45, 1), (6, 52, 2),
          (9, 69, 1), (10, 72, 1), (11, 76, 2), (13, 74, 1), (14, 72, 2))
GAP_S = 0.08           # the singer breathes between notes
PHRASE_SPLIT = 6       # notes 0..5 are phrase 1, 6..10 phrase 2
# what the singer of take "planted" does to each note (the measured numbers must find exactly these)
PLANTED = {0: dict(cents=30.0), 1: dict(shift_ms=20.0), 2: dict(vibrato_hz=5.5, vibrato_cents=50.0),
           3: dict(cents=-20.0, shift_ms=-15.0), 4: dict(cents=12.0), 5: dict(vibrato_hz=6.2, vibrato_cents=35.0,
                                                                              cents=18.0),
           6: dict(shift_ms=12.0), 7: dict(cents=-8.0, shift_ms=-25.0), 8: dict(drift_cents=-30.0),
           9: dict(cents=25.0, shift_ms=8.0), 10: dict(vibrato_hz=5.0, vibrato_cents=60.0, shift_ms=-10.0)}


def guide_notes() -> list[GuideNote]:
    """The melody as guide notes (s)."""
    return [GuideNote(b * BEAT, (b + n) * BEAT - GAP_S, m) for b, m, n in MELODY]


def sung(planted: dict[int, dict]) -> list[SungNote]:
    """The melody sung with ``planted`` errors per note index."""
    return [SungNote(g.start_s, g.end_s, g.midi, **planted.get(i, {})) for i, g in enumerate(guide_notes())]


def write_take(path: Path, planted: dict[int, dict], seed: int = 0) -> Path:
    """A take of the melody with ``planted`` errors, 8.5 s, 24-bit WAV."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write(path, sing(sung(planted), RATE, duration_s=8.5, seed=seed), RATE)
    return path


@pytest.fixture(scope="module")
def guide_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The melody as a MIDI guide at 120 BPM."""
    return write_guide(tmp_path_factory.mktemp("guide") / "melody.mid", guide_notes(), BPM)


@pytest.fixture(scope="module")
def planted_take(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One take with every kind of planted error."""
    return write_take(tmp_path_factory.mktemp("take") / "take-001.wav", PLANTED)
