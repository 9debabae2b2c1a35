"""Room modes from the low-frequency response: peaks that stand out of the response around them, each with its
frequency (Hz), how far it stands out (dB) and how long it rings (seconds to decay by 60 dB).

The response is the power spectrum of the impulse responses from their start, averaged over the positions (power
average), read with 0.1 Hz resolution. "Around it" is the median power over an octave centred on each
frequency, scaled by 1/ln 2 (for a noise-like response the median of the power is ln 2 times its mean), so a mode
does not lift its own reference. A mode's ringing is the decay of the response band-passed tightly around it
(``decay.band_decay``: backward integration, T20, else EDT).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
from scipy.signal import find_peaks

from studioflow.recording.room import decay

SPEED_OF_SOUND_M_S = 343.0


@dataclass(frozen=True)
class Mode:
    """A room mode: frequency (Hz), level above the response around it (dB), ringing time (s to -60 dB) and the
    half wavelength (m): the room dimension (or the distance between two parallel surfaces) it belongs to."""

    freq_hz: float
    level_db: float
    decay_s: float | None
    half_wavelength_m: float

    def as_dict(self) -> dict:
        """Plain values for JSON."""
        return asdict(self)


def lf_response(irs: list[np.ndarray], rate: int, *, high_hz: float = 300.0,
                resolution_hz: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    """(frequencies Hz, power dB) from 0 to ``high_hz``: the responses' power spectra averaged over ``irs``."""
    nfft = 1 << int(math.ceil(math.log2(max(rate / resolution_hz, max(len(ir) for ir in irs)))))
    power = np.zeros(nfft // 2 + 1)
    for ir in irs:
        power += np.abs(np.fft.rfft(np.asarray(ir, dtype=np.float64), nfft)) ** 2
    freqs = np.fft.rfftfreq(nfft, 1 / rate)
    keep = freqs <= high_hz
    return freqs[keep], 10 * np.log10(np.maximum(power[keep] / len(irs), 1e-30))


def surroundings_db(freqs: np.ndarray, power_db: np.ndarray, *, width_oct: float = 1.0) -> np.ndarray:
    """The level (dB) of the response around each frequency: median power over ``width_oct`` octaves, / ln 2."""
    power = 10 ** (power_db / 10)
    grid = 2 ** np.arange(np.log2(max(freqs[1], 10.0)), np.log2(freqs[-1]) + 1 / 48, 1 / 48)
    half = 2 ** (width_oct / 2)
    level = [np.median(power[(freqs >= g / half) & (freqs <= g * half)]) / math.log(2) for g in grid]
    return np.interp(freqs, grid, 10 * np.log10(np.maximum(level, 1e-30)))


def find_modes(irs: list[np.ndarray], rate: int, *, low_hz: float = 30.0, high_hz: float = 300.0,
               min_level_db: float = 10.0, at_most: int = 8) -> list[Mode]:
    """The modes between ``low_hz`` and ``high_hz`` standing at least ``min_level_db`` dB above the response
    around them, strongest first (``irs`` start at the direct sound)."""
    freqs, db = lf_response(irs, rate, high_hz=high_hz * 1.5)
    excess = db - surroundings_db(freqs, db)
    step = freqs[1]
    peaks, _ = find_peaks(excess, height=min_level_db, distance=max(1, int(2.0 / step)))
    peaks = [p for p in peaks if low_hz <= freqs[p] <= high_hz]
    peaks.sort(key=lambda p: -excess[p])
    modes = []
    for p in peaks[:at_most]:
        a, b, c = db[p - 1], db[p], db[p + 1]
        shift = 0.5 * (a - c) / (a - 2 * b + c) if a - 2 * b + c < 0 else 0.0     # parabola through the top
        freq = float(freqs[p] + shift * step)
        modes.append(Mode(round(freq, 2), round(float(excess[p]), 1), _ringing(irs, rate, freq),
                          round(SPEED_OF_SOUND_M_S / (2 * freq), 2)))
    return modes


def _ringing(irs: list[np.ndarray], rate: int, freq_hz: float) -> float | None:
    """Seconds a mode at ``freq_hz`` takes to decay by 60 dB: the mean over ``irs`` of T20 (else EDT) of the
    response band-passed over +-max(2 Hz, 4 %) around it."""
    half = max(2.0, 0.04 * freq_hz)
    times = []
    for ir in irs:
        d = decay.band_decay(decay.band_filter(ir, rate, freq_hz - half, freq_hz + half, order=2), rate)
        t = d.t20_s or d.edt_s
        if t:
            times.append(t)
    return round(float(np.mean(times)), 3) if times else None
