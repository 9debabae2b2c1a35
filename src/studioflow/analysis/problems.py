"""Problem detectors for recorded audio: clipped runs, DC offset, noise floor and SNR, mains hum, dropouts, clicks
and digital silence.

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


def _power(audio: np.ndarray) -> np.ndarray:
    """Power per sample averaged over the channels (float64), so uncorrelated channels keep their level."""
    return np.mean(np.square(audio, dtype=np.float64), axis=0)


def _power_dbfs(p: float | np.ndarray) -> np.ndarray:
    """Mean power to dBFS in the sine-peak convention (x2: a full-scale sine, power 0.5, reads 0 dBFS)."""
    return 10.0 * np.log10(np.maximum(np.asarray(p) * 2.0, 1e-20))


#: noise-floor analysis: 20 ms sub-windows (a whole 50 Hz cycle), frames of 10 of them (200 ms), hop half a frame
_SUB_MS, _FRAME_SUBS = 20.0, 10
_STEADY_RANGE_DB, _STEADY_TREND_DB = 3.0, 1.0     # sub-window levels: spread and fitted change across a frame
_WELCH_SAMPLES = 1024          # Welch segment within a frame (Blackman-Harris: sidelobes -92 dB, so tones stay narrow)
_FIT_DEGREE = 2                # noise spectrum model: a parabola in log-frequency (white, pink, brown, gentle bends)
_NEAR_DB = 3.0                 # a bin is noise when within this of the model
_NOISE_LIKE_FRACTION = 0.85    # share of bins that must be noise in a noise-like frame (the rest: tones, hum)
_MIN_ROUGHNESS_DB = 0.3        # bin-to-bin scatter of noise (0.7-1 dB here); smooth leakage skirts have next to none


def _steady_frames(audio: np.ndarray, zero: np.ndarray, rate: int) -> tuple[np.ndarray, int]:
    """Start samples (and length) of the frames whose level is steady (no spread, no trend) without digital silence.

    Levels are taken of the first difference of the signal (a gentle pre-emphasis), so that rumble-heavy noise, whose
    few low-frequency degrees of freedom make its level wander, is still seen as steady; decays and swells are not.
    """
    p = _power(np.diff(audio, axis=1, prepend=audio[:, :1]))
    n_sub = int(rate * _SUB_MS / 1000)
    k = len(p) // n_sub
    if k < _FRAME_SUBS:
        return np.zeros(0, dtype=np.int64), n_sub * _FRAME_SUBS
    sub_db = _power_dbfs(p[: k * n_sub].reshape(k, n_sub).mean(axis=1))
    sub_zero = zero[: k * n_sub].reshape(k, n_sub).any(axis=1)
    hop = _FRAME_SUBS // 2
    win = np.lib.stride_tricks.sliding_window_view(sub_db, _FRAME_SUBS)[::hop]
    zwin = np.lib.stride_tricks.sliding_window_view(sub_zero, _FRAME_SUBS)[::hop]
    i = np.arange(_FRAME_SUBS) - (_FRAME_SUBS - 1) / 2
    trend = (win @ i) / np.dot(i, i) * (_FRAME_SUBS - 1)     # least-squares change across the frame, dB
    spread = win.max(axis=1) - win.min(axis=1)
    ok = ((spread <= _STEADY_RANGE_DB) & (np.abs(trend) <= _STEADY_TREND_DB) & ~zwin.any(axis=1)
          & (win.min(axis=1) > -190))
    return np.flatnonzero(ok) * hop * n_sub, n_sub * _FRAME_SUBS


def _frame_noise_dbfs(audio: np.ndarray, rate: int, starts: np.ndarray, length: int) -> np.ndarray:
    """Broadband noise level (dBFS, sine peak) of each frame, or NaN where the frame is not noise-like.

    The frame's Welch spectrum (dB, bins above DC) is fitted by a parabola in log-frequency, robustly: bins more than
    3 dB above the fit (tonal lines: a held note, hum) are left out of the next pass. The frame is noise-like when
    85 % of the bins lie within 3 dB of the fit and scatter from bin to bin as noise does (a smooth leakage skirt or
    the valleys between dense partials do not); its noise level is the fitted spectrum integrated over frequency.
    """
    out = np.full(len(starts), np.nan)
    idx = starts[:, None] + np.arange(length)[None, :]
    for c0 in range(0, len(starts), 64):                     # 64 frames at a time bounds the memory
        frames = audio[:, idx[c0:c0 + 64]].astype(np.float64)            # (channels, frames, samples)
        freqs, psd = signal.welch(frames, rate, window="blackmanharris", nperseg=_WELCH_SAMPLES, axis=-1)
        psd = psd.mean(axis=0)[:, 1:]                                      # power mean over channels, no DC
        df = freqs[1] - freqs[0]
        level = 10 * np.log10(np.maximum(psd, 1e-30))
        basis = np.vander(np.log2(freqs[1:] / 1000.0), _FIT_DEGREE + 1)   # (bins, degree + 1)
        weight = np.ones_like(level)
        for _ in range(4):
            gram = np.einsum("kd,fk,ke->fde", basis, weight, basis)
            rhs = np.einsum("kd,fk->fd", basis, weight * level)[..., None]
            coef = np.linalg.solve(gram + 1e-9 * np.eye(_FIT_DEGREE + 1), rhs)[..., 0]
            fit = coef @ basis.T
            weight = (level - fit <= _NEAR_DB).astype(np.float64)
        dev = level - fit
        near = np.abs(dev) <= _NEAR_DB
        step = np.abs(dev[:, 4:] - dev[:, :-4])                          # bins 4 apart are independent
        both = near[:, 4:] & near[:, :-4]
        rough = np.sqrt(np.sum(step ** 2 * both, axis=1) / np.maximum(both.sum(axis=1), 1) / 2)
        like = (near.mean(axis=1) >= _NOISE_LIKE_FRACTION) & (rough >= _MIN_ROUGHNESS_DB)
        power = np.sum(10 ** (fit / 10), axis=1) * df
        out[c0:c0 + 64] = np.where(like, _power_dbfs(power), np.nan)
    return out


def noise_floor(audio: np.ndarray, rate: int) -> dict:
    """Noise floor and signal-to-noise ratio, dB (sine-peak convention), measured only where the take is noise.

    The take is cut into 200 ms frames (hop 100 ms). A frame counts when its level is steady (20 ms sub-window levels
    within 3 dB, fitted change under 1 dB: no decay or swell), it holds no digital silence, and its spectrum is
    noise-like apart from a few tonal lines (see ``_frame_noise_dbfs``); the tails of drum hits and decaying notes
    fail these tests. The noise is measured above ~47 Hz (the Welch resolution); hum lines are left to ``mains_hum``.
    The floor is the median of the counted frames' noise levels within 3 dB of the quietest, so the pauses of a take
    win over held notes. When no frame counts, the floor is ``None`` (not measurable), as is the SNR.
    The signal level is the 95th percentile of 50 ms frame levels; ``noise_measured_s`` is the time the floor came from.
    """
    levels, starts, length, noise = noise_frames(audio, rate)
    return noise_result(levels, starts, length, noise, rate)


def noise_frames(audio: np.ndarray, rate: int) -> tuple[np.ndarray, np.ndarray, int, np.ndarray]:
    """What ``noise_floor`` decides from: the 50 ms frame levels (dBFS, digital silence left out), the start samples
    and length of the steady frames and each one's noise level (dBFS, NaN where not noise-like). A long take is
    measured piece by piece (pieces of whole 100 ms hops) and the pieces' results joined."""
    p = _power(audio)
    zero = np.all(audio == 0, axis=0)
    n50 = max(1, rate // 20)
    levels = _power_dbfs(p[: len(p) // n50 * n50].reshape(-1, n50).mean(axis=1)) if len(p) >= n50 else np.zeros(0)
    levels = levels[levels > -190]
    starts, length = _steady_frames(audio, zero, rate)
    noise = _frame_noise_dbfs(audio, rate, starts, length) if len(starts) and levels.size else np.zeros(0)
    return levels, starts[: len(noise)], length, noise


def noise_result(levels: np.ndarray, starts: np.ndarray, length: int, noise: np.ndarray, rate: int) -> dict:
    """The noise floor and SNR (dB) from ``noise_frames``'s measurements (see ``noise_floor``)."""
    loud = float(np.percentile(levels, 95)) if levels.size else None
    result = {"noise_floor_dbfs": None, "signal_dbfs": None if loud is None else round(loud, 1), "snr_db": None,
              "noise_measured_s": 0.0}
    if loud is None or not len(noise):
        return result
    good = noise[np.isfinite(noise)]
    if not good.size:
        return result
    floor = float(np.median(good[good <= good.min() + 3.0]))
    used = starts[np.isfinite(noise)]
    covered = length + np.minimum(np.diff(used), length).sum()       # frames overlap by half: count each sample once
    result.update(noise_floor_dbfs=round(floor, 1), snr_db=round(loud - floor, 1),
                  noise_measured_s=round(float(covered) / rate, 2))
    return result


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
    best = hum_lines(psd, freqs[1] - freqs[0], rate, harmonics=harmonics, prominence_db=prominence_db,
                     min_level_dbfs=min_level_dbfs)
    if best is None:
        return None
    return hum_result(best, hum_span(hum_heard(x, rate, best[0]), len(x), rate))


def hum_result(best: tuple[float, dict[int, float]], span: tuple[float, float]) -> dict:
    """The hum report from ``hum_lines``'s (mains, harmonics) and the span (s) where it is heard."""
    mains, found = best
    return {"mains_hz": int(mains), "harmonics_dbfs": found, "level_dbfs": max(found.values()),
            "time_s": span[0], "end_s": span[1]}


def hum_lines(psd: np.ndarray, df: float, rate: int, *, harmonics: int = 6, prominence_db: float = 15.0,
              min_level_dbfs: float = -80.0) -> tuple[float, dict[int, float]] | None:
    """The mains frequency (Hz) and its harmonics' levels (dBFS) standing out of a Welch spectrum ``psd`` of
    resolution ``df`` Hz, or None (see ``mains_hum``)."""
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
    return best


def hum_span(heard: np.ndarray, frames: int, rate: int) -> tuple[float, float]:
    """First and last second (s) of a take of ``frames`` samples in which hum is heard (``hum_heard``'s blocks)."""
    on = np.flatnonzero(heard)
    if len(heard) < 2 or not on.size:
        return 0.0, round(frames / rate, 3)
    return round(float(on[0]), 3), round(min((on[-1] + 1) * rate, frames) / rate, 3)


def hum_heard(x: np.ndarray, rate: int, mains: float, *, prominence_db: float = 10.0,
               min_level_dbfs: float = -80.0) -> np.ndarray:
    """For each whole second of mono ``x``: is hum heard in it?

    A one-second block has hum when its mains fundamental or 2nd harmonic (Hann-windowed DFT, 1 Hz resolution) stands
    ``prominence_db`` above the same block at 4-8 Hz on either side and reaches ``min_level_dbfs``. This follows
    the hum at its own level, so a loud moment (a clipped, overdriven passage) does not hide the rest of the take.
    """
    n = rate
    blocks = len(x) // n
    offsets = np.array([-8.0, -6.0, -4.0, 0.0, 4.0, 6.0, 8.0])
    freqs = np.concatenate([mains + offsets, 2 * mains + offsets])
    t = np.arange(n) / rate
    window = np.hanning(n)
    basis = window[:, None] * np.exp(-2j * np.pi * t[:, None] * freqs[None, :])
    amp = np.abs(x[: blocks * n].reshape(blocks, n) @ basis) * 2 / window.sum()     # (blocks, freqs), sine peak
    amp = amp.reshape(blocks, 2, len(offsets))
    line = amp[:, :, 3]
    side = np.sqrt(np.mean(np.delete(amp, 3, axis=2) ** 2, axis=2))
    heard = (line >= side * 10 ** (prominence_db / 20)) & (line >= 10 ** (min_level_dbfs / 20))
    return heard.any(axis=1)


def _edge_dbfs(p: np.ndarray, start: int, end: int) -> float:
    """Level (dBFS, sine peak) of the per-sample power ``p`` over ``[start, end)`` clipped to the signal."""
    seg = p[max(0, start):max(0, min(end, len(p)))]
    return float(_power_dbfs(seg.mean())) if seg.size else -200.0


def silences(audio: np.ndarray, rate: int, *, dropout_min_ms: float = 1.0, dropout_max_ms: float = 250.0,
             silence_min_ms: float = 1000.0, edge_ms: float = 10.0, context_ms: float = 100.0,
             context_dbfs: float = -60.0, decay_db: float = 10.0, resume_db: float = 10.0) -> dict:
    """Runs of digital silence (exact zeros on every channel), sorted into dropouts and silent stretches.

    A dropout is an abrupt loss: a run from ``dropout_min_ms`` to ``dropout_max_ms`` inside the signal where the
    ``edge_ms`` before the run are above ``context_dbfs`` and within ``decay_db`` of the ``context_ms`` before them
    (the signal was cut while sounding, not after a decay), and the ``edge_ms`` after it are within ``resume_db`` of
    the level before (it resumes where it was, not with a new hit). Drum hits and gated or edited tracks that fall to
    zero between notes therefore give none. Runs of ``silence_min_ms`` or more are digital silence (an input giving
    nothing); gaps in between are neither. Times in seconds.
    """
    zero = np.all(audio == 0, axis=0)
    starts, ends = runs(zero)
    p = _power(audio)
    n_edge = max(1, int(rate * edge_ms / 1000))
    n_ctx = max(n_edge, int(rate * context_ms / 1000))
    dropouts, silent = [], []
    for s, e in zip(starts, ends):
        length_ms = (e - s) * 1000 / rate
        item = {"time_s": round(s / rate, 4), "end_s": round(e / rate, 4), "duration_ms": round(length_ms, 2)}
        if length_ms >= silence_min_ms:
            silent.append(item)
        elif dropout_min_ms <= length_ms <= dropout_max_ms and s > 0 and e < len(zero):
            before = _edge_dbfs(p, s - n_edge, s)
            context = _edge_dbfs(p, s - n_ctx, s - n_edge)
            after = _edge_dbfs(p, e, e + n_edge)
            if (min(before, after) > context_dbfs and before >= context - decay_db
                    and abs(after - before) <= resume_db):
                dropouts.append({**item, "level_before_dbfs": round(before, 1),
                                 "level_after_dbfs": round(after, 1)})
    total = len(zero) / rate if len(zero) else 0.0
    silent_s = sum(i["end_s"] - i["time_s"] for i in silent)
    return {"dropouts": dropouts, "silence": silent, "all_silent": bool(len(zero) and zero.all()),
            "silent_fraction": round(silent_s / total, 4) if total else 1.0}


def widen(mask: np.ndarray, radius: int) -> np.ndarray:
    """``mask`` widened by ``radius`` samples on each side."""
    c = np.concatenate(([0], np.cumsum(mask, dtype=np.int64)))
    i = np.arange(len(mask))
    return (c[np.minimum(i + radius + 1, len(mask))] - c[np.maximum(i - radius, 0)]) > 0


def clicks(audio: np.ndarray, rate: int, *, ratio_db: float = 20.0, min_dbfs: float = -60.0,
           window_ms: float = 2.0, guard_samples: int = 3, exclude: np.ndarray | None = None,
           merge_ms: float = 5.0) -> list[dict]:
    """Sample-level discontinuities (clicks, glitches): jumps far above what the signal around them allows.

    The residual is the second difference ``x[n+1] - 2 x[n] + x[n-1]`` (what a straight-line prediction misses). A
    sample is a click when its residual stands ``ratio_db`` above the residual's RMS over ``window_ms`` both before and
    after it (skipping ``guard_samples``), and above ``min_dbfs``: a step or spike in otherwise smooth material. A drum
    hit's noisy onset is not one, since the residual stays high after it. Samples where ``exclude`` is True (edges of
    digital silence, clipped runs) are skipped. Hits within ``merge_ms`` count once. Times in seconds, jump in dBFS.
    """
    n_win = max(4, int(rate * window_ms / 1000))
    g = guard_samples
    gain = 10 ** (ratio_db / 10)
    floor = 10 ** (min_dbfs / 20)
    hits = np.zeros(audio.shape[1], dtype=bool)
    jump = np.zeros(audio.shape[1])
    for ch in audio:
        x = ch.astype(np.float64)
        if len(x) < 2 * (n_win + g) + 3:
            break
        r = np.zeros(len(x))
        r[1:-1] = x[2:] - 2 * x[1:-1] + x[:-2]
        a = np.abs(r)
        i = np.flatnonzero(a > floor)                       # only loud residuals can be clicks: test those
        i = i[(i >= n_win + g) & (i < len(x) - n_win - g - 1)]
        if not i.size:
            continue
        c = np.concatenate(([0.0], np.cumsum(r * r)))
        before = (c[i - g] - c[i - g - n_win]) / n_win
        after = (c[i + g + 1 + n_win] - c[i + g + 1]) / n_win
        hit = a[i] ** 2 > gain * np.maximum(np.maximum(before, after), 1e-30)
        hits[i[hit]] = True
        jump[i[hit]] = np.maximum(jump[i[hit]], a[i[hit]])
    if exclude is not None:
        hits &= ~exclude
    out: list[dict] = []
    last: float = -np.inf
    for n in np.flatnonzero(hits):
        if n - last <= rate * merge_ms / 1000 and out:
            out[-1]["level_dbfs"] = round(max(out[-1]["level_dbfs"], float(db(jump[n]))), 1)
        else:
            out.append({"time_s": round(n / rate, 4), "level_dbfs": round(float(db(jump[n])), 1)})
        last = int(n)
    return out


def clipped_passages(clips: list[dict], *, gap_ms: float = 20.0) -> list[dict]:
    """Clipped runs (from ``clipped_runs``) closer than ``gap_ms`` merged into passages: one overdriven moment each.

    Each passage has ``time_s``, ``end_s``, ``runs`` (how many clipped runs) and ``samples`` (clipped samples).
    """
    out: list[dict] = []
    for c in sorted(clips, key=lambda c: c["time_s"]):
        if out and c["time_s"] - out[-1]["end_s"] <= gap_ms / 1000:
            last = out[-1]
            last["end_s"] = max(last["end_s"], c["end_s"])
            last["runs"] += 1
            last["samples"] += c["samples"]
            if c["channel"] not in last["channels"]:
                last["channels"].append(c["channel"])
        else:
            out.append({"time_s": c["time_s"], "end_s": c["end_s"], "runs": 1, "samples": c["samples"],
                        "channels": [c["channel"]]})
    return out
