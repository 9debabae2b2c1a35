"""The exponential sine sweep and its inverse filter (A. Farina, "Simultaneous measurement of impulse response and
distortion with a swept-sine technique", AES 108th Convention, 2000), and deconvolution of a recording into the
room's impulse response.

The sweep rises from ``low_hz`` to ``high_hz`` exponentially, ``x(t) = sin(2 pi f1 L (e^(t/L) - 1))`` with
``L = T / ln(f2/f1)``, so it spends equal time per octave and its spectrum falls 3 dB per octave. The inverse filter
is the sweep reversed in time with an amplitude envelope ``e^(-t/L)`` (falling 6 dB per octave) that makes the
product of the two spectra flat; convolving a recording of the sweep with it gives the impulse response at the
sweep's length minus one sample, and the harmonic distortion of the loudspeaker before it, where it is cut away.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.signal import fftconvolve

from studioflow.errors import ParameterError


@dataclass(frozen=True)
class Sweep:
    """A sweep to play (float32, 1-D, at ``level_dbfs`` peak) and the inverse filter that turns it into an impulse."""

    signal: np.ndarray
    inverse: np.ndarray
    rate: int
    low_hz: float
    high_hz: float
    level_dbfs: float

    @property
    def duration_s(self) -> float:
        """Length of the sweep in seconds."""
        return len(self.signal) / self.rate


def make_sweep(rate: int, *, duration_s: float = 3.0, low_hz: float = 20.0, high_hz: float | None = None,
               level_dbfs: float = -12.0, fade_ms: float = 20.0) -> Sweep:
    """An exponential sweep of ``duration_s`` seconds from ``low_hz`` to ``high_hz`` (default 90 % of Nyquist) at
    ``level_dbfs`` peak, with raised-cosine fades of ``fade_ms`` ms, and its inverse filter (unity gain at 1 kHz)."""
    high_hz = 0.9 * rate / 2 if high_hz is None else high_hz
    if not 0.5 <= duration_s <= 60:
        raise ParameterError(f"sweep length {duration_s} s: must be 0.5..60 seconds")
    if not 1.0 <= low_hz < high_hz <= rate / 2:
        raise ParameterError(f"sweep {low_hz:g}..{high_hz:g} Hz: need 1 Hz <= low < high <= {rate / 2:g} Hz")
    if not -60.0 <= level_dbfs <= 0.0:
        raise ParameterError(f"sweep level {level_dbfs} dBFS: must be -60..0 dBFS")
    n = int(round(duration_s * rate))
    t = np.arange(n) / rate
    sweep_l = duration_s / math.log(high_hz / low_hz)
    x = np.sin(2 * np.pi * low_hz * sweep_l * (np.exp(t / sweep_l) - 1.0))
    fade = min(int(fade_ms / 1000 * rate), n // 4)
    if fade:
        ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(fade) / fade)
        x[:fade] *= ramp
        x[-fade:] *= ramp[::-1]
    inverse = x[::-1] * np.exp(-t / sweep_l)
    inverse /= _gain_at(x, inverse, rate, 1000.0)
    return Sweep((10 ** (level_dbfs / 20) * x).astype(np.float32), inverse / 10 ** (level_dbfs / 20), rate,
                 float(low_hz), float(high_hz), float(level_dbfs))


def _gain_at(x: np.ndarray, inverse: np.ndarray, rate: int, freq_hz: float) -> float:
    """Magnitude of the spectrum of ``x * inverse`` around ``freq_hz`` (mean over a third of an octave)."""
    nfft = 1 << int(math.ceil(math.log2(len(x) + len(inverse))))
    spec = np.abs(np.fft.rfft(x, nfft) * np.fft.rfft(inverse, nfft))
    f = np.fft.rfftfreq(nfft, 1 / rate)
    band = (f > freq_hz * 2 ** (-1 / 6)) & (f < freq_hz * 2 ** (1 / 6))
    return float(np.mean(spec[band]))


def deconvolve(recorded: np.ndarray, sweep: Sweep, *, ir_s: float) -> np.ndarray:
    """Impulse responses (float32, ``(channels, frames)``, ``ir_s`` seconds) from recordings ``(channels, frames)``
    whose sample 0 is the moment the sweep left the output (latency already compensated)."""
    recorded = np.atleast_2d(np.asarray(recorded, dtype=np.float64))
    n_ir = int(round(ir_s * sweep.rate))
    need = len(sweep.signal) + n_ir
    if recorded.shape[1] < need:
        recorded = np.pad(recorded, ((0, 0), (0, need - recorded.shape[1])))
    full = fftconvolve(recorded[:, :need], sweep.inverse[None, :], axes=1)
    start = len(sweep.signal) - 1
    return np.ascontiguousarray(full[:, start:start + n_ir], dtype=np.float32)
