"""Short test songs for the mastering tests, built in code (no files committed)."""

from __future__ import annotations

import numpy as np
from scipy.signal import butter, resample_poly, sosfilt
from signals import pink_noise

RATE = 48000


def beat_song(level_db: float, clip: bool = False, seconds: float = 6.0, rate: int = RATE) -> np.ndarray:
    """Stereo pink noise with a 120 bpm decaying beat, at ``level_db`` dBFS RMS (before the beat envelope);
    ``clip`` hard-clips it at full scale, like an already-clipped mix."""
    x = pink_noise(seconds, rate, rms_dbfs=-20.0, channels=2, seed=7)
    t = np.arange(x.shape[1]) / rate
    x = x * (0.4 + 0.6 * np.exp(-((t * 2) % 1) * 6)) * 10 ** ((level_db + 20) / 20)
    return np.clip(x, -1, 1).astype(np.float32) if clip else x.astype(np.float32)


def band_song(low_swing_db: float, seconds: float = 8.0, rate: int = RATE) -> np.ndarray:
    """Steady mids (300 Hz - 3 kHz noise, -20 dBFS RMS) and air (> 5 kHz, -36 dBFS) over a 55 Hz bass whose level
    alternates every second between -16 +- ``low_swing_db``/2 dBFS peak (0: a controlled, steady bass)."""
    rng = np.random.default_rng(11)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    mids = sosfilt(butter(4, [300, 3000], "bandpass", fs=rate, output="sos"), rng.standard_normal((2, n)), axis=1)
    air = sosfilt(butter(4, 5000, "highpass", fs=rate, output="sos"), rng.standard_normal((2, n)), axis=1)
    mids *= 10 ** (-20 / 20) / np.sqrt(np.mean(mids ** 2))
    air *= 10 ** (-36 / 20) / np.sqrt(np.mean(air ** 2))
    step = np.where((t.astype(int) % 2) == 0, 0.5, -0.5) * low_swing_db
    ramp = np.convolve(step, np.ones(960) / 960, mode="same")          # 20 ms ramps between notes
    bass = 10 ** ((-16 + ramp) / 20) * np.sin(2 * np.pi * 55 * t)
    return (mids + air + bass[None, :]).astype(np.float32)


def true_peak_8x_dbtp(audio: np.ndarray) -> float:
    """8x-oversampled peak of the whole signal (scipy polyphase), independent of the code under test."""
    return float(20 * np.log10(np.max(np.abs(resample_poly(audio.astype(np.float64), 8, 1, axis=1)))))
