"""Where a catalog job stands: songs done, failed and running, throughput in times real time and the time left."""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Tally:
    """Counts of this run's songs (``todo`` of them), updated by ``finished(row)``; ``state()`` for display."""

    todo: int
    resumed: int = 0
    done: int = 0
    failed: int = 0
    audio_s: float = 0.0
    slots: int = 1
    started: float = field(default_factory=time.perf_counter)

    def finished(self, row: dict) -> None:
        """Count one song back from a worker."""
        if row["status"] == "done":
            self.done += 1
            self.audio_s += float((row.get("before") or {}).get("duration_s") or 0.0)
        else:
            self.failed += 1

    def state(self) -> dict:
        """done, failed, running, left (songs), elapsed_s, x_realtime (audio seconds per wall second), eta_s."""
        elapsed = time.perf_counter() - self.started
        finished = self.done + self.failed
        left = self.todo - finished
        return {"todo": self.todo, "resumed": self.resumed, "done": self.done, "failed": self.failed,
                "running": min(left, self.slots), "left": left, "elapsed_s": round(elapsed, 2),
                "x_realtime": round(self.audio_s / elapsed, 1) if elapsed > 0 and self.audio_s else None,
                "eta_s": round(left * elapsed / finished, 1) if finished else None}
