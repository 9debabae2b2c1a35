"""bench/dsp_space.py: our Reverb and Delay against pedalboard's on the same audio (run through bench/dsp.py)."""

from __future__ import annotations

from typing import Callable

import numpy as np


def cases(audio: np.ndarray, rate: int) -> list[tuple[str, Callable, str, Callable]]:
    """(ours name, ours fn, peer name, peer fn): comparable settings, whole signal per call, fresh state each call."""
    import pedalboard

    from studioflow.dsp.space.delay import Delay
    from studioflow.dsp.space.reverb import Reverb

    reverb = Reverb(rate, decay_s=1.8, predelay_ms=10, size=0.5, damping=0.5, diffusion=0.85, modulation=0.5, mix=0.33)
    pb_reverb = pedalboard.Reverb(room_size=0.5, damping=0.5, wet_level=0.33, dry_level=0.67)
    delay = Delay(rate, time_ms=375, feedback=0.4, high_cut_hz=6000, mix=0.5)
    pb_delay = pedalboard.Delay(delay_seconds=0.375, feedback=0.4, mix=0.5)
    return [
        ("Reverb (FDN, diffused, mod)", reverb, "pedalboard.Reverb", lambda x: pb_reverb(x, rate)),
        ("Delay (375 ms, high cut)", delay, "pedalboard.Delay", lambda x: pb_delay(x, rate)),
    ]

