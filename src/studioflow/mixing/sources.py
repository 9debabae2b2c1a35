"""Track sources: each region streams its file at the song's rate, with its offset, length, fades and gain.

A region is read in fixed chunks whatever the render's block size, so the render does not depend on the block size.
Fades are linear in amplitude: a fade-in of ``F`` frames scales region frame ``j`` by ``j / F``.
"""

from __future__ import annotations

from collections import deque
from typing import Iterator

import numpy as np

from studioflow.audio.stream import BlockReader
from studioflow.mixing.session import Region

CHUNK_FRAMES = 65536


class RegionReader:
    """Stream one region from song frame ``start_frame`` on, adding it into render blocks in order."""

    def __init__(self, region: Region, song_rate: int, start_frame: int = 0) -> None:
        self.region = region
        self.at = int(round(region.at_s * song_rate))
        self.length = int(round(region.length_s * song_rate))
        self.end = self.at + self.length
        self.fade_in = int(round(region.fade_in_s * song_rate))
        self.fade_out = int(round(region.fade_out_s * song_rate))
        self.gain = 10.0 ** (region.gain_db / 20.0)
        self.pos = min(max(0, start_frame - self.at), self.length)  # region frame delivered next
        self._queue: deque[np.ndarray] = deque()
        self._chunks: Iterator[np.ndarray] | None = None
        self._song_rate = song_rate

    @property
    def resampled(self) -> bool:
        """True when the file's rate differs from the song's (the log says so)."""
        return self.region.sample_rate != self._song_rate

    def _open(self) -> Iterator[np.ndarray]:
        r, src = self.region, self.region.sample_rate
        if not self.resampled:
            first = int(round(r.offset_s * src)) + self.pos
            reader = BlockReader(r.file, CHUNK_FRAMES, start_s=first / src,
                                 stop_s=(first + self.length - self.pos) / src)
            return iter(reader)
        return self._resampled_chunks()

    def _resampled_chunks(self) -> Iterator[np.ndarray]:
        from studioflow.audio.resample import Resampler
        r, src = self.region, self.region.sample_rate
        start_s = r.offset_s + self.pos / self._song_rate
        stop_s = min(r.offset_s + r.length_s + 0.0, _file_duration(r))
        reader = BlockReader(r.file, CHUNK_FRAMES, start_s=int(round(start_s * src)) / src,
                             stop_s=int(round(stop_s * src)) / src)
        rs = Resampler(src, self._song_rate, r.channels)
        for block in reader:
            out = rs.process(block)
            if out.shape[1]:
                yield out
        tail = rs.process(np.zeros((r.channels, 0), dtype=np.float32), last=True)
        if tail.shape[1]:
            yield tail
        while True:  # resampling may come up a frame or two short: pad with silence
            yield np.zeros((r.channels, CHUNK_FRAMES), dtype=np.float32)

    def _take(self, frames: int) -> np.ndarray:
        if self._chunks is None:
            self._chunks = self._open()
        parts, have = [], 0
        while have < frames:
            if not self._queue:
                self._queue.append(next(self._chunks))
            head = self._queue.popleft()
            need = frames - have
            if head.shape[1] > need:
                self._queue.appendleft(head[:, need:])
                head = head[:, :need]
            parts.append(head)
            have += head.shape[1]
        return parts[0] if len(parts) == 1 else np.concatenate(parts, axis=1)

    def add_into(self, out: np.ndarray, block_start: int) -> None:
        """Add this region's frames that fall in ``out`` (channels, n), which starts at song frame ``block_start``."""
        n = out.shape[1]
        lo = max(block_start, self.at + self.pos)
        hi = min(block_start + n, self.end)
        if hi <= lo:
            return
        k = hi - lo
        x = self._take(k)
        j0 = self.pos
        self.pos += k
        scale = self._envelope(j0, k)
        if scale is not None:
            x = x * scale
        out[:, lo - block_start:hi - block_start] += x

    def _envelope(self, j0: int, k: int) -> np.ndarray | np.floating | float | None:
        """Fade and gain factors for region frames ``j0 .. j0 + k - 1`` (None when all are exactly 1)."""
        in_fade = self.fade_in and j0 < self.fade_in
        out_fade = self.fade_out and j0 + k > self.length - self.fade_out
        if not in_fade and not out_fade:
            return None if self.gain == 1.0 else np.float32(self.gain)
        j = np.arange(j0, j0 + k, dtype=np.float64)
        g = np.ones(k)
        if in_fade:
            g = np.minimum(g, j / self.fade_in)
        if out_fade:
            g = np.minimum(g, (self.length - j) / self.fade_out)
        return (g * self.gain).astype(np.float32)


def _file_duration(region: Region) -> float:
    from studioflow.audio.files import info
    return info(region.file).duration_s


def read_track(regions: list[RegionReader], channels: int, block_start: int, frames: int) -> np.ndarray:
    """The sum of a track's regions over one render block, float32 (channels, frames)."""
    out = np.zeros((channels, frames), dtype=np.float32)
    for reader in regions:
        reader.add_into(out, block_start)
    return out
