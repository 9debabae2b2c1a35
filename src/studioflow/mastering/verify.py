"""An independent true-peak check: 8x oversampling with scipy ``resample_poly``'s own filter, streamed in blocks.

It deliberately uses a different interpolator and twice the oversampling of the BS.1770 meter in ``analysis``
(4x at 44.1/48 kHz), so a master is judged by a stricter instrument than the one the limiter was built around.

The filter is exactly the one ``resample_poly(x, 8, 1)`` designs (``firwin(161, 1/8, window=("kaiser", 5.0))`` times
8), applied as 8 polyphase branches in float64, so the result equals the whole-signal ``resample_poly`` peak. It is
computed only where it can matter, as the project's meter does (``analysis.truepeak``): a chunk of output is bounded
by ``gain_bound * max|x|`` over the samples feeding it (``gain_bound`` = the largest sum of |taps| of a branch), and
chunks whose bound cannot exceed the running maximum are skipped, largest bound first. Exact for any block sizes.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from numba import njit
from scipy.signal import firwin

FACTOR = 8
HALF = 10 * FACTOR                     # resample_poly's half length for up=8: 161 taps
REACH = HALF // FACTOR                 # input samples on each side that feed one output (10)
#: small chunks (>= 2 * REACH): a limited master peaks near its ceiling everywhere; bounds stay local
CHUNK_FRAMES = 32


def branches(factor: int = FACTOR) -> np.ndarray:
    """resample_poly's filter as ``factor`` branches, shape (factor, 2*REACH+1):
    ``y[8n+p] = sum_d b[p, d] x[n+REACH-d]``."""
    h = firwin(2 * HALF + 1, 1.0 / factor, window=("kaiser", 5.0)) * factor
    out = np.zeros((factor, 2 * REACH + 1))
    for p in range(factor):
        for d in range(-REACH, REACH + 1):
            k = HALF + FACTOR * d + p
            if 0 <= k < h.size:
                out[p, d + REACH] = h[k]
    return out


@njit(cache=True, nogil=True)
def _chunk_max(x, a, stop, taps_t):  # pragma: no cover - numba
    """Max |y| over every branch for outputs a..stop-1 of the row ``x`` (inputs a-REACH .. stop-1+REACH present);
    ``taps_t`` is the branch table transposed, (taps, branches), so the branches of one output fill a vector."""
    nt, nb = taps_t.shape
    reach = (nt - 1) // 2
    out = np.empty(nb)
    best = 0.0
    for i in range(a, stop):
        out[:] = 0.0
        for j in range(nt):
            xv = x[i + reach - j]
            for p in range(nb):
                out[p] += taps_t[j, p] * xv
        for p in range(nb):
            v = abs(out[p])
            if v > best:
                best = v
    return best


@njit(cache=True, nogil=True)
def _peak(ext, taps, gain_bound, floor, chunk):  # pragma: no cover - numba
    """Max |y| over the outputs of ``ext`` whose inputs are all inside it, skipping chunks bounded below ``floor``
    (``taps`` transposed, as ``_chunk_max`` takes them); also returns the number of chunks computed.

    A chunk's bound is ``gain_bound`` times max |x| over the inputs feeding it: its own ``chunk`` samples and the
    first 2 * reach of the next, both found in one pass. Chunks over the floor are computed largest bound first."""
    channels, m = ext.shape
    reach = (taps.shape[0] - 1) // 2
    if chunk < 2 * reach:
        raise ValueError("chunks must be at least 2 * reach long")
    n = m - 2 * reach
    if n <= 0:
        return floor, 0
    nchunks = (n + chunk - 1) // chunk
    segments = (m + chunk - 1) // chunk
    own = np.zeros((channels, segments + 1))
    head = np.zeros((channels, segments + 1))
    for c in range(channels):
        for q in range(segments):
            a = q * chunk
            b = min(m, a + chunk)
            h = 0.0
            for i in range(a, min(b, a + 2 * reach)):
                v = abs(np.float64(ext[c, i]))
                if v > h:
                    h = v
            mx = h
            for i in range(a + 2 * reach, b):
                v = abs(np.float64(ext[c, i]))
                if v > mx:
                    mx = v
            own[c, q] = mx
            head[c, q] = h
    bounds = np.empty(channels * nchunks)
    count = 0
    for c in range(channels):
        for q in range(nchunks):
            bound = max(own[c, q], head[c, q + 1]) * gain_bound
            bounds[c * nchunks + q] = bound
            if bound > floor:
                count += 1
    candidates = np.empty(count, np.int64)
    k = 0
    for idx in range(channels * nchunks):
        if bounds[idx] > floor:
            candidates[k] = idx
            k += 1
    order = np.argsort(-bounds[candidates])
    best = floor
    done = 0
    for o in order:
        idx = candidates[o]
        if bounds[idx] <= best:
            break
        c = idx // nchunks
        a = (idx % nchunks) * chunk
        best = max(best, _chunk_max(ext[c], a + reach, min(n, a + chunk) + reach, taps))
        done += 1
    return best, done


class TruePeak8x:
    """Streaming 8x-oversampled peak: feed blocks with ``add``; ``finish()`` or ``dbtp`` give the peak in dBTP
    (None for silence). ``chunks_computed`` / ``chunks_total`` count the work done and the work skipped."""

    def __init__(self) -> None:
        self.taps = branches()
        self._taps_t = np.ascontiguousarray(self.taps.T)
        self.gain_bound = float(np.abs(self.taps).sum(axis=1).max()) * (1 + 1e-9)
        self._hist: np.ndarray | None = None
        self.peak = 0.0
        self.chunks_computed = 0
        self.chunks_total = 0

    def add(self, block: np.ndarray) -> None:
        """Feed one ``(channels, frames)`` block."""
        block = np.asarray(block, dtype=np.float64)
        if self._hist is None:
            self._hist = np.zeros((block.shape[0], REACH))     # resample_poly pads the start with zeros
        ext = np.concatenate([self._hist, block], axis=1)
        self._run(ext)

    def _run(self, ext: np.ndarray) -> None:
        n = ext.shape[1] - 2 * REACH
        if n > 0:
            self.peak, done = _peak(np.ascontiguousarray(ext), self._taps_t, self.gain_bound, self.peak, CHUNK_FRAMES)
            self.chunks_computed += int(done)
            self.chunks_total += ext.shape[0] * ((n + CHUNK_FRAMES - 1) // CHUNK_FRAMES)
            self._hist = ext[:, n:]
        else:
            self._hist = ext

    def finish(self) -> float | None:
        """Measure what is left (with zero padding after the end, as ``resample_poly``) and return the peak in dBTP."""
        if self._hist is not None and self._hist.shape[1] > REACH:
            self._run(np.concatenate([self._hist, np.zeros((self._hist.shape[0], REACH))], axis=1))
            self._hist = self._hist[:, :0]                       # everything is measured; a second finish adds nothing
        return self.dbtp

    @property
    def dbtp(self) -> float | None:
        """Peak so far in dBTP (None when nothing above zero has been seen)."""
        return 20.0 * np.log10(self.peak) if self.peak > 0 else None


def true_peak_8x_dbtp(blocks: Iterable[np.ndarray]) -> float | None:
    """8x-oversampled true peak of a stream of ``(channels, frames)`` blocks, in dBTP."""
    meter = TruePeak8x()
    for b in blocks:
        meter.add(b)
    return meter.finish()
