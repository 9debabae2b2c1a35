"""Strong early reflections: peaks of the impulse response in the first 50 ms after the direct sound that stand
out of the sound around them, with their delay (ms), the extra path they travel (m) and their level re the direct
sound (dB). Each peak's time is refined to a fraction of a sample by a parabola through its top three samples."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.signal import find_peaks

from studioflow.recording.room.modes import SPEED_OF_SOUND_M_S


@dataclass(frozen=True)
class Reflection:
    """A reflection: ms after the direct sound, extra path length (m), level re the direct sound (dB)."""

    delay_ms: float
    path_m: float
    level_db: float

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def _peak_time(x: np.ndarray, i: int) -> float:
    """Sample position of the peak of ``|x|`` at ``i``, refined by a parabola through three samples."""
    if i <= 0 or i >= len(x) - 1:
        return float(i)
    a, b, c = np.abs(x[i - 1:i + 2])
    den = a - 2 * b + c
    return i + (0.5 * (a - c) / den if den < 0 else 0.0)


def direct_sound(ir: np.ndarray) -> float:
    """Sample position (fractional) of the direct sound: the largest peak of the response."""
    x = np.asarray(ir, dtype=np.float64)
    return _peak_time(x, int(np.argmax(np.abs(x))))


def find_reflections(ir: np.ndarray, rate: int, *, window_ms: float = 50.0, min_level_db: float = -20.0,
                     above_db: float = 12.0, at_most: int = 6) -> list[Reflection]:
    """Reflections within ``window_ms`` after the direct sound, at least ``min_level_db`` re the direct sound and
    ``above_db`` over the RMS level of the 5 ms around them, strongest first."""
    x = np.asarray(ir, dtype=np.float64)
    mag = np.abs(x)
    d = int(np.argmax(mag))
    t_direct = _peak_time(x, d)
    guard = max(2, int(0.0003 * rate))
    stop = min(len(x), d + int(window_ms / 1000 * rate))
    floor = mag[d] * 10 ** (min_level_db / 20)
    peaks, _ = find_peaks(mag[:stop], height=floor, distance=guard)
    half = int(0.0025 * rate)
    found = []
    for p in peaks:
        if p <= d + guard:
            continue
        around = np.r_[mag[max(p - half, d + guard):p - guard], mag[p + guard + 1:p + half]]
        if len(around) < half // 2:
            continue
        rms = math.sqrt(float(np.mean(around ** 2)))  # the sound around the peak, the peak left out
        if rms > 0 and 20 * math.log10(mag[p] / rms) < above_db:
            continue
        delay_ms = (_peak_time(x, p) - t_direct) / rate * 1000
        found.append(Reflection(round(float(delay_ms), 3), round(float(delay_ms) / 1000 * SPEED_OF_SOUND_M_S, 3),
                                round(20 * math.log10(mag[p] / mag[d]), 1)))
    found.sort(key=lambda r: -r.level_db)
    return found[:at_most]
