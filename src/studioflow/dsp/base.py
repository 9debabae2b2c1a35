"""The processor convention: parameters in musician units, ``process(block) -> block``, ``reset()``, ``latency``.

Audio is ``numpy.float32`` shaped ``(channels, frames)``. A processor is built for one sample rate; it learns its
channel count from the first block and keeps state between blocks, so processing a signal in blocks of any size gives
the same result as processing it whole.
"""

from __future__ import annotations

from typing import Any, ClassVar, Sequence

import numpy as np

from studioflow.errors import ParameterError


class Processor:
    """Base class of every processor: subclasses implement ``_process`` and, if they keep state, ``_reset``."""

    name: ClassVar[str] = "processor"
    #: parameters a session may automate (set with ``set_param`` between blocks; changes are smoothed)
    automatable: tuple[str, ...] = ()
    #: True for processors that take a sidechain block: ``process(block, sidechain=...)``
    takes_sidechain: ClassVar[bool] = False

    def __init__(self, sample_rate: int) -> None:
        self.sample_rate = check_sample_rate(sample_rate)
        self.channels: int | None = None

    @property
    def latency(self) -> int:
        """Delay this processor adds, in samples."""
        return 0

    def process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        """Process one block ``(channels, frames)`` float32 and return the processed block (same frame count)."""
        block = as_block(block)
        if self.channels is None:
            self.channels = block.shape[0]
            self._prepare(self.channels)
        elif block.shape[0] != self.channels:
            raise ParameterError(
                f"{self.name}: got a block of {block.shape[0]} channels after {self.channels}; "
                "build one processor per channel layout"
            )
        if block.shape[1] == 0:
            return block.copy()
        if sidechain is not None:
            if not self.takes_sidechain:
                raise ParameterError(f"{self.name} takes no sidechain input")
            sidechain = as_block(sidechain)
            if sidechain.shape[1] != block.shape[1]:
                raise ParameterError(f"{self.name}: sidechain block has {sidechain.shape[1]} frames, "
                                     f"audio has {block.shape[1]}")
            return self._process(block, sidechain)
        return self._process(block) if not self.takes_sidechain else self._process(block, None)

    def reset(self) -> None:
        """Forget all state (tails, envelopes, delay lines), as if freshly built."""
        if self.channels is not None:
            self._prepare(self.channels)

    def set_param(self, name: str, value: float) -> None:
        """Change an automatable parameter (musician units) from the next block on, smoothly."""
        if name not in self.automatable:
            raise ParameterError(f"{self.name}: parameter {name!r} cannot be automated "
                                 f"(automatable: {', '.join(self.automatable) or 'none'})")
        setattr(self, name, value)

    def params(self) -> dict[str, Any]:
        """Current parameters in musician units (for reports and session files)."""
        return {}

    def tail_seconds(self) -> float:
        """How long the output may keep ringing after the input stops, in seconds."""
        return 0.0

    # subclasses -------------------------------------------------------------------------------------------
    def _prepare(self, channels: int) -> None:
        """Allocate state for ``channels`` channels (called on the first block and by ``reset``)."""

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        raise NotImplementedError

    def __call__(self, audio: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        """Process a whole signal: reset, then one call (like pedalboard's ``plugin(audio, rate)``)."""
        self.reset()
        return self.process(audio, sidechain)

    def __repr__(self) -> str:
        args = ", ".join(f"{k}={v!r}" for k, v in self.params().items())
        return f"{type(self).__name__}({args})"


class Chain(Processor):
    """Processors in series; itself a processor. Latency is the sum of its members'."""

    name = "chain"

    def __init__(self, processors: Sequence[Processor], sample_rate: int | None = None) -> None:
        processors = list(processors)
        rate = sample_rate if sample_rate is not None else (processors[0].sample_rate if processors else 48000)
        super().__init__(rate)
        for p in processors:
            if p.sample_rate != self.sample_rate:
                raise ParameterError(f"chain: {p.name} is built for {p.sample_rate} Hz, "
                                     f"the chain for {self.sample_rate} Hz")
        self.processors = processors

    @property
    def latency(self) -> int:
        return sum(p.latency for p in self.processors)

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        for p in self.processors:
            block = p.process(block)
        return block

    def reset(self) -> None:
        for p in self.processors:
            p.reset()

    def tail_seconds(self) -> float:
        return sum(p.tail_seconds() for p in self.processors)

    def params(self) -> dict[str, Any]:
        return {"processors": [p.name for p in self.processors]}


# validation helpers ---------------------------------------------------------------------------------------

MAX_CHANNELS = 64   # a block with more rows than this is (frames, channels) given the wrong way round


def as_block(block: np.ndarray) -> np.ndarray:
    """Return ``block`` as C-contiguous float32 ``(channels, frames)``; a 1-D array is taken as mono."""
    arr = np.asarray(block)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ParameterError(f"audio must be shaped (channels, frames); got an array of shape {arr.shape}")
    if arr.shape[0] > MAX_CHANNELS:
        raise ParameterError(f"audio must be shaped (channels, frames); got {arr.shape[0]} channels of "
                             f"{arr.shape[1]} frames: pass the array transposed (audio.T)")
    return np.ascontiguousarray(arr, dtype=np.float32)


def check_sample_rate(sample_rate: int) -> int:
    """Validate a sample rate in Hz (8 kHz to 768 kHz)."""
    try:
        rate = int(sample_rate)
    except (TypeError, ValueError):
        raise ParameterError(f"sample_rate must be a whole number of Hz; got {sample_rate!r}") from None
    if rate != sample_rate or not 8000 <= rate <= 768000:
        raise ParameterError(f"sample_rate must be a whole number of Hz from 8000 to 768000; got {sample_rate!r}")
    return rate


def check_range(owner: str, name: str, value: Any, low: float | None = None, high: float | None = None,
                unit: str = "", low_open: bool = False, high_open: bool = False) -> float:
    """Return ``value`` as a float if it lies in [low, high] (open ends where asked), else raise ParameterError."""
    try:
        x = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{owner}: {name} must be a number{(' in ' + unit) if unit else ''}; "
                             f"got {value!r}") from None
    if not np.isfinite(x):
        raise ParameterError(f"{owner}: {name} must be finite; got {value!r}")
    bad_low = low is not None and (x <= low if low_open else x < low)
    bad_high = high is not None and (x >= high if high_open else x > high)
    if bad_low or bad_high:
        lo = "" if low is None else (f"> {low:g}" if low_open else f">= {low:g}")
        hi = "" if high is None else (f"< {high:g}" if high_open else f"<= {high:g}")
        rule = " and ".join(s for s in (lo, hi) if s)
        raise ParameterError(f"{owner}: {name} must be {rule}{(' ' + unit) if unit else ''}; got {value!r}")
    return x


