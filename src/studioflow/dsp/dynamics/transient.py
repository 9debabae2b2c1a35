"""Transient shaper: attack and sustain gain from differential envelopes (fast minus slow follower of level in dB)."""

from __future__ import annotations

from typing import Any

import numpy as np

from studioflow.dsp.base import Processor, check_range
from studioflow.dsp.dynamics import kernels
from studioflow.dsp.dynamics.detector import PARAM_GLIDE_MS, time_coef

#: time constants (ms) of the level (mean square), the fast follower and the slow follower of the level in dB
FOLLOWERS_MS = (1.0, 2.0, 30.0)
#: an envelope difference of this many dB applies the full attack_db / sustain_db
SENSITIVITY_DB = 6.0


class TransientShaper(Processor):
    """Boosts or cuts onsets by ``attack_db`` and decays by ``sustain_db``; channels are linked; 0/0 is identity."""

    name = "transient_shaper"
    automatable = ("attack_db", "sustain_db")

    def __init__(self, sample_rate: int, *, attack_db: float = 0.0, sustain_db: float = 0.0) -> None:
        super().__init__(sample_rate)
        self.attack_db = check_range(self.name, "attack_db", attack_db, -24.0, 24.0, "dB")
        self.sustain_db = check_range(self.name, "sustain_db", sustain_db, -24.0, 24.0, "dB")
        self._coefs = np.array([time_coef(ms, sample_rate) for ms in FOLLOWERS_MS])

    def params(self) -> dict[str, Any]:
        return {"attack_db": self.attack_db, "sustain_db": self.sustain_db}

    def set_param(self, name: str, value: float) -> None:
        """Change attack_db or sustain_db from the next block on; the change glides over ~20 ms."""
        super().set_param(name, value)
        setattr(self, name, check_range(self.name, name, value, -24.0, 24.0, "dB"))

    def _prepare(self, channels: int) -> None:
        self._env = np.array([0.0, -200.0, -200.0])
        self._cur = np.array([self.attack_db, self.sustain_db])

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        out = np.empty_like(block)
        tgt = np.array([self.attack_db, self.sustain_db])
        kernels.transient_kernel(block, out, self._coefs, SENSITIVITY_DB, self._cur, tgt,
                                 time_coef(PARAM_GLIDE_MS, self.sample_rate), self._env)
        return out
