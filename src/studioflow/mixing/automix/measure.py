"""What automix measures on each stem: gated loudness where it plays, activity, crest factor, loudness range,
long-term and per-frame band spectra, spectral centroid, low-band share, onset rate and pitch by autocorrelation.

Loudness and loudness range are BS.1770-4 / EBU Tech 3342 (``analysis.loudness``): the integrated loudness is gated
(absolute -70 LUFS, relative -10 LU), so silence between a part's entries does not pull its level down.

A stem is measured as a stream (:class:`StemMeter`): one pass keeps only what each 100 ms frame and 5 ms envelope
step measured, and a second pass fetches the few (at most ~200) frames the pitch analysis picks once the playing
frames are known. Memory grows with the number of frames only (tens of MB for an hour), and blocks of any size give
the same features as the whole stem at once.

>>> features = analyse_file("bass", Path("stems/bass.wav"), 48000)        # doctest: +SKIP
>>> features.loudness_lufs, features.pitch_hz                              # doctest: +SKIP
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable, Iterator

import numpy as np

from studioflow.analysis.loudness import LoudnessMeter
from studioflow.analysis.spectrum import OCTAVE_RATIO, band_centres_hz

FRAME_S = 0.1                 # analysis frame (the loudness meter's 10 Hz series)
ENVELOPE_S = 0.005            # envelope step (onsets, sustain, attack, decay)
ACTIVE_BELOW_MAX_LU = 30.0    # a frame is "playing" when its momentary loudness is within this of the part's loudest
ONSET_RISE_DB = 9.0           # an onset: the 5 ms envelope rises this much within 20 ms
PITCH_LOW_HZ, PITCH_HIGH_HZ = 40.0, 1000.0
VOICED_CORRELATION = 0.8      # normalised autocorrelation peak that counts as a periodic (pitched) frame
PITCH_RATE = 8000             # pitch analysis runs on a copy resampled to this rate
PITCH_FRAMES = 200            # the pitch is judged on at most about this many playing frames
BLOCK_FRAMES = 1 << 16        # frames read at a time when a stem file is streamed


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


Blocks = Callable[[], Iterable[np.ndarray]]


class _Framer:
    """Cuts a stream of mono samples into rows of ``hop`` samples (float64), carrying what is left to the next push."""

    def __init__(self, hop: int) -> None:
        self.hop = hop
        self.count = 0                        # rows cut so far
        self._rest = np.zeros(0, np.float32)

    def push(self, mono: np.ndarray) -> np.ndarray:
        """The complete rows (k, hop) that ``mono`` finishes."""
        x = np.concatenate([self._rest, mono]) if self._rest.size else mono
        k = x.size // self.hop
        self._rest = x[k * self.hop:].copy()
        self.count += k
        return x[:k * self.hop].reshape(k, self.hop).astype(np.float64)


class _BandSplit:
    """Per-frame 1/3-octave band powers (0 dB = full-scale sine) of rows of ``hop`` samples at ``rate`` Hz."""

    def __init__(self, hop: int, rate: int) -> None:
        self.centres = band_centres_hz(3, rate, low_hz=25.0)
        self.window = np.hanning(hop)
        self.scale = 4.0 / np.sum(self.window) ** 2
        freqs = np.fft.rfftfreq(hop, 1.0 / rate)
        half = OCTAVE_RATIO ** (1 / 6)
        edges = np.concatenate([self.centres / half, self.centres[-1:] * half])
        idx = np.searchsorted(edges, freqs, side="right") - 1
        inside = (idx >= 0) & (idx < self.centres.size)
        self.bins = [np.flatnonzero(inside & (idx == k)) for k in range(self.centres.size)]

    def powers(self, framed: np.ndarray) -> np.ndarray:
        """Band powers (frames, bands) of the rows ``framed``."""
        power = np.abs(np.fft.rfft(framed * self.window, axis=1)) ** 2 * self.scale
        bands = np.zeros((framed.shape[0], self.centres.size))
        for k, sel in enumerate(self.bins):      # ~30 bands: a short loop over bands, vectorised over frames
            if sel.size:
                bands[:, k] = power[:, sel].sum(axis=1)
        return bands


class StemMeter:
    """Streaming measurements of one stem: :meth:`process` float ``(channels, n)`` blocks in order, then
    :meth:`features` (which needs the same blocks once more, from ``blocks``, for the pitch frames)."""

    def __init__(self, rate: int, channels: int) -> None:
        self.rate, self.channels, self.length = int(rate), int(channels), 0
        self._loudness = LoudnessMeter(self.rate, self.channels, true_peak=False)
        self._frames = _Framer(int(round(FRAME_S * self.rate)))
        self._steps = _Framer(max(1, int(self.rate * ENVELOPE_S)))
        self._split = _BandSplit(self._frames.hop, self.rate)
        self._frame_ms: list[np.ndarray] = []    # mean square of each 100 ms frame
        self._bands: list[np.ndarray] = []       # band powers of each 100 ms frame
        self._env: list[np.ndarray] = []         # level (dB) of each 5 ms step
        self._squares = np.zeros(self.channels)
        self._cross = 0.0

    def process(self, block: np.ndarray) -> None:
        """Measure the next float ``(channels, n)`` block."""
        block = np.ascontiguousarray(block, dtype=np.float32)
        self._loudness.process(block)
        if self.channels == 2:
            wide = block.astype(np.float64)
            self._squares += np.einsum("cn,cn->c", wide, wide)
            self._cross += float(np.einsum("n,n->", wide[0], wide[1]))    # not BLAS: no thread pool per block
        mono = block.mean(axis=0)
        framed = self._frames.push(mono)
        if framed.shape[0]:
            self._frame_ms.append(np.mean(framed ** 2, axis=1))
            self._bands.append(self._split.powers(framed))
        steps = self._steps.push(mono)
        if steps.shape[0]:
            self._env.append(10 * np.log10(np.mean(steps ** 2, axis=1) + 1e-12))
        self.length += block.shape[1]

    def features(self, name: str, path: Path, blocks: Blocks) -> StemFeatures:
        """The stem's features from everything processed; ``blocks`` gives the stem's blocks again (read only for
        the frames the pitch analysis picks, and only when the stem plays)."""
        lr = self._loudness.result()
        momentary = lr.momentary_lufs
        top = float(np.max(momentary)) if momentary.size and np.isfinite(momentary).any() else -np.inf
        active = momentary > max(top - ACTIVE_BELOW_MAX_LU, -70.0) if np.isfinite(top) \
            else np.zeros(momentary.size, bool)
        frames = min(active.size, self._frames.count)
        active = active[:frames]
        f = StemFeatures(name=name, path=path, sample_rate=self.rate, channels=self.channels,
                         duration_s=self.length / self.rate, loudness_lufs=lr.integrated_lufs,
                         loudness_range_lu=lr.loudness_range_lu, peak_dbfs=lr.sample_peak_dbfs,
                         active_rms_dbfs=None, crest_db=None, active=active,
                         activity=float(active.mean()) if frames else 0.0)
        if self.channels == 2:
            denom = float(np.sqrt(self._squares[0] * self._squares[1]))
            f.correlation = self._cross / denom if denom > 0 else None
        if not active.any():
            return f
        # active RMS and crest factor: the 100 ms frames where it plays (a playing frame's momentary window ends there)
        ms = float(np.mean(np.concatenate(self._frame_ms)[:frames][active]))
        if ms > 0:
            f.active_rms_dbfs = 10 * np.log10(ms)
            if f.peak_dbfs is not None:
                f.crest_db = f.peak_dbfs - f.active_rms_dbfs
        _spectra(f, np.concatenate(self._bands)[:frames], self._split.centres)
        env = np.concatenate(self._env) if self._env else np.zeros(0)
        f.onsets_per_s, f.sustain, f.attack_ms, f.decay_db_per_s = _envelope(env, f.activity * f.duration_s)
        rows = _pitch_rows(active)
        _pitch(f, _rows_of(blocks, self._frames.hop, rows), self.rate)
        return f


def measure_blocks(name: str, path: Path, blocks: Blocks, rate: int, channels: int) -> StemFeatures:
    """Measure one stem given as ``blocks()``, float ``(channels, n)`` blocks at ``rate`` Hz (called once, and
    once more for the pitch frames)."""
    meter = StemMeter(rate, channels)
    for block in blocks():
        meter.process(block)
    return meter.features(name, path, blocks)


def analyse(name: str, path: Path, audio: np.ndarray, rate: int) -> StemFeatures:
    """Measure one stem ``audio`` (channels, frames) at ``rate`` Hz (in blocks, so the working memory stays small)."""
    audio = np.ascontiguousarray(audio, dtype=np.float32)

    def blocks() -> Iterator[np.ndarray]:
        return (audio[:, at:at + BLOCK_FRAMES] for at in range(0, audio.shape[1], BLOCK_FRAMES))

    return measure_blocks(name, path, blocks, rate, audio.shape[0])


def stem_blocks(path: Path, rate: int | None = None, block_frames: int = BLOCK_FRAMES) -> tuple[Blocks, int, int]:
    """A stem file as ``(blocks, rate, channels)``: ``blocks()`` yields its float32 ``(channels, n)`` blocks of
    about ``block_frames`` frames afresh on each call, resampled (soxr VHQ, streaming) to ``rate`` Hz when that is
    given and differs from the file's rate."""
    from studioflow.audio.resample import resampled_blocks
    from studioflow.audio.stream import BlockReader

    reader = BlockReader(path, block_frames)
    to_rate = reader.sample_rate if rate is None else int(rate)

    def blocks() -> Iterator[np.ndarray]:
        return resampled_blocks(reader, reader.sample_rate, to_rate, reader.channels)

    return blocks, to_rate, reader.channels


