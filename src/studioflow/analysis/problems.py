"""Problem detectors for recorded audio: clipped runs, DC offset, noise floor and SNR, mains hum, dropouts, silence.

Every detector takes float32 audio shaped ``(channels, frames)`` and its rate in Hz, and returns plain dicts with
times in seconds and levels in dBFS (0 dBFS = digital full scale, sine peak convention), so reports can serialize them.
"""

from __future__ import annotations

import numpy as np
from scipy import signal

_EPS = 1e-12


def db(x: float | np.ndarray) -> float | np.ndarray:
    """Amplitude ratio to dB (20 log10), floored at -200 dB."""
    return 20.0 * np.log10(np.maximum(np.abs(x), 1e-10))


def runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Start and end (exclusive) indices of the runs of True in a 1-D boolean mask."""
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def peak_dbfs(audio: np.ndarray) -> list[float]:
    """Sample peak per channel, dBFS."""
    return [float(db(np.max(np.abs(ch)) if ch.size else 0.0)) for ch in audio]


def rms_dbfs(audio: np.ndarray) -> list[float]:
    """RMS per channel, dBFS with the sine-peak convention (+3.01 dB, so a full-scale sine reads 0 dBFS)."""
    return [float(db(np.sqrt(np.mean(np.square(ch, dtype=np.float64))) * np.sqrt(2)) if ch.size else -200.0)
            for ch in audio]


def clipped_runs(audio: np.ndarray, rate: int, *, threshold_dbfs: float = -0.01,
                 min_samples: int = 3) -> list[dict]:
    """Runs of at least ``min_samples`` consecutive samples at or above ``threshold_dbfs``, with their times."""
    limit = 10 ** (threshold_dbfs / 20) - 1e-7
    out = []
    for c, ch in enumerate(audio):
        starts, ends = runs(np.abs(ch) >= limit)
        keep = (ends - starts) >= min_samples
        for s, e in zip(starts[keep], ends[keep]):
            out.append({"channel": c + 1, "time_s": round(s / rate, 4), "end_s": round(e / rate, 4),
                        "samples": int(e - s)})
    return out


def dc_offset(audio: np.ndarray) -> list[float]:
    """Mean value per channel as a fraction of full scale (0.01 = 1 %)."""
    return [float(np.mean(ch, dtype=np.float64)) if ch.size else 0.0 for ch in audio]


def frame_rms_dbfs(x: np.ndarray, rate: int, frame_ms: float = 50.0) -> np.ndarray:
    """RMS of consecutive frames of ``frame_ms`` in dBFS (sine-peak convention), for one channel."""
    n = max(1, int(rate * frame_ms / 1000))
    frames = x[: len(x) // n * n].reshape(-1, n).astype(np.float64)
    if not len(frames):
        frames = x.reshape(1, -1).astype(np.float64)
    return db(np.sqrt(np.mean(frames ** 2, axis=1)) * np.sqrt(2))


def noise_floor(audio: np.ndarray, rate: int) -> dict:
    """Noise floor and signal-to-noise ratio, dB, from the mono sum of ``audio``.

    The floor is the lower of two estimates: the 10th percentile of 50 ms frame levels (the pauses of a take), and the
    median of the Welch power spectrum times the bandwidth (the broadband floor under steady material, where tones
    occupy few bins). The signal level is the 95th percentile of the frame levels; SNR is their difference.
    """
    x = np.mean(audio, axis=0)
    nonzero = x[np.abs(x) > 0]
    if nonzero.size < rate // 20:
        return {"noise_floor_dbfs": -200.0, "signal_dbfs": -200.0, "snr_db": None}
    levels = frame_rms_dbfs(x, rate)
    levels = levels[levels > -190]
    quiet = float(np.percentile(levels, 10))
    loud = float(np.percentile(levels, 95))
    nper = min(4096, len(x))
    _, psd = signal.welch(x.astype(np.float64), rate, nperseg=nper)
    spectral = float(10 * np.log10(max(np.median(psd) * rate / 2 * 2, _EPS)))   # x2: sine-peak convention
    floor = min(quiet, spectral)
    return {"noise_floor_dbfs": round(floor, 1), "signal_dbfs": round(loud, 1), "snr_db": round(loud - floor, 1)}


def mains_hum(audio: np.ndarray, rate: int, *, harmonics: int = 6, prominence_db: float = 15.0,
              min_level_dbfs: float = -80.0) -> dict | None:
    """Mains hum at 50 or 60 Hz and its harmonics, or None when there is none.

    A harmonic counts when its line stands ``prominence_db`` above the median of the spectrum within +-15 Hz
    (1 Hz resolution Welch spectrum). Hum is reported when the fundamental or at least two harmonics count; the result
    names the mains frequency, the level of each harmonic (dBFS, sine peak) and the span of the take where it is heard.
    """
    x = np.mean(audio, axis=0).astype(np.float64)
    if len(x) < rate // 2:
        return None
    nper = min(rate, len(x))
    freqs, psd = signal.welch(x, rate, nperseg=nper, window="hann")
    df = freqs[1] - freqs[0]
    best = None
    for mains in (50.0, 60.0):
        found = {}
        for k in range(1, harmonics + 1):
            f = mains * k
            if f >= rate / 2 - 20:
                break
            i = int(round(f / df))
            line = psd[max(i - 1, 0): i + 2]
            around = np.r_[psd[max(i - int(15 / df), 0): max(i - 3, 0)], psd[i + 4: i + int(15 / df) + 1]]
            if not around.size:
                continue
            prom = 10 * np.log10(max(line.max(), _EPS) / max(np.median(around), _EPS))
            level = 10 * np.log10(max(line.sum() * df * 2, _EPS))   # main lobe power, sine-peak dBFS
            if prom >= prominence_db and level >= min_level_dbfs:
                found[int(f)] = round(float(level), 1)
        if (int(mains) in found or len(found) >= 2) and (best is None or len(found) > len(best[1])):
            best = (mains, found)
    if best is None:
        return None
    mains, found = best
    span = _hum_span(x, rate, mains)
    return {"mains_hz": int(mains), "harmonics_dbfs": found, "level_dbfs": max(found.values()),
            "time_s": span[0], "end_s": span[1]}


def _hum_span(x: np.ndarray, rate: int, mains: float) -> tuple[float, float]:
    """First and last second (s) in which the mains fundamental or 2nd harmonic carries most of its peak level."""
    n = rate
    blocks = len(x) // n
    if blocks < 2:
        return 0.0, round(len(x) / rate, 3)
    t = np.arange(n) / rate
    levels = []
    for b in range(blocks):
        seg = x[b * n:(b + 1) * n]
        lv = 0.0
        for f in (mains, 2 * mains):
            lv = max(lv, abs(np.dot(seg, np.exp(-2j * np.pi * f * t))) * 2 / n)
        levels.append(lv)
    levels = np.asarray(levels)
    on = np.flatnonzero(levels >= levels.max() * 0.3)
    return round(on[0] * n / rate, 3), round(min((on[-1] + 1) * n, len(x)) / rate, 3)


def silences(audio: np.ndarray, rate: int, *, dropout_min_ms: float = 1.0, silence_min_ms: float = 500.0,
             context_ms: float = 10.0, context_dbfs: float = -60.0) -> dict:
    """Runs of digital silence (exact zeros on every channel), split into dropouts and silent stretches.

    A dropout is a run from ``dropout_min_ms`` to ``silence_min_ms`` with signal above ``context_dbfs`` on both sides
    (audio that stops and comes back); longer runs are digital silence (an input giving nothing). Times in seconds.
    """
    zero = np.all(audio == 0, axis=0)
    starts, ends = runs(zero)
    n_ctx = max(1, int(rate * context_ms / 1000))
    mono = np.mean(audio, axis=0)
    dropouts, silent = [], []
    for s, e in zip(starts, ends):
        length_ms = (e - s) * 1000 / rate
        item = {"time_s": round(s / rate, 4), "end_s": round(e / rate, 4), "duration_ms": round(length_ms, 2)}
        if length_ms >= silence_min_ms:
            silent.append(item)
        elif length_ms >= dropout_min_ms and s > 0 and e < len(zero):
            before = mono[max(0, s - n_ctx):s]
            after = mono[e:e + n_ctx]
            if min(rms_dbfs(before[None])[0], rms_dbfs(after[None])[0]) > context_dbfs:
                dropouts.append(item)
    total = len(zero) / rate if len(zero) else 0.0
    silent_s = sum(i["end_s"] - i["time_s"] for i in silent)
    return {"dropouts": dropouts, "silence": silent, "all_silent": bool(len(zero) and zero.all()),
            "silent_fraction": round(silent_s / total, 4) if total else 1.0}
