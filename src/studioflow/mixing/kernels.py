"""Fused per-sample loops of the mix (numba, nogil so tracks mix on both cores): fader, pan and bus sums; meters."""

from __future__ import annotations

import numpy as np
from numba import njit

CHUNK = 4096   # frames: a (2, CHUNK) float64 chunk stays in the L1/L2 cache between the fader and the taps


@njit(nogil=True, cache=True)
def peak(x: np.ndarray) -> float:  # pragma: no cover - numba
    """Largest absolute sample of a (channels, n) block (four running maxima, so the compares overlap)."""
    m0 = m1 = m2 = m3 = 0.0
    for c in range(x.shape[0]):
        row = x[c]
        n4 = row.shape[0] // 4 * 4
        for i in range(0, n4, 4):
            m0 = max(m0, abs(row[i]))
            m1 = max(m1, abs(row[i + 1]))
            m2 = max(m2, abs(row[i + 2]))
            m3 = max(m3, abs(row[i + 3]))
        for i in range(n4, row.shape[0]):
            m0 = max(m0, abs(row[i]))
    return max(max(m0, m1), max(m2, m3))


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
    of ``levels`` hold one value or one per sample; a level of exactly 1 adds ``out`` itself (x * 1.0 is exact).
    Works in chunks of ``CHUNK`` frames so the output is still in cache when the taps read it."""
    n = x.shape[1]
    last = x.shape[0] - 1
    per_level = levels.shape[1] > 1
    for lo in range(0, n, CHUNK):
        hi = min(n, lo + CHUNK)
        _fader(out[0, lo:hi], x[0, lo:hi], left[lo:hi] if left.shape[0] > 1 else left,
               gain[lo:hi] if gain.shape[0] > 1 else gain)
        _fader(out[1, lo:hi], x[last, lo:hi], right[lo:hi] if right.shape[0] > 1 else right,
               gain[lo:hi] if gain.shape[0] > 1 else gain)
        for j in range(taps.shape[0]):
            for c in range(2):
                _add_scaled(sums[taps[j], c, lo:hi], out[c, lo:hi], levels[j, lo:hi] if per_level else levels[j, :1])


@njit(nogil=True, cache=True, inline="always")
def _fader(dst: np.ndarray, src: np.ndarray, pan: np.ndarray, gain: np.ndarray) -> None:  # pragma: no cover - numba
    """``dst = src * (pan * gain)`` on equal-length rows, ``pan`` and ``gain`` one value or one per sample."""
    if pan.shape[0] == 1 and gain.shape[0] == 1:
        g = pan[0] * gain[0]
        for i in range(dst.shape[0]):
            dst[i] = src[i] * g
    elif gain.shape[0] == 1:
        for i in range(dst.shape[0]):
            dst[i] = src[i] * (pan[i] * gain[0])
    elif pan.shape[0] == 1:
        for i in range(dst.shape[0]):
            dst[i] = src[i] * (pan[0] * gain[i])
    else:
        for i in range(dst.shape[0]):
            dst[i] = src[i] * (pan[i] * gain[i])


@njit(nogil=True, cache=True, inline="always")
def _add_scaled(dst: np.ndarray, src: np.ndarray, scale: np.ndarray) -> None:  # pragma: no cover - numba
    """``dst += src * scale`` on equal-length rows, ``scale`` one value or one per sample."""
    if scale.shape[0] == 1:
        v = scale[0]
        for i in range(dst.shape[0]):
            dst[i] += src[i] * v
    else:
        for i in range(dst.shape[0]):
            dst[i] += src[i] * scale[i]
