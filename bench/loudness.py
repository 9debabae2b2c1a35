"""Loudness benchmark: `studioflow analyze` against ffmpeg's ebur128 and pyebur128, as whole processes and warm.

Whole processes, as a user runs them (several runs each, min / median / max wall seconds, speed-up = peer's median
/ ours): `studioflow analyze TENMIN.wav --json` (10 min, stereo, 48 kHz, 24-bit; loudness, LRA, true peak, stats
and octave bands) against `ffmpeg -af ebur128=peak=true` and a Python process running pyebur128 (I + LRA + TP);
then 100 one-second files: one `studioflow analyze *.wav --json` against a shell loop of ffmpeg and one pyebur128
process over all of them. The issue's goals: >= 3x ffmpeg on the 10-minute file, >= 5x the ffmpeg loop.
Then, inside one warm process: our meter against pyloudnorm, pyebur128 and ffmpeg, analyze() with statistics and
spectrum, and the peak memory of analyze() on a 1-hour file (--quick skips these).
A machine busy with other work inflates every wall time: run it on an idle one.
Run: .venv/bin/python bench/loudness.py [--runs 5] [--quick]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import tracemalloc
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).parent))
from common import best_time, music_like, report  # noqa: E402
from startup import ffmpeg_ebur128, print_table, studioflow_command, wall_times  # noqa: E402

from studioflow.analysis.loudness import LoudnessMeter  # noqa: E402
from studioflow.analysis.report import analyze  # noqa: E402
from studioflow.audio.stream import BlockReader  # noqa: E402

SECONDS = 600
RATE = 48000


def ours(path: Path) -> None:
    reader = BlockReader(path, 65536)
    meter = LoudnessMeter(reader.sample_rate, reader.channels)
    for block in reader:
        meter.process(block)
    meter.result()


def pyloudnorm_integrated(path: Path) -> None:
    import pyloudnorm
    data, rate = sf.read(path)
    pyloudnorm.Meter(rate).integrated_loudness(data)


def pyebur128_full(path: Path) -> None:
    import pyebur128
    data, rate = sf.read(path, dtype="float32")
    mode = pyebur128.MeasurementMode
    state = pyebur128.R128State(data.shape[1], rate, mode.MODE_I | mode.MODE_LRA | mode.MODE_TRUE_PEAK)
    state.add_frames(np.ascontiguousarray(data).ravel(), data.shape[0])
    pyebur128.get_loudness_global(state), pyebur128.get_loudness_range(state)
    max(pyebur128.get_true_peak(state, c) for c in range(data.shape[1]))


def ffmpeg_ebur128_run(path: Path) -> None:
    subprocess.run(ffmpeg_ebur128("ffmpeg", path), check=True, capture_output=True)


def peak_memory_mb(path: Path) -> float:
    tracemalloc.start()
    analyze(path)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6


def write_long(path: Path, seconds: int, chunk_s: int = 600) -> None:
    """Write ``seconds`` of music-like audio in 10-minute pieces (so the writer itself stays small)."""
    piece = music_like(chunk_s, RATE)
    with sf.SoundFile(path, "w", RATE, 2, subtype="PCM_24") as f:
        for _ in range(seconds // chunk_s):
            f.write(piece.T)


PYEBUR128_FILES = """import sys, numpy as np, soundfile as sf, pyebur128
mode = pyebur128.MeasurementMode
for path in sys.argv[1:]:
    data, rate = sf.read(path, dtype="float32")
    state = pyebur128.R128State(data.shape[1], rate, mode.MODE_I | mode.MODE_LRA | mode.MODE_TRUE_PEAK)
    state.add_frames(np.ascontiguousarray(data).ravel(), data.shape[0])
    print(pyebur128.get_loudness_global(state), pyebur128.get_loudness_range(state),
          max(pyebur128.get_true_peak(state, c) for c in range(data.shape[1])))
