"""Loudness benchmark: our full R128 analysis against pyloudnorm, pyebur128 and ffmpeg's ebur128 on the same file.

Ours: integrated + LRA + true peak + momentary/short-term series, streaming the file in blocks (file read included).
Peers: pyloudnorm (integrated only), pyebur128 (integrated + LRA + true peak), ffmpeg -af ebur128=peak=true.
Also: analyze() with statistics and spectrum, peak memory of a 1-hour file, and the CLI's start-up time.
Run: .venv/bin/python bench/loudness.py
"""

from __future__ import annotations

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


def ffmpeg_ebur128(path: Path) -> None:
    subprocess.run(["ffmpeg", "-nostats", "-hide_banner", "-i", str(path), "-af", "ebur128=peak=true", "-f", "null",
                    "-"], check=True, capture_output=True)


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


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "music.wav"
        sf.write(path, music_like(SECONDS, RATE).T, RATE, subtype="PCM_24")
        ours(path)                                   # numba compile / cache load outside the timing
        t_ours = best_time(lambda: ours(path))
        rows = [("R128 full (I+LRA+TP+M/S)", t_ours, "pyloudnorm (I only)", best_time(lambda: pyloudnorm_integrated(path), 1)),
                ("R128 full (I+LRA+TP+M/S)", t_ours, "pyebur128 (I+LRA+TP)", best_time(lambda: pyebur128_full(path), 1))]
        if shutil.which("ffmpeg"):
            rows.append(("R128 full (I+LRA+TP+M/S)", t_ours, "ffmpeg ebur128=peak=true", best_time(lambda: ffmpeg_ebur128(path), 1)))
        report("Loudness: 10 min stereo 48 kHz, PCM_24 WAV (file read included)", rows, SECONDS)
        fastest = min(r[3] for r in rows)
        print(f"fastest peer / ours: {fastest / t_ours:.2f}x (goal >= 3x)")
        t_all = best_time(lambda: analyze(path), 1)
        print(f"analyze() with stats and spectrum: {t_all:.3f} s ({SECONDS / t_all:.0f}x realtime)")

        hour = Path(tmp) / "hour.wav"
        write_long(hour, 3600)
        os.remove(path)
        print(f"peak traced memory, analyze() of a 1-hour stereo file: {peak_memory_mb(hour):.1f} MB (goal < 300 MB)")

    exe = Path(sys.executable).parent / "studioflow"
    t_help = best_time(lambda: subprocess.run([str(exe), "analyze", "--help"], check=True, capture_output=True), 3)
    print(f"CLI start-up (studioflow analyze --help): {t_help * 1000:.0f} ms")


if __name__ == "__main__":
    main()
