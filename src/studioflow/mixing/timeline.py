"""Song time: seconds or ``bar:beat`` positions and note values (``1/8``, ``1/4.``, ``1/8t``) at a fixed tempo.

Bars and beats count from 1 (``"1:1"`` is the song's start). The tempo counts the time signature's beat unit per
minute (``6/8`` at 120 means 120 eighth notes a minute); ``"17:2.5"`` is half-way through beat 2 of bar 17.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_BAR_BEAT = re.compile(r"^\s*(\d+)\s*:\s*(\d+(?:\.\d+)?)\s*$")
_NOTE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*([.dt]?)\s*$")


class TimeError(ValueError):
    """A time or note value that cannot be read (the caller adds where it came from)."""


@dataclass(frozen=True)
class Timeline:
    """Tempo (beats a minute, ``None`` for none) and time signature (beats a bar, beat unit) of a song."""

    tempo_bpm: float | None = None
    beats_per_bar: int = 4
    beat_unit: int = 4

    @property
    def beat_s(self) -> float:
        """Length of one beat in seconds."""
        if self.tempo_bpm is None:
            raise TimeError("bar:beat times and note values need a tempo: add `tempo:` to the session")
        return 60.0 / self.tempo_bpm

    def seconds(self, value: object) -> float:
        """A time given as seconds (number) or ``"bar:beat"`` as seconds from the song's start."""
        if isinstance(value, bool):
            raise TimeError(f"expected seconds or \"bar:beat\"; got {value!r}")
        if isinstance(value, (int, float)):
            if value != value or value < 0:
                raise TimeError(f"a time must be >= 0 seconds; got {value!r}")
            return float(value)
        if isinstance(value, str):
            m = _BAR_BEAT.match(value)
            if m:
                bar, beat = int(m.group(1)), float(m.group(2))
                if bar < 1 or beat < 1 or beat >= self.beats_per_bar + 1:
                    raise TimeError(f"{value!r}: bars count from 1 and beats from 1 to {self.beats_per_bar}")
                return ((bar - 1) * self.beats_per_bar + (beat - 1)) * self.beat_s
            try:
                return self.seconds(float(value))
            except ValueError:
                pass
        raise TimeError(f"expected seconds or \"bar:beat\" (like \"17:1\"); got {value!r}")

    def note_seconds(self, value: str) -> float:
        """A note value (``"1/8"``, dotted ``"1/8."`` or ``"1/8d"``, triplet ``"1/8t"``) as seconds at the tempo."""
        m = _NOTE.match(value)
        if not m or int(m.group(2)) == 0:
            raise TimeError(f"expected a note value like \"1/8\", \"1/8.\" or \"1/8t\"; got {value!r}")
        whole_notes = int(m.group(1)) / int(m.group(2))
        factor = {"": 1.0, ".": 1.5, "d": 1.5, "t": 2.0 / 3.0}[m.group(3)]
        return whole_notes * self.beat_unit * self.beat_s * factor


def parse_time_signature(text: object) -> tuple[int, int]:
    """``"4/4"`` -> ``(4, 4)``; the beat unit must be a power of two."""
    m = re.match(r"^\s*(\d+)\s*/\s*(\d+)\s*$", str(text))
    if not m:
        raise TimeError(f"expected a time signature like 4/4 or 6/8; got {text!r}")
    beats, unit = int(m.group(1)), int(m.group(2))
    if beats < 1 or unit not in (1, 2, 4, 8, 16, 32):
        raise TimeError(f"expected a time signature like 4/4 or 6/8; got {text!r}")
    return beats, unit


def is_bar_beat(text: str) -> bool:
    """True for strings that look like ``bar:beat``."""
    return bool(_BAR_BEAT.match(text))
