"""Shared benchmark helpers: timing (best of N, one process), test signals, and a printed comparison table."""

from __future__ import annotations

import time
from typing import Callable

import numpy as np


def best_time(fn: Callable[[], object], repeats: int = 3) -> float:
    """Best wall time of ``repeats`` calls of ``fn``, in seconds."""
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def music_like(seconds: float, rate: int = 48000, channels: int = 2, seed: int = 1) -> np.ndarray:
    """A loud, dynamic, music-like stereo test signal: pink-ish noise with a beat envelope and tones, float32."""
    rng = np.random.default_rng(seed)
    n = int(seconds * rate)
    t = np.arange(n) / rate
    white = rng.standard_normal((channels, n))
    # gentle low-pass tilt (cheap pinking)
    from scipy.signal import lfilter
    pinkish = lfilter([0.05], [1, -0.95], white, axis=1)
    beat = 0.3 + 0.7 * np.exp(-((t * 2.0) % 1.0) * 8.0)
    tones = 0.3 * np.sin(2 * np.pi * 110 * t) + 0.2 * np.sin(2 * np.pi * 440 * t * (1 + 0.001 * np.sin(t)))
    x = pinkish / np.max(np.abs(pinkish)) * beat + tones * 0.5
    x = x / np.max(np.abs(x)) * 0.9
    return np.ascontiguousarray(x, dtype=np.float32)


def report(title: str, rows: list[tuple[str, float, str, float]], seconds_of_audio: float) -> None:
    """Print one table: each row is (ours name, our time s, peer name, peer time s), with x-realtime and the ratio."""
    print(f"\n{title}  ({seconds_of_audio:.0f} s of audio)")
    print(f"{'ours':<28}{'time s':>9}{'x rt':>9}   {'peer':<32}{'time s':>9}{'x rt':>9}{'ratio':>8}")
    for ours, t_ours, peer, t_peer in rows:
        ratio = t_peer / t_ours if t_ours > 0 else float("inf")
        print(f"{ours:<28}{t_ours:>9.3f}{seconds_of_audio / t_ours:>9.0f}   {peer:<32}{t_peer:>9.3f}"
              f"{seconds_of_audio / t_peer:>9.0f}{ratio:>7.2f}x")
