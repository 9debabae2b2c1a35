"""Delay: echoes at a time in ms or a note value at a tempo, with feedback, feedback-path filters and ping-pong."""

from __future__ import annotations

import math
import re
from typing import Any

import numpy as np

from studioflow.dsp.base import Checked, Processor, check_range
from studioflow.dsp.space.kernels import delay_kernel
from studioflow.errors import ParameterError

MAX_DELAY_MS = 10000.0
GLIDE_MS = 50.0
_NOTE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*([dt]?)\s*$")


def note_ms(note: str, tempo_bpm: float) -> float:
    """Length of a note value ("1/4", "1/8d" dotted, "1/16t" triplet) at ``tempo_bpm`` quarter notes a minute, in ms."""
    m = _NOTE.match(str(note))
    if not m or int(m.group(2)) == 0 or int(m.group(1)) == 0:
        raise ParameterError(f"delay: note must look like 1/4, 1/8d (dotted) or 1/16t (triplet); got {note!r}")
    whole_notes = int(m.group(1)) / int(m.group(2))
    factor = {"": 1.0, "d": 1.5, "t": 2.0 / 3.0}[m.group(3)]
    return whole_notes * 4.0 * 60000.0 / tempo_bpm * factor


def one_pole_coefficient(cutoff_hz: float, sample_rate: int) -> float:
    """Smoothing factor ``a`` of the one-pole low-pass ``s += a (x - s)`` with its -3 dB point near ``cutoff_hz``."""
    return 1.0 - math.exp(-2.0 * math.pi * cutoff_hz / sample_rate)


class Delay(Processor):
    """Feedback delay; ``time_ms`` or ``note`` at ``tempo_bpm``; filters in the feedback loop; dry/wet ``mix`` 0..1.

    Each repeat passes once more through the loop's high-cut (low-pass) and low-cut (high-pass) filters, so echoes
    darken and thin as they fade. ``ping_pong`` (stereo) feeds the mono sum into the left line and crosses the
    feedback, so echoes alternate left, right, left. Changing ``time_ms`` glides the read position (tape-like, no
    clicks); ``feedback`` and ``mix`` glide too.
    """

    name = "delay"
    automatable = ("time_ms", "feedback", "mix")
    _feedback: float                # set through the Checked descriptors below
    _mix: float

    def __init__(self, sample_rate: int, *, time_ms: float | None = None, note: str | None = None,
                 tempo_bpm: float = 120.0, feedback: float = 0.35, low_cut_hz: float | None = None,
                 high_cut_hz: float | None = None, ping_pong: bool = False, mix: float = 0.5) -> None:
        super().__init__(sample_rate)
        self.tempo_bpm = check_range(self.name, "tempo_bpm", tempo_bpm, 20.0, 400.0, "BPM")
        if note is not None and time_ms is not None:
            raise ParameterError("delay: give time_ms or note (with tempo_bpm), not both")
        self.note = note
        self._time_ms = 0.0
        self.time_ms = note_ms(note, self.tempo_bpm) if note is not None else (375.0 if time_ms is None else time_ms)
        self.feedback = feedback
        nyquist = sample_rate / 2.0
        self.low_cut_hz = None if low_cut_hz is None else check_range(self.name, "low_cut_hz", low_cut_hz, 0.0,
                                                                      nyquist, "Hz", low_open=True)
        self.high_cut_hz = None if high_cut_hz is None else check_range(self.name, "high_cut_hz", high_cut_hz, 0.0,
                                                                        nyquist, "Hz", low_open=True)
        self.ping_pong = bool(ping_pong)
        self.mix = mix
        self._smooth = math.exp(-1.0 / (GLIDE_MS * 1e-3 * sample_rate / 5.0))  # ~99% of a change within GLIDE_MS

    # automatable parameters, validated on every change ---------------------------------------------------
    @property
    def time_ms(self) -> float:
        """Delay time in ms."""
        return self._time_ms

    @time_ms.setter
    def time_ms(self, value: float) -> None:
        low = 1000.0 / self.sample_rate
        self._time_ms = check_range(self.name, "time_ms", value, low, MAX_DELAY_MS, "ms")

    feedback = Checked(0.0, 1.0, high_open=True, doc="Share of each echo fed back into the line, 0..1 (exclusive).")
    mix = Checked(0.0, 1.0, doc="Dry/wet balance: 0 dry only, 1 wet only.")

    # processing -----------------------------------------------------------------------------------------
    def _targets(self) -> np.ndarray:
        return np.array([self._time_ms * 1e-3 * self.sample_rate, self._feedback, self._mix])

    def _prepare(self, channels: int) -> None:
        size = 1 << int(math.ceil(math.log2(MAX_DELAY_MS * 1e-3 * self.sample_rate + 4)))
        self._buf = np.zeros((channels, size), dtype=np.float32)
        self._filt = np.zeros((channels, 2), dtype=np.float64)
        t = self._targets()
        self._state = np.array([0.0, t[0], t[1], t[2]])

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        out = np.empty_like(block)
        lp = one_pole_coefficient(self.high_cut_hz, self.sample_rate) if self.high_cut_hz else 1.0
        hp = one_pole_coefficient(self.low_cut_hz, self.sample_rate) if self.low_cut_hz else 0.0
        delay_kernel(block, out, self._buf, self._state, self._targets(), self._smooth, lp, hp,
                     self.high_cut_hz is not None, self.low_cut_hz is not None, self._filt,
                     self.ping_pong and block.shape[0] == 2)
        return out

    def tail_seconds(self) -> float:
        """Time for the echoes to fall 60 dB (feedback ** repeats = -60 dB), plus one delay, in seconds."""
        repeats = 1.0 if self._feedback <= 0 else 1.0 + math.log(1e-3) / math.log(self._feedback)
        return repeats * self._time_ms * 1e-3 * (2.0 if self.ping_pong else 1.0)

    def params(self) -> dict[str, Any]:
        return {"time_ms": self._time_ms, "note": self.note, "tempo_bpm": self.tempo_bpm, "feedback": self._feedback,
                "low_cut_hz": self.low_cut_hz, "high_cut_hz": self.high_cut_hz, "ping_pong": self.ping_pong,
                "mix": self._mix}
