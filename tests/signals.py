"""Test signals built in code: tones, noise, impulses, and a block-size invariance check for processors."""

from __future__ import annotations

from typing import Callable

import numpy as np


def sine(freq_hz: float, seconds: float, rate: int = 48000, amplitude_dbfs: float = -20.0,
         channels: int = 1, phase: float = 0.0) -> np.ndarray:
    """A sine tone, float32 (channels, frames), peak at ``amplitude_dbfs``."""
    t = np.arange(int(round(seconds * rate))) / rate
    x = (10 ** (amplitude_dbfs / 20)) * np.sin(2 * np.pi * freq_hz * t + phase)
    return np.ascontiguousarray(np.tile(x, (channels, 1)), dtype=np.float32)


def noise(seconds: float, rate: int = 48000, rms_dbfs: float = -20.0, channels: int = 1, seed: int = 0) -> np.ndarray:
    """White Gaussian noise, float32 (channels, frames), at ``rms_dbfs`` RMS per channel."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((channels, int(round(seconds * rate)))) * (10 ** (rms_dbfs / 20))
    return x.astype(np.float32)


def pink_noise(seconds: float, rate: int = 48000, rms_dbfs: float = -20.0, channels: int = 1,
               seed: int = 0) -> np.ndarray:
    """Pink (1/f power) noise made in the frequency domain, float32 (channels, frames), at ``rms_dbfs`` RMS."""
    rng = np.random.default_rng(seed)
    n = int(round(seconds * rate))
    spec = rng.standard_normal((channels, n // 2 + 1)) + 1j * rng.standard_normal((channels, n // 2 + 1))
    f = np.fft.rfftfreq(n, 1 / rate)
    spec[:, 1:] /= np.sqrt(f[1:])
    spec[:, 0] = 0
    x = np.fft.irfft(spec, n)
    x *= (10 ** (rms_dbfs / 20)) / np.sqrt(np.mean(x ** 2, axis=1, keepdims=True))
    return x.astype(np.float32)


def impulse(seconds: float, rate: int = 48000, channels: int = 1, at: int = 0, amplitude: float = 1.0) -> np.ndarray:
    """A single-sample impulse at frame ``at``, float32 (channels, frames)."""
    x = np.zeros((channels, int(round(seconds * rate))), dtype=np.float32)
    x[:, at] = amplitude
    return x


def process_in_blocks(make: Callable[[], object], audio: np.ndarray, sizes: list[int]) -> np.ndarray:
    """Run a fresh processor from ``make()`` over ``audio`` in blocks cycling through ``sizes``; return the output."""
    proc = make()
    out, pos, i = [], 0, 0
    n = audio.shape[1]
    while pos < n:
        size = sizes[i % len(sizes)]
        out.append(proc.process(audio[:, pos:pos + size]))
        pos += size
        i += 1
    return np.concatenate(out, axis=1)
