"""Start-up benchmark: whole processes, as a user runs them, beside ffmpeg's ebur128 on the same one-second file.

Times `studioflow --help`, `studioflow --version` and `studioflow analyze FILE --json` (a 1-second stereo 48 kHz
24-bit WAV unless --file is given) against `ffmpeg -af ebur128=peak=true` of the same file: several runs each,
min / median / max wall seconds, and the speed-up (ffmpeg's median / ours). The issue's goal is a fixed cost under
0.3 s (`analyze` of a 1-second file); the last column says whether the median meets it. A machine busy with other
work inflates every wall time: run it on an idle one.

Example:
    .venv/bin/python bench/startup.py                 # 7 runs of each command
    .venv/bin/python bench/startup.py --runs 15 --file take.wav
"""

from __future__ import annotations

import argparse
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import soundfile as sf

GOAL_S = 0.3
RATE = 48000


def one_second_wav(path: Path) -> Path:
    """Write a 1-second stereo 48 kHz 24-bit WAV of two tones and a little noise at ``path``."""
    t = np.arange(RATE) / RATE
    noise = np.random.default_rng(1).standard_normal((2, RATE)) * 0.01
    audio = np.stack([0.4 * np.sin(2 * np.pi * 220 * t), 0.3 * np.sin(2 * np.pi * 1000 * t)]) + noise
    sf.write(path, audio.T.astype(np.float32), RATE, subtype="PCM_24")
    return path


def wall_times(argv: list[str], runs: int) -> tuple[list[float], list[float]]:
    """Wall seconds and CPU seconds (user + system, the process and its children) of ``runs`` whole-process runs of
    ``argv``, after one untimed warm-up run (which fills the OS's file cache); a failing run stops the benchmark."""
    subprocess.run(argv, check=True, capture_output=True)
    walls, cpus = [], []
    for _ in range(runs):
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        walls.append(time.perf_counter() - t0)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpus.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return walls, cpus


def studioflow_command() -> list[str]:
    """The `studioflow` script beside this interpreter (the venv's), else the module run by this interpreter."""
    script = Path(sys.executable).with_name("studioflow")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studioflow.cli.main"]


def ffmpeg_ebur128(ffmpeg: str, path: Path) -> list[str]:
    """The ffmpeg command measuring ``path`` as `analyze` does: integrated, LRA and true peak (ebur128=peak=true)."""
    return [ffmpeg, "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null", "-"]


def print_table(title: str, results: dict[str, tuple[list[float], list[float]]], peer: str | None,
                goal_s: float | None = None) -> None:
    """One table of whole-process times: min / median / max wall seconds per command and the median CPU seconds
    (user + system), each with the ``peer``'s median over ours (above 1: faster than the peer); with ``goal_s``,
    whether the median wall time is under it. On a machine busy with other work the CPU column is the steadier one."""
    ref = results.get(peer)
    ref_wall, ref_cpu = (statistics.median(ref[0]), statistics.median(ref[1])) if ref else (None, None)
    print(title)
    goal_head = f"  under {goal_s} s" if goal_s else ""
    print(f"{'command':<40}{'min':>8}{'median':>8}{'max':>8}{'speed-up':>10}{'cpu s':>8}{'cpu x':>8}{goal_head}")
    for name, (walls, cpus) in results.items():
        wall, cpu = statistics.median(walls), statistics.median(cpus)
        ratio = f"{ref_wall / wall:>9.2f}x" if ref_wall else f"{'-':>10}"
        cpu_ratio = f"{ref_cpu / cpu:>7.2f}x" if ref_cpu and cpu > 0 else f"{'-':>8}"
        goal = ("  yes" if wall < goal_s else "  no") if goal_s else ""
        print(f"{name:<40}{min(walls):>8.3f}{wall:>8.3f}{max(walls):>8.3f}{ratio}{cpu:>8.3f}{cpu_ratio}{goal}")
    if ref is None:
        print("(peer not found: no ratios)")
    print()


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one table; returns the exit code."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="timed runs per command (default 7)")
    ap.add_argument("--file", type=Path, default=None, help="audio file to analyze (default: a generated 1-second WAV)")
    args = ap.parse_args(argv)
    ffmpeg = shutil.which("ffmpeg")
    peer = "ffmpeg -af ebur128=peak=true"
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or one_second_wav(Path(tmp) / "one-second.wav")
        sfw = studioflow_command()
        cases = [("studioflow --help", sfw + ["--help"]),
                 ("studioflow --version", sfw + ["--version"]),
                 ("studioflow analyze --json", sfw + ["analyze", str(path), "--json"])]
        if ffmpeg:
            cases.append((peer, ffmpeg_ebur128(ffmpeg, path)))
        results = {name: wall_times(cmd, args.runs) for name, cmd in cases}
    print_table(f"start-up, whole processes ({args.runs} runs each, wall s; file: {path.name})", results, peer, GOAL_S)
    return 0


if __name__ == "__main__":
    sys.exit(main())
