"""Match a reference's broad tonal tilt: the slope (dB per octave, 100 Hz to 10 kHz) of its long-term 1/3-octave
spectrum against the automatic mix's, corrected by a ``tilt`` insert on the master bus.

Only the broad tilt is matched (never the fine shape: that belongs to mastering), and at most ``MAX_TILT_DB`` of
low-to-high change; a difference under ``MIN_SLOPE_DB_OCT`` is reported and left alone.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

FIT_LOW_HZ, FIT_HIGH_HZ = 100.0, 10000.0
TILT_PIVOT_HZ = 1000.0
MAX_TILT_DB = 4.0
MIN_SLOPE_DB_OCT = 0.3


def slope_db_per_octave(band_hz: np.ndarray, levels_db: np.ndarray) -> float | None:
    """Least-squares slope of band levels against log2 frequency over FIT_LOW_HZ..FIT_HIGH_HZ (dB per octave)."""
    sel = (band_hz >= FIT_LOW_HZ) & (band_hz <= FIT_HIGH_HZ) & np.isfinite(levels_db)
    if sel.sum() < 4:
        return None
    return float(np.polyfit(np.log2(band_hz[sel]), levels_db[sel], 1)[0])


def tilt_slope_per_db(rate: int, band_hz: np.ndarray) -> float:
    """Fitted slope (dB/octave) of the ``tilt`` filter per dB of its gain, at ``rate`` Hz."""
    from scipy.signal import sosfreqz

    from studioflow.dsp import filters
    _, h = sosfreqz(filters.tilt_sos(TILT_PIVOT_HZ, 1.0, rate), worN=band_hz, fs=rate)
    return slope_db_per_octave(band_hz, 20 * np.log10(np.abs(h))) or 1e-9


def match_tilt(reference: Path, band_hz: np.ndarray, mix_levels_db: np.ndarray, rate: int) -> tuple[dict | None, dict]:
    """The master ``tilt`` insert (or None) that moves the mix's slope to the reference's, and the measurements."""
    from studioflow.analysis.spectrum import third_octave_spectrum

    ref_hz, ref_db = third_octave_spectrum(reference)
    ref_slope = slope_db_per_octave(ref_hz, ref_db)
    mix_slope = slope_db_per_octave(band_hz, mix_levels_db)
    report = {"reference": str(reference), "reference_slope_db_per_octave": ref_slope,
              "mix_slope_db_per_octave": mix_slope, "tilt_db": 0.0}
    if ref_slope is None or mix_slope is None:
        report["reason"] = "no usable spectrum to compare: nothing applied"
        return None, report
    diff = ref_slope - mix_slope
    if abs(diff) < MIN_SLOPE_DB_OCT:
        report["reason"] = (f"tilt within {MIN_SLOPE_DB_OCT} dB/oct of the reference ({mix_slope:+.2f} vs "
                            f"{ref_slope:+.2f} dB/oct): nothing applied")
        return None, report
    gain = float(np.clip(diff / tilt_slope_per_db(rate, band_hz), -MAX_TILT_DB, MAX_TILT_DB))
    report["tilt_db"] = round(gain, 1)
    report["reason"] = (f"the reference slopes {ref_slope:+.2f} dB/oct, this mix {mix_slope:+.2f}: master tilt "
                        f"{gain:+.1f} dB around {TILT_PIVOT_HZ:g} Hz (capped at {MAX_TILT_DB:g} dB)")
    return {"type": "tilt", "freq": TILT_PIVOT_HZ, "gain_db": round(gain, 1)}, report