def analyse_file(name: str, path: Path, rate: int | None = None, *,
                 block_frames: int = BLOCK_FRAMES) -> StemFeatures:
    """Measure the stem file ``path`` read in blocks of ``block_frames`` frames (memory stays flat however long it
    is), resampled to ``rate`` Hz when that is given and differs from the file's."""
    blocks, to_rate, channels = stem_blocks(path, rate, block_frames)
    return measure_blocks(name, Path(path), blocks, to_rate, channels)


def _rows_of(blocks: Blocks, hop: int, rows: np.ndarray) -> np.ndarray:
    """Frames ``rows`` (sorted indices of 100 ms frames of ``hop`` samples) of the mono stem, float64 (rows, hop)."""
    out = np.zeros((rows.size, hop))
    if rows.size == 0:
        return out
    framer, got = _Framer(hop), 0
    for block in blocks():
        first = framer.count
        framed = framer.push(np.ascontiguousarray(block, dtype=np.float32).mean(axis=0))
        stop = int(np.searchsorted(rows, first + framed.shape[0]))
        out[got:stop] = framed[rows[got:stop] - first]
        got = stop
        if got == rows.size:
            break
    return out


def _spectra(f: StemFeatures, bands: np.ndarray, centres: np.ndarray) -> None:
    """Per-frame 1/3-octave band levels (dB, 0 dB = full-scale sine) and their mean over playing frames."""
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