"""


def whole_processes(tmp: Path, runs: int) -> None:
    """The issue's whole-process comparisons: one 10-minute file, then 100 one-second files."""
    ffmpeg = shutil.which("ffmpeg")
    sfw = studioflow_command()
    peer = "ffmpeg -af ebur128=peak=true"
    long = tmp / "tenmin.wav"
    sf.write(long, music_like(SECONDS, RATE).T, RATE, subtype="PCM_24")
    cases = {"studioflow analyze --json": sfw + ["analyze", str(long), "--json"],
             "python + pyebur128 (I+LRA+TP)": [sys.executable, "-c", PYEBUR128_FILES, str(long)]}
    if ffmpeg:
        cases[peer] = ffmpeg_ebur128(ffmpeg, long)
    results = {name: wall_times(cmd, runs) for name, cmd in cases.items()}
    print_table(f"10 min stereo 48 kHz 24-bit WAV, whole processes ({runs} runs each, wall s); goal >= 3x ffmpeg",
                results, peer)
    os.remove(long)

    folder = tmp / "hundred"
    folder.mkdir()
    for i in range(100):
        sf.write(folder / f"take-{i:03d}.wav", music_like(1.0, RATE, seed=i).T, RATE, subtype="PCM_24")
    files = sorted(str(p) for p in folder.iterdir())
    loop = "ffmpeg loop (100 processes)"
    cases = {"studioflow analyze 100 files --json": sfw + ["analyze", *files, "--json"],
             "python + pyebur128, 100 files": [sys.executable, "-c", PYEBUR128_FILES, *files]}
    if ffmpeg:
        cases[loop] = ["bash", "-c", 'for f in "$@"; do "$0" -nostats -hide_banner -i "$f" -af ebur128=peak=true '
                       '-f null - 2>/dev/null || exit 1; done', ffmpeg, *files]
    results = {name: wall_times(cmd, max(1, runs // 2)) for name, cmd in cases.items()}
    print_table(f"100 one-second stereo files, whole processes ({max(1, runs // 2)} runs each, wall s); "
                "goal >= 5x the ffmpeg loop", results, loop)


def warm(tmp: Path) -> None:
    """Inside one process: our meter against the peers, analyze() with stats and spectrum, and peak memory."""
    path = tmp / "music.wav"
    sf.write(path, music_like(SECONDS, RATE).T, RATE, subtype="PCM_24")
    ours(path)                                   # file cache warm-up outside the timing
    t_ours = best_time(lambda: ours(path))
    name = "R128 full (I+LRA+TP+M/S)"
    rows = [(name, t_ours, "pyloudnorm (I only)", best_time(lambda: pyloudnorm_integrated(path), 1)),
            (name, t_ours, "pyebur128 (I+LRA+TP)", best_time(lambda: pyebur128_full(path), 1))]
    if shutil.which("ffmpeg"):
        rows.append((name, t_ours, "ffmpeg ebur128=peak=true", best_time(lambda: ffmpeg_ebur128_run(path), 1)))
    report("Loudness, one warm process: 10 min stereo 48 kHz, PCM_24 WAV (file read included)", rows, SECONDS)
    t_all = best_time(lambda: analyze(path), 1)
    print(f"analyze() with stats and spectrum: {t_all:.3f} s ({SECONDS / t_all:.0f}x realtime)")

    hour = tmp / "hour.wav"
    write_long(hour, 3600)
    os.remove(path)
    print(f"peak traced memory, analyze() of a 1-hour stereo file: {peak_memory_mb(hour):.1f} MB (goal < 300 MB)")


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=5, help="timed runs of each whole process (default 5)")
    ap.add_argument("--quick", action="store_true", help="whole processes only (no warm timings, no 1-hour file)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        whole_processes(Path(tmp), args.runs)
        if not args.quick:
            warm(Path(tmp))


if __name__ == "__main__":
    main()
