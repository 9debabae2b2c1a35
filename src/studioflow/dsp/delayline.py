"""A whole-sample delay line with state for (channels, n) blocks: one delay for all channels or one per channel.

Used for lookahead (dynamics), time alignment between channels (stereo) and delay compensation (mixing). The output
does not depend on how the signal is cut into blocks.

>>> line = DelayLine(2, channels=1)
>>> line.process(np.array([[1.0, 2.0, 3.0]], dtype=np.float32)).tolist()
[[0.0, 0.0, 1.0]]
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from studioflow.errors import ParameterError


class DelayLine:
    """Delay every channel by ``frames`` (int, or one per channel) whole samples; the history is kept in ``dtype``."""

    def __init__(self, frames: int | Sequence[int], channels: int = 2, dtype: type | np.dtype = np.float32) -> None:
        per_channel = [int(frames)] * channels if isinstance(frames, (int, np.integer)) else [int(f) for f in frames]
        if len(per_channel) != channels or min(per_channel, default=0) < 0:
            raise ParameterError(f"delay line: need {channels} delays of 0 frames or more; got {frames!r}")
        self.frames = per_channel
        self.keep = max(per_channel, default=0)
        self.history = np.zeros((channels, self.keep), dtype=dtype)

    def process(self, block: np.ndarray) -> np.ndarray:
        """Return ``block`` delayed (a new C-contiguous array; ``block`` itself when every delay is 0)."""
        if self.keep == 0:
            return block
        n = block.shape[1]
        joined = np.concatenate([self.history, block], axis=1)
        out = np.empty((block.shape[0], n), dtype=joined.dtype)
        for c, d in enumerate(self.frames):
            out[c] = joined[c, self.keep - d:self.keep - d + n]
        self.history = joined[:, n:].copy()
        return out
