"""Plot of loudness over time: momentary and short-term (EBU R128) with the integrated level and the true peak."""

from __future__ import annotations

import os

import numpy as np

from studioflow.analysis.loudness import LoudnessResult

FLOOR_LUFS = -60.0


def plot_loudness(result: LoudnessResult, out_path: str | os.PathLike[str], *, title: str | None = None) -> None:
    """Draw momentary and short-term loudness (LUFS) against time (s), the integrated line and the true peak,
    and write the PNG to ``out_path`` atomically."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    from studioflow.audio.atomic import atomic_write

    times = result.series_times_s()
    fig = Figure(figsize=(10, 4), dpi=100)
    ax = fig.add_subplot(1, 1, 1)
    for series, label, width, window_s in ((result.momentary_lufs, "momentary (400 ms)", 0.8, 0.4),
                                           (result.short_term_lufs, "short-term (3 s)", 1.6, 3.0)):
        full = times >= window_s - 1e-9   # a window still filling is not a reading (EBU Tech 3341: from its length on)
        ax.plot(times[full], np.maximum(np.asarray(series)[full], FLOOR_LUFS), label=label, linewidth=width)
    if result.integrated_lufs is not None:
        ax.axhline(result.integrated_lufs, color="black", linestyle="--",
                   label=f"integrated {result.integrated_lufs:.1f} LUFS")
    if result.true_peak_dbtp is not None:
        ax.axhline(result.true_peak_dbtp, color="red", linestyle=":",
                   label=f"true peak {result.true_peak_dbtp:.1f} dBTP")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("LUFS / dBTP")
    ax.set_ylim(FLOOR_LUFS, max(3.0, (result.true_peak_dbtp or 0.0) + 3.0))
    ax.grid(True, alpha=0.3)
    ax.legend(loc="lower right", fontsize="small")
    if title:
        ax.set_title(title, parse_math=False)     # a file name with '$' is text, not mathtext
    fig.tight_layout()
    with atomic_write(out_path) as tmp:
        fig.savefig(tmp, format="png")
