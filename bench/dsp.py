"""bench/dsp.py: our processors against pedalboard's on the same 10-minute stereo 48 kHz signal, one core, one process.

Each ``bench/dsp_<area>.py`` defines ``cases(audio, rate) -> list[(ours_name, ours_fn, peer_name, peer_fn)]``.
Run: ``.venv/bin/python bench/dsp.py [--seconds 600]``.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

sys.path.insert(0, os.path.dirname(__file__))

from common import best_time, music_like, report  # noqa: E402

AREAS = ["dsp_eq", "dsp_dynamics", "dsp_space"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=600.0)
    args = parser.parse_args()
    os.environ.setdefault("NUMBA_NUM_THREADS", "1")
    rate = 48000
    audio = music_like(args.seconds, rate)
    for area in AREAS:
        try:
            mod = importlib.import_module(area)
        except ModuleNotFoundError:
            print(f"({area}: not there yet)")
            continue
        rows = []
        for ours_name, ours_fn, peer_name, peer_fn in mod.cases(audio, rate):
            t0 = time.perf_counter()
            ours_fn(audio[:, :rate])  # first call: compile (numba) or load the on-disk cache
            print(f"{ours_name}: first call (compile or cache load) {time.perf_counter() - t0:.2f} s")
            rows.append((ours_name, best_time(lambda: ours_fn(audio)), peer_name, best_time(lambda: peer_fn(audio))))
        report(f"bench/dsp.py: {area}", rows, args.seconds)


if __name__ == "__main__":
    main()
