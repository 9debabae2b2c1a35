"""bench/master.py: master one 3-minute song to one reference with studioflow and with matchering, in one process.

Prints each time (wall, best of ``--repeats`` runs taken in turns with the peer, with the spread; and CPU seconds of
the process, steadier on a shared machine), their ratio (ours with the reference measured in the run, as matchering
does, and again with its measurement cached beside it, as when an album is mastered against one reference), and
each output's spectral distance to the reference (dB RMS over 1/3-octave bands from 31.5 Hz to 16 kHz,
loudness-normalized; ``studioflow.mastering.spectral``).
Run: ``.venv/bin/python bench/master.py [--seconds 180]``.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.signal import sosfilt

sys.path.insert(0, os.path.dirname(__file__))

from common import music_like  # noqa: E402


def _tilted(x: np.ndarray, rate: int, bass_db: float, air_db: float) -> np.ndarray:
    from studioflow.dsp import filters

    sos = np.vstack([filters.lowshelf_sos(150.0, bass_db, 0.7, rate), filters.highshelf_sos(5000.0, air_db, 0.7, rate)])
    sos = sos / sos[:, 3:4]
    y = sosfilt(sos, x, axis=1)
    return (y / np.max(np.abs(y)) * 0.89).astype(np.float32)


def _distance(path: Path, ref: dict) -> float:
    from studioflow.mastering.measure import measure_file
    from studioflow.mastering.spectral import spectral_distance_db

    a = measure_file(str(path))
    return spectral_distance_db(a["spectrum"]["level_db"], ref["spectrum"]["level_db"], a["spectrum"]["centers_hz"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=180.0)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    import matchering as mg

    from studioflow.audio.files import write
    from studioflow.mastering.api import master
    from studioflow.mastering.measure import measure_file, reference_cache_path

    rate = 44100
    song = _tilted(music_like(args.seconds, rate, seed=3) * 0.5, rate, bass_db=-4.0, air_db=-5.0)
    reference = _tilted(music_like(args.seconds, rate, seed=4), rate, bass_db=4.0, air_db=3.0)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        write(folder / "song.wav", song * 0.5, rate)
        write(folder / "ref.wav", reference, rate)
        ref = measure_file(str(folder / "ref.wav"))
        master(folder / "song.wav", folder / "warm.wav", reference=folder / "ref.wav")  # numba compile / cache load
        walls: dict[str, list[float]] = {"ours": [], "peer": []}
        cpus: dict[str, list[float]] = {"ours": [], "peer": []}

        def timed(key: str, fn) -> None:
            t0, c0 = time.perf_counter(), time.process_time()
            fn()
            walls[key].append(time.perf_counter() - t0)
            cpus[key].append(time.process_time() - c0)

        walls["cached"], cpus["cached"] = [], []
        cache = reference_cache_path(folder / "ref.wav")
        for _ in range(args.repeats):      # in turns, so all see the same load on a shared machine
            cache.unlink(missing_ok=True)  # the reference measured in the run, as matchering does
            timed("ours", lambda: master(folder / "song.wav", folder / "ours.wav", reference=folder / "ref.wav"))
            timed("cached", lambda: master(folder / "song.wav", folder / "ours.wav", reference=folder / "ref.wav"))
            timed("peer", lambda: mg.process(target=str(folder / "song.wav"), reference=str(folder / "ref.wav"),
                                             results=[mg.pcm24(str(folder / "matchering.wav"))]))
        t_ours, t_peer = min(walls["ours"]), min(walls["peer"])
        print(f"\nbench/master.py ({args.seconds:.0f} s song, {rate} Hz stereo)")
        print(f"{'':<14}{'best s':>9}{'spread s':>18}{'cpu s':>9}{'distance dB':>13}")
        print(f"{'input mix':<14}{'':>9}{'':>18}{'':>9}{_distance(folder / 'song.wav', ref):>13.2f}")
        for name, key, path in (("studioflow", "ours", "ours.wav"), ("  ref cached", "cached", "ours.wav"),
                                ("matchering", "peer", "matchering.wav")):
            spread = f"{min(walls[key]):.2f}..{max(walls[key]):.2f}"
            print(f"{name:<14}{min(walls[key]):>9.2f}{spread:>18}{min(cpus[key]):>9.2f}"
                  f"{_distance(folder / path, ref):>13.2f}")
        print(f"speed ratio (matchering / studioflow): {t_peer / t_ours:.2f}x best wall, "
              f"{min(cpus['peer']) / min(cpus['ours']):.2f}x cpu")
        print(f"  with the reference's measurement cached (an album against one reference): "
              f"{t_peer / min(walls['cached']):.2f}x best wall, {min(cpus['peer']) / min(cpus['cached']):.2f}x cpu")


if __name__ == "__main__":
    main()
