"""Songs for the catalog tests, built in code: drums, a bass pad and a lead at a chosen loudness, some with overs."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from music_signals import song

from studioflow.analysis.loudness import integrated_loudness
from studioflow.audio.files import write

RATE = 44100


def make_song(path: Path, seconds: float, lufs: float, *, seed: int = 0, overs_db: float = 0.0) -> Path:
    """A stereo song of ``seconds`` at about ``lufs`` LUFS (float WAV); ``overs_db`` > 0 lifts its loudest drum hits
    until they peak that far over full scale (the file is float, so the overs are kept)."""
    rng = np.random.default_rng(seed)
    mono = song([(0.0, seconds, "full", 1.0)], bpm=100.0 + 10 * seed, rate=RATE)
    right = np.roll(mono, int(rng.integers(5, 40)))
    audio = np.stack([mono, 0.9 * right + 0.05 * rng.standard_normal(mono.size).astype(np.float32) * mono.std()])
    for _ in range(3 if overs_db > 0 else 1):
        audio *= np.float32(10 ** ((lufs - integrated_loudness(audio, RATE)) / 20))
        if overs_db > 0:
            peak = np.abs(audio).max(axis=0)
            hits = peak > 0.5 * peak.max()
            audio[:, hits] *= np.float32(10 ** (overs_db / 20) / peak.max())
    write(path, np.ascontiguousarray(audio, dtype=np.float32), RATE, subtype="FLOAT")
    return path