class Checked:
    """A processor parameter validated with :func:`check_range` on every change (at build and when automated),
    stored as ``_<name>``: ``mix = Checked(0.0, 1.0, doc="Dry/wet balance: 0 dry only, 1 wet only.")``."""

    def __init__(self, low: float | None, high: float | None, unit: str = "", *, high_open: bool = False,
                 doc: str = "") -> None:
        self.low, self.high, self.unit, self.high_open = low, high, unit, high_open
        self.__doc__ = doc

    def __set_name__(self, owner: type, name: str) -> None:
        self.public, self.private = name, "_" + name

    def __get__(self, obj: Any, objtype: type | None = None) -> Any:
        return self if obj is None else getattr(obj, self.private)

    def __set__(self, obj: Any, value: Any) -> None:
        setattr(obj, self.private, check_range(obj.name, self.public, value, self.low, self.high, self.unit,
                                               high_open=self.high_open))


def check_choice(owner: str, name: str, value: Any, choices: Sequence[Any]) -> Any:
    """Return ``value`` if it is one of ``choices``, else raise ParameterError listing them."""
    if value not in choices:
        raise ParameterError(f"{owner}: {name} must be one of {', '.join(map(str, choices))}; got {value!r}")
    return value


def db_to_gain(db: float | np.ndarray) -> float | np.ndarray:
    """Decibels to a linear amplitude factor."""
    return np.power(10.0, np.asarray(db) / 20.0) if isinstance(db, np.ndarray) else 10.0 ** (db / 20.0)


def gain_to_db(gain: float | np.ndarray, floor_db: float = -300.0) -> float | np.ndarray:
    """Linear amplitude factor to decibels, floored at ``floor_db``."""
    g = np.maximum(np.abs(np.asarray(gain, dtype=np.float64)), 10.0 ** (floor_db / 20.0))
    out = 20.0 * np.log10(g)
    return out if isinstance(gain, np.ndarray) else float(out)
