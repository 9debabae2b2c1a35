"""Sample-rate conversion with soxr (the SoX resampler), whole or streaming.

"VHQ" is soxr's very-high-quality recipe: linear phase, passband to about 0.95 of the lower Nyquist frequency,
stopband attenuation near 175 dB (soxr documentation). Both functions take and return float32 ``(channels, frames)``.

>>> import numpy as np
>>> x = np.zeros((2, 44100), dtype=np.float32)
>>> resample(x, 44100, 48000).shape
(2, 48000)
"""

from __future__ import annotations

from typing import Iterable, Iterator

import numpy as np
import soxr

from studioflow.errors import ParameterError

__all__ = ["resample", "Resampler", "QUALITIES"]

QUALITIES = ("VHQ", "HQ", "MQ", "LQ", "QQ")


def _check_rate(name: str, rate: int) -> int:
    if isinstance(rate, bool) or int(rate) != rate or rate <= 0:
        raise ParameterError(f"resample: {name} must be a positive whole number of Hz, got {rate!r}")
    return int(rate)


def _check_quality(quality: str) -> str:
    if quality not in QUALITIES:
        raise ParameterError(f"resample: quality must be one of {', '.join(QUALITIES)}, got {quality!r}")
    return quality


def _as_frames_first(audio: np.ndarray, what: str) -> np.ndarray:
    """(channels, frames) float audio (1-D taken as mono) -> float32 C-contiguous (frames, channels) for soxr."""
    arr = np.asarray(audio)
    if arr.ndim == 1:
        arr = arr[np.newaxis, :]
    if arr.ndim != 2:
        raise ParameterError(f"{what}: expected audio shaped (channels, frames), got shape {arr.shape}")
    return np.ascontiguousarray(arr.T, dtype=np.float32)


def resample(audio: np.ndarray, from_rate: int, to_rate: int, quality: str = "VHQ") -> np.ndarray:
    """Resample float ``audio`` (channels, frames) from ``from_rate`` to ``to_rate`` Hz; float32 (channels, frames').

    The output has ``round(frames * to_rate / from_rate)`` frames, aligned in time with the input (soxr removes
    its own filter delay).
    """
    from_rate = _check_rate("from_rate", from_rate)
    to_rate = _check_rate("to_rate", to_rate)
    _check_quality(quality)
    frames_first = _as_frames_first(audio, "resample")
    if from_rate == to_rate:
        return np.ascontiguousarray(frames_first.T)
    out = soxr.resample(frames_first, from_rate, to_rate, quality=quality)
    return np.ascontiguousarray(out.T, dtype=np.float32)


class Resampler:
    """Streaming resampler: feed ``(channels, n)`` blocks of any size to :meth:`process`, the last one with
    ``last=True`` to flush the filter; the joined output equals :func:`resample` of the whole signal (to float32
    rounding)."""

    def __init__(self, from_rate: int, to_rate: int, channels: int, quality: str = "VHQ") -> None:
        self.from_rate = _check_rate("from_rate", from_rate)
        self.to_rate = _check_rate("to_rate", to_rate)
        if isinstance(channels, bool) or int(channels) != channels or channels < 1:
            raise ParameterError(f"Resampler: channels must be a positive whole number, got {channels!r}")
        self.channels = int(channels)
        self.quality = _check_quality(quality)
        self._stream: soxr.ResampleStream | None = None
        self.reset()

    def reset(self) -> None:
        """Forget all input so far and start a new stream."""
        if self.from_rate == self.to_rate:
            self._stream = None
        else:
            self._stream = soxr.ResampleStream(self.from_rate, self.to_rate, self.channels, dtype="float32",
                                               quality=self.quality)

    def process(self, block: np.ndarray, last: bool = False) -> np.ndarray:
        """Resample one float ``(channels, n)`` block; ``last=True`` also flushes what the filter holds back.
        Returns float32 ``(channels, m)`` (m may be 0 at first, while the filter fills)."""
        frames_first = _as_frames_first(block, "Resampler.process")
        if frames_first.shape[1] != self.channels:
            raise ParameterError(f"Resampler.process: block has {frames_first.shape[1]} channels, "
                                 f"the resampler {self.channels}")
        if self._stream is None:
            return np.ascontiguousarray(frames_first.T)
        out = self._stream.resample_chunk(frames_first, last=last)
        return np.ascontiguousarray(np.asarray(out, dtype=np.float32).reshape(-1, self.channels).T)


def resampled_blocks(blocks: Iterable[np.ndarray], rate: int, to_rate: int, channels: int) -> Iterator[np.ndarray]:
    """(channels, frames) blocks resampled from ``rate`` to ``to_rate`` Hz by the streaming soxr VHQ resampler (as
    they are when the rates are equal)."""
    if rate == to_rate:
        yield from blocks
        return
    resampler = Resampler(rate, to_rate, channels)
    for block in blocks:
        yield resampler.process(block)
    yield resampler.process(np.zeros((channels, 0), dtype=np.float32), last=True)
