"""What the singer aims at: a guide melody from a MIDI file (mido), or the notes of a key; and the bar grid.

A guide gives each note's target pitch and time; a key gives only pitches (each sung note is measured against the
nearest note of the scale), and the timing then comes from the tempo grid.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from studioflow.errors import ParameterError, SessionError

NAMES = ("C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B")
_PITCH_CLASS = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
SCALES = {"major": (0, 2, 4, 5, 7, 9, 11), "minor": (0, 2, 3, 5, 7, 8, 10)}
_KEY_RE = re.compile(r"^\s*([A-Ga-g])([#b]?)\s*(major|minor|maj|min|m)?\s*$")


@dataclass(frozen=True)
class GuideNote:
    """A target note: start and end (s) and MIDI note number."""

    start_s: float
    end_s: float
    midi: int


@dataclass(frozen=True)
class Grid:
    """The song's tempo grid: beats per minute, beats per bar, and the song time (s) of bar 1, beat 1."""

    bpm: float
    beats_per_bar: int = 4
    start_s: float = 0.0

    @property
    def beat_s(self) -> float:
        """Seconds per beat."""
        return 60.0 / self.bpm

    def bar_of(self, time_s: float) -> int:
        """The bar (counted from 1) that song time ``time_s`` falls in."""
        return int(np.floor((time_s - self.start_s) / (self.beat_s * self.beats_per_bar) + 1e-9)) + 1

    def bar_beat(self, time_s: float) -> str:
        """Song time as ``bar:beat`` (both counted from 1; the beat with one decimal when between beats)."""
        beats = round((time_s - self.start_s) / self.beat_s, 1)
        bar, beat = divmod(beats, self.beats_per_bar)
        beat_text = f"{beat + 1:.1f}".removesuffix(".0")
        return f"{int(bar) + 1}:{beat_text}"


def note_name(midi: float) -> str:
    """A MIDI note as a name with its octave, e.g. 69 -> A4."""
    n = int(round(midi))
    return f"{NAMES[n % 12]}{n // 12 - 1}"


def parse_key(text: str) -> tuple[int, str]:
    """(tonic pitch class 0..11, "major"|"minor") from ``"A minor"``, ``"F#"``, ``"Bbm"``, ``"Eb major"``."""
    m = _KEY_RE.match(text or "")
    if not m:
        raise ParameterError(f"--key {text!r}: expected a key like 'A minor', 'F# major', 'Bbm' or 'C'")
    tonic = (_PITCH_CLASS[m[1].upper()] + {"#": 1, "b": -1, "": 0}[m[2]]) % 12
    mode = "minor" if m[3] in ("minor", "min", "m") else "major"
    return tonic, mode


def nearest_in_key(midi: float, key: tuple[int, str] | None) -> int:
    """The note of the key (every semitone when ``key`` is None) nearest to fractional MIDI ``midi``."""
    if key is None:
        return int(round(midi))
    tonic, mode = key
    candidates = [c for c in range(int(np.floor(midi)) - 2, int(np.ceil(midi)) + 3)
                  if (c - tonic) % 12 in SCALES[mode]]
    return min(candidates, key=lambda c: abs(c - midi))


def read_guide(path: str | Path) -> tuple[list[GuideNote], Grid | None]:
    """The notes of a MIDI guide (all tracks, overlaps cut at the next note) and its grid (first tempo and meter)."""
    import mido

    path = Path(path)
    try:
        mid = mido.MidiFile(path)
    except FileNotFoundError:
        raise SessionError(f"{path}: no such MIDI file") from None
    except (OSError, ValueError, EOFError, KeyError, IndexError) as e:
        raise SessionError(f"{path}: not a readable MIDI file ({e})") from None
    notes, sounding = [], {}
    tempo_us = beats_per_bar = None
    now = 0.0
    for msg in mid:                         # merged tracks, delta times already in seconds (tempo map applied)
        now += msg.time
        if msg.type == "set_tempo" and tempo_us is None:
            tempo_us = msg.tempo
        elif msg.type == "time_signature" and beats_per_bar is None:
            beats_per_bar = msg.numerator
        elif msg.type == "note_on" and msg.velocity > 0:
            sounding[msg.note] = now
        elif msg.type in ("note_off", "note_on") and msg.note in sounding:
            start = sounding.pop(msg.note)
            if now > start:
                notes.append(GuideNote(start, now, msg.note))
    if not notes:
        raise SessionError(f"{path}: the MIDI file holds no notes")
    notes.sort(key=lambda n: n.start_s)
    melody = [GuideNote(n.start_s, min(n.end_s, nxt.start_s), n.midi) if nxt.start_s > n.start_s else n
              for n, nxt in zip(notes, notes[1:] + [GuideNote(np.inf, np.inf, 0)])]
    grid = Grid(60e6 / (tempo_us or 500000), beats_per_bar or 4)
    return melody, grid


def write_guide(path: str | Path, notes: list[GuideNote], bpm: float, *, beats_per_bar: int = 4) -> Path:
    """Write ``notes`` as a one-track MIDI file at ``bpm`` (480 ticks a beat), atomically; return the path."""
    import mido

    from studioflow.audio.atomic import atomic_write

    ticks = 480
    to_ticks = lambda s: int(round(s * bpm / 60.0 * ticks))  # noqa: E731
    events = sorted([(to_ticks(n.start_s), 1, n.midi) for n in notes] + [(to_ticks(n.end_s), 0, n.midi)
                                                                         for n in notes])
    track = mido.MidiTrack([mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)),
                            mido.MetaMessage("time_signature", numerator=beats_per_bar, denominator=4)])
    last = 0
    for tick, on, note in events:
        track.append(mido.Message("note_on" if on else "note_off", note=note, velocity=90 if on else 0,
                                  time=tick - last))
        last = tick
    mid = mido.MidiFile(ticks_per_beat=ticks)
    mid.tracks.append(track)
    with atomic_write(path) as tmp:
        mid.save(tmp)
    return Path(path)
