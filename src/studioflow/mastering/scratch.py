"""Audio kept between the passes of a master (the decoded mix for the chain, the chain's output for the limiter):
in memory while it fits a budget, the rest spilled to a float WAV scratch file, so a long song still runs in flat
memory while a song of usual length is never written out, read back and decoded again."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Iterable, Iterator

import numpy as np

from studioflow.audio.debris import hidden_file
from studioflow.audio.stream import BlockReader, BlockWriter
from studioflow.mastering.parallel import Beside

#: bytes of float32 samples one store keeps in memory: ~6 minutes of 44.1 kHz stereo (3 minutes take 64 MB); two
#: stores are alive at a time, so a master holds at most ~256 MB of audio however long the song
MEMORY_BYTES = 128 << 20
SPILL_BLOCK = 1 << 16


def hidden_wav(folder: Path, stem: str) -> Path:
    """A new, empty, hidden scratch file ``.STEM-XXXXXXXX.PID.tmp.wav`` in ``folder`` (its name reserved by mkstemp;
    removed by the next run in the folder if this process dies before it does)."""
    return hidden_file(folder, stem, ".wav", kind="tmp")


class Scratch:
    """``put(block)`` float32 ``(channels, n)`` blocks in order (kept as they are: do not change them afterwards),
    ``done()``, then ``blocks(gain_db)`` gives them back in order, times the gain, as often as wanted. Blocks past
    ``memory_bytes`` (default ``MEMORY_BYTES``) go to a hidden scratch file in ``folder`` (written in a thread beside
    the caller, not synced to disk). A context manager: leaving it lets go of the blocks and deletes the file."""

    def __init__(self, folder: Path, stem: str, rate: int, channels: int, memory_bytes: int | None = None) -> None:
        self.folder, self.stem = Path(folder), stem
        self.rate, self.channels = int(rate), int(channels)
        self.memory_bytes = MEMORY_BYTES if memory_bytes is None else int(memory_bytes)
        self.frames = 0
        self.path: Path | None = None           # the scratch file, once something spills
        self._held: list[np.ndarray] = []
        self._held_bytes = 0
        self._writer: BlockWriter | None = None
        self._spill: Beside | None = None
        self._spilled_sizes: list[int] = []     # given back in the sizes they were put (so results never depend on it)

    def put(self, block: np.ndarray) -> None:
        """Keep the next block (an empty one is not kept)."""
        if block.shape[1] == 0:
            return
        if self.path is None and self._held_bytes + block.nbytes <= self.memory_bytes:
            self._held.append(block)
            self._held_bytes += block.nbytes
        else:
            if self.path is None:
                self.path = hidden_wav(self.folder, self.stem)
                self._writer = BlockWriter(self.path, self.rate, self.channels, subtype="FLOAT", scratch=True)
                self._writer.__enter__()
                self._spill = Beside(self._writer.write)
            assert self._spill is not None              # made with the scratch file
            self._spill.put(block)
            self._spilled_sizes.append(block.shape[1])
        self.frames += block.shape[1]

    def done(self) -> None:
        """Finish the scratch file (if anything spilled); raise what writing it raised."""
        writer, self._writer = self._writer, None
        if writer is None:
            return
        assert self._spill is not None                  # made with the writer
        try:
            self._spill.close()
        except BaseException as exc:
            writer.__exit__(type(exc), exc, exc.__traceback__)
            raise
        writer.__exit__(None, None, None)

    def blocks(self, gain_db: float = 0.0) -> Iterator[np.ndarray]:
        """The blocks in order times ``gain_db`` (new arrays; at 0 dB the kept blocks themselves, not to be changed)."""
        g = np.float32(10.0 ** (gain_db / 20.0))
        for b in self._held:
            yield b * g if gain_db else b
        if self.path is not None:
            for b in _in_sizes(BlockReader(self.path, SPILL_BLOCK), self._spilled_sizes):
                if gain_db:
                    b *= g
                yield b

    def release(self) -> None:
        """Let go of the blocks and delete the scratch file."""
        self._held, self._held_bytes = [], 0
        if self._writer is not None:                         # left before done(): the writer deletes its temporary
            error = RuntimeError("scratch store released before it was done")
            assert self._spill is not None              # made with the writer
            with contextlib.suppress(BaseException):
                self._spill.close()
            self._writer.__exit__(RuntimeError, error, None)
            self._writer = None
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                self.path.unlink()

    def __enter__(self) -> "Scratch":
        return self

    def __exit__(self, kind, value, tb) -> None:
        self.release()


def _in_sizes(blocks: Iterable[np.ndarray], sizes: list[int]) -> Iterator[np.ndarray]:
    """The frames of ``blocks`` regrouped into new blocks of ``sizes`` frames."""
    pending: list[np.ndarray] = []
    held = 0
    source = iter(blocks)
    for size in sizes:
        while held < size:
            b = next(source)
            pending.append(b)
            held += b.shape[1]
        whole = np.concatenate(pending, axis=1) if len(pending) > 1 else pending[0]
        yield np.ascontiguousarray(whole[:, :size])
        rest = whole[:, size:]
        pending, held = ([rest] if rest.shape[1] else []), rest.shape[1]
