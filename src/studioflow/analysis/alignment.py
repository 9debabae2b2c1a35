"""Time offset and polarity between two microphones on one source, by generalized cross-correlation (GCC-PHAT).

GCC-PHAT (Knapp & Carter, 1976): the cross-spectrum whitened to unit magnitude, so the correlation is a sharp peak
at the lag of the direct sound whatever the colour of the source. A polarity inversion flips the sign of that peak.

A time offset needs only a few seconds of signal, so only the ``excerpt_s`` where both signals are loudest is
correlated (one FFT cross-correlation, whatever the length of the takes). The whole-sample peak is refined below one
sample by band-limited (sinc) interpolation of the correlation from the samples around the peak (Whittaker-Shannon),
on two finer and finer grids; the plain normalized correlation at the found lag says how strongly the two signals
are related (confidence, -1..1).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from scipy import fft as sfft

from studioflow.dsp import fractional

#: seconds of the loudest overlapping region that are correlated (enough hits of any instrument for a time offset)
EXCERPT_S = 5.0
#: correlation samples either side of the peak used for its sinc interpolation (the PHAT peak is narrow)
_SINC_HALF = 16


@dataclass(frozen=True)
class Alignment:
    """How ``other`` relates to ``ref``: ``delay_ms`` > 0 means ``other`` arrives later than ``ref``.

    ``excerpt_start_s`` and ``excerpt_s`` say which span of the takes (seconds) was correlated.
    """

    delay_samples: float
    delay_ms: float
    polarity_inverted: bool
    correlation: float
    excerpt_start_s: float = 0.0
    excerpt_s: float = 0.0

    def correction(self) -> dict:
        """The track settings that line ``other`` up with ``ref``: shift in ms (negative = earlier) and polarity."""
        return {"delay_ms": round(-self.delay_ms, 3), "polarity": "inverted" if self.polarity_inverted else "normal"}

    def as_dict(self) -> dict:
        """Plain dict for JSON, with the correction."""
        return {**asdict(self), "correction": self.correction()}


def _mono(x: np.ndarray) -> np.ndarray:
    """1-D float32 view or mixdown of ``x`` (1-D or (channels, frames))."""
    x = np.asarray(x)
    x = x if x.ndim == 1 else x.mean(axis=0, dtype=np.float32)
    return x.astype(np.float32, copy=False)


def _window_energies(x: np.ndarray, step: int, blocks: int) -> np.ndarray:
    """Energy of each ``blocks * step``-frame window of ``x`` starting every ``step`` frames."""
    n = len(x) // step
    e = np.square(x[:n * step].reshape(n, step)).sum(axis=1, dtype=np.float64)
    c = np.concatenate(([0.0], np.cumsum(e)))
    return c[blocks:] - c[:-blocks]


def loudest_overlap(a: np.ndarray, b: np.ndarray, frames: int) -> int:
    """Start frame of the ``frames``-long window where both ``a`` and ``b`` (1-D, same length) are loud together.

    Windows start every ``frames / 20``; the chosen one maximizes the product of the two windows' energies, each
    relative to its signal's loudest window, so a span where only one mic hears anything is not chosen.
    """
    if len(a) <= frames:
        return 0
    step = max(1, frames // 20)
    blocks = frames // step
    ea, eb = _window_energies(a, step, blocks), _window_energies(b, step, blocks)
    score = (ea / max(ea.max(), 1e-30)) * (eb / max(eb.max(), 1e-30))
    return int(np.argmax(score)) * step


def measure(ref: np.ndarray, other: np.ndarray, rate: int, *, max_delay_ms: float = 50.0,
            excerpt_s: float = EXCERPT_S) -> Alignment:
    """Delay (ms, sub-sample) and polarity of ``other`` relative to ``ref`` (1-D or (channels, frames) arrays).

    Only the ``excerpt_s`` seconds where both are loudest are correlated, and lags are searched within
    +-``max_delay_ms``.
    """
    ma, mb = _mono(ref), _mono(other)
    n = min(len(ma), len(mb))
    w = min(n, max(1, int(excerpt_s * rate)))
    s = loudest_overlap(ma[:n], mb[:n], w)
    a, b = ma[s:s + w].astype(np.float64), mb[s:s + w].astype(np.float64)
    max_lag = min(int(max_delay_ms * rate / 1000), w - 1)
    nfft = sfft.next_fast_len(w + max_lag + _SINC_HALF + 1, real=True)     # no circular wrap into searched lags
    cross = np.conj(sfft.rfft(a, nfft)) * sfft.rfft(b, nfft)
    mag = np.abs(cross)
    cross /= np.maximum(mag, mag.max() * 1e-9 + 1e-30)
    cc = sfft.irfft(cross, nfft)
    near = np.take(cc, np.arange(-max_lag, max_lag + 1), mode="wrap")
    k = int(np.argmax(np.abs(near))) - max_lag
    lag, peak = _refine(np.take(cc, np.arange(k - _SINC_HALF, k + _SINC_HALF + 1), mode="wrap"), k)
    sa, sb = (a[:w - k], b[k:]) if k >= 0 else (a[-k:], b[:w + k])
    norm = np.sqrt(np.dot(sa, sa) * np.dot(sb, sb))
    corr = float(np.dot(sa, sb) / norm) if norm > 0 else 0.0
    return Alignment(delay_samples=round(lag, 3), delay_ms=round(lag * 1000 / rate, 4),
                     polarity_inverted=bool(peak < 0), correlation=round(corr, 4),
                     excerpt_start_s=round(s / rate, 3), excerpt_s=round(w / rate, 3))


def _refine(samples: np.ndarray, lag: int) -> tuple[float, float]:
    """The fractional lag (samples) within one sample of ``lag`` where the correlation's magnitude peaks, and the
    correlation there; ``samples`` are the correlation at ``lag - half .. lag + half``, interpolated with sinc."""
    half = (len(samples) - 1) // 2
    n = np.arange(-half, half + 1)
    centre = 0.0
    for reach, step in ((1.0, 1 / 16), (1 / 16, 1 / 256)):
        taus = centre + np.arange(-reach, reach + step / 2, step)
        vals = np.sinc(taus[:, None] - n[None, :]) @ samples
        best = int(np.argmax(np.abs(vals)))
        centre, peak = float(taus[best]), float(vals[best])
    return lag + centre, peak


def apply(audio: np.ndarray, rate: int, alignment: Alignment) -> np.ndarray:
    """``audio`` (channels, frames) shifted by the alignment's correction, to the fraction of a sample (whole samples
    exactly, a fraction by the windowed-sinc FIR of ``dsp.fractional``), polarity flipped when inverted; same length."""
    out = fractional.shift(audio, -alignment.delay_samples)
    return -out if alignment.polarity_inverted else out
