"""Fused per-sample loops of the mix bus (numba, nogil so tracks mix on both cores): scaled adds and peaks."""

from __future__ import annotations

import numpy as np
from numba import njit


@njit(nogil=True, cache=True)
def add_scaled(dst: np.ndarray, src: np.ndarray, scale: np.ndarray) -> None:  # pragma: no cover - numba
    """``dst += src * scale`` for (2, n) float64 ``dst``, (2, n) ``src``, ``scale`` of length 1 or n."""
    n = dst.shape[1]
    per_sample = scale.shape[0] > 1
    for c in range(dst.shape[0]):
        for i in range(n):
            dst[c, i] += src[c, i] * scale[i if per_sample else 0]


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
