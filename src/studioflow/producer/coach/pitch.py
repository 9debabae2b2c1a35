"""The pitch track of a take: pYIN (librosa) for voicing and the note path, refined to a fraction of a cent.

pYIN (Mauch & Dixon 2014) decides which frames are sung and follows the melody with a Viterbi path on a grid of
half-semitone bins (a finer grid costs its Viterbi search the square of the bins). Each voiced frame is then refined
as YIN's step 5 does (de Cheveigne & Kawahara 2002): the plain difference function
d(tau) = sum_j (x_j - x_{j+tau})^2, computed with FFTs, is searched for its minimum within +-4 % of pYIN's period and
the minimum is placed between lags by a parabola through its neighbours. (The cumulative-mean-normalised function,
which librosa interpolates, leans the minimum toward longer lags by a cent or two.) Frames: 1024 samples (46 ms)
every 128 (5.8 ms) at 22.05 kHz, fine enough to follow vibrato up to 8 Hz.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from studioflow.audio.resample import resample
from studioflow.errors import AudioFileError

RATE = 22050            # Hz the pitch is tracked at
FRAME, HOP = 1024, 128  # samples
FMIN_HZ, FMAX_HZ = 65.0, 1100.0   # C2 .. C#6: bass to soprano
MAX_LAG = int(np.ceil(RATE / FMIN_HZ))
WINDOW = FRAME - MAX_LAG          # samples summed in the difference function
SEARCH = 0.04                     # +- fraction of pYIN's period searched for the refined minimum
CHUNK = 2048                      # frames refined at once (memory stays flat on long takes)


@dataclass(frozen=True)
class PitchTrack:
    """Pitch against time: ``midi`` is fractional MIDI (69 = A4 = 440 Hz), NaN where nothing is sung."""

    times_s: np.ndarray
    midi: np.ndarray
    voiced_prob: np.ndarray

    @property
    def hop_s(self) -> float:
        """Seconds between frames."""
        return HOP / RATE


def hz_to_midi(hz: np.ndarray | float) -> np.ndarray:
    """Fractional MIDI note of a frequency in Hz (69 = 440 Hz)."""
    return 69.0 + 12.0 * np.log2(np.asarray(hz, dtype=float) / 440.0)


def mono_at_rate(audio: np.ndarray, rate: int) -> np.ndarray:
    """The take summed to mono and resampled to the tracking rate, float32 1-D."""
    mono = np.asarray(audio, dtype=np.float32).mean(axis=0, keepdims=True)
    return resample(mono, rate, RATE)[0]


def track_pitch(audio: np.ndarray, rate: int, *, name: str = "take") -> PitchTrack:
    """The pitch track of ``audio`` (float32 (channels, frames)) sampled at ``rate`` Hz."""
    import librosa

    y = mono_at_rate(audio, rate)
    if y.size < FRAME:
        raise AudioFileError(f"{name}: too short to hear a note ({y.size / RATE * 1000:.0f} ms)")
    f0, voiced, prob = librosa.pyin(y, fmin=FMIN_HZ, fmax=FMAX_HZ, sr=RATE, frame_length=FRAME, hop_length=HOP,
                                    resolution=0.5)
    period = np.where(voiced, RATE / np.where(voiced, f0, 1.0), np.nan)
    padded = np.pad(y, FRAME // 2)
    refined = np.full(period.size, np.nan)
    for lo in range(0, period.size, CHUNK):
        hi = min(lo + CHUNK, period.size)
        refined[lo:hi] = _refine(padded, np.arange(lo, hi), period[lo:hi])
    midi = hz_to_midi(RATE / refined)
    times = np.arange(midi.size) * HOP / RATE
    return PitchTrack(times, midi, np.asarray(prob, dtype=float))


def difference(frames: np.ndarray) -> np.ndarray:
    """YIN's difference function d(tau) (tau = 0 .. MAX_LAG) of each row of ``frames`` (n, FRAME)."""
    n_fft = 2 * FRAME
    head = np.zeros_like(frames)
    head[:, :WINDOW] = frames[:, :WINDOW]
    cross = np.fft.irfft(np.conj(np.fft.rfft(head, n_fft)) * np.fft.rfft(frames, n_fft), n_fft)[:, :MAX_LAG + 1]
    power = np.concatenate([np.zeros((frames.shape[0], 1)), np.cumsum(frames ** 2, axis=1)], axis=1)
    lags = np.arange(MAX_LAG + 1)
    shifted = power[:, lags + WINDOW] - power[:, lags]        # sum of x_{j+tau}^2 over the window
    return power[:, [WINDOW]] + shifted - 2 * cross


def _refine(padded: np.ndarray, index: np.ndarray, period: np.ndarray) -> np.ndarray:
    """Periods (samples, fractional) of frames ``index`` near their coarse ``period``; NaN stays NaN."""
    out = np.full(index.size, np.nan)
    sung = np.flatnonzero(np.isfinite(period))
    if sung.size == 0:
        return out
    starts = index[sung] * HOP
    frames = padded[starts[:, None] + np.arange(FRAME)].astype(float)
    d = difference(frames)
    lags = np.arange(MAX_LAG + 1)
    p = period[sung][:, None]
    inside = (lags >= np.maximum(p * (1 - SEARCH), 2)) & (lags <= np.minimum(p * (1 + SEARCH), MAX_LAG - 1))
    best = np.argmin(np.where(inside, d, np.inf), axis=1)
    rows = np.arange(sung.size)
    a, b, c = d[rows, best - 1], d[rows, best], d[rows, best + 1]
    curve = a - 2 * b + c
    shift = np.where(curve > 0, 0.5 * (a - c) / np.where(curve > 0, curve, 1.0), 0.0)
    out[sung] = best + np.clip(shift, -1.0, 1.0)
    return out
