"""Music built in code for tempo and arrangement tests: click tracks, a 4/4 drum kit, pads, bass and leads."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, sosfilt

RATE = 22050


def _add(buf: np.ndarray, at_s: float, sound: np.ndarray, rate: int) -> None:
    start = int(round(at_s * rate))
    if start >= buf.size:
        return
    end = min(buf.size, start + sound.size)
    buf[start:end] += sound[: end - start]


def _times(bpm: float, start_s: float, stop_s: float, per_beat: int = 1) -> np.ndarray:
    step = 60.0 / bpm / per_beat
    return start_s + np.arange(int(np.floor((stop_s - start_s) / step + 1e-9))) * step


def click_track(bpm: float, seconds: float, rate: int = RATE) -> np.ndarray:
    """A 1 kHz click on every beat from 0 s (mono float32, 1-D)."""
    x = np.zeros(int(round(seconds * rate)))
    t = np.arange(int(0.02 * rate)) / rate
    click = np.sin(2 * np.pi * 1000 * t) * np.exp(-t * 300)
    for at in _times(bpm, 0.0, seconds):
        _add(x, at, click, rate)
    return (0.5 * x).astype(np.float32)


def drums(bpm: float, seconds: float, rate: int = RATE, *, start_s: float = 0.0, gain: float = 1.0,
          seed: int = 0, out: np.ndarray | None = None) -> np.ndarray:
    """Plain 4/4: kick on 1 and 3, snare on 2 and 4, closed hats on eighths (mono float32, 1-D)."""
    rng = np.random.default_rng(seed)
    x = np.zeros(int(round(seconds * rate))) if out is None else out
    t = np.arange(int(0.3 * rate)) / rate
    kick = np.sin(2 * np.pi * np.cumsum(50 + 100 * np.exp(-t * 30)) / rate) * np.exp(-t * 8)
    snare = sosfilt(butter(2, [1500, 8000], "bandpass", fs=rate, output="sos"), rng.standard_normal(t.size))
    snare *= np.exp(-t * 20) * 0.6
    hat = sosfilt(butter(4, 7000, "highpass", fs=rate, output="sos"), rng.standard_normal(t.size))
    hat *= np.exp(-t * 60) * 0.2
    for k, at in enumerate(_times(bpm, start_s, seconds)):
        _add(x, at, gain * (kick if k % 2 == 0 else snare), rate)
    for k, at in enumerate(_times(bpm, start_s, seconds, 2)):
        _add(x, at, gain * hat * (1.0 if k % 2 == 0 else 0.6), rate)
    return (0.5 * x).astype(np.float32) if out is None else x


def pad(seconds: float, rate: int = RATE, *, start_s: float = 0.0, stop_s: float | None = None,
        gain: float = 0.1, root_hz: float = 220.0, out: np.ndarray | None = None) -> np.ndarray:
    """A sustained soft triad (sines) from ``start_s`` to ``stop_s``."""
    x = np.zeros(int(round(seconds * rate))) if out is None else out
    stop_s = seconds if stop_s is None else stop_s
    a, b = int(round(start_s * rate)), int(round(stop_s * rate))
    t = np.arange(b - a) / rate
    for ratio in (1.0, 1.26, 1.5):
        x[a:b] += gain * np.sin(2 * np.pi * root_hz * ratio * t)
    return x


def lead(bpm: float, rate: int, *, start_s: float, stop_s: float, gain: float, out: np.ndarray) -> np.ndarray:
    """A bright sawtooth line on eighth notes (a minor pentatonic run)."""
    step = 30.0 / bpm
    t = np.arange(int(step * rate * 0.9)) / rate
    notes = (440.0, 523.25, 587.33, 659.25, 783.99)
    for k, at in enumerate(_times(bpm, start_s, stop_s, 2)):
        f = notes[k % len(notes)]
        _add(out, at, gain * (2 * ((f * t) % 1.0) - 1.0) * np.exp(-t * 4), rate)
    return out


def song(parts: list[tuple[float, float, str, float]], bpm: float = 120.0, rate: int = RATE) -> np.ndarray:
    """A song from (start_s, stop_s, texture, gain) parts; textures: pad, drums, full (drums, bass pad, lead)."""
    seconds = max(stop for _, stop, _, _ in parts)
    x = np.zeros(int(round(seconds * rate)))
    for start, stop, texture, gain in parts:
        piece = np.zeros_like(x)
        if texture == "pad":
            pad(seconds, rate, start_s=start, stop_s=stop, gain=0.1, out=piece)
        elif texture == "drums":
            drums(bpm, stop, rate, start_s=start, out=piece)
            pad(seconds, rate, start_s=start, stop_s=stop, gain=0.03, root_hz=110.0, out=piece)
        elif texture == "full":
            drums(bpm, stop, rate, start_s=start, out=piece)
            pad(seconds, rate, start_s=start, stop_s=stop, gain=0.06, root_hz=110.0, out=piece)
            lead(bpm, rate, start_s=start, stop_s=stop, gain=0.12, out=piece)
        else:
            raise ValueError(texture)
        a, b = int(round(start * rate)), int(round(stop * rate))
        x[a:b] += gain * piece[a:b]
    return (0.5 * x).astype(np.float32)
