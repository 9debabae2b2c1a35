"""Pan laws: a mono source placed in stereo, and the balance control of a stereo source (pan -1 left .. +1 right).

Mono, law ``-3`` dB (default, constant power): ``L = cos(theta), R = sin(theta)``, ``theta = (pan + 1) * pi / 4``,
so L^2 + R^2 = 1 everywhere and each side is -3.01 dB at centre. Law ``-6``: linear, ``L = (1 - pan) / 2``.
Law ``-4.5``: the geometric mean of the two (``sqrt(cos(theta) * (1 - pan) / 2)``). Law ``0``: unity at centre,
the far side fading linearly (``L = min(1, 1 - pan)``), which is also the stereo balance control.
"""

from __future__ import annotations

import numpy as np

from studioflow.dsp.stereo import PAN_LAWS_DB, pan_gains


def mono_gains(pan: np.ndarray | float, law_db: float = -3.0) -> tuple[np.ndarray, np.ndarray]:
    """Left and right gains (float64) for a mono source at ``pan`` under the pan law ``law_db`` (dB at centre)."""
    p = np.clip(np.asarray(pan, dtype=np.float64), -1.0, 1.0)
    if law_db == 0.0:
        return balance_gains(p)
    if law_db not in PAN_LAWS_DB:
        raise ValueError(f"pan law must be -3, -4.5, -6 or 0 dB; got {law_db}")
    return pan_gains(p, law_db)


def balance_gains(pan: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Left and right gains (float64) of a stereo balance control: both unity at centre, the far side fading."""
    p = np.clip(np.asarray(pan, dtype=np.float64), -1.0, 1.0)
    return np.minimum(1.0, 1.0 - p), np.minimum(1.0, 1.0 + p)


def place(x: np.ndarray, gain: np.ndarray | float, pan: np.ndarray | float, law_db: float) -> np.ndarray:
    """Fader and pan: a mono or stereo float block to stereo float64, ``gain`` and ``pan`` per sample or constant."""
    if x.shape[0] == 1:
        gl, gr = mono_gains(pan, law_db)
        src_l = src_r = x[0]
    else:
        gl, gr = balance_gains(pan)
        src_l, src_r = x[0], x[1]
    out = np.empty((2, x.shape[1]), dtype=np.float64)
    np.multiply(src_l, gl * gain, out=out[0])
    np.multiply(src_r, gr * gain, out=out[1])
    return out
