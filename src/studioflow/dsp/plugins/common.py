"""What every plugin host shares: finding plugin files, matching parameter names, and gliding control values."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from studioflow.errors import PluginError

#: a control change glides over this many frames, in steps of ``CONTROL_STEP`` frames aligned to the stream
GLIDE_FRAMES = 1024
CONTROL_STEP = 4


def slug(name: str) -> str:
    """A parameter name as a session file can write it: "Gain (dB)" -> "gain_db"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def find_param(owner: str, names: list[str], wanted: str) -> int:
    """Index of ``wanted`` among ``names``, matched case-insensitively or by its slug, else a PluginError listing them."""
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
            raise PluginError(f"{owner}: parameter {self.name!r} must be in [{self.low:g}, {self.high:g}]; got {value!r}")
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
