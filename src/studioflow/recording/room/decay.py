"""Room acoustic figures of one impulse response per octave band, after ISO 3382-1/-2 (2008/2009): the start of the
response, Schroeder's backward integration with Lundeby's noise handling, EDT, T20, T30, C50 and C80.

- Start: the first sample where the squared response comes within 20 dB of its maximum (ISO 3382-1, A.3.4).
- Bands: octave bands (IEC 61260 base-10 centres) by 3rd-order Butterworth band-passes run over the reversed
  response, so the filters' own ringing lands before the start and does not lengthen short decays (ISO 3382-1, 5.3.3).
- Noise: Lundeby's iteration (A. Lundeby et al., "Uncertainties of measurements in room acoustics", Acustica 81,
  1995) finds the noise floor and the point where the decay meets it; the backward integral runs from that point
  and adds the energy the decay line would still have had after it (ISO 3382-1, 5.3.4 b/c).
- Decay times: least-squares lines over the integrated curve, 0..-10 dB (EDT), -5..-25 dB (T20) and -5..-35 dB
  (T30), extrapolated to 60 dB. A figure whose range does not end at least 10 dB above the noise floor is left out
  (None): T30 needs 45 dB between the start and the noise, T20 35 dB, EDT 20 dB.
- Clarity: ``C = 10 log10(E(0..t) / E(t..end))`` for t = 50 ms (C50) and 80 ms (C80) (ISO 3382-1, A.2.4).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import butter, sosfilt

OCTAVES_HZ = (63.0, 125.0, 250.0, 500.0, 1000.0, 2000.0, 4000.0, 8000.0)
DB_PER_NEPER_POWER = 10 / math.log(10)   # dB per neper of energy decay
_G = 10 ** 0.15                           # half an octave, base 10 (IEC 61260-1)


@dataclass(frozen=True)
class Decay:
    """What the backward integral of one band says: the curve (dB, from the start), where the decay meets the noise
    (samples from the start), the noise floor (dB re the start's level) and the decay times (s) and clarity (dB)."""

    curve_db: np.ndarray
    cross: int
    noise_db: float
    edt_s: float | None
    t20_s: float | None
    t30_s: float | None
    c50_db: float | None
    c80_db: float | None


def nominal(freq_hz: float) -> float:
    """The exact base-10 centre (Hz) of an octave band named by its nominal frequency (63 -> 63.1, 125 -> 125.9)."""
    k = round(math.log10(freq_hz / 1000.0) / 0.3)
    return 1000.0 * 10 ** (0.3 * k)


def bands(rate: int) -> list[float]:
    """The nominal octave centres (Hz) whose upper band edge lies under Nyquist at ``rate``."""
    return [f for f in OCTAVES_HZ if nominal(f) * _G < rate / 2]


def start_index(ir: np.ndarray) -> int:
    """Where the response starts: the first sample within 20 dB of the squared maximum (ISO 3382-1, A.3.4)."""
    e = np.asarray(ir, dtype=np.float64) ** 2
    return int(np.argmax(e >= e.max() * 0.01))


def band_filter(ir: np.ndarray, rate: int, low_hz: float, high_hz: float, order: int = 3) -> np.ndarray:
    """``ir`` band-passed between ``low_hz`` and ``high_hz`` (Butterworth of ``order``), filtered backwards in time."""
    sos = butter(order, [low_hz, min(high_hz, 0.499 * rate)], btype="bandpass", fs=rate, output="sos")
    return sosfilt(sos, np.asarray(ir, dtype=np.float64)[::-1])[::-1]


def octave(ir: np.ndarray, rate: int, centre_hz: float) -> np.ndarray:
    """``ir`` in the octave band named ``centre_hz`` (nominal, e.g. 125)."""
    fc = nominal(centre_hz)
    return band_filter(ir, rate, fc / _G, fc * _G)


def _smoothed_db(e: np.ndarray, width: int) -> tuple[np.ndarray, np.ndarray]:
    """Mean energy in consecutive intervals of ``width`` samples, in dB, and each interval's centre (samples)."""
    width = max(1, width)
    n = len(e) // width
    means = e[:n * width].reshape(n, width).mean(axis=1)
    with np.errstate(divide="ignore"):
        return 10 * np.log10(np.maximum(means, 1e-300)), (np.arange(n) + 0.5) * width


def _line(x: np.ndarray, y: np.ndarray) -> tuple[float, float]:
    """Least-squares (slope, intercept) of y over x."""
    slope, icpt = np.polyfit(x, y, 1)
    return float(slope), float(icpt)


def lundeby(e: np.ndarray, rate: int, max_rounds: int = 5) -> tuple[int, float, float]:
    """Lundeby's iteration on the energy ``e`` of a band (from its start): (crossing point in samples, noise level in
    dB, decay slope in dB per sample of the late decay)."""
    n = len(e)
    db, centres = _smoothed_db(e, int(0.01 * rate))          # step 1: 10 ms intervals
    noise = 10 * math.log10(max(float(np.mean(e[-max(n // 10, 1):])), 1e-300))   # step 2: the last tenth
    top = int(np.argmax(db))
    end = top + int(np.argmax(db[top:] < noise + 10)) if np.any(db[top:] < noise + 10) else len(db)
    if end - top < 2:
        return n, noise, -60.0 / n
    slope, icpt = _line(centres[top:end], db[top:end])      # step 3: 0 dB .. noise + 10 dB
    if slope >= 0:
        return n, noise, -60.0 / n
    cross = (noise - icpt) / slope                            # step 4
    for _ in range(max_rounds):
        width = max(1, int(10.0 / -slope / 5))                # step 5: five intervals per 10 dB of decay
        db, centres = _smoothed_db(e, width)
        tail = int(min(max(cross + 5.0 / -slope, 0), n))      # step 6: noise from 5 dB below the crossing,
        tail = min(tail, n - max(n // 10, 1))                 #         at least the last tenth
        noise = 10 * math.log10(max(float(np.mean(e[tail:])), 1e-300))
        top = int(np.argmax(db))
        below = np.flatnonzero(db[top:] <= db[top] - 5)            # step 7: from 5 dB down ...
        if not len(below):
            break
        first = top + int(below[0])
        under = np.flatnonzero(db[first:] < noise + 10)           # ... to 10 dB above the noise
        last = first + int(under[0]) if len(under) else len(db)
        if last - first < 3:
            break
        slope, icpt = _line(centres[first:last], db[first:last])
        if slope >= 0:
            break
        new = (noise - icpt) / slope                          # step 8: until the crossing settles
        settled = abs(new - cross) < 0.001 * rate
        cross = new
        if settled:
            break
    return int(min(max(cross, 1), n)), noise, slope


def schroeder(e: np.ndarray, cross: int, slope_db: float, noise_db: float) -> tuple[np.ndarray, float]:
    """Backward integral of energy ``e`` up to ``cross`` plus the energy the decay line (``slope_db`` dB per sample,
    at ``noise_db`` where it crosses the noise) carries after it, in dB re the total (0 dB at the start); and that
    energy after ``cross``."""
    head = e[:cross]
    k = -slope_db / DB_PER_NEPER_POWER                  # energy decay rate, nepers per sample
    tail = 10 ** (noise_db / 10) / k if k > 0 else 0.0  # integral of the line's energy from the crossing on
    integral = np.cumsum(head[::-1])[::-1] + tail
    return 10 * np.log10(np.maximum(integral, 1e-300) / integral[0]), tail


def decay_time(curve_db: np.ndarray, rate: int, top_db: float, bottom_db: float) -> float | None:
    """Seconds for 60 dB from the least-squares line over the curve between ``top_db`` and ``bottom_db`` (negative);
    None when the curve does not reach ``bottom_db``."""
    below = np.flatnonzero(curve_db <= bottom_db)
    if not len(below):
        return None
    first = int(np.argmax(curve_db <= top_db))
    last = int(below[0])
    if last - first < 3:
        return None
    slope, _ = _line(np.arange(first, last) / rate, curve_db[first:last])
    return -60.0 / slope if slope < 0 else None


def clarity(e: np.ndarray, rate: int, cross: int, tail: float, split_ms: float) -> float | None:
    """C50/C80: early-to-late energy ratio (dB) around ``split_ms`` ms, the late part ending at ``cross`` plus
    ``tail`` (the energy after the crossing)."""
    split = int(round(split_ms / 1000 * rate))
    if split >= cross:
        return None
    late = float(np.sum(e[split:cross])) + tail
    return 10 * math.log10(float(np.sum(e[:split])) / late) if late > 0 else None


def band_decay(band_ir: np.ndarray, rate: int) -> Decay:
    """The decay of one band-passed response that starts at sample 0."""
    e = np.asarray(band_ir, dtype=np.float64) ** 2
    cross, noise, slope = lundeby(e, rate)
    curve, tail = schroeder(e, cross, slope, noise)
    level0 = float(np.mean(e[:max(1, int(0.01 * rate))]))
    noise_re = noise - 10 * math.log10(level0) if level0 > 0 else 0.0

    def reach(top: float, bottom: float) -> float | None:     # the range must end 10 dB above the noise
        return decay_time(curve, rate, top, bottom) if noise_re <= bottom - 10 else None

    return Decay(curve, cross, noise_re, reach(0.0, -10.0), reach(-5.0, -25.0), reach(-5.0, -35.0),
                 clarity(e, rate, cross, tail, 50.0), clarity(e, rate, cross, tail, 80.0))
