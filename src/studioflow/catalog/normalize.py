"""Loudness normalization of one song, the "correct" mode of broadcast loudness tools: measure (BS.1770-4
integrated loudness, 4x true peak), apply the gain that reaches the target, and run the true-peak limiter only when
that gain would push the true peak over the ceiling. A limited render that misses the target is rendered again at a
secant-stepped gain (``mastering.chain.limit_to_target``) until it lands within 0.1 LU of the target. Every output is
checked by the 8x meter (``mastering.verify``) as it is written, and written again turned down if it is over."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Iterable

import numpy as np

from studioflow.audio.stream import BlockReader, BlockWriter
from studioflow.errors import AudioFileError
from studioflow.mastering import chain, decisions
from studioflow.mastering.measure import MixMeter
from studioflow.mastering.scratch import Scratch
from studioflow.mastering.targets import Target
from studioflow.mastering.verify import TruePeak8x

BLOCK = 1 << 16
CHECK_MARGIN_DB = 0.02    # an output whose 8x true peak is closer than this to the ceiling is turned down


def _levels(meter: MixMeter) -> dict:
    """The levels a catalog row keeps: integrated LUFS, LRA (LU), true peak (dBTP), sample peak (dBFS), PLR (dB),
    duration (s), DC offset and clipped samples (when measured)."""
    m = meter.result()
    return {k: m[k] for k in ("integrated_lufs", "lra_lu", "true_peak_dbtp", "sample_peak_dbfs", "plr_db",
                              "duration_s", "rate", "channels", "dc_offset", "clipped_samples")}


def _write(out: Path, blocks: Iterable[np.ndarray], rate: int, channels: int, frames: int) -> dict:
    """Write ``blocks`` as the 24-bit WAV ``out`` (atomically) and return the levels of what the file holds, its true
    peak by the 8x check (``mastering.verify``, stricter than the limiter's 4x detector)."""
    meter, peak = MixMeter(rate, channels, true_peak=False, spectrum=False, stats=False), TruePeak8x()
    with BlockWriter(out, rate, channels, subtype="PCM_24", max_frames=frames) as writer:
        for block in blocks:
            held = writer.write_held(block)
            meter.add(held)
            peak.add(held)
    after = _levels(meter)
    after["true_peak_dbtp"] = peak.finish()
    integrated = after["integrated_lufs"]
    after["plr_db"] = None if integrated is None or after["true_peak_dbtp"] is None else \
        after["true_peak_dbtp"] - integrated
    return after


def measure_song(path: str | os.PathLike[str], *, keep: Scratch | None = None) -> dict:
    """Levels of the song at ``path`` (see ``_levels``), read in blocks; ``keep.put`` gets every block."""
    reader = BlockReader(path, BLOCK)
    meter = MixMeter(reader.sample_rate, reader.channels, spectrum=False)
    for block in reader:
        meter.add(block)
        if keep is not None:
            keep.put(block)
    return _levels(meter)


def normalize_song(src: str | os.PathLike[str], out: str | os.PathLike[str], target: Target) -> dict:
    """Bring ``src`` to ``target`` (LUFS, dBTP ceiling) as a 24-bit WAV ``out`` at the song's rate: gain only, or
    gain and the true-peak limiter where the gain alone would go over the ceiling. Returns before and after levels
    (``after`` measured on the samples the file holds), the gain (dB), whether the limiter ran, its largest gain
    reduction (dB) and warnings."""
    src, out = Path(src), Path(out)
    head = BlockReader(src, BLOCK)
    rate, channels = head.sample_rate, head.channels
    with Scratch(out.parent, out.stem + "-in", rate, channels) as kept:
        before = measure_song(src, keep=kept)
        kept.done()
        if before["integrated_lufs"] is None:
            raise AudioFileError(f"{src}: silent (below the loudness gate): nothing to normalize")
        stage = decisions.loudness(before["integrated_lufs"], before["true_peak_dbtp"], target, None)
        limited = stage.settings["predicted_limiting_db"] > 0
        gain_db, reduction_db, render = stage.settings["gain_db"], 0.0, None
        if limited:
            fit = chain.limit_to_target(kept.blocks, lambda: Scratch(out.parent, out.stem + "-lim", rate, channels),
                                        stage, rate, channels, target.lufs)
            render, post_db = fit["render"], fit["post_gain_db"]
            gain_db, reduction_db = fit["gain_db"] + post_db, fit["gain_reduction"].get("max_db", 0.0)
            source = lambda extra_db: render.blocks(post_db + extra_db)     # noqa: E731
        else:
            base_db = gain_db
            source = lambda extra_db: kept.blocks(base_db + extra_db)      # noqa: E731
        try:
            after = _write(out, source(0.0), rate, channels, head.frames)
            over = (after["true_peak_dbtp"] or -120.0) - (target.ceiling_dbtp - CHECK_MARGIN_DB)
            if over > 0:          # the 8x check decides: a linear turn-down moves the true peak by exactly as much
                gain_db -= over
                after = _write(out, source(-over), rate, channels, head.frames)
        finally:
            if render is not None:
                render.release()
    warnings = []
    if before["clipped_samples"]:
        warnings.append(f"{before['clipped_samples']} clipped samples in the source: normalizing cannot restore them")
    if reduction_db > 6.0:
        warnings.append(f"heavy limiting: up to {reduction_db:.1f} dB to reach {target.lufs:g} LUFS under "
                        f"{target.ceiling_dbtp:g} dBTP")
    return {"before": before, "after": after, "gain_db": round(float(gain_db), 3), "limited": limited,
            "limiter_max_db": round(float(reduction_db), 2), "warnings": warnings}

