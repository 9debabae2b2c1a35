"""bench/mix.py: a 24-track session rendered by studioflow and by the same chain built from pedalboard plugins.

Each stereo track: a 4-band EQ (high-pass, two peaks, high shelf) and a compressor, a fader and pan, post-fader sends
to a reverb return and a delay return; master EQ and limiter. studioflow streams the session from the source files to
the mix file (both cores); the peer reads the same files, runs pedalboard per track, sums in numpy, runs the returns
and the master, and writes the mix. Both include reading and writing. One process; ``--repeats`` runs taken in turns
with the peer (best wall time, spread, CPU seconds); ``--one-worker`` also renders on one worker.
Run: ``.venv/bin/python bench/mix.py [--seconds 240] [--tracks 24] [--repeats 3] [--one-worker]``.
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, os.path.dirname(__file__))

from common import music_like  # noqa: E402

RATE = 48000
SOURCES = 4


def track_settings(i: int) -> dict:
    """Per-track settings shared by both builds."""
    return {"gain_db": -12.0 - (i % 5), "pan": ((i % 7) - 3) / 4.0, "hp": 40.0 + 10 * (i % 4),
            "p1": 1000.0 + 50 * i, "p2": 2500.0 + 100 * i, "shelf": 8000.0, "thr": -24.0 + (i % 3)}


def write_session(folder: Path, tracks: int) -> Path:
    lines = ["session: bench", f"sample_rate: {RATE}", "tempo: 120", "tracks:"]
    for i in range(tracks):
        s = track_settings(i)
        lines += [f"  - name: t{i:02d}", f"    source: src{i % SOURCES}.wav", f"    gain_db: {s['gain_db']}",
                  f"    pan: {s['pan']}", "    inserts:",
                  f"      - {{type: eq, bands: [{{type: highpass, freq: {s['hp']}, slope: 12}}, "
                  f"{{type: peak, freq: {s['p1']}, gain_db: -2, q: 1.0}}, "
                  f"{{type: peak, freq: {s['p2']}, gain_db: 2, q: 1.2}}, "
                  f"{{type: highshelf, freq: {s['shelf']}, gain_db: 1.5}}]}}",
                  f"      - {{type: compressor, threshold_db: {s['thr']}, ratio: 3, attack_ms: 5, release_ms: 80}}",
                  "    sends: [{bus: verb, level_db: -18}, {bus: echo, level_db: -22}]"]
    lines += ["buses:",
              "  - {name: verb, inserts: [{type: reverb, decay_s: 1.8, predelay_ms: 20, mix: 1.0}]}",
              "  - {name: echo, inserts: [{type: delay, time_ms: 375, feedback: 0.3, mix: 1.0}]}",
              "master:",
              "  inserts: [{type: eq, bands: [{type: lowshelf, freq: 100, gain_db: 1}, "
              "{type: highshelf, freq: 10000, gain_db: 1}]}, {type: limiter, ceiling_dbtp: -1.0}]"]
    path = folder / "mix.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def pedalboard_build(folder: Path, tracks: int, seconds: float, out: Path) -> None:
    """The same mix with pedalboard plugins, summed in numpy."""
    import pedalboard as pb
    sources = [sf.read(folder / f"src{k}.wav", dtype="float32")[0].T.copy() for k in range(SOURCES)]
    n = sources[0].shape[1]
    mix = np.zeros((2, n), dtype=np.float32)
    verb_in = np.zeros((2, n), dtype=np.float32)
    echo_in = np.zeros((2, n), dtype=np.float32)
    for i in range(tracks):
        s = track_settings(i)
        board = pb.Pedalboard([pb.HighpassFilter(s["hp"]), pb.PeakFilter(s["p1"], -2, 1.0),
                               pb.PeakFilter(s["p2"], 2, 1.2), pb.HighShelfFilter(s["shelf"], 1.5),
                               pb.Compressor(threshold_db=s["thr"], ratio=3, attack_ms=5, release_ms=80)])
        y = board(sources[i % SOURCES], RATE)
        g = 10 ** (s["gain_db"] / 20)
        left, right = min(1.0, 1.0 - s["pan"]), min(1.0, 1.0 + s["pan"])
        post = np.stack([y[0] * (g * left), y[1] * (g * right)])
        mix += post
        verb_in += post * np.float32(10 ** (-18 / 20))
        echo_in += post * np.float32(10 ** (-22 / 20))
    mix += pb.Pedalboard([pb.Reverb(room_size=0.7, wet_level=1.0, dry_level=0.0)])(verb_in, RATE)
    mix += pb.Pedalboard([pb.Delay(delay_seconds=0.375, feedback=0.3, mix=1.0)])(echo_in, RATE)
    master = pb.Pedalboard([pb.LowShelfFilter(100, 1), pb.HighShelfFilter(10000, 1), pb.Limiter(-1.0)])
    sf.write(out, master(mix, RATE).T, RATE, subtype="FLOAT")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=240.0)
    parser.add_argument("--tracks", type=int, default=24)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--one-worker", action="store_true", help="also render on one worker (the parallel gain)")
    args = parser.parse_args()
    from studioflow.mixing import load_session, render

    walls: dict[str, list[float]] = {}
    cpus: dict[str, list[float]] = {}

    def timed(key: str, fn) -> object:
        c0, t0 = time.process_time(), time.perf_counter()
        result = fn()
        walls.setdefault(key, []).append(time.perf_counter() - t0)
        cpus.setdefault(key, []).append(time.process_time() - c0)
        return result

    with tempfile.TemporaryDirectory(dir=os.environ.get("BENCH_TMP")) as tmp:
        folder = Path(tmp)
        for k in range(SOURCES):
            sf.write(folder / f"src{k}.wav", music_like(args.seconds, RATE, 2, seed=k).T, RATE, subtype="FLOAT")
        session = load_session(write_session(folder, args.tracks))
        warm = folder / "warm.yaml"   # compile numba kernels (or load their cache) outside the timing
        warm.write_text(session.path.read_text().replace("source: src", "regions: [{length: 1, file: src")
                        .replace(".wav\n", ".wav}]\n"))
        render(load_session(warm), folder / "warm.wav", meter=False)
        rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        report: dict = {}
        for _ in range(args.repeats):      # in turns, so both see the same load on a shared machine
            report = timed("ours", lambda: render(session, folder / "ours.wav", meter=False))
            if args.one_worker:
                timed("ours1", lambda: render(session, folder / "ours1.wav", meter=False, workers=1))
            timed("peer", lambda: pedalboard_build(folder, args.tracks, args.seconds, folder / "peer.wav"))
        rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    audio_s = report["duration_s"]
    print(f"\nbench/mix.py: {args.tracks} stereo tracks x {args.seconds:.0f} s at {RATE} Hz "
          f"(4-band EQ + compressor each, reverb and delay returns, master EQ + limiter), {os.cpu_count()} cores, "
          f"best of {args.repeats} in turns")
    print(f"{'':<26}{'best s':>8}{'spread s':>15}{'x realtime':>12}{'cpu s':>8}")
    names = {"ours": "studioflow render", "ours1": "studioflow, one worker", "peer": "pedalboard + numpy"}
    for key, name in names.items():
        if key in walls:
            seconds = args.seconds if key == "peer" else audio_s
            print(f"{name:<26}{min(walls[key]):>8.2f}{f'{min(walls[key]):.2f}..{max(walls[key]):.2f}':>15}"
                  f"{seconds / min(walls[key]):>12.1f}{min(cpus[key]):>8.2f}")
    ratio = (audio_s / min(walls["ours"])) / (args.seconds / min(walls["peer"]))
    print(f"ratio (studioflow x realtime / pedalboard x realtime): {ratio:.2f}x wall, "
          f"{min(cpus['peer']) / min(cpus['ours']) * audio_s / args.seconds:.2f}x cpu "
          f"(studioflow also renders {audio_s - args.seconds:.1f} s of tail; peak RSS {rss1:.0f} MB, "
          f"{rss0:.0f} MB before)")


if __name__ == "__main__":
    main()
