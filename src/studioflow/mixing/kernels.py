"""Fused per-sample loops of the mix (numba, nogil so tracks mix on both cores): fader, pan and bus sums; meters."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def peak(x: np.ndarray) -> float:  # pragma: no cover - numba
    """Largest absolute sample of a (channels, n) block."""
    m = 0.0
    for c in range(x.shape[0]):
        for i in range(x.shape[1]):
            v = abs(x[c, i])
            if v > m:
                m = v
    return m


@njit(nogil=True, cache=True)
def stereo_sums(x: np.ndarray, sums: np.ndarray) -> float:  # pragma: no cover - numba
    """Peak of a (2, n) block, adding ``L*R``, ``L*L`` and ``R*R`` into ``sums`` (for the correlation), one pass.

    A plain loop rather than ``np.dot``: BLAS would start its own threads, which spin on the cores the tracks use."""
    m = 0.0
    lr = 0.0
    ll = 0.0
    rr = 0.0
    for i in range(x.shape[1]):
        a = x[0, i]
        b = x[1, i]
        lr += a * b
        ll += a * a
        rr += b * b
        m = max(m, abs(a), abs(b))
    sums[0] += lr
    sums[1] += ll
    sums[2] += rr
    return m


@njit(nogil=True, cache=True)
def fader_pan_taps(x: np.ndarray, left: np.ndarray, right: np.ndarray, gain: np.ndarray, out: np.ndarray,
                   sums: np.ndarray, taps: np.ndarray, levels: np.ndarray) -> None:  # pragma: no cover - numba
    """Fader and pan of a mono or stereo block into stereo float64 ``out``, then ``sums[taps[j]] += out * levels[j]``.

    ``out[0] = x[0] * (left * gain)`` and ``out[1] = x[last] * (right * gain)`` (the same products, in the same order,
    as the numpy expression, so renders do not depend on the block size). ``left``, ``right``, ``gain`` and each row
    of ``levels`` hold one value or one per sample; a level of exactly 1 adds ``out`` itself (x * 1.0 is exact)."""
    n = x.shape[1]
    last = x.shape[0] - 1
    if left.shape[0] == 1 and right.shape[0] == 1 and gain.shape[0] == 1:
        gl = left[0] * gain[0]
        gr = right[0] * gain[0]
        for i in range(n):
            out[0, i] = x[0, i] * gl
            out[1, i] = x[last, i] * gr
    else:
        per_l = left.shape[0] > 1
        per_r = right.shape[0] > 1
        per_g = gain.shape[0] > 1
        for i in range(n):
            g = gain[i if per_g else 0]
            out[0, i] = x[0, i] * (left[i if per_l else 0] * g)
            out[1, i] = x[last, i] * (right[i if per_r else 0] * g)
    per_level = levels.shape[1] > 1
    for j in range(taps.shape[0]):
        d = taps[j]
        if per_level:
            for c in range(2):
                for i in range(n):
                    sums[d, c, i] += out[c, i] * levels[j, i]
        else:
            v = levels[j, 0]
            for c in range(2):
                for i in range(n):
                    sums[d, c, i] += out[c, i] * v
