"""What every plugin host shares: finding plugin files, matching parameter names, and gliding control values."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from studioflow.dsp.base import Processor
from studioflow.errors import PluginError

#: a control change glides over this many frames, in steps of ``CONTROL_STEP`` frames aligned to the stream
GLIDE_FRAMES = 1024
CONTROL_STEP = 4


def slug(name: str) -> str:
    """A parameter name as a session file can write it: "Gain (dB)" -> "gain_db"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def find_param(owner: str, names: list[str], wanted: str) -> int:
    """Index of ``wanted`` among ``names``, matched case-insensitively or by slug, else a PluginError listing them."""
    for i, n in enumerate(names):
        if n.lower() == wanted.lower():
            return i
    for i, n in enumerate(names):
        if slug(n) == slug(wanted):
            return i
    raise PluginError(f"{owner}: no parameter {wanted!r}; parameters: {', '.join(repr(n) for n in names) or 'none'}")


def find_file(kind: str, path: str | os.PathLike[str], env: str, defaults: list[str]) -> Path:
    """``path`` as given, or a bare name looked up in the folders of ``env`` (colon-separated) or ``defaults``."""
    p = Path(path).expanduser()
    if p.exists():
        return p
    if p.parent == Path("."):
        folders = os.environ.get(env, "").split(":") if os.environ.get(env) else defaults
        for folder in folders:
            candidate = Path(folder).expanduser() / p.name
            if candidate.exists():
                return candidate
    raise PluginError(f"{kind}: plugin file not found: {path}")


@dataclass
class Control:
    """An input control of a plugin: name, port index, range and default in the plugin's own units."""

    name: str
    port: int
    low: float | None
    high: float | None
    default: float
    toggled: bool = False
    integer: bool = False

    def check(self, owner: str, value: float) -> float:
        """``value`` as a float inside the control's range, else a PluginError naming the range."""
        try:
            x = float(value)
        except (TypeError, ValueError):
            raise PluginError(f"{owner}: parameter {self.name!r} must be a number; got {value!r}") from None
        if (self.low is not None and x < self.low - 1e-6) or (self.high is not None and x > self.high + 1e-6):
            raise PluginError(f"{owner}: parameter {self.name!r} must be in [{self.low:g}, {self.high:g}]; "
                              f"got {value!r}")
        return x


class Glides:
    """Control values that glide to new targets over ``GLIDE_FRAMES``, stepping every ``CONTROL_STEP`` frames.

    Steps fall on multiples of ``CONTROL_STEP`` counted from the start of the stream, so the output does not depend
    on how the stream is cut into blocks.
    """

    def __init__(self) -> None:
        self.moves: dict[int, tuple[float, float, int, int]] = {}   # port -> (from, to, start frame, frames)

    def start(self, port: int, current: float, target: float, frame: int) -> None:
        """Begin gliding ``port`` from ``current`` to ``target`` at stream frame ``frame``."""
        self.moves[port] = (current, target, frame, GLIDE_FRAMES)

    def next_stop(self, frame: int, end: int) -> int:
        """Where the current run must stop: the next step boundary while gliding, else ``end``."""
        if not self.moves:
            return end
        return min(end, (frame // CONTROL_STEP + 1) * CONTROL_STEP)

    def values_at(self, frame: int) -> dict[int, float]:
        """The control values for the step starting at ``frame``; finished glides are dropped."""
        out = {}
        for port, (a, b, start, frames) in list(self.moves.items()):
            t = min(1.0, max(0.0, (frame - start + CONTROL_STEP) / frames))
            out[port] = a + (b - a) * t
            if t >= 1.0:
                del self.moves[port]
        return out


class NativePlugin(Processor):
    """What the LADSPA and LV2 hosts share: channel mapping, running in chunks, gliding controls by name.

    Subclasses fill ``controls``, ``_values`` (port -> value), ``_audio_in`` and ``_owner``, and implement
    ``_instantiate()`` -> (handle, inputs, outputs, control array, extra), ``_run_instance(instance, frames)`` and
    ``_free()``. A plugin with as many inputs as the block has channels runs once; a mono plugin runs once per
    channel; a stereo plugin on mono audio gets the channel twice and gives back the mean of its outputs.
    """

    max_frames = 4096
    _owner = "plugin"
    controls: list[Control]
    _audio_in: list[int]

    def _find(self, key: str) -> int:
        return find_param(self._owner, [c.name for c in self.controls], key)

    def _set_initial(self, params: dict[str, Any]) -> None:
        self.automatable = tuple(c.name for c in self.controls)
        self._values = {c.port: c.default for c in self.controls}
        for key, value in params.items():
            c = self.controls[self._find(key)]
            self._values[c.port] = c.check(self._owner, value)
        self._instances: list[tuple] = []

    def _instantiate(self) -> tuple:
        raise NotImplementedError

    def _run_instance(self, instance: tuple, frames: int) -> None:
        raise NotImplementedError

    def _free(self) -> None:
        raise NotImplementedError

    def __del__(self) -> None:
        if getattr(self, "_instances", None):
            self._free()

    def _prepare(self, channels: int) -> None:
        self._free()
        n_in = len(self._audio_in)
        if n_in == channels or (n_in == 2 and channels == 1):
            self._instances = [self._instantiate()]
        elif n_in == 1:
            self._instances = [self._instantiate() for _ in range(channels)]
        else:
            raise PluginError(f"{self._owner}: has {n_in} audio inputs; cannot process {channels} channels")
        self._frame = 0
        self._glides = Glides()

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        out = np.empty_like(block)
        n, pos = block.shape[1], 0
        while pos < n:
            stop = self._glides.next_stop(self._frame, self._frame + min(self.max_frames, n - pos))
            for port, value in self._glides.values_at(self._frame).items():
                for inst in self._instances:
                    inst[3][port] = value
            take = stop - self._frame
            self._run_chunk(block[:, pos:pos + take], out[:, pos:pos + take])
            pos += take
            self._frame += take
        return out

    def _run_chunk(self, x: np.ndarray, y: np.ndarray) -> None:
        take = x.shape[1]
        if len(self._instances) == 1:
            inst = self._instances[0]
            ins, outs = inst[1], inst[2]
            ins[:, :take] = x if x.shape[0] == ins.shape[0] else np.broadcast_to(x, (ins.shape[0], take))
            self._run_instance(inst, take)
            y[:] = outs[:, :take] if y.shape[0] == outs.shape[0] else outs[:, :take].mean(axis=0, keepdims=True)
            return
        for c, inst in enumerate(self._instances):
            inst[1][0, :take] = x[c]
            self._run_instance(inst, take)
            y[c] = inst[2][0, :take]

    def set_param(self, name: str, value: float) -> None:
        """Set a control by name from the next block on; it glides there over GLIDE_FRAMES frames."""
        c = self.controls[self._find(name)]
        value = c.check(self._owner, value)
        current = self._instances[0][3][c.port] if self._instances else self._values[c.port]
        self._values[c.port] = value
        if self._instances and not (c.toggled or c.integer):
            self._glides.start(c.port, float(current), value, self._frame)
        else:
            for inst in self._instances:
                inst[3][c.port] = value

    def control_values(self) -> dict[str, float]:
        """Current control settings by the plugin's names."""
        return {c.name: self._values[c.port] for c in self.controls}
