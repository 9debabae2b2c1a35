"""Convolution reverb: a user's impulse response, non-uniformly partitioned FFT convolution with zero latency.

The first ``partition_frames`` taps of the response (the head, B) are convolved directly in the time domain, so the
output is not delayed. The rest is cut into partitions that grow along the response (Gardner, "Efficient
convolution without input-output delay", JAES 1995; Garcia, "Optimal filter partition for efficient convolution
with short input/output delay", AES 2002; Wefers, "Partitioned convolution algorithms for real-time auralization",
2015, ch. 6). A size class of partition size S runs uniformly partitioned overlap-save convolution on the grid of S
frames, with its own FFT (2 S) and frequency-domain delay line, for the taps S .. GROWTH S: partitions 1 ..
GROWTH - 1 of its grid. Partition k needs input at least k blocks old, so each time S input frames complete a block,
the class sums the next block's output, ready just as that block starts. The classes are B, GROWTH B, GROWTH^2 B, ...
up to MAX_PARTITION, whose class takes the rest of the response. The work per sample grows with the logarithm of
the response's length instead of with the length.

Every output sample is computed the same way whatever the block sizes (the head sample by sample, each class once
per block of its grid), so processing in blocks of any size gives bit-identical output.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numba
import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from scipy import fft

from studioflow.dsp.base import Processor, check_range
from studioflow.errors import ParameterError

MAX_PREDELAY_MS = 1000.0
GROWTH = 8                  # each size class's partitions are this many times the previous class's
MAX_PARTITION = 1 << 15     # the class of this size (or the first above it) takes every remaining partition
CHUNK_FRAMES = 1 << 16      # long blocks are processed in chunks of this many frames, to bound the working memory


def partition_plan(frames: int, head: int) -> list[tuple[int, int]]:
    """(partition size, partition count) of each size class after a ``head``-tap head, for a ``frames``-tap response.

    The class of size S covers taps S .. S (count + 1).
    """
    plan: list[tuple[int, int]] = []
    size = head
    while size < frames:
        count = -(-frames // size) - 1
        if size >= MAX_PARTITION:
            return plan + [(size, count)]
        plan.append((size, min(count, GROWTH - 1)))
        size *= GROWTH
    return plan


@numba.njit(cache=True, nogil=True)
def _accumulate(spectra: np.ndarray, ring: np.ndarray, oldest: int, acc: np.ndarray) -> None:
    """Sum into ``acc[:, j]`` the spectrum of the block after the j-th one completed: partition p times block j + 1 - p.

    ``ring`` holds the input spectra, the j-th block completed in this call at slot ``(oldest + j) % slots``;
    ``spectra[:, i]`` is partition i + 1.
    """
    channels, parts, bins = spectra.shape
    slots = ring.shape[1]
    for c in range(channels):
        for j in range(acc.shape[1]):
            for i in range(parts):
                x = ring[c, (oldest + j - i + slots) % slots]
                for f in range(bins):
                    acc[c, j, f] += spectra[c, i, f] * x[f]


class _SizeClass:
    """Taps ``size`` .. ``size * (count + 1)`` of a response: partitions 1 .. count on the grid of ``size`` frames.

    Float32; ``process`` takes at most CHUNK_FRAMES frames a call.
    """

    def __init__(self, ir: np.ndarray, size: int, count: int) -> None:
        channels = ir.shape[0]
        taps = np.zeros((channels, count * size), dtype=np.float32)
        segment = ir[:, size:size * (count + 1)]
        taps[:, :segment.shape[1]] = segment
        self.size = size
        self._spectra = fft.rfft(taps.reshape(channels, count, size), n=2 * size, axis=-1)    # (C, count, S + 1)
        # frequency-domain delay line: the count - 1 spectra still needed, and room for one call's blocks
        slots = count - 1 + (CHUNK_FRAMES + size - 1) // size
        self._ring = np.zeros((channels, slots, size + 1), dtype=np.complex64)
        self._next = 0                                                   # ring slot of the next block's spectrum
        self._input = np.zeros((channels, 2 * size), dtype=np.float32)   # the last complete block, the one being filled
        self._fill = 0
        self._out = np.zeros((channels, size), dtype=np.float32)         # output of the block being filled

    def process(self, x: np.ndarray) -> np.ndarray:
        """This class's share of the output for the next frames of input ``x`` (channels, frames)."""
        s, fill, (channels, n) = self.size, self._fill, x.shape
        done = (fill + n) // s
        self._fill = fill + n - done * s
        if not done:
            self._input[:, s + fill:s + self._fill] = x
            return self._out[:, fill:self._fill]
        signal = np.concatenate([self._input[:, :s + fill], x], axis=1)
        windows = sliding_window_view(signal, 2 * s, axis=-1)[:, :done * s:s]               # (C, done, 2 S)
        oldest, slots = self._next, self._ring.shape[1]
        self._ring[:, (oldest + np.arange(done)) % slots] = fft.rfft(windows, axis=-1)
        self._next = (oldest + done) % slots
        acc = np.zeros((channels, done, s + 1), dtype=np.complex64)
        _accumulate(self._spectra, self._ring, oldest, acc)
        blocks = fft.irfft(acc, n=2 * s, axis=-1)[..., s:].reshape(channels, done * s)
        self._input[:, :s + self._fill] = signal[:, done * s:]
        out = np.concatenate([self._out[:, fill:], blocks[:, :n - (s - fill)]], axis=1)
        self._out = blocks[:, (done - 1) * s:].copy()
        return out


