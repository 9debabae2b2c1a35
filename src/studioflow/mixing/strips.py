"""One strip at render time: inserts (with automation on a fixed grid), fader, polarity, pan and sends, per block.

Gain, pan and send levels are evaluated per sample. Insert parameters are set with ``set_param`` at grid points every
``GRID_FRAMES`` frames counted from the song's start (the processor smooths between them), so the result does not
depend on the render's block size. Automation is read at the song time of the audio passing that point, i.e. the
render frame minus the latency before it, so automation stays on the beat under delay compensation.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from studioflow.dsp.base import Processor
from studioflow.mixing.automation import Envelope
from studioflow.mixing.kernels import fader_pan_taps, peak
from studioflow.mixing.panning import balance_gains, mono_gains, place
from studioflow.mixing.session import Strip

GRID_FRAMES = 64
_NO_SUMS = np.zeros((1, 2, 1))
#: left, right, fader (float64 vectors of one value or one per sample), tap rows, tap levels, post-fader send levels
MixGains = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, dict[int, "np.ndarray | float"]]


def _vector(v: np.ndarray | float) -> np.ndarray:
    """A gain as a float64 vector: one value, or one per sample."""
    return np.atleast_1d(np.asarray(v, dtype=np.float64))


def _levels(levels: list[np.ndarray | float], n: int) -> np.ndarray:
    """Tap levels as rows of one value each, or of ``n`` values when any of them moves."""
    width = n if any(np.ndim(v) for v in levels) else 1
    out = np.empty((len(levels), width), dtype=np.float64)
    for j, v in enumerate(levels):
        out[j] = v
    return out


@dataclass
class StripOutput:
    """What a strip produced in one block: its output (stereo float64) and one signal per send (None when silent)."""

    out: np.ndarray
    sends: list[np.ndarray | None]
    pre_fader_peak: float = 0.0


@dataclass
class InsertAutomation:
    """The automated parameters of one insert, the latency before it (frames) and their current values."""

    params: dict[str, Envelope]
    latency_before: int
    current: dict[str, float] = field(default_factory=dict)


class StripEngine:
    """Runs one strip block by block; ``processors`` are the strip's inserts already built."""

    def __init__(self, strip: Strip, processors: list[Processor], latency_in: int, sample_rate: int,
                 pan_law_db: float, start_frame: int) -> None:
        self.strip = strip
        self.processors = processors
        self.rate = sample_rate
        self.law = pan_law_db if strip.channels == 1 else 0.0
        self.sign = -1.0 if strip.inverted else 1.0
        self.latency_out = latency_in + sum(p.latency for p in processors)
        self.insert_auto: dict[int, InsertAutomation] = {}
        self._buffers = [np.empty((2, 0)), np.empty((2, 0))]
        moving = ["gain_db", "pan", *(f"sends[{k}].level_db" for k in range(len(strip.sends)))]
        self._moving = any(t in strip.automation and not strip.automation[t].constant for t in moving)
        self._still: tuple[tuple[int, tuple[tuple[int | None, int], ...]], MixGains] | None = None
        lat = latency_in
        for i, p in enumerate(processors):
            params = {m.group(2): env for target, env in strip.automation.items()
                      if (m := re.fullmatch(r"inserts\[(\d+)\]\.(\w+)", target)) and int(m.group(1)) == i}
            if params:
                auto = InsertAutomation(params, lat)
                for name, env in params.items():
                    first = (start_frame // GRID_FRAMES) * GRID_FRAMES
                    auto.current[name] = float(env.at_seconds((first - lat) / sample_rate)[0])
                self.insert_auto[i] = auto
            lat += p.latency

    def initial_params(self) -> dict[int, dict[str, float]]:
        """Per insert, the automated values the processors must start from (applied when they are built)."""
        return {i: dict(a.current) for i, a in self.insert_auto.items()}

    # per block -------------------------------------------------------------------------------------------------
    def run(self, x: np.ndarray, start: int, sums: np.ndarray | None = None,
            taps: dict[int | None, int] | None = None) -> StripOutput:
        """Process the strip's input ``x`` (channels, n) for render frames ``start .. start + n - 1``.

        ``taps`` maps the output (None) or a send number to a row of ``sums`` (rows of (2, n) float64) to add into
        instead of returning the signal (used for connections without delay compensation)."""
        taps = taps or {}
        for i, p in enumerate(self.processors):
            auto = self.insert_auto.get(i)
            x = p.process(x) if auto is None else self._automated(p, auto, x, start)
        top = peak(x) if x.size else 0.0
        n = x.shape[1]
        left, right, gain, rows, levels, post = self._mix_gains(x.shape[0], start, n, taps)
        sends: list[np.ndarray | None] = [None] * len(self.strip.sends)
        for k, send in enumerate(self.strip.sends):
            if send.pre_fader or send.pan is not None:
                level = self._value(f"sends[{k}].level_db", send.level_db, start, n, db=True)
                pan = self._value("pan", self.strip.pan, start, n) if send.pan is None else send.pan
                fader = self._gain(start, n) if not send.pre_fader else self.sign
                sig = place(x, fader * level, pan, self.law)
                if k in taps:
                    assert sums is not None
                    sums[taps[k]] += sig
                else:
                    sends[k] = sig
        out = self._out_buffer(n)
        fader_pan_taps(x, left, right, gain, out, _NO_SUMS if sums is None else sums, rows, levels)
        for k, level in post.items():
            sends[k] = out * level
        return StripOutput(out, sends, top)

    def _gain(self, start: int, n: int) -> np.ndarray | float:
        return self._value("gain_db", self.strip.gain_db, start, n, db=True) * self.sign

    def _mix_gains(self, channels: int, start: int, n: int, taps: dict[int | None, int]) -> MixGains:
        """Pan gains, fader and tap rows and levels for one block (kept while nothing of them is automated)."""
        key = (channels, tuple(taps.items()))
        if self._still is not None and self._still[0] == key:
            return self._still[1]
        gain = self._gain(start, n)
        pan = self._value("pan", self.strip.pan, start, n)
        rows, levels = [], []
        post: dict[int, np.ndarray | float] = {}        # post-fader sends returned as signals: their levels
        for k, send in enumerate(self.strip.sends):
            if send.pre_fader or send.pan is not None:
                continue
            level = self._value(f"sends[{k}].level_db", send.level_db, start, n, db=True)
            if k in taps:
                rows.append(taps[k])
                levels.append(level)
            else:
                post[k] = level
        if None in taps:
            rows.append(taps[None])
            levels.append(1.0)
        gl, gr = mono_gains(pan, self.law) if channels == 1 else balance_gains(pan)
        result = (_vector(gl), _vector(gr), _vector(gain), np.array(rows, dtype=np.int64), _levels(levels, n), post)
        if not self._moving:
            self._still = (key, result)
        return result

    def _out_buffer(self, n: int) -> np.ndarray:
        """A (2, n) float64 output buffer; two are used in turn, since the renderer finishes one block (reading
        this strip's output) while the next one runs (fresh large arrays would cost a page fault per 4 kB)."""
        if self._buffers[0].shape[1] != n:
            self._buffers = [np.empty((2, n), dtype=np.float64), np.empty((2, n), dtype=np.float64)]
        self._buffers.reverse()
        return self._buffers[0]

    def _value(self, target: str, static: float, start: int, n: int, db: bool = False) -> np.ndarray | float:
        env = self.strip.automation.get(target)
        if env is None:
            v: np.ndarray | float = static
        elif env.constant:
            v = env.values[0]
        else:
            v = env.at_frames(start - self.latency_out, n, self.rate)
        if db:
            return 10.0 ** (np.asarray(v, dtype=np.float64) / 20.0) if isinstance(v, np.ndarray) else 10.0 ** (v / 20.0)
        return v

    def _automated(self, p: Processor, auto: InsertAutomation, x: np.ndarray, start: int) -> np.ndarray:
        n = x.shape[1]
        first = -(-start // GRID_FRAMES) * GRID_FRAMES
        points = np.arange(first, start + n, GRID_FRAMES)
        if points.size == 0:
            return p.process(x)
        values = {name: env.at_seconds((points - auto.latency_before) / self.rate)
                  for name, env in auto.params.items()}
        parts, cur = [], start
        for k, g in enumerate(points):
            changed = [(name, float(v[k])) for name, v in values.items() if float(v[k]) != auto.current[name]]
            if not changed:
                continue
            if g > cur:
                parts.append(p.process(x[:, cur - start:g - start]))
                cur = int(g)
            for name, value in changed:
                p.set_param(name, value)
                auto.current[name] = value
        parts.append(p.process(x[:, cur - start:]))
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)
