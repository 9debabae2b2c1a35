"""bench/dsp_dynamics.py: our Compressor and TruePeakLimiter against pedalboard's Compressor and Limiter.

Same audio, same settings where both have them, one core. Run through ``bench/dsp.py`` (which calls ``cases``).
Our compressor runs with its default full stereo link (one detector path); pedalboard's compresses each channel.
"""

from __future__ import annotations

import os

os.environ.setdefault("NUMBA_NUM_THREADS", "1")

from typing import Callable  # noqa: E402

import numpy as np  # noqa: E402

Case = tuple[str, Callable[[np.ndarray], object], str, Callable[[np.ndarray], object]]


def cases(audio: np.ndarray, rate: int) -> list[Case]:
    """(ours name, ours fn, peer name, peer fn) pairs, each fn processing a whole (channels, frames) signal."""
    import pedalboard

    from studioflow.dsp.dynamics.compressor import Compressor
    from studioflow.dsp.dynamics.limiter import TruePeakLimiter

    comp = dict(threshold_db=-20.0, ratio=4.0, attack_ms=5.0, release_ms=100.0)
    ours_comp = Compressor(rate, knee_db=0.0, **comp)
    ours_comp_unlinked = Compressor(rate, knee_db=0.0, stereo_link=0.0, **comp)
    peer_comp = pedalboard.Compressor(**comp)
    ours_lim = TruePeakLimiter(rate, ceiling_dbtp=-1.0, release_ms=100.0)
    peer_lim = pedalboard.Limiter(threshold_db=-1.0, release_ms=100.0)
    return [
        ("Compressor (linked)", ours_comp, "pedalboard.Compressor", lambda a: peer_comp(a, rate)),
        ("Compressor (unlinked)", ours_comp_unlinked, "pedalboard.Compressor", lambda a: peer_comp(a, rate)),
        ("TruePeakLimiter (4x TP)", ours_lim, "pedalboard.Limiter (sample peak)", lambda a: peer_lim(a, rate)),
    ]