def _envelope(env: np.ndarray, playing_s: float) -> tuple[float, float, float, float]:
    """Onsets per second of playing time (rises of the 5 ms RMS envelope ``env`` (dB) by ONSET_RISE_DB within 20 ms),
    the sustain (the share of sounding 5 ms steps within 10 dB of the envelope's peak over the surrounding second),
    and per note the attack (ms from the onset to the envelope's peak within 150 ms) and the decay (dB/s over the
    250 ms after that peak; negative while a struck note dies away, near 0 for a held one), medians over the notes."""
    from scipy.ndimage import maximum_filter1d

    n = env.size
    if n < 8 or playing_s <= 0:
        return 0.0, 0.0, 0.0, 0.0
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


def _pitch_rows(active: np.ndarray) -> np.ndarray:
    """The playing frames the pitch is judged on: every k-th, at most ~PITCH_FRAMES (enough for a median and a
    span)."""
    step = max(1, int(active.size / PITCH_FRAMES))
    return np.flatnonzero(active)[::step]


def _pitch(f: StemFeatures, framed: np.ndarray, rate: int) -> None:
    """Pitch of the picked playing frames ``framed`` (100 ms rows at ``rate`` Hz) by normalised autocorrelation
    (a lag-domain peak between 40 Hz and 1 kHz)."""
    from scipy.signal import resample_poly

    if framed.shape[0] == 0:
        return
    x = resample_poly(framed, PITCH_RATE, rate, axis=1)
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
    peak = norm[np.arange(framed.shape[0]), best]
    voiced = peak > VOICED_CORRELATION
    f.voiced = float(voiced.mean())
    f.periodicity = float(np.mean(np.maximum(peak, 0.0)))
    if voiced.sum() >= 3:
        pitches = PITCH_RATE / (lo + best[voiced])
        f.pitch_hz = float(np.median(pitches))
        p10, p90 = np.percentile(pitches, [10, 90])
        f.pitch_span_st = float(12 * np.log2(p90 / p10))
