"""Synthesized stems for the automix tests: a short 120 BPM groove whose parts each sound like their role."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, sosfilt

RATE = 32000
TEMPO = 120.0
SECONDS = 8.0
BEAT = 60.0 / TEMPO


def _buf() -> np.ndarray:
    return np.zeros(int(SECONDS * RATE))


def _env(n: int, attack_s: float, decay_s: float) -> np.ndarray:
    t = np.arange(n) / RATE
    return np.minimum(t / attack_s, 1.0) * np.exp(-t / decay_s)


def _add(buf: np.ndarray, t_s: float, sound: np.ndarray) -> None:
    i = int(round(t_s * RATE))
    end = min(buf.size, i + sound.size)
    buf[i:end] += sound[:end - i]


def kick(rng: np.random.Generator) -> np.ndarray:
    n = int(0.4 * RATE)
    t = np.arange(n) / RATE
    f = 48 + 110 * np.exp(-t * 30)
    hit = np.sin(2 * np.pi * np.cumsum(f) / RATE) * np.exp(-t * 8)
    buf = _buf()
    for k in range(int(SECONDS / BEAT)):
        _add(buf, k * BEAT, hit * 0.8)
    return buf


def snare(rng: np.random.Generator) -> np.ndarray:
    n = int(0.25 * RATE)
    t = np.arange(n) / RATE
    body = np.sin(2 * np.pi * 190 * t) * np.exp(-t * 35)
    rattle = sosfilt(butter(2, [1500, 9000], btype="bandpass", fs=RATE, output="sos"), rng.standard_normal(n))
    hit = 0.4 * body + 0.8 * rattle * np.exp(-t * 20)
    buf = _buf()
    for k in range(int(SECONDS / BEAT)):
        if k % 2 == 1:
            _add(buf, k * BEAT, hit * 0.5)
    return buf


def hats(rng: np.random.Generator) -> np.ndarray:
    n = int(0.08 * RATE)
    sos = butter(4, 7000, btype="highpass", fs=RATE, output="sos")
    buf = _buf()
    for k in range(int(2 * SECONDS / BEAT)):
        hit = sosfilt(sos, rng.standard_normal(n)) * _env(n, 0.0005, 0.02)
        _add(buf, k * BEAT / 2, hit * (0.3 if k % 2 == 0 else 0.18))
    return buf


def _saw(freq: float, n: int, harmonics: int = 20) -> np.ndarray:
    t = np.arange(n) / RATE
    return sum(np.sin(2 * np.pi * freq * h * t) / h for h in range(1, harmonics + 1) if freq * h < RATE / 2.2)


def bass(rng: np.random.Generator) -> np.ndarray:
    notes = [55.0, 55.0, 65.4, 73.4, 55.0, 49.0, 65.4, 82.4]
    n = int(BEAT * 0.9 * RATE)
    sos = butter(2, 400, btype="lowpass", fs=RATE, output="sos")
    buf = _buf()
    for k in range(int(SECONDS / BEAT)):
        _add(buf, k * BEAT, _saw(notes[k % len(notes)], n, 8) * _env(n, 0.005, 0.6))
    return sosfilt(sos, buf) * 0.5


def pad(rng: np.random.Generator) -> np.ndarray:
    n = int(SECONDS * RATE)
    chord = [220.0, 261.6, 329.6, 440.0]
    x = sum(_saw(f * (1 + d), n, 10) for f in chord for d in (-0.003, 0.003))
    x = sosfilt(butter(2, 1800, btype="lowpass", fs=RATE, output="sos"), x)
    fade = np.minimum(np.arange(n) / (0.5 * RATE), 1.0)
    return x * fade * 0.04


def keys(rng: np.random.Generator) -> np.ndarray:
    chords = [[261.6, 329.6, 392.0], [220.0, 261.6, 329.6], [174.6, 220.0, 261.6], [196.0, 246.9, 293.7]]
    n = int(BEAT * RATE)
    buf = _buf()
    for k in range(int(SECONDS / BEAT)):
        c = chords[(k // 4) % len(chords)]
        _add(buf, k * BEAT, sum(_saw(f, n, 6) for f in c) * _env(n, 0.003, 0.35))
    return buf * 0.12


def vocal(rng: np.random.Generator) -> np.ndarray:
    melody = [220.0, 246.9, 261.6, 293.7, 329.6, 293.7, 261.6, 246.9]
    buf = _buf()
    note_s = BEAT
    formants = [butter(2, [f * 0.85, f * 1.15], btype="bandpass", fs=RATE, output="sos") for f in (700, 1200, 2600)]
    for k in range(int(SECONDS / note_s)):
        if k % 4 == 3:
            continue                                     # a breath between phrases
        n = int(note_s * 0.95 * RATE)
        t = np.arange(n) / RATE
        f0 = melody[k % len(melody)] * (1 + 0.01 * np.sin(2 * np.pi * 5.5 * t))
        phase = 2 * np.pi * np.cumsum(f0) / RATE
        voice = sum(np.sin(h * phase) / h for h in range(1, 15))
        shaped = sum(g * sosfilt(s, voice) for g, s in zip((1.0, 0.6, 0.3), formants)) + 0.2 * voice
        _add(buf, k * note_s, shaped * _env(n, 0.03, 0.8) * 0.3)
    return buf


PARTS = {"kick": kick, "snare": snare, "hats": hats, "bass": bass, "pad": pad, "keys": keys, "vocal": vocal}


def write_stems(folder: Path, levels_db: dict[str, float] | None = None, names: dict[str, str] | None = None,
                seed: int = 1) -> dict[str, Path]:
    """Write the parts (mono, float WAV) scaled by ``levels_db``; file names from ``names`` (default: the part)."""
    folder.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(seed)
    out = {}
    for part, make in PARTS.items():
        x = make(rng) * 10 ** ((levels_db or {}).get(part, 0.0) / 20)
        path = folder / f"{(names or {}).get(part, part)}.wav"
        sf.write(path, x.astype(np.float32), RATE, subtype="FLOAT")
        out[part] = path
    return out
