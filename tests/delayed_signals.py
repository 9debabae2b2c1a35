"""Noise delayed exactly by any number of samples: periodic, so a linear phase in the frequency domain is the exact
(band-limited) delay, the reference for fractional delays."""

from __future__ import annotations

import numpy as np


def periodic_noise(frames: int, delay: float = 0.0, *, band: tuple[float, float] = (0.0, 0.5), seed: int = 0,
                   rms: float = 0.1) -> np.ndarray:
    """Gaussian noise periodic in ``frames``, limited to ``band`` (fractions of the sample rate), at ``rms``,
    delayed exactly by ``delay`` samples (circularly); float64, 1-D."""
    rng = np.random.default_rng(seed)
    f = np.fft.rfftfreq(frames)
    spec = (rng.standard_normal(len(f)) + 1j * rng.standard_normal(len(f))) * ((f >= band[0]) & (f <= band[1]))
    x = np.fft.irfft(spec, frames)
    return np.fft.irfft(np.fft.rfft(x) * np.exp(-2j * np.pi * f * delay), frames) * (rms / np.sqrt(np.mean(x ** 2)))
