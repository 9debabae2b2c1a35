"""Input meters while recording: peak, RMS, peak hold and clip per track, shown live (rich) or as plain lines."""

from __future__ import annotations

import math
import sys
import threading
import time
from typing import TYPE_CHECKING, TextIO

import numpy as np

if TYPE_CHECKING:
    from rich.live import Live

CLIP_LEVEL = 10 ** (-0.1 / 20)     # a sample at or above -0.1 dBFS lights the clip indicator


def _dbfs(x: float) -> float:
    return 20 * math.log10(x) if x > 1e-10 else -200.0


class Meters:
    """Per-track peak (dBFS), RMS (dBFS, sine-peak convention, ~300 ms), peak hold (3 s) and a latched clip flag."""

    def __init__(self, names: list[str], rate: int, *, hold_s: float = 3.0, rms_ms: float = 300.0) -> None:
        self.names, self.rate, self.hold_s = names, rate, hold_s
        self._rms_frames = rate * rms_ms / 1000
        self.peak = [0.0] * len(names)
        self.ms = [0.0] * len(names)
        self.hold = [0.0] * len(names)
        self._hold_at = [0.0] * len(names)
        self.clipped = [False] * len(names)
        self.frames = 0
        self.xruns = 0
        self._lock = threading.Lock()

    def update(self, i: int, block: np.ndarray) -> None:
        """Feed one block (frames, channels) of track ``i``."""
        if not len(block):
            return
        pk = float(np.max(np.abs(block)))
        ms = float(np.mean(np.square(block, dtype=np.float64)))
        a = min(1.0, len(block) / self._rms_frames)
        now = time.monotonic()
        with self._lock:
            self.peak[i] = pk
            self.ms[i] += a * (ms - self.ms[i])
            if pk >= self.hold[i] or now - self._hold_at[i] > self.hold_s:
                self.hold[i], self._hold_at[i] = pk, now
            self.clipped[i] |= pk >= CLIP_LEVEL

    def snapshot(self) -> list[dict]:
        """Current readings per track, dBFS."""
        with self._lock:
            return [{"track": n, "peak_dbfs": round(_dbfs(self.peak[i]), 1),
                     "rms_dbfs": round(_dbfs(math.sqrt(2 * self.ms[i])), 1),
                     "hold_dbfs": round(_dbfs(self.hold[i]), 1), "clip": self.clipped[i]}
                    for i, n in enumerate(self.names)]


def _bar(dbfs: float, width: int = 30) -> str:
    filled = int(round(max(0.0, min(1.0, (dbfs + 60) / 60)) * width))
    return "#" * filled + "-" * (width - filled)


def render(meters: Meters, elapsed_s: float, status: str = "REC"):
    """A rich table of the meters (imported lazily: rich is only needed on a terminal)."""
    from rich.table import Table

    mins, secs = divmod(elapsed_s, 60)
    table = Table(title=f"[bold red]{status}[/] {int(mins):02d}:{secs:04.1f}   xruns: {meters.xruns}", expand=False)
    for col in ("track", "level (-60..0 dBFS)", "peak", "rms", "hold", "clip"):
        table.add_column(col)
    for m in meters.snapshot():
        colour = "red" if m["hold_dbfs"] > -1 else "yellow" if m["hold_dbfs"] > -6 else "green"
        table.add_row(m["track"], f"[{colour}]{_bar(m['peak_dbfs'])}[/]", f"{m['peak_dbfs']:6.1f}",
                      f"{m['rms_dbfs']:6.1f}", f"{m['hold_dbfs']:6.1f}", "[bold red]CLIP[/]" if m["clip"] else "")
    return table


def plain_line(meters: Meters, elapsed_s: float, status: str = "REC") -> str:
    """One progress line for logs and pipes (no terminal)."""
    parts = [f"{m['track']} peak {m['peak_dbfs']:.1f} rms {m['rms_dbfs']:.1f} hold {m['hold_dbfs']:.1f}"
             + (" CLIP" if m["clip"] else "") for m in meters.snapshot()]
    return f"{status} {elapsed_s:6.1f} s  xruns {meters.xruns}  " + " | ".join(parts)


class MeterDisplay:
    """Shows meters until stopped: a rich Live view on a terminal, else a plain line every ``every_s`` seconds."""

    def __init__(self, meters: Meters, *, stream: TextIO | None = None, every_s: float = 1.0) -> None:
        self.meters, self.stream, self.every_s = meters, stream or sys.stderr, every_s
        self.tty = self.stream.isatty()
        self._live: Live | None = None
        self._last = 0.0

    def __enter__(self) -> "MeterDisplay":
        if self.tty:
            from rich.console import Console
            from rich.live import Live
            self._live = Live(render(self.meters, 0.0), console=Console(file=self.stream), refresh_per_second=10)
            self._live.__enter__()
        return self

    def show(self, elapsed_s: float, status: str = "REC") -> None:
        """Refresh the view (call it often; plain lines are rate-limited)."""
        if self._live is not None:
            self._live.update(render(self.meters, elapsed_s, status))
        elif time.monotonic() - self._last >= self.every_s:
            self._last = time.monotonic()
            print(plain_line(self.meters, elapsed_s, status), file=self.stream, flush=True)

    def __exit__(self, *exc: object) -> None:
        if self._live is not None:
            self._live.__exit__(None, None, None)
