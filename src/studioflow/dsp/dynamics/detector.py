"""Helpers shared by the dynamics processors: time constants, parameter glide, sidechain high-pass."""

from __future__ import annotations

import math

import numpy as np
from scipy.signal import butter, sosfilt

#: time constant of the per-sample glide of automated parameters (threshold, ratio, makeup, mix...)
PARAM_GLIDE_MS = 20.0


def time_coef(ms: float, sample_rate: int) -> float:
    """One-pole coefficient whose step response reaches 1 - 1/e of the way in ``ms`` milliseconds (0 ms: instant)."""
    if ms <= 0.0:
        return 0.0
    return math.exp(-1000.0 / (ms * sample_rate))


class SidechainHighPass:
    """A 2nd-order Butterworth high-pass on the detector signal (keeps bass from pumping the compressor), with state."""

    def __init__(self, freq_hz: float, sample_rate: int) -> None:
        self.sos = butter(2, freq_hz, btype="highpass", fs=sample_rate, output="sos") if freq_hz > 0 else None
        self.zi: np.ndarray | None = None

    def reset(self) -> None:
        self.zi = None

    def __call__(self, block: np.ndarray) -> np.ndarray:
        if self.sos is None:
            return block
        if self.zi is None or self.zi.shape[1] != block.shape[0]:
            self.zi = np.zeros((self.sos.shape[0], block.shape[0], 2))
        y, self.zi = sosfilt(self.sos, block, axis=-1, zi=self.zi)
        return np.ascontiguousarray(y, dtype=np.float32)
