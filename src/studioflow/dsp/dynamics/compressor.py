"""Feed-forward compressor: soft knee, attack/release (or auto release), peak/RMS detection, stereo link, external
sidechain with high-pass, lookahead, makeup (manual or auto), dry/wet mix for parallel compression.

The static curve and the branching attack/release smoothing of the gain reduction in dB follow Giannoulis, Massberg
and Reiss, "Digital Dynamic Range Compressor Design - A Tutorial and Analysis", JAES 60(6), 2012 (eq. 4 and 17).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from studioflow.dsp.base import Processor, check_choice, check_range
from studioflow.dsp.delayline import DelayLine
from studioflow.dsp.dynamics import kernels
from studioflow.dsp.dynamics.detector import PARAM_GLIDE_MS, SidechainHighPass, time_coef
from studioflow.errors import ParameterError

#: RMS detection averages the squared sidechain over this time constant
RMS_WINDOW_MS = 10.0
#: auto release: release_ms after brief peaks, up to this many times slower after sustained gain reduction
AUTO_RELEASE_SLOWDOWN = 8.0
#: auto release judges "sustained" by a one-pole average of the gain reduction over this time constant
AUTO_RELEASE_MEMORY_MS = 1000.0
#: a gliding parameter this close to its target lands on it (threshold dB, slope, makeup dB, mix)
SNAP = np.array([1e-6, 1e-9, 1e-6, 1e-9])


def static_reduction_db(level_db: float | np.ndarray, threshold_db: float, ratio: float,
                        knee_db: float) -> float | np.ndarray:
    """Gain reduction in dB (>= 0) of the static curve for a detector level in dB (Giannoulis et al. 2012, eq. 4)."""
    over = np.asarray(level_db, dtype=np.float64) - threshold_db
    slope = 1.0 - 1.0 / ratio
    if knee_db > 0:
        z = np.clip(over + knee_db / 2, 0.0, knee_db)
        red = slope * (z * z / (2 * knee_db) + np.maximum(over - knee_db / 2, 0.0))
    else:
        red = slope * np.maximum(over, 0.0)
    return red if isinstance(level_db, np.ndarray) else float(red)


class Compressor(Processor):
    """Compressor; ``last_gain_reduction_db`` holds the reduction (dB >= 0) of every sample of the last block."""

    name = "compressor"
    automatable = ("threshold_db", "ratio", "makeup_db", "mix")
    takes_sidechain = True

    def __init__(self, sample_rate: int, *, threshold_db: float = -20.0, ratio: float = 4.0, knee_db: float = 6.0,
                 attack_ms: float = 10.0, release_ms: float = 100.0, auto_release: bool = False,
                 detection: str = "peak", stereo_link: float = 1.0, sidechain_hpf_hz: float = 0.0,
                 lookahead_ms: float = 0.0, makeup_db: float = 0.0, auto_makeup: bool = False, mix: float = 1.0,
                 max_reduction_db: float = 120.0) -> None:
        super().__init__(sample_rate)
        n = self.name
        self.threshold_db = check_range(n, "threshold_db", threshold_db, -120.0, 24.0, "dB")
        self.ratio = check_range(n, "ratio", ratio, 1.0, 1000.0)
        self.knee_db = check_range(n, "knee_db", knee_db, 0.0, 48.0, "dB")
        self.attack_ms = check_range(n, "attack_ms", attack_ms, 0.0, 2000.0, "ms")
        self.release_ms = check_range(n, "release_ms", release_ms, 0.0, 10000.0, "ms")
        self.auto_release = bool(auto_release)
        self.detection = check_choice(n, "detection", detection, ("peak", "rms"))
        self.stereo_link = check_range(n, "stereo_link", stereo_link, 0.0, 1.0)
        self.sidechain_hpf_hz = check_range(n, "sidechain_hpf_hz", sidechain_hpf_hz, 0.0, 0.45 * self.sample_rate, "Hz")
        self.lookahead_ms = check_range(n, "lookahead_ms", lookahead_ms, 0.0, 50.0, "ms")
        self.makeup_db = check_range(n, "makeup_db", makeup_db, -48.0, 48.0, "dB")
        self.auto_makeup = bool(auto_makeup)
        self.mix = check_range(n, "mix", mix, 0.0, 1.0)
        self.max_reduction_db = check_range(n, "max_reduction_db", max_reduction_db, 0.0, 120.0, "dB")
        self._lookahead = int(round(self.lookahead_ms * self.sample_rate / 1000.0))
        self._tgt = np.zeros(4)
        self._cur = np.zeros(4)
        self._retarget()
        self._cur[:] = self._tgt
        self.last_gain_reduction = np.zeros((1, 0), dtype=np.float32)
        self._gr: np.ndarray | None = None   # reused while the block size stays the same

    # parameters ------------------------------------------------------------------------------------------
    def set_param(self, name: str, value: float) -> None:
        """Change threshold_db, ratio, makeup_db or mix from the next block on; the change glides over ~20 ms."""
        super().set_param(name, value)
        limits = {"threshold_db": (-120.0, 24.0), "ratio": (1.0, 1000.0), "makeup_db": (-48.0, 48.0), "mix": (0.0, 1.0)}
        setattr(self, name, check_range(self.name, name, value, *limits[name]))
        self._retarget()

    def auto_makeup_db(self) -> float:
        """Auto makeup: half the static curve's reduction of a 0 dBFS level, in dB (0 when auto_makeup is off)."""
        if not self.auto_makeup:
            return 0.0
        return 0.5 * float(static_reduction_db(0.0, self.threshold_db, self.ratio, self.knee_db))

    def _retarget(self) -> None:
        self._tgt[:] = (self.threshold_db, 1.0 - 1.0 / self.ratio, self.makeup_db + self.auto_makeup_db(), self.mix)

    def params(self) -> dict[str, Any]:
        keys = ("threshold_db", "ratio", "knee_db", "attack_ms", "release_ms", "auto_release", "detection",
                "stereo_link", "sidechain_hpf_hz", "lookahead_ms", "makeup_db", "auto_makeup", "mix",
                "max_reduction_db")
        return {k: getattr(self, k) for k in keys}

    @property
    def latency(self) -> int:
        return self._lookahead

    def tail_seconds(self) -> float:
        return self._lookahead / self.sample_rate

    @property
    def last_gain_reduction_db(self) -> np.ndarray:
        """Gain reduction (dB, >= 0, makeup not included) of each sample of the last block, (channels, frames).

        A read-only view of a buffer the next block of the same size overwrites: copy it to keep it."""
        g = self.last_gain_reduction
        return np.broadcast_to(g, (self.channels or g.shape[0], g.shape[1]))

    # processing --------------------------------------------------------------------------------------------
    def _prepare(self, channels: int) -> None:
        self._cur[:] = self._tgt
        self._hpf = SidechainHighPass(self.sidechain_hpf_hz, self.sample_rate)
        self._delay = DelayLine(self._lookahead, channels)
        self._ms: np.ndarray | None = None
        self._env: np.ndarray | None = None
        self._slow: np.ndarray | None = None
        rate = self.sample_rate
        # the time constants are fixed for the processor's life: work them out once, not per block
        self._coefs = (time_coef(PARAM_GLIDE_MS, rate), SNAP, self.knee_db, self.stereo_link,
                       time_coef(RMS_WINDOW_MS, rate) if self.detection == "rms" else 0.0,
                       time_coef(self.attack_ms, rate), time_coef(self.release_ms, rate),
                       time_coef(self.release_ms * AUTO_RELEASE_SLOWDOWN, rate),
                       time_coef(AUTO_RELEASE_MEMORY_MS, rate),
                       self.auto_release, self.max_reduction_db)

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        sc = block if sidechain is None else sidechain
        if sc.shape[0] not in (1, block.shape[0]):
            raise ParameterError(f"{self.name}: sidechain has {sc.shape[0]} channels; give 1 or {block.shape[0]}")
        sc = self._hpf(sc)
        paths = 1 if (self.stereo_link == 1.0 or sc.shape[0] == 1) else block.shape[0]
        if self._env is None or self._ms is None or self._env.size != paths or self._ms.size != sc.shape[0]:
            self._ms = np.zeros(sc.shape[0])
            self._env = np.zeros(paths)
            self._slow = np.zeros(paths)
        audio = self._delay.process(block)
        out = np.empty_like(audio)
        gr = self._gr
        if gr is None or gr.shape != (paths, block.shape[1]):
            gr = self._gr = np.empty((paths, block.shape[1]), dtype=np.float32)
        glide, snap, knee, link, rms, att, rel, rel_slow, slow_coef, auto, most = self._coefs
        kernels.compressor_kernel(audio, sc, out, gr, self._cur, self._tgt, glide, snap, knee, link, rms, att, rel,
                                  rel_slow, slow_coef, auto, most, self._ms, self._env, self._slow)
        self.last_gain_reduction = gr
        return out
