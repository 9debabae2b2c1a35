"""A WAV file that stays valid while it grows: the crash-safe heart of recording.

Layout: ``RIFF`` header, a 36-byte ``JUNK`` chunk reserved for an RF64 ``ds64`` chunk (EBU Tech 3306), ``fmt ``, then
``data``. Samples are appended as they arrive; every ``header_every_s`` the RIFF and data sizes are rewritten and the
file is flushed and fsynced, so a kill -9 or a power cut loses at most that much audio. A take that outgrows 4 GiB
becomes RF64 in place (the JUNK chunk turns into ``ds64``). ``repair`` fixes the sizes of a file whose writer died.
"""

from __future__ import annotations

import os
import struct
import time
from pathlib import Path

import numpy as np

from studioflow.errors import AudioFileError

_JUNK_SIZE = 28                 # ds64 body: riff size, data size, sample count (3 x u64) + table length (u32)
_FMT_OFFSET = 12 + 8 + _JUNK_SIZE
_FMT_SIZE = 16
_DATA_HEADER = _FMT_OFFSET + 8 + _FMT_SIZE     # offset of the "data" chunk id
DATA_OFFSET = _DATA_HEADER + 8                 # first sample byte
_U32 = 0xFFFFFFFF


def _header(channels: int, rate: int, bits: int, data_bytes: int) -> bytes:
    """The bytes before the samples, for ``data_bytes`` of samples (RF64 when over 4 GiB)."""
    fmt_tag = 3 if bits == 32 else 1
    align = channels * bits // 8
    riff_size = DATA_OFFSET - 8 + data_bytes
    big = riff_size > _U32
    head = struct.pack("<4sI4s", b"RF64" if big else b"RIFF", _U32 if big else riff_size, b"WAVE")
    if big:
        body = struct.pack("<QQQI", riff_size, data_bytes, data_bytes // align, 0)
        head += struct.pack("<4sI", b"ds64", _JUNK_SIZE) + body
    else:
        head += struct.pack("<4sI", b"JUNK", _JUNK_SIZE) + bytes(_JUNK_SIZE)
    head += struct.pack("<4sIHHIIHH", b"fmt ", _FMT_SIZE, fmt_tag, channels, rate, rate * align, align, bits)
    head += struct.pack("<4sI", b"data", _U32 if big else data_bytes)
    return head


def to_bytes(block: np.ndarray, bits: int) -> bytes:
    """Float samples (frames, channels) to little-endian interleaved PCM bytes: 16/24-bit integers or 32-bit float."""
    if bits == 32:
        return np.ascontiguousarray(block, dtype="<f4").tobytes()
    scale = float(1 << (bits - 1))
    ints = np.clip(np.round(block.astype(np.float64) * scale), -scale, scale - 1).astype("<i4")
    if bits == 16:
        return ints.astype("<i2").tobytes()
    return ints.reshape(-1, 1).view(np.uint8)[:, :3].tobytes()


class TakeWriter:
    """Append-only WAV writer whose header is valid at least every ``header_every_s`` seconds."""

    def __init__(self, path: str | os.PathLike, rate: int, channels: int, bits: int = 24,
                 header_every_s: float = 0.25) -> None:
        if bits not in (16, 24, 32):
            raise AudioFileError(f"{path}: bits must be 16, 24 or 32 (float), not {bits}")
        self.path = Path(path)
        self.rate, self.channels, self.bits = rate, channels, bits
        self.frame_bytes = channels * bits // 8
        self.header_every_s = header_every_s
        self.data_bytes = 0
        self._synced_at = 0.0
        self._file = open(self.path, "xb")
        self._file.write(_header(channels, rate, bits, 0))
        self.sync()

    @property
    def frames(self) -> int:
        """Frames written so far."""
        return self.data_bytes // self.frame_bytes

    def write(self, block: np.ndarray) -> None:
        """Append float samples shaped (frames, channels); refresh the header when it is due."""
        data = to_bytes(block, self.bits)
        self._file.write(data)
        self.data_bytes += len(data)
        if time.monotonic() - self._synced_at >= self.header_every_s:
            self.sync()

    def sync(self) -> None:
        """Rewrite the sizes in the header, flush and fsync, so the file on disk is a valid WAV of all frames so far."""
        f = self._file
        f.flush()
        end = f.tell()
        f.seek(0)
        f.write(_header(self.channels, self.rate, self.bits, self.data_bytes))
        f.seek(end)
        f.flush()
        os.fsync(f.fileno())
        self._synced_at = time.monotonic()

    def close(self) -> None:
        """Final header, then close (a pad byte keeps odd-sized data chunks RIFF-legal)."""
        if self._file.closed:
            return
        if self.data_bytes % 2:
            self._file.write(b"\0")
        self.sync()
        self._file.close()

    def __enter__(self) -> "TakeWriter":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def read_format(path: str | os.PathLike) -> tuple[int, int, int]:
    """(channels, rate, bits) from the header of a file written by ``TakeWriter``."""
    with open(path, "rb") as f:
        head = f.read(DATA_OFFSET)
    if len(head) < DATA_OFFSET or head[8:12] != b"WAVE" or head[_FMT_OFFSET:_FMT_OFFSET + 4] != b"fmt ":
        raise AudioFileError(f"{path}: not a studioflow take (no WAVE/fmt header where expected)")
    _, channels, rate, _, _, bits = struct.unpack("<HHIIHH", head[_FMT_OFFSET + 8:_FMT_OFFSET + 8 + _FMT_SIZE])
    return channels, rate, bits


def repair(path: str | os.PathLike) -> int:
    """Set the header sizes of an interrupted take from the bytes really on disk; return its frame count.

    A partial last frame is cut off. Only files written by ``TakeWriter`` (fixed header layout) are repaired.
    """
    channels, rate, bits = read_format(path)
    align = channels * bits // 8
    size = os.path.getsize(path)
    data_bytes = (size - DATA_OFFSET) // align * align
    with open(path, "r+b") as f:
        f.truncate(DATA_OFFSET + data_bytes)
        if data_bytes % 2:
            f.seek(0, os.SEEK_END)
            f.write(b"\0")
        f.seek(0)
        f.write(_header(channels, rate, bits, data_bytes))
        f.flush()
        os.fsync(f.fileno())
    return data_bytes // align