class ConvolutionReverb(Processor):
    """Convolve with an impulse response file (``ir_path``, any rate, mono or stereo) or array (``ir``, ``ir_rate``).

    A mono response is applied to every channel; a stereo response to stereo input channel by channel (on mono
    input, the mean of its two channels). ``normalize`` scales the response to unit energy (its loudest channel),
    so noise comes out at the level it went in. ``predelay_ms`` delays the wet signal, ``mix`` is dry/wet 0..1.
    """

    name = "convolution_reverb"
    automatable = ()

    def __init__(self, sample_rate: int, *, ir_path: str | os.PathLike[str] | None = None, ir: np.ndarray | None = None,
                 ir_rate: int | None = None, predelay_ms: float = 0.0, mix: float = 0.3, normalize: bool = True,
                 partition_frames: int = 512) -> None:
        super().__init__(sample_rate)
        self.predelay_ms = check_range(self.name, "predelay_ms", predelay_ms, 0.0, MAX_PREDELAY_MS, "ms")
        self.mix = check_range(self.name, "mix", mix, 0.0, 1.0)
        self.normalize = bool(normalize)
        frames = check_range(self.name, "partition_frames", partition_frames, 16, 16384)
        if frames != int(frames) or int(frames) & (int(frames) - 1):
            raise ParameterError(f"{self.name}: partition_frames must be a power of two from 16 to 16384; "
                                 f"got {partition_frames!r}")
        self.partition_frames = int(frames)
        self.ir_path = None if ir_path is None else Path(ir_path)
        response = self._load(ir, ir_rate)
        pre = int(round(self.predelay_ms * 1e-3 * sample_rate))
        self._ir = np.pad(response, ((0, 0), (pre, 0)))

    def _load(self, ir: np.ndarray | None, ir_rate: int | None) -> np.ndarray:
        """The response as float64 (channels, frames) at our rate, normalised if asked."""
        if (ir is None) == (self.ir_path is None):
            raise ParameterError(f"{self.name}: give an impulse response file (ir_path) or array (ir), one of them")
        where = str(self.ir_path) if self.ir_path is not None else "the ir array"
        if self.ir_path is not None:
            from studioflow.audio.files import read
            data, rate = read(self.ir_path)
        else:
            data = np.asarray(ir, dtype=np.float64)
            data = data[np.newaxis, :] if data.ndim == 1 else data
            rate = self.sample_rate if ir_rate is None else ir_rate
        if data.ndim != 2 or data.shape[0] not in (1, 2) or data.shape[1] == 0:
            raise ParameterError(f"{self.name}: {where}: the impulse response must be mono or stereo and not empty; "
                                 f"got shape {data.shape}")
        if not np.isfinite(data).all():
            raise ParameterError(f"{self.name}: {where}: the impulse response holds NaN or Inf samples")
        if rate != self.sample_rate:
            from studioflow.audio.resample import resample
            data = resample(np.ascontiguousarray(data, dtype=np.float32), int(rate), self.sample_rate)
        data = np.asarray(data, dtype=np.float64)
        if self.normalize:
            energy = float(np.max(np.sum(data ** 2, axis=1)))
            if energy == 0.0:
                raise ParameterError(f"{self.name}: {where}: the impulse response is silent")
            data = data / np.sqrt(energy)
        return data

    @property
    def latency(self) -> int:
        """Zero: the head is convolved directly."""
        return 0

    def tail_seconds(self) -> float:
        """Length of the (pre-delayed) response, in seconds."""
        return self._ir.shape[1] / self.sample_rate

    def _prepare(self, channels: int) -> None:
        ir = self._ir
        if ir.shape[0] == 2 and channels != 2:
            ir = ir.mean(axis=0, keepdims=True)
        ir = np.repeat(ir, channels, axis=0) if ir.shape[0] == 1 else ir
        b = self.partition_frames
        self._head = np.zeros((channels, b), dtype=np.float32)
        self._head[:, :min(b, ir.shape[1])] = ir[:, :b]
        self._history = np.zeros((channels, b - 1), dtype=np.float32)
        self._classes = [_SizeClass(ir, size, count) for size, count in partition_plan(ir.shape[1], b)]

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        wet = np.empty_like(block)
        for i in range(0, block.shape[1], CHUNK_FRAMES):
            chunk = block[:, i:i + CHUNK_FRAMES]
            wet[:, i:i + CHUNK_FRAMES] = self._head_part(chunk)
            for size_class in self._classes:
                wet[:, i:i + CHUNK_FRAMES] += size_class.process(chunk)
        return (1.0 - self.mix) * block + self.mix * wet

    def _head_part(self, x: np.ndarray) -> np.ndarray:
        """Direct convolution with the head (taps 0 .. B-1), each output sample the same dot product in any block."""
        ext = np.concatenate([self._history, x], axis=1)
        self._history = ext[:, x.shape[1]:].copy()
        return np.stack([np.convolve(ext[c], self._head[c], mode="valid") for c in range(ext.shape[0])])

    def params(self) -> dict[str, Any]:
        return {"ir_path": None if self.ir_path is None else str(self.ir_path), "predelay_ms": self.predelay_ms,
                "mix": self.mix, "normalize": self.normalize, "partition_frames": self.partition_frames}
