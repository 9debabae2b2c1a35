"""Convolution reverb: a user's impulse response, uniformly partitioned FFT convolution with zero latency.

The first partition of the response (``partition_frames`` taps) is convolved directly in the time domain, so the
output is not delayed; the rest runs as uniformly partitioned overlap-save convolution with a frequency-domain delay
line (Wefers, "Partitioned convolution algorithms for real-time auralization", 2015, ch. 5): every time a partition's
worth of input is complete, its spectrum enters the delay line and the spectra of the next partition's output are
summed from all partitions of the response. Partition k >= 1 is needed only k partitions later, so the direct head
covers exactly the time the FFT path needs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, ClassVar

import numpy as np
from scipy.signal import oaconvolve

from studioflow.dsp.base import Processor, check_range
from studioflow.errors import ParameterError

MAX_PREDELAY_MS = 1000.0


class ConvolutionReverb(Processor):
    """Convolve with an impulse response file (``ir_path``, any rate, mono or stereo) or array (``ir``, ``ir_rate``).

    A mono response is applied to every channel; a stereo response to stereo input channel by channel (on mono
    input, the mean of its two channels). ``normalize`` scales the response to unit energy (its loudest channel),
    so noise comes out at the level it went in. ``predelay_ms`` delays the wet signal, ``mix`` is dry/wet 0..1.
    """

    name = "convolution_reverb"
    automatable: ClassVar[tuple[str, ...]] = ()

    def __init__(self, sample_rate: int, *, ir_path: str | os.PathLike[str] | None = None, ir: np.ndarray | None = None,
                 ir_rate: int | None = None, predelay_ms: float = 0.0, mix: float = 0.3, normalize: bool = True,
                 partition_frames: int = 512) -> None:
        super().__init__(sample_rate)
        self.predelay_ms = check_range(self.name, "predelay_ms", predelay_ms, 0.0, MAX_PREDELAY_MS, "ms")
        self.mix = check_range(self.name, "mix", mix, 0.0, 1.0)
        self.normalize = bool(normalize)
        frames = check_range(self.name, "partition_frames", partition_frames, 16, 16384)
        if frames != int(frames) or int(frames) & (int(frames) - 1):
            raise ParameterError(f"{self.name}: partition_frames must be a power of two from 16 to 16384; got {partition_frames!r}")
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
        """Zero: the first partition is convolved directly."""
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
        parts = -(-ir.shape[1] // b)
        padded = np.zeros((channels, parts * b))
        padded[:, :ir.shape[1]] = ir
        self._head = padded[:, :b].copy()
        tail = padded[:, b:].reshape(channels, parts - 1, b).transpose(1, 0, 2)          # (Q, C, B)
        self._spectra = np.fft.rfft(tail, n=2 * b, axis=-1)                              # (Q, C, B + 1)
        q = parts - 1
        self._fdl = np.zeros((2 * q, channels, b + 1), dtype=complex)  # written twice: every window is contiguous
        self._fdl_pos = 0
        self._history = np.zeros((channels, b - 1))
        self._fifo = np.zeros((channels, 2 * b))   # [previous partition, the one being filled]
        self._fill = 0
        self._tail_out = np.zeros((channels, b))

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        x = block.astype(np.float64)
        wet = self._head_part(x)
        if self._spectra.shape[0]:
            wet += self._tail_part(x)
        return ((1.0 - self.mix) * x + self.mix * wet).astype(np.float32)

    def _head_part(self, x: np.ndarray) -> np.ndarray:
        """Direct convolution with the first partition (taps 0 .. B-1)."""
        ext = np.concatenate([self._history, x], axis=1)
        b = self.partition_frames
        self._history = ext[:, ext.shape[1] - (b - 1):].copy()
        if x.shape[1] > 4 * b:
            return oaconvolve(ext, self._head, mode="valid", axes=-1)
        return np.stack([np.convolve(ext[c], self._head[c], mode="valid") for c in range(ext.shape[0])])

    def _tail_part(self, x: np.ndarray) -> np.ndarray:
        """Partitions 1.. through the frequency-domain delay line; each output partition is ready one partition early."""
        b = self.partition_frames
        q = self._spectra.shape[0]
        out = np.empty_like(x)
        i, n = 0, x.shape[1]
        while i < n:
            take = min(b - self._fill, n - i)
            self._fifo[:, b + self._fill:b + self._fill + take] = x[:, i:i + take]
            out[:, i:i + take] = self._tail_out[:, self._fill:self._fill + take]
            self._fill += take
            i += take
            if self._fill == b:
                spectrum = np.fft.rfft(self._fifo, axis=-1)
                self._fifo[:, :b] = self._fifo[:, b:]
                self._fill = 0
                self._fdl_pos = (self._fdl_pos - 1) % q
                self._fdl[self._fdl_pos] = spectrum
                self._fdl[self._fdl_pos + q] = spectrum
                window = self._fdl[self._fdl_pos:self._fdl_pos + q]   # newest first, matching partitions 1, 2, ...
                acc = np.einsum("kcf,kcf->cf", self._spectra, window)
                self._tail_out = np.fft.irfft(acc, n=2 * b, axis=-1)[:, b:]
        return out

    def params(self) -> dict[str, Any]:
        return {"ir_path": None if self.ir_path is None else str(self.ir_path), "predelay_ms": self.predelay_ms,
                "mix": self.mix, "normalize": self.normalize, "partition_frames": self.partition_frames}
