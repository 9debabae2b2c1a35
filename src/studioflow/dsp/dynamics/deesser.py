"""Split-band de-esser: only the band above ``frequency_hz`` is turned down when it rises above ``threshold_db``."""

from __future__ import annotations

from typing import Any

import numpy as np

from studioflow.dsp.base import Processor, check_range
from studioflow.dsp.dynamics.bands import BandSplitter
from studioflow.dsp.dynamics.compressor import Compressor

#: the band above the split is compressed at this ratio (a near limiter on sibilance), capped at range_db
RATIO = 20.0


class DeEsser(Processor):
    """Linkwitz-Riley split at ``frequency_hz``; the high band is reduced by up to ``range_db`` when its level passes
    ``threshold_db`` (attack ``attack_ms``, release ``release_ms``); the low band passes untouched."""

    name = "deesser"
    automatable = ("threshold_db",)

    def __init__(self, sample_rate: int, *, frequency_hz: float = 6000.0, threshold_db: float = -30.0,
                 range_db: float = 12.0, attack_ms: float = 0.5, release_ms: float = 60.0) -> None:
        super().__init__(sample_rate)
        n = self.name
        self.frequency_hz = check_range(n, "frequency_hz", frequency_hz, 1000.0, 0.45 * self.sample_rate, "Hz")
        self.threshold_db = check_range(n, "threshold_db", threshold_db, -80.0, 0.0, "dB")
        self.range_db = check_range(n, "range_db", range_db, 0.0, 48.0, "dB")
        self.attack_ms = check_range(n, "attack_ms", attack_ms, 0.0, 100.0, "ms")
        self.release_ms = check_range(n, "release_ms", release_ms, 1.0, 2000.0, "ms")
        self._comp = Compressor(sample_rate, threshold_db=self.threshold_db, ratio=RATIO, knee_db=0.0,
                                attack_ms=self.attack_ms, release_ms=self.release_ms,
                                max_reduction_db=self.range_db)

    def params(self) -> dict[str, Any]:
        keys = ("frequency_hz", "threshold_db", "range_db", "attack_ms", "release_ms")
        return {k: getattr(self, k) for k in keys}

    def set_param(self, name: str, value: float) -> None:
        """Change the threshold from the next block on; the change glides over ~20 ms."""
        super().set_param(name, value)
        self.threshold_db = check_range(self.name, name, value, -80.0, 0.0, "dB")
        self._comp.set_param("threshold_db", self.threshold_db)

    @property
    def last_gain_reduction_db(self) -> np.ndarray:
        """Reduction of the high band (dB >= 0) for each sample of the last block."""
        return self._comp.last_gain_reduction_db

    def _prepare(self, channels: int) -> None:
        self._split = BandSplitter([self.frequency_hz], self.sample_rate)
        self._comp.reset()

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        low, high = self._split(block)
        high = self._comp.process(high.astype(np.float32))
        return (low + high).astype(np.float32)
