"""Unit conversions between a studioflow session and the DAWs: gains, pan laws and time.

Pan laws, stated on both sides:

- studioflow: a mono source follows the session's ``pan_law_db`` (-3 sin/cos, -4.5, -6 linear, 0 balance; see
  ``mixing.panning``); a stereo source, a bus and a send from a stereo strip use the balance control (unity at
  centre, the far side fading linearly).
- Ardour 7: a mono track's "Mono to Stereo" panner is fixed at -3 dB in the centre but is a quadratic, not sin/cos:
  ``g(x) = x * (s * x + 1 - s)`` with ``s = 2 - 4 * 10^(-3/20)`` and ``x`` the azimuth (0 left .. 1 right) for the
  right side, ``1 - x`` for the left. Its "Stereo Balance" panner is the same balance control as ours.
- DAWproject: ``Pan`` is a normalized 0..1 value; the format leaves the law to the reading DAW.

Compensation (Ardour, mono): any pair of left/right gains is one azimuth (their ratio) times one gain, so a mono
pan is exported as the azimuth with the same left/right ratio plus a fader correction ``comp_db``; import inverts it.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from studioflow.mixing.panning import mono_gains

#: Ardour 7's time unit: superclock ticks a second (a whole number of ticks per sample at every common rate)
SUPERCLOCK_HZ = 282_240_000
#: Ardour's beat time: ticks a quarter note
ARDOUR_TICKS_PER_BEAT = 1920
_ARDOUR_SCALE = 2.0 - 4.0 * 10.0 ** (-3.0 / 20.0)
SILENCE_DB = -200.0


def db_to_gain(db: float) -> float:
    """A level in dB as a linear gain factor (``-inf`` dB is 0)."""
    return 0.0 if db == float("-inf") else 10.0 ** (db / 20.0)


def gain_to_db(gain: float) -> float:
    """A linear gain factor as dB (0 is ``-inf``)."""
    return float("-inf") if gain <= 0.0 else 20.0 * math.log10(gain)


def pan_to_normalized(pan: Any) -> Any:
    """studioflow's pan (-1 left .. +1 right; a number or an array) as a 0..1 position (Ardour's azimuth,
    DAWproject's Pan)."""
    return (pan + 1.0) / 2.0


def normalized_to_pan(position: float) -> float:
    """A 0..1 position as studioflow's pan (-1..1)."""
    return min(1.0, max(-1.0, 2.0 * position - 1.0))


def ardour_mono_gains(azimuth: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Left and right gains of Ardour's mono-to-stereo panner at ``azimuth`` (0..1)."""
    x = np.clip(np.asarray(azimuth, dtype=np.float64), 0.0, 1.0)
    s = _ARDOUR_SCALE
    return (1.0 - x) * (s * (1.0 - x) + 1.0 - s), x * (s * x + 1.0 - s)


def mono_pan_to_ardour(pan: np.ndarray | float, law_db: float) -> tuple[np.ndarray, np.ndarray]:
    """studioflow's mono pan under ``law_db`` as Ardour's (azimuth 0..1, fader correction in dB)."""
    gl, gr = mono_gains(np.asarray(pan, dtype=np.float64), law_db)
    target = gr / (gl + gr)                        # the right share; Ardour's share rises with the azimuth
    lo, hi = np.zeros_like(target), np.ones_like(target)
    for _ in range(60):                            # bisection: 60 halvings reach double precision
        mid = (lo + hi) / 2.0
        al, ar = ardour_mono_gains(mid)
        below = ar / (al + ar) < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    azimuth = (lo + hi) / 2.0
    al, ar = ardour_mono_gains(azimuth)
    comp = (gl + gr) / (al + ar)
    return azimuth, 20.0 * np.log10(comp)


def ardour_to_mono_pan(azimuth: np.ndarray | float, law_db: float) -> tuple[np.ndarray, np.ndarray]:
    """Ardour's mono azimuth (0..1) as studioflow's (pan -1..1 under ``law_db``, fader correction in dB to add)."""
    al, ar = ardour_mono_gains(azimuth)
    target = ar / (al + ar)
    lo, hi = -np.ones_like(target), np.ones_like(target)
    for _ in range(60):
        mid = (lo + hi) / 2.0
        gl, gr = mono_gains(mid, law_db)
        below = gr / (gl + gr) < target
        lo, hi = np.where(below, mid, lo), np.where(below, hi, mid)
    pan = (lo + hi) / 2.0
    gl, gr = mono_gains(pan, law_db)
    return pan, 20.0 * np.log10((al + ar) / (gl + gr))


def seconds_to_superclock(seconds: float) -> int:
    """Seconds as Ardour 7 superclock ticks."""
    return round(seconds * SUPERCLOCK_HZ)


def frames_to_superclock(frames: int, sample_rate: int) -> int:
    """Sample frames at ``sample_rate`` Hz as Ardour 7 superclock ticks."""
    return round(frames * SUPERCLOCK_HZ / sample_rate)


def ardour_gain_lag_s(sample_rate: int) -> float:
    """Time constant (s) of the 25 Hz one-pole smoothing Ardour's Amp applies to every gain change, automation
    included (coefficient ``156.825 / rate`` a sample)."""
    a = 156.825 / sample_rate
    return (1.0 / a - 1.0) / sample_rate


def ardour_gain_points(gain: Callable[[np.ndarray], np.ndarray], times: np.ndarray,
                       sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Automation points (s, linear gain) that Ardour's smoothed Amp turns back into the curve ``gain(t)``
    (linear gain between ``times``): each point is led by the smoothing's time constant, ``g + tau * g'``, with
    two points one sample apart where the slope changes."""
    tau = ardour_gain_lag_s(sample_rate)
    h = 1.0 / sample_rate
    y, before, after = gain(times), gain(times - h), gain(times + h)
    left = np.where(np.arange(len(times)) > 0, (y - before) / h, 0.0)
    right = np.where(np.arange(len(times)) < len(times) - 1, (after - y) / h, 0.0)
    out_t: list[float] = []
    out_v: list[float] = []
    for k, t in enumerate(times):
        if abs(left[k] - right[k]) > 1e-9 and t - h >= (out_t[-1] + h if out_t else 0.0):
            out_t.append(float(t) - h)
            out_v.append(max(0.0, float(y[k] + tau * left[k])))
        out_t.append(float(t))
        out_v.append(max(0.0, float(y[k] + tau * right[k])))
    return np.array(out_t), np.array(out_v)


def ardour_fader_position(gain: np.ndarray) -> np.ndarray:
    """Ardour's fader position (0..1) of a linear gain (the fader tops out at +6 dB): the domain its gain
    automation interpolates in when the list says ``Exponential``."""
    g = np.asarray(gain, dtype=np.float64)
    with np.errstate(divide="ignore"):
        base = np.where(g > 0, (6.0 * np.log2(np.maximum(g, 1e-300)) + 192.0) / 198.0, 0.0)
    return np.maximum(base, 0.0) ** 8


def ardour_fader_gain(position: np.ndarray) -> np.ndarray:
    """The linear gain at Ardour's fader ``position`` (0..1); the inverse of :func:`ardour_fader_position`."""
    p = np.asarray(position, dtype=np.float64)
    return np.where(p > 0, 2.0 ** ((np.maximum(p, 0.0) ** 0.125 * 198.0 - 192.0) / 6.0), 0.0)
