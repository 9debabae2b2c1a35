"""bench/dsp_eq.py: a 4-band ParametricEQ (high-pass, bell, low shelf, high shelf) against pedalboard's
HighpassFilter + PeakFilter + LowShelfFilter + HighShelfFilter chain on the same audio (see bench/dsp.py).

Note: pedalboard's HighpassFilter is first order (6 dB/oct); ours is the usual 12 dB/oct, so we do a little more work.
"""

from __future__ import annotations

import numpy as np

BANDS = [
    {"type": "highpass", "freq": 40.0, "slope": 12},
    {"type": "peak", "freq": 1000.0, "gain_db": 3.0, "q": 1.0},
    {"type": "lowshelf", "freq": 120.0, "gain_db": 2.0, "q": 0.7071},
    {"type": "highshelf", "freq": 8000.0, "gain_db": -2.0, "q": 0.7071},
]


def cases(audio: np.ndarray, rate: int) -> list:
    """(ours name, ours fn, peer name, peer fn) rows for bench/dsp.py."""
    import pedalboard

    from studioflow.dsp.eq import ParametricEQ

    eq = ParametricEQ(rate, bands=BANDS)
    board = pedalboard.Pedalboard([
        pedalboard.HighpassFilter(cutoff_frequency_hz=40.0),
        pedalboard.PeakFilter(cutoff_frequency_hz=1000.0, gain_db=3.0, q=1.0),
        pedalboard.LowShelfFilter(cutoff_frequency_hz=120.0, gain_db=2.0, q=0.7071),
        pedalboard.HighShelfFilter(cutoff_frequency_hz=8000.0, gain_db=-2.0, q=0.7071),
    ])
    return [("ParametricEQ 4 bands", eq, "pedalboard HP+Peak+LowSh+HighSh", lambda a: board(a, rate))]


if __name__ == "__main__":
    import os
    import sys

    sys.path.insert(0, os.path.dirname(__file__))
    from common import best_time, music_like, report

    seconds = 60.0
    audio = music_like(seconds)
    for ours_name, ours, peer_name, peer in cases(audio, 48000):
        ours(audio[:, :48000])
        report("bench/dsp_eq.py", [(ours_name, best_time(lambda: ours(audio)), peer_name,
                                    best_time(lambda: peer(audio)))], seconds)
