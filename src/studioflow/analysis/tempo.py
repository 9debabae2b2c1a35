"""Tempo and beat grid: spectral frames (streamed), onset strength, tempo in BPM with a confidence, beat times in s.

- :class:`SpectralFrames` streams audio blocks into 10 ms frames of log mel-band power (dB) and chroma, the
  features both tempo and sections (``analysis.sections``) work on; memory grows with the number of frames only.
- :func:`onset_strength`: spectral flux, the half-wave rectified rise of log band power summed over bands
  (Bello et al., "A tutorial on onset detection in music signals", IEEE TSAP 2005).
- :func:`estimate_tempo`: a comb over the onset autocorrelation: for each candidate period P the mean of the
  autocorrelation at the beats k*P minus a quarter of its mean at the off-beats (k - 1/2)*P, weighted by a
  log-normal prior around 120 BPM (one octave wide). The off-beat term keeps half tempo from tying with the true
  tempo on a plain 4/4 beat, the prior settles what is left; many comb teeth make the period precise to well
  under 1 BPM.
- :func:`beat_grid`: dynamic-programming beat tracking (D. Ellis, "Beat tracking by dynamic programming",
  JNMR 2007): beats on strong onsets, spaced close to the tempo's period.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from studioflow.errors import ParameterError

FRAME_RATE_HZ = 100          # nominal spectral frame rate (10 ms hop)
N_BANDS = 40                 # mel bands
BAND_LOW_HZ, BAND_HIGH_HZ = 30.0, 16000.0
CHROMA_LOW_HZ, CHROMA_HIGH_HZ = 55.0, 4200.0
FLOOR_DB = -100.0            # power floor of the band levels
FLUX_LAG_FRAMES = 2          # spectral flux compares frames 20 ms apart
ONSET_RANGE_DB = 50.0        # band levels are floored this far below the loudest: quiet hats rising from digital
                             # silence must not outweigh the kick and snare
OFFBEAT_WEIGHT = 0.25        # weight of the off-beat term (more would penalise the true beat when eighths are even)
PRIOR_BPM, PRIOR_OCTAVES = 120.0, 1.0
MIN_BPM, MAX_BPM = 60.0, 200.0
BPM_STEP = 0.05
COMB_MAX_S = 12.0            # comb teeth reach at most this far in lag
DP_TIGHTNESS = 100.0         # Ellis 2007: how strongly beat spacing sticks to the period


def _mel(hz: np.ndarray | float) -> np.ndarray:
    return 2595.0 * np.log10(1.0 + np.asarray(hz, dtype=np.float64) / 700.0)


def _mel_to_hz(mel: np.ndarray) -> np.ndarray:
    return 700.0 * (10.0 ** (mel / 2595.0) - 1.0)


def mel_filterbank(sample_rate: int, n_fft: int, n_bands: int = N_BANDS) -> np.ndarray:
    """Triangular mel filters (n_fft // 2 + 1, n_bands) from 30 Hz to 16 kHz (or Nyquist), each of unit sum."""
    high = min(BAND_HIGH_HZ, 0.45 * sample_rate)
    edges = _mel_to_hz(np.linspace(_mel(BAND_LOW_HZ), _mel(high), n_bands + 2))
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    fb = np.zeros((freqs.size, n_bands))
    for b in range(n_bands):
        lo, mid, hi = edges[b], edges[b + 1], edges[b + 2]
        up = (freqs - lo) / max(mid - lo, 1e-9)
        down = (hi - freqs) / max(hi - mid, 1e-9)
        fb[:, b] = np.clip(np.minimum(up, down), 0.0, None)
        if fb[:, b].sum() == 0.0:  # a band narrower than a bin: take the nearest bin
            fb[int(np.argmin(np.abs(freqs - mid))), b] = 1.0
    return fb / fb.sum(axis=0, keepdims=True)


def chroma_map(sample_rate: int, n_fft: int) -> np.ndarray:
    """Bin-to-pitch-class weights (n_fft // 2 + 1, 12) for bins from 55 Hz to 4.2 kHz (pitch class 0 = C)."""
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    out = np.zeros((freqs.size, 12))
    use = (freqs >= CHROMA_LOW_HZ) & (freqs <= CHROMA_HIGH_HZ)
    pc = np.round(12.0 * np.log2(freqs[use] / 440.0) + 69.0).astype(int) % 12
    out[np.flatnonzero(use), pc] = 1.0
    return out


@dataclass
class Frames:
    """Spectral frames at ``frame_rate_hz``: frame i is centred at i / frame_rate_hz seconds."""

    bands_db: np.ndarray          # (n_frames, N_BANDS) mel-band power in dB re full scale
    chroma: np.ndarray            # (n_frames, 12) pitch-class power (linear)
    frame_rate_hz: float
    duration_s: float

    @property
    def count(self) -> int:
        """Number of frames."""
        return int(self.bands_db.shape[0])

    def times_s(self) -> np.ndarray:
        """Centre time of each frame in seconds."""
        return np.arange(self.count) / self.frame_rate_hz


@dataclass
class SpectralFrames:
    """Stream blocks (channels, n) in with :meth:`process`; :meth:`result` gives the :class:`Frames` so far."""

    sample_rate: int
    hop: int = field(init=False)
    n_fft: int = field(init=False)

    def __post_init__(self) -> None:
        if int(self.sample_rate) != self.sample_rate or self.sample_rate < 8000:
            raise ParameterError(f"spectral frames: sample rate must be a whole number of Hz >= 8000, "
                                 f"got {self.sample_rate!r}")
        self.sample_rate = int(self.sample_rate)
        self.hop = int(round(self.sample_rate / FRAME_RATE_HZ))
        self.n_fft = 1 << math.ceil(math.log2(0.04 * self.sample_rate))   # ~40 ms window
        self._window = np.hanning(self.n_fft + 1)[:-1].astype(np.float32)
        self._scale = 2.0 / self._window.sum()                            # sine of amplitude A -> A
        self._mel = mel_filterbank(self.sample_rate, self.n_fft).astype(np.float32)
        self._chroma = chroma_map(self.sample_rate, self.n_fft).astype(np.float32)
        self._buffer = np.zeros(self.n_fft // 2, dtype=np.float32)        # frames are centred: pad the start
        self._bands: list[np.ndarray] = []
        self._chromas: list[np.ndarray] = []
        self._frames_in = 0

    def process(self, block: np.ndarray) -> None:
        """Feed float audio (channels, n) or (n,); channels are averaged to mono."""
        x = np.asarray(block, dtype=np.float32)
        mono = x if x.ndim == 1 else x.mean(axis=0, dtype=np.float32)
        self._frames_in += mono.size
        self._buffer = np.concatenate([self._buffer, mono])
        self._buffer = self._consume(self._buffer)

    def _consume(self, buf: np.ndarray) -> np.ndarray:
        """Turn every complete frame of ``buf`` into features; return the samples still needed."""
        count = (buf.size - self.n_fft) // self.hop + 1 if buf.size >= self.n_fft else 0
        for first in range(0, count, 512):                                 # bounded memory per FFT batch
            n = min(512, count - first)
            idx = (first + np.arange(n))[:, None] * self.hop + np.arange(self.n_fft)[None, :]
            spec = np.fft.rfft(buf[idx] * self._window, axis=1)
            power = (np.abs(spec) * self._scale) ** 2
            self._bands.append(10.0 * np.log10(np.maximum(power @ self._mel, 10 ** (FLOOR_DB / 10))))
            self._chromas.append(power @ self._chroma)
        return buf[count * self.hop:].copy()

    def result(self) -> Frames:
        """The frames of everything fed so far (the tail is padded with silence, as at the start)."""
        total = math.ceil(self._frames_in / self.hop) if self._frames_in else 0
        saved = (list(self._bands), list(self._chromas))
        done = sum(b.shape[0] for b in self._bands)
        if total > done:
            self._consume(np.concatenate([self._buffer, np.zeros(self.n_fft, dtype=np.float32)]))
        bands = np.concatenate(self._bands)[:total] if self._bands else np.zeros((0, N_BANDS))
        chroma = np.concatenate(self._chromas)[:total] if self._chromas else np.zeros((0, 12))
        self._bands, self._chromas = saved
        return Frames(bands.astype(np.float32), chroma.astype(np.float32), self.sample_rate / self.hop,
                      self._frames_in / self.sample_rate)


def spectral_frames(audio: np.ndarray, sample_rate: int) -> Frames:
    """Spectral frames of a whole array (channels, frames) or (frames,)."""
    sf = SpectralFrames(sample_rate)
    sf.process(audio)
    return sf.result()


def onset_strength(frames: Frames) -> np.ndarray:
    """Onset strength per frame (dB summed over bands, >= 0): spectral flux of log band power, lag 20 ms."""
    levels = np.maximum(frames.bands_db.astype(np.float64), frames.bands_db.max(initial=FLOOR_DB) - ONSET_RANGE_DB)
    flux = np.zeros(frames.count)
    if frames.count > FLUX_LAG_FRAMES:
        rise = np.maximum(levels[FLUX_LAG_FRAMES:] - levels[:-FLUX_LAG_FRAMES], 0.0).sum(axis=1)
        flux[FLUX_LAG_FRAMES:] = rise
    return flux


@dataclass
class TempoEstimate:
    """A tempo in BPM, a confidence in 0..1, and the scores of the best rival tempi."""

    bpm: float | None
    confidence: float
    candidates: list[tuple[float, float]] = field(default_factory=list)   # (bpm, score), best first


def _autocorrelation(onset: np.ndarray) -> np.ndarray:
    """Unbiased autocorrelation of the mean-removed onset strength, normalised to 1 at lag 0."""
    x = onset - onset.mean()
    n = x.size
    spec = np.fft.rfft(x, 2 * n)
    ac = np.fft.irfft(np.abs(spec) ** 2, 2 * n)[:n]
    ac /= np.arange(n, 0, -1)
    return ac / ac[0] if ac[0] > 0 else ac * 0.0


def comb_scores(onset: np.ndarray, frame_rate_hz: float, bpms: np.ndarray) -> np.ndarray:
    """Comb score per candidate tempo (module docstring): beats minus off-beats in the normalised autocorrelation."""
    ac = _autocorrelation(onset)
    reach = min(COMB_MAX_S * frame_rate_hz, ac.size / 2)
    period = frame_rate_hz * 60.0 / bpms                                   # frames per beat
    teeth = np.maximum(np.floor(reach / period), 1).astype(int)
    k = np.arange(1, int(teeth.max()) + 1)
    lags_on = period[:, None] * k[None, :]
    lags_off = lags_on - 0.5 * period[:, None]
    valid = k[None, :] <= teeth[:, None]
    lag_axis = np.arange(ac.size)
    on = np.interp(np.minimum(lags_on, ac.size - 1), lag_axis, ac)
    off = np.interp(np.minimum(lags_off, ac.size - 1), lag_axis, ac)
    diff = np.where(valid, on - OFFBEAT_WEIGHT * off, 0.0)
    return diff.sum(axis=1) / teeth


def estimate_tempo(onset: np.ndarray, frame_rate_hz: float, *, min_bpm: float = MIN_BPM,
                   max_bpm: float = MAX_BPM) -> TempoEstimate:
    """Tempo (BPM) of an onset-strength envelope; ``None`` with confidence 0 when there is no pulse to find."""
    if not 0 < min_bpm < max_bpm:
        raise ParameterError(f"tempo: need 0 < min_bpm < max_bpm, got {min_bpm} and {max_bpm}")
    onset = np.asarray(onset, dtype=np.float64)
    if onset.size < 4 * frame_rate_hz * 60.0 / min_bpm or not np.any(onset > 0):
        return TempoEstimate(None, 0.0)
    bpms = np.arange(min_bpm, max_bpm + BPM_STEP / 2, BPM_STEP)
    scores = comb_scores(onset, frame_rate_hz, bpms)
    prior = np.exp(-0.5 * (np.log2(bpms / PRIOR_BPM) / PRIOR_OCTAVES) ** 2)
    weighted = np.maximum(scores, 0.0) * prior
    best = int(np.argmax(weighted))
    if weighted[best] <= 0.0:
        return TempoEstimate(None, 0.0)
    # rivals: the best local maxima at least 5 % away
    order = np.argsort(weighted)[::-1]
    rivals: list[tuple[float, float]] = []
    for i in order:
        if all(abs(bpms[i] / b - 1.0) > 0.05 for b, _ in rivals):
            rivals.append((float(bpms[i]), float(weighted[i])))
        if len(rivals) == 4:
            break
    confidence = float(np.clip(scores[best], 0.0, 1.0))
    return TempoEstimate(round(float(bpms[best]), 2), confidence, rivals)


def beat_grid(onset: np.ndarray, frame_rate_hz: float, bpm: float) -> np.ndarray:
    """Beat times in seconds by dynamic programming (Ellis 2007) on ``onset`` at the tempo ``bpm``."""
    onset = np.asarray(onset, dtype=np.float64)
    if onset.size == 0 or bpm is None or bpm <= 0:
        return np.zeros(0)
    period = frame_rate_hz * 60.0 / bpm
    std = onset.std()
    norm = onset / std if std > 0 else onset
    half = int(round(period))
    taps = np.exp(-0.5 * (np.arange(-half, half + 1) * 32.0 / period) ** 2)
    local = np.convolve(norm, taps, mode="same")
    lo, hi = int(round(period / 2)), int(round(2 * period))
    offsets = np.arange(hi, lo - 1, -1)                                     # predecessor distance
    penalty = -DP_TIGHTNESS * np.log(offsets / period) ** 2
    n = local.size
    cum = local.copy()
    back = np.full(n, -1, dtype=np.int64)
    for t in range(lo, n):
        start = t - hi
        cand = np.arange(start, t - lo + 1)
        ok = cand >= 0
        if not ok.any():
            continue
        scores = np.where(ok, cum[np.maximum(cand, 0)] + penalty, -np.inf)
        j = int(np.argmax(scores))
        if scores[j] > 0:  # only link to a predecessor that helps
            cum[t] = local[t] + scores[j]
            back[t] = cand[j]
    # last beat: the last local maximum of the cumulative score that is at least half the median maximum
    peaks = np.flatnonzero((cum[1:-1] > cum[:-2]) & (cum[1:-1] >= cum[2:])) + 1
    if peaks.size == 0:
        return np.zeros(0)
    median = np.median(cum[peaks])
    end = int(peaks[cum[peaks] >= 0.5 * median][-1])
    chain = [end]
    while back[chain[-1]] >= 0:
        chain.append(int(back[chain[-1]]))
    beats = np.array(chain[::-1])
    # trim weak beats at the edges (silence before the music starts or after it ends)
    strength = local[beats]
    keep = strength >= 0.5 * np.sqrt(np.mean(local ** 2))
    if keep.any():
        beats = beats[np.argmax(keep): beats.size - np.argmax(keep[::-1])]
    return beats / frame_rate_hz


@dataclass
class TempoResult:
    """Tempo (BPM, None if not found), confidence 0..1 and beat times (s)."""

    bpm: float | None
    confidence: float
    beats_s: np.ndarray
    candidates: list[tuple[float, float]] = field(default_factory=list)


def tempo_from_frames(frames: Frames) -> TempoResult:
    """Tempo and beat grid from spectral frames."""
    onset = onset_strength(frames)
    est = estimate_tempo(onset, frames.frame_rate_hz)
    beats = beat_grid(onset, frames.frame_rate_hz, est.bpm) if est.bpm else np.zeros(0)
    return TempoResult(est.bpm, est.confidence, beats, est.candidates)


def analyze_tempo(audio: np.ndarray, sample_rate: int) -> TempoResult:
    """Tempo (BPM), confidence and beat times (s) of audio (channels, frames) or (frames,) at ``sample_rate`` Hz."""
    return tempo_from_frames(spectral_frames(audio, sample_rate))
