"""A sung take synthesized from a melody with planted errors: for the demo's coaching step and for tests.

Each note is a harmonic tone (a voice-like spectrum falling 9 dB an octave) whose pitch is the target note plus a
constant offset, a drift that grows toward the note's end (a sag when negative), and sinusoidal vibrato; its onset
can be moved early or late. Knowing exactly what was planted is what lets the coach's accuracy be measured.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studioflow.errors import ParameterError

ATTACK_MS, RELEASE_MS = 8.0, 25.0
HARMONICS = 12


@dataclass(frozen=True)
class SungNote:
    """One sung note: target times (s) and MIDI note, and what the singer did to it."""

    start_s: float
    end_s: float
    midi: float
    cents: float = 0.0          # constant offset from the target, cents
    drift_cents: float = 0.0    # pitch change reached at the note's end, growing as the square of time (cents)
    vibrato_hz: float = 0.0     # vibrato rate, Hz
    vibrato_cents: float = 0.0  # vibrato depth, +- cents
    shift_ms: float = 0.0       # onset moved late (+) or early (-), ms; the note keeps its length
    level_db: float = -12.0     # peak level, dBFS


def sing(notes: list[SungNote], rate: int, *, duration_s: float | None = None, seed: int = 0,
         noise_dbfs: float = -70.0) -> np.ndarray:
    """The take as float32 ``(1, frames)`` at ``rate`` Hz, with white noise at ``noise_dbfs`` RMS under it."""
    if rate < 8000:
        raise ParameterError(f"sing: rate must be at least 8000 Hz; got {rate}")
    end = max((n.end_s + n.shift_ms / 1000 for n in notes), default=0.0) + RELEASE_MS / 1000
    total = int(round((duration_s if duration_s is not None else end + 0.2) * rate))
    rng = np.random.default_rng(seed)
    out = rng.standard_normal(total) * 10 ** (noise_dbfs / 20)
    for note in notes:
        start = int(round((note.start_s + note.shift_ms / 1000) * rate))
        length = int(round((note.end_s - note.start_s) * rate))
        if length <= 0 or start < 0 or start + length > total:
            raise ParameterError(f"sing: the note at {note.start_s:.3f} s does not fit in the take")
        out[start:start + length] += _note(note, length, rate, rng.uniform(0, 2 * np.pi))
    return out.astype(np.float32)[np.newaxis, :]


def _note(note: SungNote, length: int, rate: int, vibrato_phase: float) -> np.ndarray:
    """One note's samples: pitch contour (cents) -> phase -> harmonics, under an attack/release envelope."""
    t = np.arange(length) / rate
    u = t / max(t[-1], 1e-9)
    cents = note.cents + note.drift_cents * u ** 2
    if note.vibrato_hz > 0:
        cents = cents + note.vibrato_cents * np.sin(2 * np.pi * note.vibrato_hz * t + vibrato_phase)
    f0 = 440.0 * 2.0 ** ((note.midi - 69 + cents / 100) / 12)
    phase = 2 * np.pi * np.cumsum(f0) / rate
    x = np.zeros(length)
    for k in range(1, HARMONICS + 1):
        if k * f0.max() < rate / 2 * 0.95:
            x += np.sin(k * phase) * k ** -1.5
    x *= 10 ** (note.level_db / 20) / np.abs(x).max()
    env = np.ones(length)
    a, r = int(ATTACK_MS * rate / 1000), int(RELEASE_MS * rate / 1000)
    env[:a] = np.arange(a) / a
    env[-r:] = np.minimum(env[-r:], np.arange(r, 0, -1) / r)
    return x * env
