"""Stereo tools: pan (selectable pan law), balance, mid/side width, mono bass, polarity, time alignment."""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

from studioflow.dsp import filters, fractional
from studioflow.dsp.base import Processor, check_choice, check_range
from studioflow.dsp.gain import SMOOTH_S, Ramp
from studioflow.errors import ParameterError

PAN_LAWS_DB = (-3.0, -4.5, -6.0)


def pan_gains(pan: np.ndarray | float, law_db: float) -> tuple[np.ndarray, np.ndarray]:
    """Left/right gains for ``pan`` in -1..1 under a centre pan law of -3 dB (constant power, sin/cos),
    -6 dB (constant voltage, linear) or -4.5 dB (their geometric mean)."""
    p = np.asarray(pan, dtype=float)
    theta = (p + 1.0) * np.pi / 4.0
    power = (np.cos(theta), np.sin(theta))
    linear = ((1.0 - p) / 2.0, (1.0 + p) / 2.0)
    if law_db == -3.0:
        return power
    if law_db == -6.0:
        return linear
    return np.sqrt(power[0] * linear[0]), np.sqrt(power[1] * linear[1])


def balance_gains(pan: np.ndarray | float, law_db: float) -> tuple[np.ndarray, np.ndarray]:
    """Balance of a stereo pair: unity on both sides at centre; the far side follows the pan law down to silence."""
    left, right = pan_gains(pan, law_db)
    centre = pan_gains(0.0, law_db)[0]
    return np.minimum(left / centre, 1.0), np.minimum(right / centre, 1.0)


class _Positioned(Processor):
    """A processor with one automatable position in -1..1 that glides over 20 ms."""

    param = "pan"

    def __init__(self, sample_rate: int, value: float, law_db: float) -> None:
        super().__init__(sample_rate)
        self.law_db = float(check_choice(self.name, "law_db", law_db, PAN_LAWS_DB))
        self._ramp = Ramp(self._check(value), SMOOTH_S * self.sample_rate)

    def _check(self, value: float) -> float:
        return check_range(self.name, self.param, value, -1.0, 1.0)

    def set_param(self, name: str, value: float) -> None:
        if name != self.param:
            super().set_param(name, value)          # raises: not automatable
        self._ramp.set(self._check(value))

    @property
    def position(self) -> float:
        """The current (target) position in -1..1."""
        return self._ramp.target

    def params(self) -> dict[str, Any]:
        return {self.param: self._ramp.target, "law_db": self.law_db}

    def _prepare(self, channels: int) -> None:
        if channels > 2:
            raise ParameterError(f"{self.name}: takes mono or stereo audio; got {channels} channels")
        self._ramp.land()

    def _stereo_gains(self, block: np.ndarray) -> tuple[Any, Any]:
        pos = self._ramp.take(block.shape[1])
        return (pan_gains if block.shape[0] == 1 else balance_gains)(pos, self.law_db)

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        gl, gr = self._stereo_gains(block)
        return np.stack([block[0] * gl, block[-1] * gr]).astype(np.float32)


class Pan(_Positioned):
    """Pan ``pan`` -1 (left) .. 1 (right): mono in -> stereo out with pan law ``law_db`` (-3 constant power, -4.5,
    -6); on stereo input it acts as a balance that keeps both channels at unity at centre."""

    name = "pan"
    automatable = ("pan",)

    def __init__(self, sample_rate: int, *, pan: float = 0.0, law_db: float = -3.0) -> None:
        super().__init__(sample_rate, pan, law_db)


class Balance(_Positioned):
    """Balance ``balance`` -1..1 of a stereo pair: both channels unity at centre, the far side turned down."""

    name = "balance"
    param = "balance"
    automatable = ("balance",)

    def __init__(self, sample_rate: int, *, balance: float = 0.0, law_db: float = -3.0) -> None:
        super().__init__(sample_rate, balance, law_db)

    def _stereo_gains(self, block: np.ndarray) -> tuple[Any, Any]:
        return balance_gains(self._ramp.take(block.shape[1]), self.law_db)


class Width(Processor):
    """Stereo width by mid/side: ``width`` 0 (mono) .. 1 (unchanged) .. 2 (side doubled); glides when automated."""

    name = "width"
    automatable = ("width",)

    def __init__(self, sample_rate: int, *, width: float = 1.0) -> None:
        super().__init__(sample_rate)
        self._ramp = Ramp(self._check(width), SMOOTH_S * self.sample_rate)

    def _check(self, width: float) -> float:
        return check_range(self.name, "width", width, 0.0, 2.0)

    @property
    def width(self) -> float:
        return self._ramp.target

    @width.setter
    def width(self, value: float) -> None:
        self._ramp.set(self._check(value))

    def params(self) -> dict[str, Any]:
        return {"width": self.width}

    def _prepare(self, channels: int) -> None:
        if channels != 2:
            raise ParameterError(f"{self.name}: takes stereo audio; got {channels} channel(s)")
        self._ramp.land()

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        w = self._ramp.take(block.shape[1])
        mid = 0.5 * (block[0] + block[1])
        side = 0.5 * (block[0] - block[1]) * w
        return np.stack([mid + side, mid - side]).astype(np.float32)


