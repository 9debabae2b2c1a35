"""The click: one bar of metronome clicks (accented downbeat), looped on an output channel during count-in and takes."""

from __future__ import annotations

import numpy as np

from studioflow.errors import ParameterError


def click_bar(tempo_bpm: float, rate: int, *, beats_per_bar: int = 4, level_dbfs: float = -6.0,
              click_ms: float = 25.0) -> np.ndarray:
    """One bar of clicks, float32 1-D: a 1.5 kHz blip on the downbeat, 1 kHz on other beats, decay in ``click_ms``."""
    if not 20 <= tempo_bpm <= 400:
        raise ParameterError(f"tempo {tempo_bpm} BPM: must be 20..400")
    beat = int(round(rate * 60.0 / tempo_bpm))
    bar = np.zeros(beat * beats_per_bar, dtype=np.float32)
    n = min(int(rate * click_ms / 1000), beat)
    t = np.arange(n) / rate
    env = np.exp(-t / (click_ms / 1000 / 5)).astype(np.float32) * 10 ** (level_dbfs / 20)
    for b in range(beats_per_bar):
        freq = 1500.0 if b == 0 else 1000.0
        bar[b * beat: b * beat + n] = env * np.sin(2 * np.pi * freq * t)
    return bar


class Playback:
    """What goes to the outputs, frame-exact: the looping click on one channel and a mix from the recording's start.

    ``fill(out, pos)`` writes frames ``pos .. pos + len(out)`` of the output timeline into ``out`` (frames, channels);
    it only indexes precomputed arrays, so it is safe to call from the audio callback.
    """

    def __init__(self, channels: int, *, click: np.ndarray | None = None, click_channel: int = 1,
                 click_until: int | None = None, mix: np.ndarray | None = None, mix_start: int = 0) -> None:
        self.channels = channels
        self.click, self.click_channel, self.click_until = click, click_channel - 1, click_until
        self.mix, self.mix_start = mix, mix_start          # mix: (frames, mix_channels)

    def fill(self, out: np.ndarray, pos: int) -> None:
        """Output frames from ``pos`` into ``out`` (frames, channels)."""
        out.fill(0)
        n = len(out)
        if self.click is not None and (self.click_until is None or pos < self.click_until):
            idx = (np.arange(pos, pos + n)) % len(self.click)
            c = self.click[idx]
            if self.click_until is not None:
                c = np.where(np.arange(pos, pos + n) < self.click_until, c, 0)
            out[:, self.click_channel] += c
        if self.mix is not None:
            a, b = pos - self.mix_start, pos - self.mix_start + n
            lo, hi = max(a, 0), min(b, len(self.mix))
            if hi > lo:
                k = min(self.mix.shape[1], self.channels)
                out[lo - a:hi - a, :k] += self.mix[lo:hi, :k]
