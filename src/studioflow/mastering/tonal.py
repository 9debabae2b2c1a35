"""Tonal balance: the correction toward a target spectrum (a genre curve or a reference) and an EQ fitted to it.

The correction is worked out on loudness-normalized 1/3-octave band levels (see ``spectral.py``), centred so that
it moves balance rather than level (its mean over 200 Hz - 5 kHz is zero), smoothed, scaled and limited.
The EQ is a low shelf, bells and a high shelf at fixed frequencies whose gains are fitted by damped Gauss-Newton
least squares to the band-averaged power response of the actual filters (``dsp.filters`` RBJ/Vicanek designs).
"""

from __future__ import annotations

import numpy as np

from studioflow.dsp import filters
from studioflow.dsp.eq import band_sos

FIT_BAND_HZ = (30.0, 16000.0)


def correction_db(mix_norm_db: np.ndarray, target_norm_db: np.ndarray, centers_hz: np.ndarray, *,
                  strength: float, max_db: float, smooth_bands: int) -> np.ndarray:
    """Per-band dB correction moving the mix toward the target: centred, smoothed, scaled by ``strength``, limited."""
    fc = np.asarray(centers_hz, dtype=float)
    diff = np.asarray(target_norm_db, dtype=float) - np.asarray(mix_norm_db, dtype=float)
    inside = (fc >= FIT_BAND_HZ[0] * 0.99) & (fc <= FIT_BAND_HZ[1] * 1.01)
    # outside the corrected range hold the edge values, so smoothing does not drag the edges
    idx = np.where(inside)[0]
    diff[: idx[0]] = diff[idx[0]]
    diff[idx[-1] + 1:] = diff[idx[-1]]
    if smooth_bands > 1:
        kernel = np.hanning(smooth_bands + 2)[1:-1]
        kernel /= kernel.sum()
        pad = smooth_bands // 2
        diff = np.convolve(np.pad(diff, pad, mode="edge"), kernel, mode="valid")[: len(fc)]
    mid = (fc >= 200) & (fc <= 5000)
    diff = diff - np.mean(diff[mid])
    return np.clip(diff * strength, -max_db, max_db)


def band_layout(resolution: str, rate: int) -> list[dict]:
    """EQ bands (type, freq Hz, q; the ``dsp.eq`` band schema) for ``resolution`` 'octave' (genre curves),
    'half-octave' or 'third-octave' (reference match)."""
    step, q = {"octave": (1.0, 1.2), "half-octave": (0.5, 2.0), "third-octave": (1 / 3, 3.0)}[resolution]
    freqs = 62.5 * 2.0 ** np.arange(0.0, 8.0 + 1e-9, step)       # 62.5 Hz .. 16 kHz
    freqs = freqs[freqs < 0.4 * rate]
    bands = [{"type": "lowshelf", "freq": 45.0, "q": 0.7}]
    bands += [{"type": "peak", "freq": float(f), "q": q} for f in freqs[:-1]]
    bands += [{"type": "highshelf", "freq": float(min(freqs[-1], 0.35 * rate)), "q": 0.7}]
    return bands


def _band_response_db(bands: list[dict], gains_db: np.ndarray, grid_hz: np.ndarray, rate: int) -> np.ndarray:
    """Power-averaged response (dB) over each 1/3-octave band of the EQ with ``gains_db``."""
    sos = np.vstack([band_sos({**b, "gain_db": g}, rate) for b, g in zip(bands, gains_db)])
    power = np.abs(filters.sos_response(sos, grid_hz.ravel(), rate)) ** 2
    return 10 * np.log10(np.mean(power.reshape(grid_hz.shape), axis=1))


def fit_eq(correction: np.ndarray, centers_hz: np.ndarray, rate: int, *, resolution: str,
           max_db: float, iterations: int = 6, fixed: list[dict] | None = None) -> tuple[list[dict], np.ndarray]:
    """Fit band gains (dB, within +-``max_db``) so the EQ's band response, together with the ``fixed`` filters that
    run with it (validated ``dsp.eq`` bands, e.g. the cleanup high-pass), follows ``correction``; return the bands
    and the combined band response (dB)."""
    fc = np.asarray(centers_hz, dtype=float)
    bands = band_layout(resolution, rate)
    grid = fc[:, None] * 10 ** (np.linspace(-0.05, 0.05, 7)[None, :])
    if fixed:
        correction = correction - _band_response_db(fixed, np.array([b.get("gain_db", 0.0) for b in fixed]), grid, rate)
    weight = ((fc >= FIT_BAND_HZ[0] * 0.99) & (fc <= FIT_BAND_HZ[1] * 1.01)).astype(float)
    # Jacobian of the band response to each gain, taken at +1 dB per band
    jac = np.stack([_band_response_db([b], np.array([1.0]), grid, rate) for b in bands], axis=1)
    gains = np.zeros(len(bands))
    w = np.sqrt(weight)[:, None]
    ridge = 0.02 * np.eye(len(bands))
    for _ in range(iterations):
        resid = correction - _band_response_db(bands, gains, grid, rate)
        a = np.vstack([jac * w, ridge])
        b = np.concatenate([resid * w[:, 0], np.zeros(len(bands))])
        step = np.linalg.lstsq(a, b, rcond=None)[0]
        gains = np.clip(gains + step, -max_db, max_db)
    for band, g in zip(bands, gains):
        band["gain_db"] = round(float(g), 2)
    every = (fixed or []) + bands
    return bands, _band_response_db(every, np.array([b.get("gain_db", 0.0) for b in every]), grid, rate)
