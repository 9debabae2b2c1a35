"""The mastering chain as named stages: build processors from decisions, stream audio through them (latency removed),
and fit the gain in front of the true-peak limiter so the master lands on its loudness target."""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from studioflow.dsp.base import Chain, Processor, db_to_gain
from studioflow.dsp.registry import create
from studioflow.mastering.decisions import Stage

LOUDNESS_TOLERANCE_LU = 0.1
MAX_GAIN_ITERATIONS = 6


def build(stages: list[Stage], rate: int) -> list[tuple[str, Processor]]:
    """Processors for the enabled stages, in order; the cleanup high-pass joins the tonal EQ as its first band."""
    out: list[tuple[str, Processor]] = []
    hpf = None
    for s in stages:
        if not s.enabled or s.processor is None or s.name == "loudness":
            continue
        if s.name == "cleanup":
            hpf = {"type": "highpass", **s.settings}
            continue
        if s.processor == "eq":
            bands = [{k: b[k] for k in ("type", "freq", "gain_db", "q")} for b in s.settings["bands"]]
            out.append((s.name, create("eq", rate, bands=([hpf] if hpf else []) + bands)))
            hpf = None
            continue
        params = {k: v for k, v in s.settings.items() if k not in ("predicted_response_db",)}
        out.append((s.name, create(s.processor, rate, **params)))
    if hpf is not None:
        out.insert(0, ("cleanup", create("eq", rate, bands=[hpf])))
    return out


def stream(processor: Processor, blocks: Iterable[np.ndarray], channels: int,
           tap: Callable[[slice], None] | None = None) -> Iterator[np.ndarray]:
    """Run ``blocks`` through ``processor`` and yield output aligned with the input (latency dropped, tail flushed).
    ``tap(kept)``, if given, is called after each ``process`` with the slice of that output block that is kept, so
    per-frame state of the processor (a limiter's gain reduction) can be read aligned with the output."""
    to_drop = processor.latency

    def emit(out: np.ndarray) -> Iterator[np.ndarray]:
        nonlocal to_drop
        cut = min(to_drop, out.shape[1])
        to_drop -= cut
        if tap is not None:
            tap(slice(cut, out.shape[1]))
        if out.shape[1] > cut:
            yield out[:, cut:]

    for block in blocks:
        yield from emit(processor.process(block))
    flush = processor.latency
    while flush > 0:
        n = min(flush, 1 << 16)
        flush -= n
        yield from emit(processor.process(np.zeros((channels, n), dtype=np.float32)))


def chain_of(procs: list[tuple[str, Processor]], rate: int) -> Chain:
    """The stage processors as one Chain (a processor itself)."""
    return Chain([p for _, p in procs], sample_rate=rate)


def limiter_for(stage: Stage, rate: int) -> Processor:
    """The true-peak limiter of the loudness stage."""
    s = stage.settings
    return create("limiter", rate, ceiling_dbtp=s["ceiling_dbtp"], release_ms=s["release_ms"],
                  lookahead_ms=s["lookahead_ms"])


def gained(blocks: Iterable[np.ndarray], gain_db: float) -> Iterator[np.ndarray]:
    """The blocks times ``gain_db``."""
    g = np.float32(db_to_gain(gain_db))
    for b in blocks:
        yield b * g


def fit_gain(pre_path: Path, stage: Stage, rate: int, channels: int, target_lufs: float,
             measure: Callable[[Iterable[np.ndarray]], float | None],
             read: Callable[[Path], Iterable[np.ndarray]],
             progress: Callable[[str, float], None] | None = None,
             max_gain_db: float | None = None) -> tuple[float, list[dict]]:
    """Find the gain before the limiter that makes the limited output measure ``target_lufs`` (secant steps on
    measured loudness, not a prediction), never above ``max_gain_db``. Returns the gain (dB) and the iterations."""
    cap = float("inf") if max_gain_db is None else max_gain_db
    gain = min(stage.settings["gain_db"], cap)
    tried: list[dict] = []
    for i in range(MAX_GAIN_ITERATIONS):
        lim = limiter_for(stage, rate)
        lufs = measure(stream(lim, gained(read(pre_path), gain), channels))
        tried.append({"gain_db": round(gain, 3), "integrated_lufs": lufs})
        if progress:
            progress(f"loudness pass {i + 1}", 0.5 + 0.08 * i)
        if lufs is None:
            break
        err = target_lufs - lufs
        if abs(err) <= LOUDNESS_TOLERANCE_LU or (err > 0 and gain >= cap):
            break
        if len(tried) >= 2 and tried[-2]["integrated_lufs"] is not None:
            g0, l0 = tried[-2]["gain_db"], tried[-2]["integrated_lufs"]
            slope = (lufs - l0) / (gain - g0) if gain != g0 else 1.0
            slope = float(np.clip(slope, 0.2, 1.0))   # a limiter turns 1 dB of gain into 0.2..1 LU
        else:
            slope = 1.0
        gain = min(gain + err / slope, cap)
    best = min(tried, key=lambda t: abs(target_lufs - t["integrated_lufs"]) if t["integrated_lufs"] is not None else 1e9)
    return best["gain_db"], tried
