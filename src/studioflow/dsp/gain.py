"""Gain (automatable, glided per sample) and fades (linear, equal-power, logarithmic) placed in seconds."""

from __future__ import annotations

from typing import Any

import numpy as np

from studioflow.dsp.base import Processor, check_choice, check_range
from studioflow.errors import ParameterError

SMOOTH_S = 0.02          # glide time of an automated value, seconds
FADE_CURVES = ("linear", "equal_power", "logarithmic")
LOG_RANGE_DB = 60.0      # a logarithmic fade is linear in dB from -60 dB to 0 dB


class Ramp:
    """A value that glides linearly to each new target over a fixed number of samples.

    The values depend only on how many samples have passed since ``set``, never on how they were split into blocks.
    """

    def __init__(self, value: float, samples: float) -> None:
        self.value = self.start = self.target = float(value)
        self.samples = max(1, int(samples))
        self.done = self.samples

    @property
    def moving(self) -> bool:
        return self.done < self.samples

    def set(self, target: float) -> None:
        self.start, self.target, self.done = self.value, float(target), 0

    def take(self, n: int) -> np.ndarray | float:
        """The next ``n`` values (an array while gliding, else the steady value as a float)."""
        if not self.moving:
            return self.target
        k = np.arange(self.done + 1, self.done + n + 1)
        frac = np.minimum(k, self.samples) / self.samples
        vals = self.start + (self.target - self.start) * frac
        self.done = min(self.samples, self.done + n)
        self.value = self.target if not self.moving else float(vals[-1])
        return vals

    def land(self) -> None:
        """Jump to the target (used by ``reset``)."""
        self.value = self.start = self.target
        self.done = self.samples


class Gain(Processor):
    """Gain in dB; automating ``gain_db`` glides over 20 ms in dB (no zipper noise)."""

    name = "gain"
    automatable = ("gain_db",)

    def __init__(self, sample_rate: int, *, gain_db: float = 0.0) -> None:
        super().__init__(sample_rate)
        self._ramp = Ramp(self._check(gain_db), SMOOTH_S * self.sample_rate)

    def _check(self, gain_db: float) -> float:
        return check_range(self.name, "gain_db", gain_db, -120.0, 48.0, "dB")

    @property
    def gain_db(self) -> float:
        return self._ramp.target

    @gain_db.setter
    def gain_db(self, value: float) -> None:
        self._ramp.set(self._check(value))

    def params(self) -> dict[str, Any]:
        return {"gain_db": self.gain_db}

    def _prepare(self, channels: int) -> None:
        self._ramp.land()

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        db = self._ramp.take(block.shape[1])
        return (block * np.power(10.0, np.asarray(db) / 20.0)).astype(np.float32)


def fade_curve(t: np.ndarray, curve: str) -> np.ndarray:
    """Fade-in gain for progress ``t`` in 0..1: linear t, equal-power sin(t pi/2), logarithmic -60..0 dB (0 at t=0)."""
    t = np.clip(t, 0.0, 1.0)
    if curve == "linear":
        return t
    if curve == "equal_power":
        return np.sin(0.5 * np.pi * t)
    return np.where(t > 0.0, 10.0 ** (-LOG_RANGE_DB * (1.0 - t) / 20.0), 0.0)


class Fade(Processor):
    """Fade in over ``in_s`` from ``in_start_s`` and out over ``out_s`` ending at ``out_end_s`` (seconds from the
    stream start; silence before the fade-in and after the fade-out), with a ``curve``."""

    name = "fade"

    def __init__(self, sample_rate: int, *, in_s: float = 0.0, out_s: float = 0.0, in_start_s: float = 0.0,
                 out_end_s: float | None = None, curve: str = "equal_power") -> None:
        super().__init__(sample_rate)
        self.in_s = check_range(self.name, "in_s", in_s, 0.0, unit="s")
        self.out_s = check_range(self.name, "out_s", out_s, 0.0, unit="s")
        self.in_start_s = check_range(self.name, "in_start_s", in_start_s, 0.0, unit="s")
        self.out_end_s = None if out_end_s is None else check_range(
            self.name, "out_end_s", out_end_s, self.in_start_s + self.in_s + self.out_s, unit="s")
        if self.out_s > 0 and self.out_end_s is None:
            raise ParameterError(f"{self.name}: out_end_s (seconds from the start) is needed with out_s={out_s!r}")
        self.curve = check_choice(self.name, "curve", curve, FADE_CURVES)

    def params(self) -> dict[str, Any]:
        return {"in_s": self.in_s, "out_s": self.out_s, "in_start_s": self.in_start_s,
                "out_end_s": self.out_end_s, "curve": self.curve}

    def _prepare(self, channels: int) -> None:
        self._pos = 0

    def gain_at(self, frames: np.ndarray) -> np.ndarray:
        """Fade gain at the given frame indices (counted from the stream start)."""
        t = frames / self.sample_rate
        g = np.where(t >= self.in_start_s, 1.0, 0.0) if self.in_s == 0 else \
            fade_curve((t - self.in_start_s) / self.in_s, self.curve)
        if self.out_end_s is not None:
            if self.out_s == 0:
                g = np.where(t < self.out_end_s, g, 0.0)
            else:
                g = g * fade_curve((self.out_end_s - t) / self.out_s, self.curve)
        return g

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        n = block.shape[1]
        g = self.gain_at(np.arange(self._pos, self._pos + n, dtype=np.float64))
        self._pos += n
        return (block * g).astype(np.float32)
