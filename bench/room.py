"""How exactly the room measurement reads a room: error distributions on rooms made with known decays, a mode and a
reflection, measured through the whole chain but the interface (sweep -> the room's response -> background noise
-> inverse filter -> ISO 3382 figures).

Each room is ``tests/recording/room/planted_room``'s response with its decay times scaled (0.5-1.6 x: T30 from
0.18 to 1.6 s), a mode at a random frequency (35-150 Hz, ringing as long as
the room does there, so each band's planted T30 stays the truth) and a reflection at a random delay (1.5-20 ms),
heard at four positions (four noise seeds), with background noise 40-60 dB under the sweep.
Errors are what it reports minus what was planted. The peer on the same responses is pyroomacoustics'
``experimental.measure_rt60`` (Schroeder integral and a line over -5..-35 dB), given each octave band through our
band filter (it has none of its own) and the same start point; it has no noise handling, so a noise floor shows.
Speed is a warm call (one process, responses in memory), per response.

    python bench/room.py                  # 8 rooms
    python bench/room.py --rooms 20 --json bench/out/room.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np
from scipy.signal import fftconvolve

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests" / "recording" / "room"))

from planted_room import DIRECT_MS, RATE, T30_S, planted_ir, t30_at  # noqa: E402

from studioflow.recording.room import decay  # noqa: E402
from studioflow.recording.room.analyze import analyze_irs  # noqa: E402
from studioflow.recording.room.sweep import deconvolve, make_sweep  # noqa: E402

POSITIONS = 4


def measured(ir: np.ndarray, sweep, rng: np.random.Generator, noise_db: float) -> np.ndarray:
    """The response as a measurement gets it: the sweep through it, plus noise ``noise_db`` under the sweep."""
    heard = fftconvolve(sweep.signal.astype(np.float64), ir)
    heard += 10 ** ((sweep.level_dbfs + noise_db) / 20) * rng.standard_normal(len(heard))
    return deconvolve(heard[None, :], sweep, ir_s=len(ir) / RATE)[0]


def peer_t30(ir: np.ndarray, band_hz: float) -> float | None:
    """pyroomacoustics' T30 of one octave band (our band filter, the ISO start point)."""
    from pyroomacoustics.experimental import measure_rt60

    x = np.asarray(ir, dtype=np.float64)
    band = decay.octave(x[decay.start_index(x):], RATE, band_hz)
    try:
        return float(measure_rt60(band, fs=RATE, decay_db=30))
    except Exception:       # its fit fails on a curve that never reaches -35 dB
        return None


def run(rooms: int, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    sweep = make_sweep(RATE, duration_s=3.0)
    errors = {"t30_pct": {b: [] for b in T30_S}, "peer_t30_pct": {b: [] for b in T30_S}, "mode_hz": [],
              "mode_decay_pct": [], "reflection_ms": [], "direct_ms": []}
    ours_s, peer_s, missed = 0.0, 0.0, 0
    for k in range(rooms):
        scale, mode_hz = rng.uniform(0.5, 1.6), rng.uniform(35, 150)
        refl_ms, noise_db = rng.uniform(1.5, 20), -rng.uniform(40, 60)
        ring_s = round(scale * t30_at(mode_hz), 3)
        irs = [measured(planted_ir(seed=100 * k + p, t30_scale=round(scale, 3), mode_hz=round(mode_hz, 2),
                                   reflection_ms=round(refl_ms, 3), length_s=max(1.6, 1.9 * scale), mode_t60_s=ring_s),
                        sweep, rng, noise_db) for p in range(POSITIONS)]
        t0 = time.perf_counter()
        result = analyze_irs(irs, RATE)
        ours_s += time.perf_counter() - t0
        for band in result["bands"]:
            truth = T30_S[int(band["band_hz"])] * scale
            if band["t30_s"] is not None:
                errors["t30_pct"][int(band["band_hz"])].append(100 * (band["t30_s"] / truth - 1))
            t0 = time.perf_counter()
            peers = [peer_t30(ir, band["band_hz"]) for ir in irs]
            peer_s += time.perf_counter() - t0
            peers = [p for p in peers if p]
            if peers:
                errors["peer_t30_pct"][int(band["band_hz"])].append(100 * (np.mean(peers) / truth - 1))
        near = [m for m in result["modes"] if abs(m["freq_hz"] - mode_hz) < 5]
        if near:
            errors["mode_hz"].append(near[0]["freq_hz"] - mode_hz)
            if near[0]["decay_s"]:
                errors["mode_decay_pct"].append(100 * (near[0]["decay_s"] / ring_s - 1))
        else:
            missed += 1
        for position in result["reflections"]:
            close = [r for r in position if abs(r["delay_ms"] - refl_ms) < 1]
            if close:
                errors["reflection_ms"].append(close[0]["delay_ms"] - refl_ms)
        errors["direct_ms"].extend(d - DIRECT_MS for d in result["direct_ms"])
    return {"rooms": rooms, "errors": errors, "modes_missed": missed,
            "ours_s_per_response": ours_s / (rooms * POSITIONS),
            "peer_s_per_response": peer_s / (rooms * POSITIONS)}


def _row(name: str, values: list[float]) -> str:
    a = np.abs(np.asarray(values, dtype=float))
    if not len(a):
        return f"| {name} | - | - | - | 0 |"
    return f"| {name} | {np.median(a):.2f} | {np.percentile(a, 90):.2f} | {a.max():.2f} | {len(a)} |"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rooms", type=int, default=8)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    out = run(args.rooms, args.seed)
    e = out["errors"]
    print("| measured (|error|) | median | 90th pct | max | n |\n|---|---|---|---|---|")
    for band in T30_S:
        print(_row(f"T30 {band} Hz (%), ours", e["t30_pct"][band]))
        print(_row(f"T30 {band} Hz (%), pyroomacoustics", e["peer_t30_pct"][band]))
    print(_row("mode frequency (Hz)", e["mode_hz"]))
    print(_row("mode ringing (%)", e["mode_decay_pct"]))
    print(_row("reflection delay (ms)", e["reflection_ms"]))
    print(_row("direct sound (ms)", e["direct_ms"]))
    print(f"modes missed: {out['modes_missed']} of {out['rooms']}; warm call per response: ours "
          f"{out['ours_s_per_response']:.3f} s (all figures), pyroomacoustics {out['peer_s_per_response']:.3f} s "
          "(T30 of 8 bands)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
