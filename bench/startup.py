"""Start-up benchmark: whole processes, as a user runs them, beside ffmpeg's ebur128 on the same one-second file.

Times `studioflow --help`, `studioflow --version` and `studioflow analyze FILE --json` (a 1-second stereo 48 kHz
24-bit WAV unless --file is given) against `ffmpeg -af ebur128=peak=true` of the same file: several runs each,
min / median / max wall seconds, and the ratio of medians to ffmpeg's. The issue's goal is a fixed cost under
0.3 s (`analyze` of a 1-second file); the last column says whether the median meets it.

Example:
    .venv/bin/python bench/startup.py                 # 7 runs of each command
    .venv/bin/python bench/startup.py --runs 15 --file take.wav
"""

from __future__ import annotations

import argparse
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


def wall_times(argv: list[str], runs: int) -> list[float]:
    """Wall seconds of ``runs`` whole-process runs of ``argv`` (after one untimed warm-up run, which also fills
    numba's cache and the OS's file cache); a failing run stops the benchmark."""
    subprocess.run(argv, check=True, capture_output=True)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - t0)
    return times


def studioflow_command() -> list[str]:
    """The `studioflow` script beside this interpreter (the venv's), else the module run by this interpreter."""
    script = Path(sys.executable).with_name("studioflow")
    return [str(script)] if script.exists() else [sys.executable, "-m", "studioflow.cli.main"]


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print one table; returns the exit code."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7, help="timed runs per command (default 7)")
    ap.add_argument("--file", type=Path, default=None, help="audio file to analyze (default: a generated 1-second WAV)")
    args = ap.parse_args(argv)
    ffmpeg = shutil.which("ffmpeg")
    with tempfile.TemporaryDirectory() as tmp:
        path = args.file or one_second_wav(Path(tmp) / "one-second.wav")
        sfw = studioflow_command()
        cases = [("studioflow --help", sfw + ["--help"]),
                 ("studioflow --version", sfw + ["--version"]),
                 ("studioflow analyze --json", sfw + ["analyze", str(path), "--json"])]
        if ffmpeg:
            cases.append(("ffmpeg -af ebur128=peak=true", [ffmpeg, "-nostats", "-hide_banner", "-i", str(path),
                                                           "-af", "ebur128=peak=true", "-f", "null", "-"]))
        results = {name: wall_times(cmd, args.runs) for name, cmd in cases}
    peer = statistics.median(results["ffmpeg -af ebur128=peak=true"]) if ffmpeg else None
    print(f"start-up, whole processes ({args.runs} runs each, wall s; file: {path.name})")
    print(f"{'command':<32}{'min':>8}{'median':>8}{'max':>8}{'/ ffmpeg':>10}  under {GOAL_S} s")
    for name, times in results.items():
        med = statistics.median(times)
        ratio = f"{med / peer:>9.1f}x" if peer else f"{'-':>10}"
        goal = "yes" if med < GOAL_S else "no"
        print(f"{name:<32}{min(times):>8.3f}{med:>8.3f}{max(times):>8.3f}{ratio}  {goal}")
    if not ffmpeg:
        print("ffmpeg not found: no ratios")
    return 0


if __name__ == "__main__":
    sys.exit(main())
