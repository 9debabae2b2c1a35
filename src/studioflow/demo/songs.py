"""The demo song: a short multitrack synthesized in code, deliberately unmixed, with one problem to find.

Tracks (WAV, 24-bit): kick, snare, hats, bass, keys (stereo), pad (stereo), lead. The lead was "recorded" with mains
hum at 50 Hz and a short clipped run, for the recording engineer's input check to find. Variation 1 is a second,
slower song (a ballad in another key) for the demo EP.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfilt

from studioflow.audio.files import write
from studioflow.errors import ParameterError

MIN_RATE, MAX_RATE = 22050, 192000       # Hz: the synth's filters and partials need the top of the audio band


@dataclass(frozen=True)
class SongPlan:
    """Tempo, key and form of one demo song."""

    title: str
    tempo_bpm: float
    root_midi: int               # tonic of the key
    progression: tuple[int, ...]  # chord roots in semitones above the tonic, one per bar
    minor: tuple[bool, ...]       # chord quality per progression step
    sections: tuple[tuple[str, int], ...]  # (name, bars)
    seed: int


PLANS = {
    0: SongPlan("Demo Song", 120.0, 57, (0, 8, 3, 10), (True, False, False, False),
                (("intro", 4), ("verse", 8), ("chorus", 8), ("bridge", 4), ("chorus 2", 6)), seed=7),
    1: SongPlan("Demo Ballad", 90.0, 52, (0, 5, 7, 3), (True, True, False, False),
                (("intro", 2), ("verse", 8), ("chorus", 8), ("outro", 4)), seed=11),
}


def midi_hz(note: float) -> float:
    """Frequency in Hz of a MIDI note number."""
    return 440.0 * 2.0 ** ((note - 69) / 12)


def plan_for(variation: int = 0, seconds: float | None = None) -> SongPlan:
    """The plan of a demo song; with ``seconds``, every section is shortened in proportion (at least one bar each),
    so a short version keeps the same form (the same sections in the same order)."""
    plan = PLANS[variation]
    if seconds is None:
        return plan
    bar_s = 4 * 60.0 / plan.tempo_bpm
    scale = float(seconds) / (sum(b for _, b in plan.sections) * bar_s)
    return replace(plan, sections=tuple((name, max(1, round(bars * scale))) for name, bars in plan.sections))


def song_sections(variation: int = 0, seconds: float | None = None) -> list[dict]:
    """The demo song's sections as ``[{name, start_s, bars}]`` (for sessions and arrangement checks); ``seconds``
    as in :func:`plan_for`."""
    plan = plan_for(variation, seconds)
    bar_s = 4 * 60.0 / plan.tempo_bpm
    out, t = [], 0.0
    for name, bars in plan.sections:
        out.append({"name": name, "start_s": t, "bars": bars})
        t += bars * bar_s
    return out


class _Score:
    """Time grid and buffers for one song."""

    def __init__(self, plan: SongPlan, rate: int) -> None:
        self.plan, self.rate = plan, rate
        self.beat_s = 60.0 / plan.tempo_bpm
        self.bars = sum(b for _, b in plan.sections)
        self.frames = int(round(self.bars * 4 * self.beat_s * rate)) + rate  # one second of tail
        self.rng = np.random.default_rng(plan.seed)
        self.section_of_bar = [name for name, bars in plan.sections for _ in range(bars)]

    def buffer(self, channels: int = 1) -> np.ndarray:
        return np.zeros((channels, self.frames), dtype=np.float64)

    def at(self, bar: int, beat: float) -> int:
        return int(round((bar * 4 + beat) * self.beat_s * self.rate))

    def add(self, buf: np.ndarray, start: int, sound: np.ndarray) -> None:
        end = min(start + sound.shape[-1], self.frames)
        buf[..., start:end] += sound[..., : end - start]

    def chord(self, bar: int) -> tuple[int, bool]:
        step = bar % len(self.plan.progression)
        return self.plan.root_midi + self.plan.progression[step], self.plan.minor[step]


def _release(n: int, rate: int, seconds: float = 0.01) -> np.ndarray:
    """A linear fade to zero over the last ``seconds`` of ``n`` samples: a note lets go instead of clicking off."""
    return np.minimum(1.0, (n - np.arange(n)) / max(1.0, seconds * rate))


def _env(n: int, rate: int, attack_s: float, decay_s: float) -> np.ndarray:
    t = np.arange(n) / rate
    a = np.minimum(t / max(attack_s, 1e-4), 1.0)
    return a * np.exp(-t / decay_s) * _release(n, rate)


def _kick(s: _Score) -> np.ndarray:
    n = int(0.45 * s.rate)
    t = np.arange(n) / s.rate
    freq = 48 + 110 * np.exp(-t * 28)
    hit = np.sin(2 * np.pi * np.cumsum(freq) / s.rate) * np.exp(-t * 7)
    click = s.rng.standard_normal(n) * np.exp(-t * 400) * 0.3
    sound = (hit + click) * _release(n, s.rate)
    sound *= 0.89 / np.max(np.abs(sound))  # too hot on purpose: peaks at -1 dBFS
    buf = s.buffer()
    for bar in range(s.bars):
        four = s.section_of_bar[bar].startswith("chorus")
        for beat in ((0, 1, 2, 3) if four else (0, 2.5, 2)) if s.section_of_bar[bar] != "intro" else ():
            s.add(buf[0], s.at(bar, beat), sound)
    return buf


def _snare(s: _Score) -> np.ndarray:
    n = int(0.3 * s.rate)
    t = np.arange(n) / s.rate
    body = np.sin(2 * np.pi * 185 * t) * np.exp(-t * 30)
    sos = butter(2, [1500, 9000], btype="bandpass", fs=s.rate, output="sos")
    rattle = sosfilt(sos, s.rng.standard_normal(n)) * np.exp(-t * 18)
    buf = s.buffer()
    for bar in range(s.bars):
        if s.section_of_bar[bar] == "intro":
            continue
        for beat in (1, 3):
            vel = 0.85 + 0.15 * s.rng.random()
            s.add(buf[0], s.at(bar, beat), (0.5 * body + 0.9 * rattle) * vel * 0.5)
    return buf


def _hats(s: _Score) -> np.ndarray:
    n = int(0.12 * s.rate)
    t = np.arange(n) / s.rate
    sos = butter(4, 7000, btype="highpass", fs=s.rate, output="sos")
    buf = s.buffer()
    for bar in range(s.bars):
        for k in range(8):
            open_hat = k == 7 and bar % 2 == 1
            decay = 0.08 if open_hat else 0.018
            noise = sosfilt(sos, s.rng.standard_normal(n)) * np.exp(-t / decay)
            vel = (0.9 if k % 2 == 0 else 0.55) * (0.9 + 0.1 * s.rng.random())
            s.add(buf[0], s.at(bar, k * 0.5), noise * vel * 0.15)
    return buf


def _bass(s: _Score) -> np.ndarray:
    buf = s.buffer()
    sos = butter(2, 700, btype="lowpass", fs=s.rate, output="sos")
    n = int(s.beat_s * 0.5 * s.rate)
    t = np.arange(n) / s.rate
    for bar in range(s.bars):
        if s.section_of_bar[bar] == "intro":
            continue
        root, _ = s.chord(bar)
        for k in range(8):
            note = root - 24 + (12 if k == 6 else 0)
            f = midi_hz(note)
            wave = 2 * ((f * t) % 1.0) - 1.0  # saw
            wave = 0.6 * wave + 0.8 * np.sin(2 * np.pi * f * t)
            s.add(buf[0], s.at(bar, k * 0.5), wave * _env(n, s.rate, 0.004, 0.25) * 0.18)
    return sosfilt(sos, buf, axis=-1)


def _chord_notes(root: int, minor: bool) -> list[int]:
    return [root, root + (3 if minor else 4), root + 7, root + 12]


def _keys(s: _Score) -> np.ndarray:
    buf = s.buffer(2)
    n = int(s.beat_s * 2 * s.rate)
    t = np.arange(n) / s.rate
    for bar in range(s.bars):
        root, minor = s.chord(bar)
        for half in (0, 2):
            for i, note in enumerate(_chord_notes(root, minor)):
                f = midi_hz(note)
                tone = (np.sin(2 * np.pi * f * t) + 0.35 * np.sin(2 * np.pi * 2 * f * t) * np.exp(-t * 6)
                        + 0.1 * np.sin(2 * np.pi * 3 * f * t) * np.exp(-t * 10))
                tone *= _env(n, s.rate, 0.003, 0.9) * 0.06
                spread = (i - 1.5) / 3.0
                gains = np.array([[np.cos((spread + 1) * np.pi / 4)], [np.sin((spread + 1) * np.pi / 4)]])
                s.add(buf, s.at(bar, half), gains * tone)
    return buf


def _pad(s: _Score) -> np.ndarray:
    buf = s.buffer(2)
    n = int(4 * s.beat_s * s.rate)
    t = np.arange(n) / s.rate
    fade = np.minimum(1.0, np.minimum(t / 0.6, (t[-1] - t) / 0.4 + 1e-9))
    sos = butter(2, 2200, btype="lowpass", fs=s.rate, output="sos")
    for bar in range(s.bars):
        root, minor = s.chord(bar)
        layer = np.zeros((2, n))
        for note in _chord_notes(root, minor)[:3]:
            for ch, detune in ((0, -0.07), (1, 0.07)):
                f = midi_hz(note + 12 + detune)
                layer[ch] += 2 * ((f * t + 0.3 * ch) % 1.0) - 1.0
        s.add(buf, s.at(bar, 0), sosfilt(sos, layer, axis=-1) * fade * 0.09)
    return buf


def _lead(s: _Score, with_problems: bool) -> np.ndarray:
    buf = s.buffer()
    pattern = [0, 3, 7, 5, 3, 0, -2, 0]
    n = int(s.beat_s * 0.5 * s.rate * 0.95)
    t = np.arange(n) / s.rate
    sos = butter(2, [300, 4000], btype="bandpass", fs=s.rate, output="sos")
    for bar in range(s.bars):
        name = s.section_of_bar[bar]
        if name in ("intro",) or (name == "verse" and bar % 2 == 1):
            continue
        root, minor = s.chord(bar)
        for k in range(8):
            if (k + bar) % 3 == 2:
                continue
            note = s.plan.root_midi + 12 + pattern[(k + bar) % len(pattern)]
            f = midi_hz(note) * (1 + 0.006 * np.sin(2 * np.pi * 5.5 * t))
            phase = 2 * np.pi * np.cumsum(f) / s.rate
            voice = np.sin(phase) + 0.5 * np.sin(2 * phase) + 0.3 * np.sin(3 * phase) + 0.15 * np.sin(5 * phase)
            s.add(buf[0], s.at(bar, k * 0.5), voice * _env(n, s.rate, 0.02, 0.5) * 0.05)
    buf = sosfilt(sos, buf, axis=-1) * 2.0
    if with_problems:
        time = np.arange(s.frames) / s.rate
        hum = sum(a * np.sin(2 * np.pi * 50 * h * time) for h, a in ((1, 0.006), (2, 0.003), (3, 0.002)))
        buf[0] += hum
        # the singer leaned in: a short run driven into the converter's ceiling
        start = s.at(min(13, s.bars - 1), 0.0)
        end = start + int(0.25 * s.rate)
        buf[0, start:end] = np.clip(buf[0, start:end] * 40.0, -1.0, 1.0)
    return buf


def synthesize_demo(folder: str | Path, *, variation: int = 0, rate: int = 48000,
                    seconds: float | None = None) -> dict[str, Path]:
    """Write the demo song's stems (24-bit WAV) into ``folder``; return {track name: path}. ``seconds`` makes a short
    version of the same form (see :func:`plan_for`)."""
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ParameterError(f"demo: sample rate must be from {MIN_RATE} to {MAX_RATE} Hz; got {rate}")
    plan = plan_for(variation, seconds)
    s = _Score(plan, rate)
    tracks = {
        "kick": _kick(s),
        "snare": _snare(s),
        "hats": _hats(s),
        "bass": _bass(s),
        "keys": _keys(s),
        "pad": _pad(s),
        "lead": _lead(s, with_problems=variation == 0),
    }
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {}
    for name, audio in tracks.items():
        path = folder / f"{name}.wav"
        write(path, np.clip(audio, -1.0, 1.0).astype(np.float32), rate, subtype="PCM_24")
        paths[name] = path
    return paths