class MonoBass(Processor):
    """Mono below ``freq`` (Hz): Linkwitz-Riley crossover of ``order`` 2/4/8 whose bands sum flat (allpass)."""

    name = "mono_bass"

    def __init__(self, sample_rate: int, *, freq: float = 120.0, order: int = 4) -> None:
        super().__init__(sample_rate)
        self.freq = check_range(self.name, "freq", freq, 10.0, self.sample_rate / 2.0, "Hz", high_open=True)
        self.order = int(check_choice(self.name, "order", order, (2, 4, 8)))
        self._low = filters.linkwitz_riley_sos(self.freq, self.order, self.sample_rate, "lowpass")
        self._high = filters.linkwitz_riley_sos(self.freq, self.order, self.sample_rate, "highpass")

    def params(self) -> dict[str, Any]:
        return {"freq": self.freq, "order": self.order}

    def _prepare(self, channels: int) -> None:
        if channels != 2:
            raise ParameterError(f"{self.name}: takes stereo audio; got {channels} channel(s)")
        self._zl = np.zeros((channels, self._low.shape[0], 2))
        self._zh = np.zeros((channels, self._high.shape[0], 2))

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        low = filters.sos_cascade(self._low, block, self._zl)
        high = filters.sos_cascade(self._high, block, self._zh)
        return (high + 0.5 * (low[0] + low[1])).astype(np.float32)


def _per_channel(owner: str, name: str, value: Any, channels: int) -> list[Any]:
    values = list(value) if isinstance(value, (list, tuple)) else [value] * channels
    if len(values) != channels:
        raise ParameterError(f"{owner}: {name} has {len(values)} values for {channels} channel(s)")
    return values


class Polarity(Processor):
    """Polarity flip per channel: ``invert`` True/False for all channels or a list, one per channel."""

    name = "polarity"

    def __init__(self, sample_rate: int, *, invert: bool | Sequence[bool] = True) -> None:
        super().__init__(sample_rate)
        for v in (invert if isinstance(invert, (list, tuple)) else [invert]):
            check_choice(self.name, "invert", v, (True, False))
        self.invert = invert

    def params(self) -> dict[str, Any]:
        return {"invert": self.invert}

    def _prepare(self, channels: int) -> None:
        flips = _per_channel(self.name, "invert", self.invert, channels)
        self._signs = np.array([-1.0 if f else 1.0 for f in flips], dtype=np.float32)[:, np.newaxis]

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        return block * self._signs


class TimeAlign(Processor):
    """Delay per channel to a fraction of a sample: ``delay_ms`` or ``delay_samples`` (one value for all, or a list).

    Whole samples are plain shifts. A fraction goes through a windowed-sinc FIR (``dsp.fractional``) that adds
    ``fractional.BULK`` samples to every channel; ``latency`` reports them, so delay compensation keeps the session
    in step and the channel still lands exactly its delay later than the others.
    """

    name = "time_align"

    def __init__(self, sample_rate: int, *, delay_ms: float | Sequence[float] | None = None,
                 delay_samples: float | Sequence[float] | None = None) -> None:
        super().__init__(sample_rate)
        if (delay_ms is None) == (delay_samples is None):
            raise ParameterError(f"{self.name}: give exactly one of delay_ms or delay_samples")
        self.delay_ms, self.delay_samples = delay_ms, delay_samples
        self._param = "delay_ms" if delay_ms is not None else "delay_samples"
        raw = delay_ms if delay_ms is not None else delay_samples
        self._shared = not isinstance(raw, (list, tuple))
        values = list(raw) if isinstance(raw, (list, tuple)) else [raw]
        high = 10000.0 if delay_ms is not None else 10.0 * self.sample_rate
        scale = self.sample_rate / 1000.0 if delay_ms is not None else 1.0
        self._samples = [check_range(self.name, self._param, v, 0.0, high) * scale for v in values]

    @property
    def latency(self) -> int:
        return fractional.latency(self._samples)

    def params(self) -> dict[str, Any]:
        return {"delay_ms": self.delay_ms, "delay_samples": self.delay_samples}

    def _prepare(self, channels: int) -> None:
        given = self._samples[0] if self._shared else self._samples
        self._line = fractional.FractionalDelay(_per_channel(self.name, self._param, given, channels), channels)

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        return self._line.process(block)
