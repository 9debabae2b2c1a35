"""A room made in code: an impulse response with a known decay per octave band, a planted room mode and a planted
early reflection, for the room measurement tests (the numbers a right measurement must find)."""

from __future__ import annotations

import functools

import numpy as np

RATE = 48000
LENGTH_S = 1.6             # seconds of response
T30_S = {63: 1.0, 125: 0.9, 250: 0.75, 500: 0.6, 1000: 0.55, 2000: 0.5, 4000: 0.42, 8000: 0.35}
DIRECT_MS = 2.9            # about 1 m from the speaker
MODE_HZ = 57.0             # in the 63 Hz band, ringing as long as that band
MODE_T60_S = 1.0
REFLECTION_MS = 4.7        # after the direct sound: 1.61 m more path
REFLECTION_GAIN = 0.5      # -6 dB re the direct sound
SPEED_OF_SOUND = 343.0


def t30_at(freq_hz: float) -> float:
    """The planted decay time (s) at ``freq_hz``: ``T30_S[band]`` over the middle three quarters of an octave of
    each band, straight lines in log frequency across the band edges (a real room's decay changes smoothly with
    frequency)."""
    centres = sorted(T30_S)
    x = np.log2([c * 2 ** d for c in centres for d in (-0.375, 0.375)])
    return float(np.interp(np.log2(freq_hz), x, [T30_S[c] for c in centres for _ in (0, 1)]))


@functools.lru_cache(maxsize=16)
def _planted(*, length_s: float = LENGTH_S, seed: int = 1, mode_amp: float = 0.01, diffuse_rms: float = 0.03,
             reflection_ms: float = REFLECTION_MS, direct_ms: float = DIRECT_MS, t30_scale: float = 1.0,
             mode_hz: float = MODE_HZ, mode_t60_s: float = MODE_T60_S) -> np.ndarray:
    """The impulse response (float64, 1-D): a direct impulse, a reflection, noise decaying by 60 dB in
    ``t30_at(f) * t30_scale`` seconds from 1 ms after the direct sound, and a sine at ``mode_hz`` decaying by
    60 dB in ``mode_t60_s`` seconds."""
    n = int(length_s * RATE)
    rng = np.random.default_rng(seed)
    t0 = int(round(direct_ms / 1000 * RATE))
    onset = t0 + int(0.001 * RATE)
    m = n - onset
    spec = np.fft.rfft(rng.standard_normal(m))
    f = np.fft.rfftfreq(m, 1 / RATE)
    t = np.arange(m) / RATE
    diffuse = np.zeros(m)
    edges = np.concatenate([[0.0], 20.0 * 2 ** (np.arange(1, 12 * 10) / 12), [RATE]])
    bins = np.searchsorted(f, edges)
    decays: dict[float, list[tuple[int, int]]] = {}   # twelfth-octave slices grouped by their decay time
    for (lo, hi), (b0, b1) in zip(zip(edges[:-1], edges[1:]), zip(bins[:-1], bins[1:])):
        if b1 > b0:
            decays.setdefault(round(t30_scale * t30_at(np.sqrt(max(lo, 10) * hi)), 6), []).append((b0, b1))
    for t30, slices in decays.items():
        part = np.zeros_like(spec)
        for b0, b1 in slices:
            part[b0:b1] = spec[b0:b1]
        diffuse += np.fft.irfft(part, m) * 10 ** (-3 * t / t30)
    diffuse *= diffuse_rms / np.sqrt(np.mean(diffuse[:int(0.005 * RATE)] ** 2))
    ir = np.zeros(n)
    ir[onset:] = diffuse
    ir[t0] += 1.0
    ir[t0 + int(round(reflection_ms / 1000 * RATE))] += REFLECTION_GAIN
    tm = np.arange(n - t0) / RATE
    ir[t0:] += mode_amp * 10 ** (-3 * tm / mode_t60_s) * np.sin(2 * np.pi * mode_hz * tm)
    ir.flags.writeable = False
    return ir


def planted_ir(**options: float) -> np.ndarray:
    """``_planted(**options)``, made once per set of options in a test session (a read-only array)."""
    return _planted(**options)
