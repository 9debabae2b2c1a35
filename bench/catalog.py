"""bench/catalog.py: loudness-normalize a catalog of generated songs with ``studioflow batch normalize`` (Dask, a
LocalCluster of one worker process per core), with ffmpeg-normalize (EBU R128 mode, -14 LUFS, -1 dBTP, two passes of
FFmpeg's loudnorm per file) and with a plain loop of ``studioflow master``, on the same files, in one script.

Every time is whole-process wall time (start-up, cluster start, imports and all), so the ratios are what a user
waits. Each output is then checked by independent meters, not studioflow's: pyloudnorm for loudness (+-0.5 LU of
the target) and scipy ``resample_poly`` by 8 then max |x| for the true peak (under the -1 dBTP ceiling).
The songs: 30 s of 44.1 kHz stereo music-like signal (``common.music_like``, ten seeds, each song shifted in time),
levels spread from -32 to -8 LUFS; one in four has peaks 0.5 to 4 dB over full scale (float WAV keeps them).
The ``studioflow master`` loop runs on the first ``--master-songs`` songs only (it does a whole mastering chain per
song, far more work than normalizing); its time per song is compared with batch normalize's.
Run: ``.venv/bin/python bench/catalog.py [--songs 200] [--seconds 30] [--master-songs 10]``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from common import music_like  # noqa: E402

RATE = 44100
TARGET_LUFS, CEILING_DBTP = -14.0, -1.0
BIN = Path(sys.executable).parent


def make_songs(folder: Path, count: int, seconds: float) -> float:
    """Write ``count`` songs into ``folder``; return their total length in seconds."""
    from studioflow.analysis.loudness import integrated_loudness
    from studioflow.audio.files import write

    rng = np.random.default_rng(20)
    bases = [music_like(seconds, RATE, seed=s) for s in range(10)]
    levels = [integrated_loudness(b, RATE) for b in bases]
    for i in range(count):
        k = i % len(bases)
        audio = np.roll(bases[k], int(rng.integers(0, bases[k].shape[1])), axis=1)
        if i % 4 == 3:                                   # overs: the peak 0.5..4 dB over full scale
            over_db = rng.uniform(0.5, 4.0)
            audio = audio * np.float32(10 ** (over_db / 20) / np.max(np.abs(audio)))
            write(folder / f"song{i:03d}.wav", audio, RATE, subtype="FLOAT")
            continue
        lufs = rng.uniform(-32.0, -8.0)
        gain = 10 ** ((lufs - levels[k]) / 20)
        gain = min(gain, 0.99 / float(np.max(np.abs(audio))))     # no clipping in the 24-bit ones
        write(folder / f"song{i:03d}.wav", audio * np.float32(gain), RATE, subtype="PCM_24")
    return count * seconds


def check(path: Path) -> tuple[float, float]:
    """(loudness by pyloudnorm in LUFS, 8x true peak by scipy resample_poly in dBTP) of one output."""
    import pyloudnorm
    import soundfile as sf
    from scipy.signal import resample_poly

    audio, rate = sf.read(path, always_2d=True)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(audio)
    peak = float(np.max(np.abs(resample_poly(audio, 8, 1, axis=0))))
    return float(lufs), 20 * np.log10(peak)


def timed(cmd: list[str], **kw: object) -> float:
    """Whole-process wall time of ``cmd`` (s); raises if it fails."""
    t0 = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t0


def verdict(name: str, outputs: list[Path], pool: ProcessPoolExecutor) -> dict:
    """Independent checks of ``outputs``: how many are within +-0.5 LU and under the ceiling, the worst of each."""
    got = list(pool.map(check, outputs, chunksize=4))
    dev = [abs(lufs - TARGET_LUFS) for lufs, _ in got]
    peaks = [p for _, p in got]
    ok_lu = int(sum(d <= 0.5 for d in dev))
    ok_tp = int(sum(p <= CEILING_DBTP for p in peaks))
    print(f"{name}: {len(got)} outputs; within +-0.5 LU of {TARGET_LUFS:g}: {ok_lu}; under {CEILING_DBTP:g} dBTP "
          f"(8x): {ok_tp}; worst deviation {max(dev):.2f} LU; highest true peak {max(peaks):.2f} dBTP")
    return {"outputs": len(got), "within_0_5_lu": ok_lu, "under_ceiling": ok_tp,
            "max_dev_lu": round(float(max(dev)), 3), "max_true_peak_dbtp": round(float(max(peaks)), 3)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--songs", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--master-songs", type=int, default=10)
    parser.add_argument("--json", default=None, help="Also write the numbers here.")
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)
    folder = Path(tempfile.mkdtemp(prefix="catalog-bench-"))
    try:
        songs = folder / "songs"
        songs.mkdir()
        audio_s = make_songs(songs, args.songs, args.seconds)
        files = sorted(songs.iterdir())
        print(f"{len(files)} songs, {audio_s / 60:.0f} min of audio, on {os.cpu_count()} cores")

        batch_s = timed([str(BIN / "studioflow"), "batch", "normalize", str(songs), "-o", str(folder / "batch"),
                         "--target", "spotify", "--json"])
        manifest = json.loads((folder / "batch" / "catalog.json").read_text())
        print(f"studioflow batch normalize: {batch_s:.1f} s ({audio_s / batch_s:.0f}x realtime); "
              f"{manifest['summary']['done']} done, {manifest['summary']['failed']} failed, "
              f"{sum(1 for r in manifest['items'] if r['limited'])} limited")

        ffn_s = timed([str(BIN / "ffmpeg-normalize"), *map(str, files), "-nt", "ebu", "-t", str(TARGET_LUFS),
                       "-tp", str(CEILING_DBTP), "-c:a", "pcm_s24le", "-ar", str(RATE), "-of", str(folder / "ffn"),
                       "-ext", "wav", "-q"], stderr=subprocess.DEVNULL)
        print(f"ffmpeg-normalize (EBU, -1 dBTP): {ffn_s:.1f} s ({audio_s / ffn_s:.0f}x realtime)")

        (folder / "masters").mkdir()
        picked = files[:args.master_songs]
        master_s = sum(timed([str(BIN / "studioflow"), "master", str(f), "-o", str(folder / "masters" / f.name),
                              "--target", "spotify"]) for f in picked)
        per_master = master_s / max(len(picked), 1)
        per_batch = batch_s / len(files)
        print(f"loop of studioflow master over {len(picked)} songs: {master_s:.1f} s, {per_master:.2f} s a song")

        with ProcessPoolExecutor(2) as pool:
            ours = verdict("batch normalize", sorted((folder / "batch").glob("*.wav")), pool)
            theirs = verdict("ffmpeg-normalize", sorted((folder / "ffn").glob("*.wav")), pool)
        ratio_ffn, ratio_master = ffn_s / batch_s, per_master / per_batch
        print(f"\nbatch normalize vs ffmpeg-normalize: {ratio_ffn:.2f}x faster (whole-process wall time, same "
              f"{len(files)} files)")
        print(f"batch normalize vs a loop of studioflow master: {ratio_master:.2f}x faster per song")
        if args.json:
            Path(args.json).parent.mkdir(parents=True, exist_ok=True)
            Path(args.json).write_text(json.dumps({
                "songs": len(files), "seconds_each": args.seconds, "cores": os.cpu_count(),
                "batch_normalize_s": round(batch_s, 2), "ffmpeg_normalize_s": round(ffn_s, 2),
                "master_loop_s_per_song": round(per_master, 3), "ratio_vs_ffmpeg_normalize": round(ratio_ffn, 2),
                "ratio_vs_master_loop": round(ratio_master, 2), "batch_checks": ours, "ffmpeg_normalize_checks": theirs,
            }, indent=2) + "\n")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
