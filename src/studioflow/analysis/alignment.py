"""Time offset and polarity between two microphones on one source, by generalized cross-correlation (GCC-PHAT).

GCC-PHAT (Knapp & Carter, 1976): the cross-spectrum whitened to unit magnitude, so the correlation is a sharp peak
at the lag of the direct sound whatever the colour of the source. A polarity inversion flips the sign of that peak.
The lag is refined below one sample by evaluating the correlation between samples straight from the whitened
cross-spectrum (band-limited interpolation, on two finer and finer grids); the plain normalized
correlation at the found lag says how strongly the two signals are related (confidence, -1..1).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np


@dataclass(frozen=True)
class Alignment:
    """How ``other`` relates to ``ref``: ``delay_ms`` > 0 means ``other`` arrives later than ``ref``."""

    delay_samples: float
    delay_ms: float
    polarity_inverted: bool
    correlation: float

    def correction(self) -> dict:
        """The track settings that line ``other`` up with ``ref``: shift in ms (negative = earlier) and polarity."""
        return {"delay_ms": round(-self.delay_ms, 3), "polarity": "inverted" if self.polarity_inverted else "normal"}

    def as_dict(self) -> dict:
        """Plain dict for JSON, with the correction."""
        return {**asdict(self), "correction": self.correction()}


def _mono(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return x if x.ndim == 1 else x.mean(axis=0)


def loudest_window(x: np.ndarray, frames: int) -> int:
    """Start frame of the ``frames``-long window of ``x`` (1-D) holding the most energy (coarse, 0.1 s steps)."""
    if len(x) <= frames:
        return 0
    step = max(1, frames // 20)
    e = np.cumsum(np.concatenate(([0.0], x.astype(np.float64) ** 2)))
    starts = np.arange(0, len(x) - frames + 1, step)
    return int(starts[np.argmax(e[starts + frames] - e[starts])])


def measure(ref: np.ndarray, other: np.ndarray, rate: int, *, max_delay_ms: float = 50.0,
            window_s: float = 20.0) -> Alignment:
    """Delay (ms, sub-sample) and polarity of ``other`` relative to ``ref`` (1-D or (channels, frames) arrays).

    Only the loudest ``window_s`` of ``ref`` (and the same span of ``other``) is correlated, and lags are searched
    within +-``max_delay_ms``.
    """
    a, b = _mono(ref), _mono(other)
    n = min(len(a), len(b))
    w = min(n, int(window_s * rate))
    s = loudest_window(a[:n], w)
    a, b = a[s:s + w], b[s:s + w]
    max_lag = min(int(max_delay_ms * rate / 1000), w - 1)
    nfft = 1 << int(np.ceil(np.log2(len(a) + len(b))))
    cross = np.conj(np.fft.rfft(a, nfft)) * np.fft.rfft(b, nfft)
    mag = np.abs(cross)
    cross /= np.maximum(mag, mag.max() * 1e-9 + 1e-30)
    cc = np.fft.irfft(cross, nfft)
    cc = np.concatenate((cc[-max_lag:], cc[:max_lag + 1])) if max_lag else cc[:1]
    i = int(np.argmax(np.abs(cc)))
    lag = float(i - max_lag)
    lag = _refine(cross, nfft, lag)
    k = i - max_lag
    sa, sb = (a[:len(a) - k], b[k:]) if k >= 0 else (a[-k:], b[:len(b) + k])
    norm = np.sqrt(np.dot(sa, sa) * np.dot(sb, sb))
    corr = float(np.dot(sa, sb) / norm) if norm > 0 else 0.0
    return Alignment(delay_samples=round(lag, 3), delay_ms=round(lag * 1000 / rate, 4),
                     polarity_inverted=bool(cc[i] < 0), correlation=round(corr, 4))


def _refine(cross: np.ndarray, nfft: int, lag: float) -> float:
    """The fractional lag (samples) near ``lag`` where the band-limited correlation magnitude peaks."""
    k = np.arange(len(cross))
    weights = np.where((k == 0) | (k == len(cross) - 1), 1.0, 2.0)     # rfft bins stand for their mirror too
    for half, step in ((1.0, 1 / 16), (1 / 16, 1 / 256)):
        taus = lag + np.arange(-half, half + step / 2, step)
        vals = np.abs((np.exp(2j * np.pi * np.outer(taus, k) / nfft) * (weights * cross)).real.sum(axis=1))
        lag = float(taus[np.argmax(vals)])
    return lag


def apply(audio: np.ndarray, rate: int, alignment: Alignment) -> np.ndarray:
    """``audio`` (channels, frames) shifted by the alignment's correction (whole samples) and polarity, same length."""
    shift = int(round(alignment.delay_samples))
    out = np.zeros_like(audio)
    if shift >= 0:
        out[:, :audio.shape[1] - shift] = audio[:, shift:]
    else:
        out[:, -shift:] = audio[:, :audio.shape[1] + shift]
    return -out if alignment.polarity_inverted else out
