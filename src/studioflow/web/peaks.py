"""Waveform peaks for the page: the lowest and highest sample (over every channel) in each of N equal slices of a
file, read in blocks with studioflow's reader so memory stays flat however long the song."""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

import numpy as np

from studioflow.audio.stream import BlockReader
from studioflow.errors import ParameterError

MIN_POINTS, MAX_POINTS = 16, 8000
CACHE_ENTRIES = 256     # waveforms kept in memory (oldest dropped first)
_CACHE: dict[tuple[str, int, int, int], dict[str, Any]] = {}
_LOCK = threading.Lock()


def waveform(path: Path, points: int = 1000) -> dict[str, Any]:
    """``{duration_s, sample_rate, channels, points, min, max}`` of the file: ``min``/``max`` per slice, in -1..1
    (full scale), rounded to 4 decimals; cached by file size and modification time."""
    if not MIN_POINTS <= int(points) <= MAX_POINTS:
        raise ParameterError(f"points {points}: ask for {MIN_POINTS} to {MAX_POINTS} slices")
    st = path.stat()
    key = (str(path), st.st_size, st.st_mtime_ns, int(points))
    with _LOCK:
        if key in _CACHE:
            return _CACHE[key]
    reader = BlockReader(path, 1 << 16)
    lows, highs = slice_peaks(reader, reader.frames, int(points))
    out = {"duration_s": reader.duration_s, "sample_rate": reader.sample_rate, "channels": reader.channels,
           "points": len(lows), "min": np.round(lows, 4).tolist(), "max": np.round(highs, 4).tolist()}
    with _LOCK:
        _CACHE[key] = out
        while len(_CACHE) > CACHE_ENTRIES:
            del _CACHE[next(iter(_CACHE))]
    return out


def slice_peaks(blocks: Any, frames: int, points: int) -> tuple[np.ndarray, np.ndarray]:
    """Min and max over all channels of each of ``points`` slices of ``frames`` frames fed as ``(channels, n)``
    blocks (fewer slices when there are fewer frames; silence where a slice got no frame)."""
    points = max(1, min(points, frames))
    edges = np.linspace(0, frames, points + 1).round().astype(np.int64)   # slice i is frames edges[i]..edges[i+1]
    lows, highs = np.full(points, np.inf), np.full(points, -np.inf)
    pos = 0
    for block in blocks:
        n = block.shape[1]
        if n == 0:
            continue
        low, high = block.min(axis=0), block.max(axis=0)
        first = int(np.searchsorted(edges, pos, side="right")) - 1
        last = min(int(np.searchsorted(edges, pos + n - 1, side="right")) - 1, points - 1)
        starts = np.maximum(edges[first:last + 1], pos) - pos
        lows[first:last + 1] = np.minimum(lows[first:last + 1], np.minimum.reduceat(low, starts))
        highs[first:last + 1] = np.maximum(highs[first:last + 1], np.maximum.reduceat(high, starts))
        pos += n
    empty = ~np.isfinite(lows)
    lows[empty] = highs[empty] = 0.0
    return lows, highs
