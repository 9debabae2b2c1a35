"""Is there music in a mix? A file of DC, digital silence or a faint steady tone has nothing to master: raising it
to a platform's loudness only makes full-scale noise of its edges or its hum."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from studioflow.analysis.loudness import LoudnessMeter
from studioflow.audio.stream import BlockReader
from studioflow.errors import AudioFileError

MIN_CONTENT_LUFS = -60.0     # quieter than this once its DC is removed, a mix holds no music to master
DC_RECHECK = 1e-3            # a DC offset over this is taken out and the file measured again (its edges are steps)
BLOCK = 1 << 16


def content_lufs(path: str | os.PathLike[str], dc_offset: list[float]) -> float | None:
    """Integrated loudness (LUFS, BS.1770) of the file with its DC offset (fractions of full scale per channel)
    taken out, or None below the gate."""
    reader = BlockReader(path, BLOCK)
    dc = np.asarray(dc_offset, dtype=np.float32)[:, None]
    meter = LoudnessMeter(reader.sample_rate, reader.channels, true_peak=False)
    for block in reader:
        meter.process(block - dc)
    return meter.result().integrated_lufs


def require_music(path: str | os.PathLike[str], integrated_lufs: float | None, dc_offset: list[float]) -> None:
    """AudioFileError when the mix at ``path`` holds no musical content (silence, DC, a faint steady tone). Its
    measured ``integrated_lufs`` decides, unless a DC offset over ``DC_RECHECK`` makes the file's start and end
    steps that the loudness meter hears: then it is measured again without it."""
    lufs = integrated_lufs
    if lufs is not None and max(abs(x) for x in dc_offset) > DC_RECHECK:
        lufs = content_lufs(path, dc_offset)
    if lufs is None or lufs < MIN_CONTENT_LUFS:
        level = "below the loudness gate" if lufs is None else f"{lufs:.1f} LUFS"
        raise AudioFileError(f"{Path(path)}: the mix holds no music to master (without its DC offset it is {level}, "
                             f"under {MIN_CONTENT_LUFS:g} LUFS): check that the right file was rendered")
