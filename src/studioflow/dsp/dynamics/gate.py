"""Gate / downward expander: threshold, range, ratio, attack, hold, release, hysteresis, external sidechain."""

from __future__ import annotations

from typing import Any

import numpy as np

from studioflow.dsp.base import Processor, check_range
from studioflow.dsp.dynamics import kernels
from studioflow.dsp.dynamics.detector import time_coef

#: release of the peak detector that feeds the open/close decision
DETECTOR_RELEASE_MS = 20.0


class Gate(Processor):
    """Below ``threshold_db`` the signal falls ``ratio`` times faster (down to ``range_db`` of attenuation); the gate
    opens above threshold_db and closes below threshold_db - hysteresis_db after ``hold_ms``; channels are linked."""

    name = "gate"
    takes_sidechain = True

    def __init__(self, sample_rate: int, *, threshold_db: float = -40.0, range_db: float = 80.0, ratio: float = 100.0,
                 attack_ms: float = 1.0, hold_ms: float = 20.0, release_ms: float = 100.0,
                 hysteresis_db: float = 3.0) -> None:
        super().__init__(sample_rate)
        n = self.name
        self.threshold_db = check_range(n, "threshold_db", threshold_db, -120.0, 0.0, "dB")
        self.range_db = check_range(n, "range_db", range_db, 0.0, 120.0, "dB")
        self.ratio = check_range(n, "ratio", ratio, 1.0, 1000.0)
        self.attack_ms = check_range(n, "attack_ms", attack_ms, 0.0, 1000.0, "ms")
        self.hold_ms = check_range(n, "hold_ms", hold_ms, 0.0, 5000.0, "ms")
        self.release_ms = check_range(n, "release_ms", release_ms, 0.0, 10000.0, "ms")
        self.hysteresis_db = check_range(n, "hysteresis_db", hysteresis_db, 0.0, 40.0, "dB")
        self.last_gain_reduction_db = np.zeros(0, dtype=np.float32)

    def params(self) -> dict[str, Any]:
        keys = ("threshold_db", "range_db", "ratio", "attack_ms", "hold_ms", "release_ms", "hysteresis_db")
        return {k: getattr(self, k) for k in keys}

    def _prepare(self, channels: int) -> None:
        # starts closed and silent-detector: [level, gain dB, open flag, hold samples left]
        self._state = np.array([0.0, -self.range_db, 0.0, 0.0])

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        sc = block if sidechain is None else sidechain
        out = np.empty_like(block)
        gr = np.empty((1, block.shape[1]), dtype=np.float32)
        rate = self.sample_rate
        kernels.gate_kernel(block, sc, out, gr, self.threshold_db, self.threshold_db - self.hysteresis_db, self.ratio,
                            self.range_db, time_coef(DETECTOR_RELEASE_MS, rate), time_coef(self.attack_ms, rate),
                            time_coef(self.release_ms, rate), round(self.hold_ms * rate / 1000.0), self._state)
        self.last_gain_reduction_db = gr[0]
        return out
