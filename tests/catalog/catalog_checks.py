"""Independent checks of a delivered file: loudness by pyloudnorm, true peak by scipy's 8x resample_poly."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyloudnorm
import soundfile as sf
from scipy.signal import resample_poly


def loudness_and_peak(path: Path) -> tuple[float, float]:
    """(integrated LUFS by pyloudnorm, 8x-oversampled true peak in dBTP) of the file at ``path``."""
    audio, rate = sf.read(path, always_2d=True)
    lufs = pyloudnorm.Meter(rate).integrated_loudness(audio)
    peak = np.max(np.abs(resample_poly(audio, 8, 1, axis=0)))
    return float(lufs), float(20 * np.log10(peak))
