"""The passes automix makes over its stems after measuring them, streamed so that memory stays flat however long the
song: the drums' sum for the tempo (over its first ``TEMPO_MAX_S``), each track through its inserts and pan for its
loudness, and the dry sum of all tracks for the master's headroom.

Each pass reads the stem files afresh (``measure.stem_blocks``, at the song's rate) and cuts them into chunks of the
same size, so the stems stay in step; a stem that ends early adds silence. Processors give the same output in blocks
of any size, so a pass hears what processing the whole stem at once would.

>>> loudness = track_loudness(Path("stems/bass.wav"), 48000, [{"type": "gain", "gain_db": -3.0}], 0.0)  # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterator

import numpy as np

from studioflow.mixing.automix.measure import stem_blocks

if TYPE_CHECKING:
    from studioflow.analysis.tempo import TempoEstimate

CHUNK_FRAMES = 1 << 16      # frames per chunk of every pass (the headroom pass rounds it to whole 50 ms blocks)
PEAK_BLOCK_S = 0.05         # the headroom's "loud moments" are judged on blocks this long
PAN_LAW_DB = -3.0           # as the renderer places a mono track
TEMPO_MAX_S = 600.0         # the tempo is judged on the drums' first 10 minutes: set by then, and the spectral
                            # frames of an hour would take half a gigabyte


class _Chunks:
    """One stem at ``rate`` Hz as chunks of exactly the size asked for, silence after its end."""

    def __init__(self, path: Path, rate: int) -> None:
        blocks, _, self.channels = stem_blocks(path, rate)
        self._blocks: Iterator[np.ndarray] = iter(blocks())
        self._held = np.zeros((self.channels, 0), np.float32)
        self.frames = 0            # frames of the stem delivered so far (not counting the silence after it)
        self.ended = False

    def take(self, n: int) -> np.ndarray:
        """The next ``n`` frames, float32 ``(channels, n)``."""
        parts, have = [self._held[:, :n]], min(n, self._held.shape[1])
        self._held = self._held[:, have:]
        while have < n and not self.ended:
            block = next(self._blocks, None)
            if block is None:
                self.ended = True
                break
            use = min(n - have, block.shape[1])
            parts.append(block[:, :use])
            self._held = block[:, use:]
            have += use
        self.frames += have
        if have < n:
            parts.append(np.zeros((self.channels, n - have), np.float32))
        return np.concatenate(parts, axis=1) if len(parts) > 1 else parts[0]


@dataclass
class DryTrack:
    """A track as the dry sum hears it: its stem, inserts (session specs), pan (-1..1) and fader (dB)."""

    path: Path
    inserts: list[dict[str, Any]]
    pan: float
    fader_db: float = 0.0


class _Strip:
    """A track's inserts and pan, chunk by chunk (stereo float64 out, fader at 0 dB)."""

    def __init__(self, inserts: list[dict[str, Any]], pan: float, rate: int) -> None:
        from studioflow.dsp import registry

        self.pan = pan
        self.chain = [registry.create(spec["type"], rate, **{k: v for k, v in spec.items() if k != "type"})
                      for spec in inserts]

    def process(self, x: np.ndarray) -> np.ndarray:
        """The chunk ``x`` (channels, n) through the inserts and pan."""
        from studioflow.mixing.panning import place

        for proc in self.chain:
            x = proc.process(np.ascontiguousarray(x, dtype=np.float32))
        return place(np.asarray(x, np.float32), 1.0, self.pan, PAN_LAW_DB)


def _in_step(sources: list[_Chunks], chunk: int) -> Iterator[list[np.ndarray]]:
    """Chunks of all ``sources`` side by side until the longest ends (the last chunk cut to its end)."""
    while not all(s.ended for s in sources):
        before = [s.frames for s in sources]
        parts = [s.take(chunk) for s in sources]
        n = max(s.frames - b for s, b in zip(sources, before))
        if n == 0:
            return
        yield [p[:, :n] for p in parts] if n < chunk else parts


def drum_tempo(stems: list[tuple[Path, float]], rate: int) -> TempoEstimate:
    """``analysis.tempo.TempoEstimate`` (BPM and confidence) of the mono sum of ``stems`` ((file, gain in dB) pairs)
    at ``rate`` Hz, over its first ``TEMPO_MAX_S`` seconds."""
    from studioflow.analysis.tempo import SpectralFrames, estimate_tempo, onset_strength

    sources = [_Chunks(path, rate) for path, _ in stems]
    gains = [np.float32(10 ** (gain_db / 20)) for _, gain_db in stems]
    frames, left = SpectralFrames(rate), int(TEMPO_MAX_S * rate)
    for parts in _in_step(sources, CHUNK_FRAMES):
        mix = np.zeros(min(parts[0].shape[1], left), np.float32)
        for x, g in zip(parts, gains):
            mix += x[:, :mix.size].mean(axis=0) * g
        frames.process(mix)
        left -= mix.size
        if left == 0:
            break
    result = frames.result()
    return estimate_tempo(onset_strength(result), result.frame_rate_hz)


def track_loudness(path: Path, rate: int, inserts: list[dict[str, Any]], pan: float) -> float | None:
    """Integrated loudness (LUFS, BS.1770-4) of the stem ``path`` through ``inserts`` and ``pan`` at ``rate`` Hz, as
    the renderer will hear it with the fader at 0 dB; None when it is gated away."""
    from studioflow.analysis.loudness import LoudnessMeter

    source, strip = _Chunks(path, rate), _Strip(inserts, pan, rate)
    meter = LoudnessMeter(rate, 2, true_peak=False)
    for (x,) in _in_step([source], CHUNK_FRAMES):
        meter.process(strip.process(x).astype(np.float32))
    return meter.result().integrated_lufs


def dry_sum_peaks(tracks: list[DryTrack], rate: int, frames: int) -> tuple[np.ndarray, float]:
    """The dry sum of ``tracks`` (inserts, pan and fader) over ``frames`` frames at ``rate`` Hz: the peak of each
    50 ms block (linear; one value, the peak, when the sum is shorter than a block) and its highest sample."""
    hop = max(1, int(PEAK_BLOCK_S * rate))
    chunk = max(1, CHUNK_FRAMES // hop) * hop
    sources = [_Chunks(t.path, rate) for t in tracks]
    strips = [_Strip(t.inserts, t.pan, rate) for t in tracks]
    gains = [10 ** (t.fader_db / 20) for t in tracks]
    block_peaks: list[np.ndarray] = []
    peak, done = 0.0, 0
    while done < frames:
        n = min(chunk, frames - done)
        mix = np.zeros((2, n))
        for source, strip, g in zip(sources, strips, gains):
            mix += strip.process(source.take(n)) * g
        level = np.abs(mix)
        whole = n // hop
        block_peaks.append(level[:, :whole * hop].reshape(2, whole, hop).max(axis=(0, 2)))
        peak = max(peak, float(level.max()))
        done += n
    if frames < hop:
        return np.array([peak]), peak
    return np.concatenate(block_peaks), peak
