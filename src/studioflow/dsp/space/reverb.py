"""Reverb: an algorithmic stereo reverb, an 8-line feedback delay network with frequency-dependent decay.

The network (Jot & Chaigne 1991, "Digital delay networks for designing artificial reverberators") mixes its lines
with a normalised Hadamard matrix, which is lossless; each line then loses exactly what the set RT60 asks for its
length: a gain of ``10 ** (-3 * m / (rt60 * fs))`` for a line of ``m`` samples, so every mode decays by 60 dB in
``decay_s``. The per-line absorption is a first-order shelf: the set RT60 below the shelf, a shorter one above it
(``damping``), so highs die first as in a real room.

Two additions break up what a bare network sounds like. Input diffusion (Schroeder 1962; the input diffusers of
Dattorro 1997, "Effect design part 1"): each channel passes four allpasses of a few ms, mutually prime, before the
network, so one click enters it as a dense smear and the echo density builds up at once instead of from sparse early
echoes. Modulation (the swinging tank delays of Dattorro's plate): every line's length swings by a few tenths of a
ms at its own slow rate (0.3-1.5 Hz), which keeps the network's modes from standing still and ringing metallically
in long tails. The swinging lines are read with cubic interpolation, which takes a little off the top octave: with
``damping`` 0, the 16 kHz octave decays in about 0.7 x ``decay_s``, the octaves up to 4 kHz as set. With both at 0
the network is the static one, sample for sample.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from studioflow.dsp.base import Checked, Processor, check_range
from studioflow.dsp.space.kernels import FDN_LINES as LINES
from studioflow.dsp.space.kernels import fdn_kernel
from studioflow.errors import ParameterError

SHELF_HZ = 5000.0          # corner of the damping shelf
MAX_PREDELAY_MS = 500.0
GLIDE_MS = 20.0
# line lengths for size 0, in ms, spread geometrically; ``size`` scales them by 1..3
_SHORTEST_MS, _LONGEST_MS = 11.0, 31.0
# input diffusers of the left channel for size 0, in ms (the right one's are 9 % longer); ``size`` scales them by 1..2
DIFFUSER_MS = (1.7, 2.6, 3.9, 5.5)
MAX_DIFFUSER_GAIN = 0.75   # allpass gain at diffusion 1
MAX_SWING_MS = 0.5         # line length swing at modulation 1 (+-)
SWING_HZ = (0.3, 1.5)      # slowest and fastest line's swing rate


def _primes_near(targets: np.ndarray) -> np.ndarray:
    """Distinct primes at or above each target length (mutually prime lengths avoid coinciding echoes)."""
    out: list[int] = []
    for t in targets:
        n = max(int(t), 2)
        while any(n % p == 0 for p in range(2, int(n ** 0.5) + 1)) or n in out:
            n += 1
        out.append(n)
    return np.array(out, dtype=np.int64)


def _swings(depth: float, sample_rate: int) -> np.ndarray:
    """Per line: swing depth (samples), rate (radians a sample) and start phase; rates spread over SWING_HZ."""
    hz = np.geomspace(*SWING_HZ, LINES)[[0, 4, 2, 6, 1, 5, 3, 7]]   # neighbours in length swing at unlike rates
    phase = 2.0 * np.pi * ((np.arange(LINES) * 0.618034) % 1.0)       # start phases spread by the golden ratio
    return np.stack([np.full(LINES, depth), 2.0 * np.pi * hz / sample_rate, phase], axis=1)


def _hadamard_row(index: int, n: int) -> np.ndarray:
    """Row ``index`` of the n x n Sylvester Hadamard matrix (entries +-1)."""
    return np.array([(-1) ** bin(index & j).count("1") for j in range(n)], dtype=np.float32)


class Reverb(Processor):
    """Algorithmic stereo reverb: ``decay_s`` (RT60), ``predelay_ms``, ``size``, ``damping``, ``diffusion`` and
    ``modulation`` 0..1, ``width``, ``mix``.

    ``decay_s`` is the RT60 below the damping shelf (5 kHz); ``damping`` shortens the RT60 above it, down to a fifth
    at 1. ``diffusion`` sets the input allpasses' gain, 0.75 at 1 (0 leaves them out: discrete early echoes);
    ``modulation`` how far the lines' lengths swing, +-0.5 ms at 1 (0 a static network). ``width`` scales the wet
    signal's side (0 mono, 1 as made, up to 2 wider). Mono input gives mono output.
    """

    name = "reverb"
    automatable = ("mix", "width")
    _mix: float                     # set through the Checked descriptors below
    _width: float

    def __init__(self, sample_rate: int, *, decay_s: float = 1.8, predelay_ms: float = 10.0, size: float = 0.5,
                 damping: float = 0.5, diffusion: float = 0.85, modulation: float = 0.5, width: float = 1.0,
                 mix: float = 0.25) -> None:
        super().__init__(sample_rate)
        self.decay_s = check_range(self.name, "decay_s", decay_s, 0.05, 60.0, "s")
        self.predelay_ms = check_range(self.name, "predelay_ms", predelay_ms, 0.0, MAX_PREDELAY_MS, "ms")
        self.size = check_range(self.name, "size", size, 0.0, 1.0)
        self.damping = check_range(self.name, "damping", damping, 0.0, 1.0)
        self.diffusion = check_range(self.name, "diffusion", diffusion, 0.0, 1.0)
        self.modulation = check_range(self.name, "modulation", modulation, 0.0, 1.0)
        self.width = width
        self.mix = mix
        self._smooth = math.exp(-1.0 / (GLIDE_MS * 1e-3 * sample_rate / 5.0))
        scale = (1.0 + 2.0 * self.size) * sample_rate / 1000.0
        self._lengths = _primes_near(np.geomspace(_SHORTEST_MS, _LONGEST_MS, LINES) * scale)
        diffuser_ms = np.concatenate([DIFFUSER_MS, np.multiply(DIFFUSER_MS, 1.09)])
        self._diff_len = _primes_near(diffuser_ms * (1.0 + self.size) * sample_rate / 1000.0).reshape(2, -1)
        self._diff_gain = np.float32(MAX_DIFFUSER_GAIN * self.diffusion)
        self._mod = _swings(self.modulation * MAX_SWING_MS * 1e-3 * sample_rate, sample_rate)
        self._design()

    width = Checked(0.0, 2.0, doc="Stereo width of the wet signal: 0 mono, 1 natural, 2 widest.")
    mix = Checked(0.0, 1.0, doc="Dry/wet balance: 0 dry only, 1 wet only.")

    def _design(self) -> None:
        """Absorption shelves from the RT60s: gain per line at DC and at Nyquist, bilinear first-order shelf."""
        m = self._lengths.astype(np.float64)
        fs = self.sample_rate
        rt_high = self.decay_s * (1.0 - 0.8 * self.damping)
        g_low = 10.0 ** (-3.0 * m / (self.decay_s * fs))
        g_high = 10.0 ** (-3.0 * m / (rt_high * fs))
        k = math.tan(math.pi * min(SHELF_HZ, 0.45 * fs) / fs)
        self._b0 = ((g_high + g_low * k) / (1.0 + k)).astype(np.float32)
        self._b1 = ((g_low * k - g_high) / (1.0 + k)).astype(np.float32)
        self._a1 = np.full(LINES, (k - 1.0) / (k + 1.0), dtype=np.float32)
        self._in_gain = _hadamard_row(3, LINES) * np.float32(1.0 / math.sqrt(LINES / 2))
        out = np.float32(1.0 / math.sqrt(LINES))
        self._out_l = _hadamard_row(1, LINES) * out
        self._out_r = _hadamard_row(2, LINES) * out

    def _prepare(self, channels: int) -> None:
        if channels > 2:
            raise ParameterError(f"reverb: takes mono or stereo audio; got {channels} channels")
        swing = int(math.ceil(self._mod[:, 0].max()))
        size = 1 << int(math.ceil(math.log2(int(self._lengths.max()) + swing + 3)))
        self._lines = np.zeros((LINES, size), dtype=np.float32)
        self._zs = np.zeros(LINES, dtype=np.float32)
        # a swinging line's newest interpolation tap lies swing + 1 samples short of its length
        chunk = min(256, int(self._lengths.min()) - (swing + 1 if swing else 0))
        diff_size = 1 << int(math.ceil(math.log2(int(self._diff_len.max()) + 1)))
        self._diff = np.zeros((2, self._diff_len.shape[1], diff_size), dtype=np.float32)
        self._work = np.zeros((LINES + 5, chunk + 3), dtype=np.float32)
        self._pre_len = int(round(self.predelay_ms * 1e-3 * self.sample_rate))
        self._pre = np.zeros((2, 1 << int(math.ceil(math.log2(self._pre_len + chunk + 1)))), dtype=np.float32)
        # the swings' clock counts the pre-delayed input's frames, so a longer pre-delay only shifts the output
        self._pos = np.array([0, 0, -self._pre_len, 0], dtype=np.int64)
        self._state = np.array([self._mix, self._width])

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        stereo = block if block.shape[0] == 2 else np.ascontiguousarray(np.repeat(block, 2, axis=0))
        out = np.empty_like(stereo)
        fdn_kernel(stereo, out, self._lines, self._lengths, self._pos, self._in_gain, self._b0, self._b1, self._a1,
                   self._zs, self._pre, self._pre_len, self._out_l, self._out_r, self._state,
                   np.array([self._mix, self._width]), self._smooth, self._work, self._diff, self._diff_len,
                   self._diff_gain, self._mod)
        if block.shape[0] == 1:
            return np.ascontiguousarray(out.mean(axis=0, keepdims=True), dtype=np.float32)
        return out

    def tail_seconds(self) -> float:
        """Pre-delay plus the time to fall 90 dB, in seconds: 1.5 x RT60, or, where that is shorter, the longest
        line's delay plus the diffusers' 90-dB ringing (1.5 x the RT60 of the longest allpass) plus one RT60."""
        fs = self.sample_rate
        longest = (self._lengths.max() + self._mod[:, 0].max()) / fs
        gain = MAX_DIFFUSER_GAIN * self.diffusion
        ringing = 0.0 if gain == 0.0 else 1.5 * self._diff_len.max() / fs * 3.0 / -math.log10(gain)
        return float(self.predelay_ms * 1e-3 + max(1.5 * self.decay_s, longest + ringing + self.decay_s))

    def params(self) -> dict[str, Any]:
        return {"decay_s": self.decay_s, "predelay_ms": self.predelay_ms, "size": self.size,
                "damping": self.damping, "diffusion": self.diffusion, "modulation": self.modulation,
                "width": self._width, "mix": self._mix}
