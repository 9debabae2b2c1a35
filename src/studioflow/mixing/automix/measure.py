"""What automix measures on each stem: gated loudness where it plays, activity, crest factor, loudness range,
long-term and per-frame band spectra, spectral centroid, low-band share, onset rate and pitch by autocorrelation.

Loudness and loudness range are BS.1770-4 / EBU Tech 3342 (``analysis.loudness``): the integrated loudness is gated
(absolute -70 LUFS, relative -10 LU), so silence between a part's entries does not pull its level down.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from studioflow.analysis.loudness import measure as loudness_measure
from studioflow.analysis.spectrum import OCTAVE_RATIO, band_centres_hz

FRAME_S = 0.1                 # analysis frame (the loudness meter's 10 Hz series)
ACTIVE_BELOW_MAX_LU = 30.0    # a frame is "playing" when its momentary loudness is within this of the part's loudest
ONSET_RISE_DB = 9.0           # an onset: the 5 ms envelope rises this much within 20 ms
PITCH_LOW_HZ, PITCH_HIGH_HZ = 40.0, 1000.0
VOICED_CORRELATION = 0.8      # normalised autocorrelation peak that counts as a periodic (pitched) frame
PITCH_RATE = 8000             # pitch analysis runs on a copy resampled to this rate


@dataclass
class StemFeatures:
    """Measurements of one stem; levels in LUFS / dBFS / dB, times in s, frequencies in Hz."""

    name: str
    path: Path
    sample_rate: int
    channels: int
    duration_s: float
    loudness_lufs: float | None           # gated integrated loudness (where it plays)
    loudness_range_lu: float | None
    peak_dbfs: float | None
    active_rms_dbfs: float | None         # RMS over the frames where it plays
    crest_db: float | None                # peak minus active RMS
    active: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0, bool))   # 10 Hz playing mask
    activity: float = 0.0                 # fraction of the song it plays
    band_hz: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))        # 1/3-octave centres
    band_frames_db: np.ndarray = field(repr=False, default_factory=lambda: np.zeros((0, 0)))  # (frames, bands)
    spectrum_db: np.ndarray = field(repr=False, default_factory=lambda: np.zeros(0))    # mean over playing frames
    centroid_hz: float = 0.0
    low_share: float = 0.0                # share of the power below 150 Hz
    high_share: float = 0.0               # share of the power above 5 kHz
    onsets_per_s: float = 0.0             # onsets per second of playing time
    voiced: float = 0.0                   # share of playing frames that are periodic
    periodicity: float = 0.0              # mean autocorrelation peak (1 = one clean pitch; chords and noise lower)
    sustain: float = 0.0                  # share of sounding time within 10 dB of the local (1 s) envelope peak
    pitch_hz: float | None = None         # median pitch of the periodic frames
    pitch_span_st: float = 0.0            # 10th..90th percentile pitch span, semitones
    attack_ms: float = 0.0                # median time from an onset to its envelope peak
    decay_db_per_s: float = 0.0           # median fall of the envelope over the 250 ms after a note's peak
    flatness: float = 0.0                 # median spectral flatness of the playing frames (0 tonal .. 1 noise)
    centroid_spread: float = 0.0          # spread (std, octaves) of the per-frame spectral centroid
    correlation: float | None = None      # left/right correlation of a stereo stem


def analyse(name: str, path: Path, audio: np.ndarray, rate: int) -> StemFeatures:
    """Measure one stem ``audio`` (channels, frames) at ``rate`` Hz."""
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    lr = loudness_measure(audio, rate, true_peak=False)
    momentary = lr.momentary_lufs
    top = float(np.max(momentary)) if momentary.size and np.isfinite(momentary).any() else -np.inf
    active = momentary > max(top - ACTIVE_BELOW_MAX_LU, -70.0) if np.isfinite(top) else np.zeros(momentary.size, bool)
    mono = audio.mean(axis=0)
    hop = int(round(FRAME_S * rate))
    frames = min(active.size, mono.size // hop)
    active = active[:frames]
    features = StemFeatures(name=name, path=path, sample_rate=rate, channels=audio.shape[0],
                            duration_s=audio.shape[1] / rate, loudness_lufs=lr.integrated_lufs,
                            loudness_range_lu=lr.loudness_range_lu, peak_dbfs=lr.sample_peak_dbfs,
                            active_rms_dbfs=None, crest_db=None, active=active,
                            activity=float(active.mean()) if frames else 0.0)
    if audio.shape[0] == 2:
        denom = float(np.sqrt(np.sum(audio[0].astype(np.float64) ** 2) * np.sum(audio[1].astype(np.float64) ** 2)))
        features.correlation = float(np.dot(audio[0], audio[1]) / denom) if denom > 0 else None
    if not active.any():
        return features
    # active RMS and crest factor: the 100 ms frames where it plays (a playing frame's momentary window ends there)
    framed = mono[:frames * hop].reshape(frames, hop).astype(np.float64)
    ms = np.mean(framed[active] ** 2)
    if ms > 0:
        features.active_rms_dbfs = 10 * np.log10(ms)
        if features.peak_dbfs is not None:
            features.crest_db = features.peak_dbfs - features.active_rms_dbfs
    _spectra(features, framed, rate)
    (features.onsets_per_s, features.sustain, features.attack_ms,
     features.decay_db_per_s) = _envelope(mono, rate, features.activity * features.duration_s)
    _pitch(features, framed, rate)
    return features


def _spectra(f: StemFeatures, framed: np.ndarray, rate: int) -> None:
    """Per-frame 1/3-octave band levels (dB, 0 dB = full-scale sine) and their mean over playing frames."""
    centres = band_centres_hz(3, rate, low_hz=25.0)
    window = np.hanning(framed.shape[1])
    power = np.abs(np.fft.rfft(framed * window, axis=1)) ** 2 * (4.0 / np.sum(window) ** 2)
    freqs = np.fft.rfftfreq(framed.shape[1], 1.0 / rate)
    half = OCTAVE_RATIO ** (1 / 6)
    edges = np.concatenate([centres / half, centres[-1:] * half])
    idx = np.searchsorted(edges, freqs, side="right") - 1
    inside = (idx >= 0) & (idx < centres.size)
    bands = np.zeros((framed.shape[0], centres.size))
    for k in range(centres.size):            # ~30 bands: a short loop over bands, vectorised over frames
        sel = inside & (idx == k)
        if sel.any():
            bands[:, k] = power[:, sel].sum(axis=1)
    f.band_hz = centres
    with np.errstate(divide="ignore"):
        f.band_frames_db = 10 * np.log10(np.maximum(bands, 1e-20))
    mean_power = bands[f.active].mean(axis=0)
    f.spectrum_db = 10 * np.log10(np.maximum(mean_power, 1e-20))
    total = float(mean_power.sum())
    playing = bands[f.active]
    frame_total = playing.sum(axis=1)
    ok = frame_total > 0
    if ok.any():
        p = playing[ok] + 1e-20
        f.flatness = float(np.median(np.exp(np.mean(np.log(p), axis=1)) / np.mean(p, axis=1)))
        octaves = np.sum(p * np.log2(centres), axis=1) / p.sum(axis=1)
        f.centroid_spread = float(np.std(octaves))
    if total > 0:
        f.centroid_hz = float(np.exp(np.sum(mean_power * np.log(centres)) / total))
        f.low_share = float(mean_power[centres < 150].sum() / total)
        f.high_share = float(mean_power[centres > 5000].sum() / total)


def _envelope(mono: np.ndarray, rate: int, playing_s: float) -> tuple[float, float, float, float]:
    """Onsets per second of playing time (rises of the 5 ms RMS envelope by ONSET_RISE_DB within 20 ms), the
    sustain (the share of sounding 5 ms frames within 10 dB of the envelope's peak over the surrounding second), and
    per note the attack (ms from the onset to the envelope's peak within 150 ms) and the decay (dB/s over the 250 ms
    after that peak; negative while a struck note dies away, near 0 for a held one), medians over the notes."""
    from scipy.ndimage import maximum_filter1d

    hop = max(1, int(rate * 0.005))
    n = mono.size // hop
    if n < 8 or playing_s <= 0:
        return 0.0, 0.0, 0.0, 0.0
    env = 10 * np.log10(np.mean(mono[:n * hop].reshape(n, hop).astype(np.float64) ** 2, axis=1) + 1e-12)
    floor = env.max() - 40.0
    env = np.maximum(env, floor)
    rise = env[4:] - env[:-4]
    hits = (rise > ONSET_RISE_DB) & (env[4:] > floor + 15.0)
    starts = np.flatnonzero(hits & ~np.concatenate([[False], hits[:-1]]))
    if starts.size:
        keep = np.concatenate([[True], np.diff(starts) > 10])   # at most one onset per 50 ms
        starts = starts[keep]
    local_max = maximum_filter1d(env, size=200, mode="nearest")
    sounding = env > env.max() - ACTIVE_BELOW_MAX_LU
    sustain = float(np.mean(env[sounding] > local_max[sounding] - 10.0)) if sounding.any() else 0.0
    attack, decay = 0.0, 0.0
    notes = starts[starts + 4 + 80 < n] + 4
    if notes.size:
        window = env[notes[:, None] + np.arange(30)]                 # 150 ms from each onset
        peak = np.argmax(window, axis=1)
        after = env[notes + peak + 50] - window[np.arange(notes.size), peak]
        attack = float(np.median(peak) * 5.0)
        decay = float(np.median(after) / 0.25)
    return float(starts.size / playing_s), sustain, attack, decay


def _pitch(f: StemFeatures, framed: np.ndarray, rate: int) -> None:
    """Pitch of each playing frame by normalised autocorrelation (a lag-domain peak between 40 Hz and 1 kHz)."""
    from scipy.signal import resample_poly

    step = max(1, int(f.active.size / 200))          # at most ~200 frames: enough for a median and a span
    rows = np.flatnonzero(f.active)[::step]
    if rows.size == 0:
        return
    x = resample_poly(framed[rows], PITCH_RATE, rate, axis=1)
    x = x - x.mean(axis=1, keepdims=True)
    n = x.shape[1]
    spec = np.fft.rfft(x, 2 * n, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, axis=1)[:, :n]
    lo, hi = int(PITCH_RATE / PITCH_HIGH_HZ), min(int(PITCH_RATE / PITCH_LOW_HZ), n // 2)
    energy = ac[:, :1]
    norm = ac[:, :hi] / np.maximum(energy, 1e-20) * (n / (n - np.arange(hi)))   # unbiased
    # search beyond the first zero crossing only: a smooth (low) signal correlates with itself at every short lag
    first_neg = np.argmax(norm < 0, axis=1)
    first_neg[~(norm < 0).any(axis=1)] = hi
    lags = np.arange(hi)
    norm = np.where((lags[None, :] >= lo) & (lags[None, :] >= first_neg[:, None]), norm, -1.0)[:, lo:]
    top = norm.max(axis=1, keepdims=True)
    best = np.argmax(norm >= 0.9 * top, axis=1)      # the shortest lag near the best: not an octave below
    peak = norm[np.arange(rows.size), best]
    voiced = peak > VOICED_CORRELATION
    f.voiced = float(voiced.mean())
    f.periodicity = float(np.mean(np.maximum(peak, 0.0)))
    if voiced.sum() >= 3:
        pitches = PITCH_RATE / (lo + best[voiced])
        f.pitch_hz = float(np.median(pitches))
        p10, p90 = np.percentile(pitches, [10, 90])
        f.pitch_span_st = float(12 * np.log2(p90 / p10))
