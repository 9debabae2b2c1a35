"""Linkwitz-Riley band splitting with state: bands whose plain sum is an allpass (flat magnitude) of the input."""

from __future__ import annotations

import numpy as np

from studioflow.dsp.filters import linkwitz_riley_allpass_sos, linkwitz_riley_sos, sos_cascade


class _Sos:
    """One cascade with its state, run by ``filters.sos_cascade`` (float32 in and out, float64 inside)."""

    def __init__(self, sos: np.ndarray) -> None:
        self.sos = np.ascontiguousarray(sos / sos[:, 3:4], dtype=np.float64)
        self.zi: np.ndarray | None = None

    def __call__(self, x: np.ndarray) -> np.ndarray:
        if self.zi is None:
            self.zi = np.zeros((x.shape[0], self.sos.shape[0], 2))
        return sos_cascade(self.sos, np.ascontiguousarray(x, dtype=np.float32), self.zi)


class _Pair:
    """A Linkwitz-Riley low-pass and high-pass run side by side and added: their allpass."""

    def __init__(self, low: _Sos, high: _Sos) -> None:
        self.low, self.high = low, high

    def __call__(self, x: np.ndarray) -> np.ndarray:
        return self.low(x) + self.high(x)


class BandSplitter:
    """Split (channels, n) blocks at ``crossovers_hz`` (ascending) into len+1 bands, low to high, float32 (filtered
    in float64).

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
        # allpass compensation: band i passes the allpass of crossovers i+1 .. k-1 (for order 4 one section per
        # crossover; else the low-pass and high-pass halves added)
        self._ap: list[list[_Sos]] | list[list[_Pair]]
        if self.order == 4:
            self._ap = [[_Sos(linkwitz_riley_allpass_sos(self.crossovers_hz[j], self.sample_rate))
                         for j in range(i + 1, k)] for i in range(k)]
        else:
            self._ap = [[_Pair(lr(self.crossovers_hz[j], "lowpass"), lr(self.crossovers_hz[j], "highpass"))
                         for j in range(i + 1, k)] for i in range(k)]

    def __call__(self, block: np.ndarray) -> list[np.ndarray]:
        bands = []
        rest = np.ascontiguousarray(block, dtype=np.float32)
        for i in range(len(self.crossovers_hz)):
            band = self._low[i](rest)
            rest = self._high[i](rest)
            for allpass in self._ap[i]:
                band = allpass(band)
            bands.append(band)
        bands.append(rest)
        return bands
