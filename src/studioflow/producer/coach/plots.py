"""The coach's pictures of a take: the pitch against the target notes, and each note's timing against the grid."""

from __future__ import annotations

import base64
import io
from typing import Any

import numpy as np

from studioflow.producer.coach.guide import Grid, note_name
from studioflow.producer.coach.pitch import PitchTrack


def take_png(take: dict[str, Any], track: PitchTrack, grid: Grid | None) -> str:
    """Base64 PNG of one take: pitch (semitones) over the target notes above, timing (ms, late up) below."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    fig = Figure(figsize=(11, 5.5), dpi=90)
    pitch_ax, time_ax = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [3, 2]})
    notes = take["notes"]
    for n in notes:
        pitch_ax.plot([n["start_s"], n["end_s"]], [n["target_midi"]] * 2, color="0.75", lw=6, solid_capstyle="butt")
    pitch_ax.plot(track.times_s, track.midi, color="tab:blue", lw=1, label="sung pitch")
    off = [n for n in notes if n["sung"] and abs(n["offset_cents"]) >= 15]
    if off:
        pitch_ax.scatter([n["start_s"] for n in off], [n["target_midi"] + n["offset_cents"] / 100 for n in off],
                         color="tab:red", zorder=3, s=14, label="out of tune (15 cents or more)")
    targets = sorted({n["target_midi"] for n in notes})
    if targets:
        pitch_ax.set_yticks(targets, [note_name(m) for m in targets])
        pitch_ax.set_ylim(targets[0] - 1.5, targets[-1] + 1.5)
    pitch_ax.set_ylabel("pitch (grey: target)")
    pitch_ax.legend(loc="upper right", fontsize="small")
    timed = [n for n in notes if n["sung"] and n["timing_ms"] is not None]
    if timed:
        ms = np.array([n["timing_ms"] for n in timed])
        time_ax.bar([n["start_s"] for n in timed], ms, width=0.04, color=np.where(ms > 0, "tab:orange", "tab:green"))
    time_ax.axhline(0, color="black", lw=0.8)
    time_ax.set_ylabel("timing ms (late up)")
    time_ax.set_xlabel("time (s)")
    if grid is not None:
        bar_s = grid.beat_s * grid.beats_per_bar
        end = max(take["duration_s"], 0.0)
        for b, t in enumerate(np.arange(grid.start_s, end, bar_s), 1):
            for ax in (pitch_ax, time_ax):
                ax.axvline(t, color="0.85", lw=0.6, zorder=0)
            if (b - 1) % max(1, int(np.ceil(end / bar_s / 16))) == 0:     # at most 16 bar numbers
                pitch_ax.text(t, 1.01, str(b), transform=pitch_ax.get_xaxis_transform(), fontsize=7, color="0.4")
    for ax in (pitch_ax, time_ax):
        ax.grid(True, axis="y", alpha=0.3)
    pitch_ax.set_title(f"take {take['take']}: pitch against the target notes, and timing against the "
                       f"{'guide' if grid is not None else 'notes'}", parse_math=False, fontsize=10, pad=14)
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return base64.b64encode(buf.getvalue()).decode("ascii")
