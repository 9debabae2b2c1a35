"""Multiband compressor: 2 to 5 bands on Linkwitz-Riley (LR4) crossovers, a compressor per band, bands summed."""

from __future__ import annotations

from typing import Any, Sequence, cast

import numpy as np

from studioflow.dsp.base import Processor, check_range
from studioflow.dsp.dynamics.bands import BandSplitter
from studioflow.dsp.dynamics.compressor import Compressor
from studioflow.errors import ParameterError

PER_BAND = ("threshold_db", "ratio", "attack_ms", "release_ms", "makeup_db")


def _per_band(name: str, value: float | Sequence[float], bands: int) -> list[float]:
    # not a list: one number for every band (each band's Compressor checks it)
    values = list(value) if isinstance(value, (list, tuple, np.ndarray)) else [cast(float, value)] * bands
    if len(values) != bands:
        raise ParameterError(f"multiband_compressor: {name} needs {bands} values (one per band); got {len(values)}")
    return values


class MultibandCompressor(Processor):
    """Bands split at ``crossovers_hz`` (1 to 4 ascending frequencies); per-band settings are a number (all bands)
    or a list with one value per band, low to high. At ratio 1 and 0 dB makeup the output is an allpass of the input."""

    name = "multiband_compressor"

    def __init__(self, sample_rate: int, *, crossovers_hz: Sequence[float] = (200.0, 2000.0),
                 threshold_db: float | Sequence[float] = -20.0, ratio: float | Sequence[float] = 2.0,
                 attack_ms: float | Sequence[float] = 10.0, release_ms: float | Sequence[float] = 150.0,
                 makeup_db: float | Sequence[float] = 0.0, knee_db: float = 6.0, stereo_link: float = 1.0) -> None:
        super().__init__(sample_rate)
        xs = [check_range(self.name, "crossovers_hz", f, 20.0, 0.45 * self.sample_rate, "Hz") for f in crossovers_hz]
        if not 1 <= len(xs) <= 4 or any(b <= a for a, b in zip(xs, xs[1:])):
            raise ParameterError("multiband_compressor: crossovers_hz must be 1 to 4 ascending frequencies; "
                                 f"got {list(crossovers_hz)!r}")
        self.crossovers_hz = xs
        bands = len(xs) + 1
        settings = {k: _per_band(k, v, bands)
                    for k, v in zip(PER_BAND, (threshold_db, ratio, attack_ms, release_ms, makeup_db))}
        self.settings = settings
        self.knee_db = knee_db
        self.stereo_link = stereo_link
        self.bands = [Compressor(sample_rate, threshold_db=settings["threshold_db"][i], ratio=settings["ratio"][i],
                                 knee_db=knee_db, attack_ms=settings["attack_ms"][i],
                                 release_ms=settings["release_ms"][i], stereo_link=stereo_link,
                                 makeup_db=settings["makeup_db"][i]) for i in range(bands)]

    def params(self) -> dict[str, Any]:
        return {"crossovers_hz": self.crossovers_hz, **self.settings, "knee_db": self.knee_db,
                "stereo_link": self.stereo_link}

    @property
    def last_gain_reduction_db(self) -> list[np.ndarray]:
        """Per band, low to high: the reduction (dB >= 0) of each sample of the last block (none in an idle band)."""
        return [np.zeros(self._frames, dtype=np.float32) if idle else c.last_gain_reduction_db
                for c, idle in zip(self.bands, self._idle)]

    def _prepare(self, channels: int) -> None:
        self._split = BandSplitter(self.crossovers_hz, self.sample_rate)
        self._idle = [c.ratio == 1.0 and c.makeup_db == 0.0 for c in self.bands]
        self._frames = 0
        for c in self.bands:
            c.reset()

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        self._frames = block.shape[1]
        out = np.zeros(block.shape, dtype=np.float64)
        for band, comp, idle in zip(self._split(block), self.bands, self._idle):
            if idle:                           # ratio 1 and no make-up: the band passes as it is
                out += band
            else:
                out += comp.process(band.astype(np.float32))
        return out.astype(np.float32)
