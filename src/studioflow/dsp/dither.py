"""Word length reduction to 16 or 24 bits with TPDF dither, optionally noise-shaped; seeded, so reproducible.

TPDF dither is the difference of two uniform values, +-1 LSB peak (Lipshitz, Wannamaker, Vanderkooy, "Quantization and
dither: a theoretical survey", JAES 1992): the total error is then signal-independent white noise of power
3 q^2 / 12 = q^2 / 4 (q = one LSB = 2^-(bits-1) of full scale), e.g. -96.3 dBFS RMS at 16 bits.

``shape="shaped"`` puts that same error through the error-feedback filter of Wannamaker's 9-coefficient
psychoacoustically optimal noise-shaping filter (R. Wannamaker, "Psychoacoustically Optimal Noise Shaping",
JAES 40(7/8), 1992; designed for 44.1 kHz), so the output error has the spectrum q^2/4 |1 - H(e^jw)|^2: less noise
where the ear is most sensitive (2-5 kHz), more near Nyquist.
"""

from __future__ import annotations

from typing import Any

import numba
import numpy as np

from studioflow.dsp.base import Processor, check_choice

WANNAMAKER_9 = np.array([2.412, -3.370, 3.937, -4.174, 3.353, -2.205, 1.281, -0.569, 0.0847])
SHAPES = ("tpdf", "shaped")


def noise_transfer(freqs_hz: np.ndarray, rate: int, shape: str) -> np.ndarray:
    """|NTF|^2 of the error at ``freqs_hz``: 1 for plain TPDF, |1 - sum h_k z^-k|^2 when shaped."""
    if shape == "tpdf":
        return np.ones_like(np.asarray(freqs_hz, dtype=float))
    z1 = np.exp(-2j * np.pi * np.asarray(freqs_hz, dtype=float) / rate)
    k = np.arange(1, WANNAMAKER_9.size + 1)
    return np.abs(1.0 - (WANNAMAKER_9 * z1[..., None] ** k).sum(axis=-1)) ** 2


@numba.njit(cache=True, nogil=True)
def _quantize(x: np.ndarray, tpdf: np.ndarray, h: np.ndarray, err: np.ndarray, q: float) -> np.ndarray:
    """Error-feedback quantizer: v = x - sum h_k e[n-k]; y = round((v + d) / q) q; e = y - v (``err`` holds the last
    errors per channel, newest first, and is updated)."""
    channels, frames = x.shape
    taps = h.size
    y = np.empty((channels, frames), np.float32)
    top = 1.0 - q
    for n in range(frames):
        for c in range(channels):
            v = np.float64(x[c, n])
            for k in range(taps):
                v -= h[k] * err[c, k]
            out = np.floor((v + tpdf[n, c]) / q + 0.5) * q
            for k in range(taps - 1, 0, -1):
                err[c, k] = err[c, k - 1]
            if taps:
                err[c, 0] = out - v
            y[c, n] = min(max(out, -1.0), top)
    return y


class Dither(Processor):
    """Quantize to ``bits`` (16 or 24) with TPDF dither, ``shape`` "tpdf" (flat) or "shaped" (Wannamaker 9-tap);
    ``seed`` makes the dither reproducible."""

    name = "dither"

    def __init__(self, sample_rate: int, *, bits: int = 16, shape: str = "tpdf", seed: int = 0) -> None:
        super().__init__(sample_rate)
        self.bits = int(check_choice(self.name, "bits", bits, (16, 24)))
        self.shape = check_choice(self.name, "shape", shape, SHAPES)
        self.seed = int(seed)
        self.lsb = 2.0 ** -(self.bits - 1)
        self._h = WANNAMAKER_9.copy() if self.shape == "shaped" else np.zeros(0)

    def params(self) -> dict[str, Any]:
        return {"bits": self.bits, "shape": self.shape, "seed": self.seed}

    def _prepare(self, channels: int) -> None:
        self._rng = np.random.default_rng(self.seed)
        self._err = np.zeros((channels, max(1, self._h.size)))

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        c, n = block.shape
        u = self._rng.random((n, c, 2))                 # drawn frame by frame: the same stream for any block size
        tpdf = (u[:, :, 0] - u[:, :, 1]) * self.lsb
        return _quantize(block, tpdf, self._h, self._err, self.lsb)
