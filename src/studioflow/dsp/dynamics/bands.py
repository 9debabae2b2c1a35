"""Linkwitz-Riley band splitting with state: bands whose plain sum is an allpass (flat magnitude) of the input."""

from __future__ import annotations

import numpy as np
from scipy.signal import sosfilt

from studioflow.dsp.filters import linkwitz_riley_sos


class _Sos:
    """One cascade with its sosfilt state."""

    def __init__(self, sos: np.ndarray) -> None:
        self.sos = sos
        self.zi: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.zi is None:
            self.zi = np.zeros((self.sos.shape[0], x.shape[0], 2))
        y, self.zi = sosfilt(self.sos, x, axis=-1, zi=self.zi)
        return y


class BandSplitter:
    """Split (channels, n) blocks at ``crossovers_hz`` (ascending) into len+1 bands, low to high, float64.

    Tree split: band i is the low-pass at crossover i of what is above crossover i-1; each band then passes the
    allpasses (low-pass + high-pass) of every higher crossover it has not been through, so all bands share one phase
    response and their sum is flat in magnitude.
    """

    def __init__(self, crossovers_hz: list[float], sample_rate: int, order: int = 4) -> None:
        self.crossovers_hz = list(crossovers_hz)
        self.sample_rate = sample_rate
        self.order = order
        self.reset()

    def reset(self) -> None:
        def lr(f: float, kind: str) -> _Sos:
            return _Sos(linkwitz_riley_sos(f, self.order, self.sample_rate, kind))
        k = len(self.crossovers_hz)
        self._low = [lr(f, "lowpass") for f in self.crossovers_hz]
        self._high = [lr(f, "highpass") for f in self.crossovers_hz]
        # allpass compensation: band i passes the allpass of crossovers i+1 .. k-1
        self._ap = [[(lr(self.crossovers_hz[j], "lowpass"), lr(self.crossovers_hz[j], "highpass"))
                     for j in range(i + 1, k)] for i in range(k)]

    def __call__(self, block: np.ndarray) -> list[np.ndarray]:
        bands = []
        rest = block.astype(np.float64)
        for i in range(len(self.crossovers_hz)):
            band = self._low[i](rest)
            rest = self._high[i](rest)
            for lo, hi in self._ap[i]:
                band = lo(band) + hi(band)
            bands.append(band)
        bands.append(rest)
        return bands
