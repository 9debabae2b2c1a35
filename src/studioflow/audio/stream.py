"""Stream audio files in blocks, so memory stays flat however long the file is.

:class:`BlockReader` yields float32 ``(channels, n)`` blocks of any file :func:`studioflow.audio.files.read` accepts,
with the same checks (missing, empty, truncated, non-audio, NaN/Inf per block). :class:`BlockWriter` takes such
blocks and writes WAV or FLAC with the same rounding and clipping rules as ``files.write``, into a temporary file
that is renamed into place only when the ``with`` block ends without an error.

>>> import tempfile, pathlib, numpy as np
>>> path = pathlib.Path(tempfile.mkdtemp()) / "long.wav"
>>> with BlockWriter(path, 48000, 2, subtype="FLOAT") as out:
...     for _ in range(3):
...         out.write(np.full((2, 1000), 0.25, dtype=np.float32))
>>> [block.shape for block in blocks(path, 2048)]
[(2, 2048), (2, 952)]
>>> reader = BlockReader(path, block_frames=1000)
>>> reader.sample_rate, reader.channels, reader.frames, len(reader)
(48000, 2, 3000, 3)
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from types import TracebackType
from typing import Iterator, Literal

import numpy as np
import soundfile as sf

from studioflow.audio.atomic import atomic_write
from studioflow.audio.files import (
    _as_audio,
    _close_written,
    _frame_range,
    _iter_blocks,
    _open_read,
    _open_write,
    _write_format,
    _write_samples,
)
from studioflow.errors import AudioFileError, ParameterError

__all__ = ["BlockReader", "BlockWriter", "blocks"]


def _check_block_frames(block_frames: int) -> int:
    if int(block_frames) != block_frames or block_frames < 1:
        raise ParameterError(f"block_frames must be a positive whole number of frames, got {block_frames!r}")
    return int(block_frames)


class BlockReader:
    """Iterate over a file as float32 ``(channels, n)`` blocks of ``block_frames`` frames (the last may be shorter).

    The file is checked when the reader is made (so errors come early) and opened afresh for each iteration, so a
    reader can be iterated more than once. ``start_s``/``stop_s`` (seconds) limit it to part of the file.
    """

    def __init__(self, path: str | os.PathLike[str], block_frames: int = 65536, *,
                 start_s: float | None = None, stop_s: float | None = None) -> None:
        self.path = Path(path)
        self.block_frames = _check_block_frames(block_frames)
        with _open_read(self.path) as handle:
            self.sample_rate: int = int(handle.samplerate)
            self.channels: int = int(handle.channels)
            self.format: str = handle.format
            self.subtype: str = handle.subtype
            self._start, self._stop = _frame_range(self.path, self.sample_rate, handle.frames, start_s, stop_s)
        #: frames this reader yields in all (for an MP3 without a Xing/Info header, libsndfile's estimate)
        self.frames: int = self._stop - self._start

    @property
    def duration_s(self) -> float:
        """Length of what the reader yields, in seconds."""
        return self.frames / self.sample_rate

    def __len__(self) -> int:
        return -(-self.frames // self.block_frames)

    def __iter__(self) -> Iterator[np.ndarray]:
        with _open_read(self.path) as handle:
            yield from _iter_blocks(handle, self.path, self._start, self._stop, self.block_frames)


def blocks(path: str | os.PathLike[str], block_frames: int = 65536) -> Iterator[np.ndarray]:
    """Yield float32 ``(channels, n)`` blocks of ``block_frames`` frames from an audio file.

    >>> for block in blocks("three-hours.wav", 48000):      # doctest: +SKIP
    ...     meter.process(block)
    """
    return iter(BlockReader(path, block_frames))


class BlockWriter:
    """Write float ``(channels, n)`` blocks to a .wav or .flac file; the file appears under its name only when the
    ``with`` block ends cleanly (on an exception the temporary file is deleted and nothing is left behind).

    ``subtype`` as for :func:`studioflow.audio.files.write`. ``frames`` counts what has been written so far.
    A ``scratch`` file (one the run deletes again) is not synced to disk before it is renamed into place.
    ``max_frames``, the most frames that will be written, makes a WAV that fits in 4 GiB a plain RIFF WAV (format
    tag 1, no JUNK chunk); without it the header leaves room to become RF64.
    """

    def __init__(self, path: str | os.PathLike[str], sample_rate: int, channels: int,
                 subtype: str = "PCM_24", *, scratch: bool = False, max_frames: int | None = None) -> None:
        self.path = Path(path)
        self.scratch = scratch
        self.max_frames = max_frames
        _write_format(self.path, subtype)
        self.sample_rate = sample_rate
        self.channels = channels
        self.subtype = subtype
        self.frames = 0
        self._atomic: contextlib.AbstractContextManager[Path] | None = None
        self._handle: sf.SoundFile | None = None
        self._buffer: np.ndarray | None = None  # the integer codes of the last block, reused for the next

    def __enter__(self) -> "BlockWriter":
        self._atomic = atomic_write(self.path, durable=not self.scratch)
        tmp = self._atomic.__enter__()
        try:
            self._handle = _open_write(tmp, self.path, self.sample_rate, self.channels, self.subtype,
                                       self.max_frames)
        except BaseException as exc:
            self._atomic.__exit__(type(exc), exc, exc.__traceback__)
            raise
        return self

    def write(self, block: np.ndarray) -> None:
        """Append one float ``(channels, n)`` block (1-D for mono)."""
        self._write(block, None)

    def write_held(self, block: np.ndarray) -> np.ndarray:
        """Append one block and return, as float32 ``(channels, n)``, the values the file now holds for it (the
        block on the file's grid: measuring them is measuring the file)."""
        arr = _as_audio(block, self.path)
        held = np.empty((self.channels, arr.shape[1]), np.float32)
        self._write(arr, held)
        return held

    def _write(self, block: np.ndarray, held: np.ndarray | None) -> None:
        if self._handle is None:
            raise AudioFileError(f"{self.path}: BlockWriter.write called outside its 'with' block")
        arr = _as_audio(block, self.path)
        if arr.shape[0] != self.channels:
            raise AudioFileError(f"{self.path}: block has {arr.shape[0]} channels, the file {self.channels}")
        self._buffer = _write_samples(self._handle, arr, self.subtype, self.path, int(self.sample_rate), self.frames,
                                      0, arr.shape[1], self._buffer, held)
        self.frames += arr.shape[1]

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> Literal[False]:
        handle, self._handle = self._handle, None
        atomic, self._atomic = self._atomic, None
        close_error: BaseException | None = None
        try:
            if handle is not None:
                _close_written(handle, self.path)
        except BaseException as raised:  # closing failed: the file is not good, so it must not be renamed
            close_error = raised
        if atomic is None:
            return False
        error = exc if exc is not None else close_error
        if error is None:
            atomic.__exit__(None, None, None)
            return False
        atomic.__exit__(type(error), error, error.__traceback__)  # deletes the temporary file
        if exc is None:
            raise error                 # the close error
        return False
