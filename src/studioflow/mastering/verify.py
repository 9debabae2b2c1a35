"""An independent true-peak check: 8x oversampling by polyphase FIR (scipy ``resample_poly``), streamed in chunks.

It deliberately uses a different interpolator and twice the oversampling of the BS.1770 meter in ``analysis``
(4x at 44.1/48 kHz), so a master is judged by a stricter instrument than the one the limiter was built around.
"""

from __future__ import annotations

from typing import Iterable

import numpy as np
from scipy.signal import resample_poly

FACTOR = 8
OVERLAP = 256  # frames of context kept on each side of a chunk (the default polyphase filter is ~ 10 * FACTOR taps)


class TruePeak8x:
    """Streaming 8x-oversampled peak: feed blocks with ``add``; ``dbtp`` gives the peak in dBTP (None for silence)."""

    def __init__(self) -> None:
        self._tail: np.ndarray | None = None
        self.peak = 0.0

    def add(self, block: np.ndarray) -> None:
        """Feed one ``(channels, frames)`` block."""
        block = np.asarray(block, dtype=np.float64)
        if self._tail is None:
            self._tail = np.zeros((block.shape[0], OVERLAP))
        buf = np.concatenate([self._tail, block], axis=1)
        if buf.shape[1] > 2 * OVERLAP:
            self._measure(buf, keep_from=OVERLAP, keep_to=buf.shape[1] - OVERLAP)
            self._tail = buf[:, buf.shape[1] - 2 * OVERLAP:]
        else:
            self._tail = buf

    def _measure(self, buf: np.ndarray, keep_from: int, keep_to: int) -> None:
        up = resample_poly(buf, FACTOR, 1, axis=1)
        if keep_to > keep_from:
            self.peak = max(self.peak, float(np.max(np.abs(up[:, keep_from * FACTOR:keep_to * FACTOR]))))

    def finish(self) -> float | None:
        """Measure what is left (with zero padding after the end) and return the true peak in dBTP."""
        if self._tail is not None:
            pad = np.zeros((self._tail.shape[0], OVERLAP))
            buf = np.concatenate([self._tail, pad], axis=1)
            self._measure(buf, keep_from=OVERLAP, keep_to=buf.shape[1] - OVERLAP)
            self._tail = np.zeros((self._tail.shape[0], 0))
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
