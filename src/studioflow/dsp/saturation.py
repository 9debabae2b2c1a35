"""Saturation: soft-clip (tanh) and tape-like (biased tanh, even harmonics) curves run at 8x oversampling.

The oversampling filters are linear-phase Kaiser-windowed FIRs (641 taps at 8x, stop band >= 100 dB from 24 kHz at
48 kHz), so harmonics above the audio band are removed before they can fold back. Latency: 80 samples at the base rate
(the two filters' centres, 640 oversampled samples); the dry path of ``mix`` is delayed to match.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy import signal

from studioflow.dsp.base import Processor, check_choice, check_range, db_to_gain

FACTOR = 8
TAPS = 80 * FACTOR + 1
CURVES = ("soft", "tape")
TAPE_BIAS = 0.15


def _design_lowpass(rate: int) -> np.ndarray:
    """Anti-image/anti-alias FIR at FACTOR x rate: pass to 0.417 rate (20 kHz at 48 kHz), stop from rate / 2."""
    pass_edge, stop_edge = 0.4167 * rate, 0.5 * rate
    beta = signal.kaiser_beta(110.0)
    return signal.firwin(TAPS, (pass_edge + stop_edge) / 2, window=("kaiser", beta), fs=FACTOR * rate)


def curve(x: np.ndarray, kind: str) -> np.ndarray:
    """The static curve: soft = tanh(x); tape = tanh(x + b) - tanh(b) scaled to unit slope at 0 (b = 0.15)."""
    if kind == "soft":
        return np.tanh(x)
    t = np.tanh(TAPE_BIAS)
    return (np.tanh(x + TAPE_BIAS) - t) / (1.0 - t * t)


class Saturation(Processor):
    """Saturation: ``drive_db`` into a ``curve`` (soft or tape), ``mix`` 0..1 with the dry signal, ``output_db``."""

    name = "saturation"

    def __init__(self, sample_rate: int, *, drive_db: float = 6.0, curve: str = "soft", mix: float = 1.0,
                 output_db: float = 0.0) -> None:
        super().__init__(sample_rate)
        self.drive_db = check_range(self.name, "drive_db", drive_db, -24.0, 36.0, "dB")
        self.curve = check_choice(self.name, "curve", curve, CURVES)
        self.mix = check_range(self.name, "mix", mix, 0.0, 1.0)
        self.output_db = check_range(self.name, "output_db", output_db, -48.0, 24.0, "dB")
        self._h = _design_lowpass(self.sample_rate)

    @property
    def latency(self) -> int:
        return (TAPS - 1) // FACTOR

    def params(self) -> dict[str, Any]:
        return {"drive_db": self.drive_db, "curve": self.curve, "mix": self.mix, "output_db": self.output_db}

    def _prepare(self, channels: int) -> None:
        self._up_hist = np.zeros((channels, TAPS - 1))        # zero-stuffed input history (oversampled)
        self._down_hist = np.zeros((channels, TAPS - 1))      # saturated oversampled history
        self._dry_hist = np.zeros((channels, self.latency), dtype=np.float32)
        self._phase = 0                                       # oversampled samples since start, mod FACTOR

    def _fir(self, hist: np.ndarray, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        joined = np.concatenate([hist, x], axis=1)
        y = np.stack([np.convolve(row, self._h, mode="valid") for row in joined])
        return y, joined[:, joined.shape[1] - (TAPS - 1):]

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        c, n = block.shape
        stuffed = np.zeros((c, n * FACTOR))
        stuffed[:, ::FACTOR] = block * (FACTOR * db_to_gain(self.drive_db))
        up, self._up_hist = self._fir(self._up_hist, stuffed)
        down, self._down_hist = self._fir(self._down_hist, curve(up, self.curve))
        wet = down[:, ::FACTOR]                                # every block starts on a base-rate sample
        joined = np.concatenate([self._dry_hist, block], axis=1)
        dry, self._dry_hist = joined[:, :n], joined[:, n:]
        out = (self.mix * wet + (1.0 - self.mix) * dry) * db_to_gain(self.output_db)
        return out.astype(np.float32)
