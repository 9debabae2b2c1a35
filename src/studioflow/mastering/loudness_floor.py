"""The one place mastering talks to the loudness meter of ``analysis`` (BS.1770-4 / EBU R128, Tech 3341/3342):
integrated loudness, loudness range and the short-term series, streamed block by block."""

from __future__ import annotations

import numpy as np

SERIES_STEP_S = 0.5   # short-term loudness kept every this many seconds for plots


class Loudness:
    """Feed ``add(block)``; ``result()`` gives integrated LUFS, LRA (LU) and short-term loudness over time."""

    def __init__(self, rate: int, channels: int) -> None:
        from studioflow.analysis.loudness import LoudnessMeter

        self.rate = int(rate)
        self.meter = LoudnessMeter(self.rate, int(channels), true_peak=False)

    def add(self, block: np.ndarray) -> None:
        """Measure one ``(channels, frames)`` float32 block."""
        self.meter.process(np.ascontiguousarray(block, dtype=np.float32))

    def result(self) -> dict:
        """Integrated loudness (LUFS, None below the gate), LRA (LU) and ``short_term`` {times_s, lufs}."""
        m = self.meter.result()
        integrated = m.integrated_lufs
        series = np.asarray(m.short_term_lufs, dtype=float)         # one value per 100 ms (EBU Tech 3341)
        step = max(1, int(round(SERIES_STEP_S / 0.1)))
        picked = series[::step]
        return {
            "integrated_lufs": None if integrated is None or not np.isfinite(integrated) else float(integrated),
            "lra_lu": m.loudness_range_lu,
            "short_term": {"times_s": ((np.arange(len(picked)) * step + 1) / 10.0).round(2).tolist(),
                           "lufs": [float(x) if np.isfinite(x) else None for x in picked]},
        }
