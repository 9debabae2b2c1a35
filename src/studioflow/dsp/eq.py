"""EQ processors: single bands (high/low-pass, bell, shelves, notch, band-pass, tilt) and a multi-band ParametricEQ.

Filters come from ``dsp.filters`` (matched bells and shelves, bilinear Butterworth/Linkwitz-Riley passes). Automated
``freq`` / ``gain_db`` / ``q`` glide to their new value over ``SMOOTH_S`` seconds: the coefficients are recomputed
every ``GRID`` samples counted from the start of the stream (log frequency, dB, log Q interpolated linearly), so the
output does not depend on the block size. ``mode="linear"`` turns the same target magnitude into a linear-phase FIR run
by uniformly partitioned FFT convolution; its latency (FIR centre plus one partition) is reported in ``latency``.
"""

from __future__ import annotations

from typing import Any, Mapping, Sequence

import numpy as np

from studioflow.dsp import filters
from studioflow.dsp.base import Processor, check_choice, check_range
from studioflow.errors import ParameterError

GRID = 32            # samples between coefficient updates while a parameter glides
SMOOTH_S = 0.02      # glide time of an automated parameter, seconds
BAND_TYPES = ("peak", "lowshelf", "highshelf", "highpass", "lowpass", "notch", "bandpass", "tilt")
CHARACTERS = ("butterworth", "linkwitz_riley")
BAND_KEYS = ("type", "freq", "gain_db", "q", "slope", "character")
DEFAULT_Q = {"peak": 1.0, "lowshelf": 0.7071, "highshelf": 0.7071, "highpass": 0.7071, "lowpass": 0.7071,
             "notch": 4.0, "bandpass": 1.0, "tilt": 0.7071}


def check_band(owner: str, rate: int, band: Mapping[str, Any]) -> dict[str, Any]:
    """Validate one band ``{type, freq, gain_db, q, slope, character}`` (Hz, dB, Q, dB/oct) and fill defaults."""
    unknown = [k for k in band if k not in BAND_KEYS]
    if unknown:
        raise ParameterError(f"{owner}: unknown band key {unknown[0]!r}; known keys: {', '.join(BAND_KEYS)}")
    kind = check_choice(owner, "type", band.get("type", "peak"), BAND_TYPES)
    out: dict[str, Any] = {"type": kind}
    out["freq"] = check_range(owner, "freq", band.get("freq", 1000.0), 10.0, rate / 2.0, "Hz", high_open=True)
    out["gain_db"] = check_range(owner, "gain_db", band.get("gain_db", 0.0), -48.0, 48.0, "dB")
    out["q"] = check_range(owner, "q", band.get("q", DEFAULT_Q[kind]), 0.05, 50.0)
    out["character"] = check_choice(owner, "character", band.get("character", "butterworth"), CHARACTERS)
    slopes = filters.LINKWITZ_RILEY_ORDERS if out["character"] == "linkwitz_riley" else filters.BUTTERWORTH_ORDERS
    out["slope"] = int(check_choice(owner, "slope (dB/oct)", band.get("slope", 12), tuple(slopes)))
    return out


def band_sos(band: Mapping[str, Any], rate: int) -> np.ndarray:
    """Second-order sections of one validated band at ``rate`` Hz."""
    kind, f, g, q = band["type"], band["freq"], band["gain_db"], band["q"]
    if kind == "peak":
        return filters.peak_sos(f, g, q, rate)
    if kind == "lowshelf":
        return filters.lowshelf_sos(f, g, q, rate)
    if kind == "highshelf":
        return filters.highshelf_sos(f, g, q, rate)
    if kind in ("highpass", "lowpass"):
        return filters.pass_sos(kind, f, band["slope"], rate, band["character"], q)
    if kind == "notch":
        return filters.notch_sos(f, q, rate)
    if kind == "bandpass":
        return filters.bandpass_sos(f, q, rate)
    return filters.tilt_sos(f, g, rate)


class _Glide:
    """Glide of one band's freq / gain_db / q towards their targets, stepped once per GRID samples."""

    def __init__(self, band: dict[str, Any], steps: int) -> None:
        self.band = band
        self.target = dict(band)
        self.steps = steps
        self.left = 0

    def set(self, key: str, value: float) -> None:
        self.target[key] = value
        self.left = self.steps

    def step(self) -> None:
        k = self.left
        for key in ("freq", "gain_db", "q"):
            cur, tgt = self.band[key], self.target[key]
            if key == "gain_db":
                self.band[key] = cur + (tgt - cur) / k
            else:                                     # glide frequency and Q on a log scale
                self.band[key] = cur * (tgt / cur) ** (1.0 / k)
        self.left -= 1


class ParametricEQ(Processor):
    """Multi-band EQ: ``bands`` of ``{type, freq (Hz), gain_db, q, slope (dB/oct), character}``; minimum or linear
    phase. Automate a band's value with ``set_param("band1_gain_db", 3.0)`` (bands count from 1)."""

    name = "eq"

    def __init__(self, sample_rate: int, *, bands: Sequence[Mapping[str, Any]] = (), mode: str = "minimum") -> None:
        super().__init__(sample_rate)
        if isinstance(bands, Mapping) or not isinstance(bands, Sequence):
            raise ParameterError(f"{self.name}: bands must be a list of band settings; got {bands!r}")
        self.mode = check_choice(self.name, "mode", mode, ("minimum", "linear"))
        steps = max(1, round(SMOOTH_S * self.sample_rate / GRID))
        self._glides = [_Glide(check_band(f"{self.name} band {i + 1}", self.sample_rate, b), steps)
                        for i, b in enumerate(bands)]
        self.automatable = tuple(f"band{i + 1}_{k}" for i in range(len(self._glides))
                                 for k in ("freq", "gain_db", "q"))
        self._sos = self._design()
        self._fir = _LinearPhaseFIR(self) if self.mode == "linear" else None

    # parameters -----------------------------------------------------------------------------------------
    @property
    def bands(self) -> list[dict[str, Any]]:
        """The bands' current (target) settings."""
        return [dict(g.target) for g in self._glides]

    def params(self) -> dict[str, Any]:
        return {"bands": self.bands, "mode": self.mode}

    def set_param(self, name: str, value: float) -> None:
        if name not in self.automatable:
            raise ParameterError(f"{self.name}: parameter {name!r} cannot be automated "
                                 f"(automatable: {', '.join(self.automatable) or 'none'})")
        head, key = name.split("_", 1)
        self._set_band(int(head[4:]) - 1, key, value)

    def _set_band(self, index: int, key: str, value: float) -> None:
        glide = self._glides[index]
        checked = check_band(f"{self.name} band {index + 1}", self.sample_rate, {**glide.target, key: value})
        glide.set(key, checked[key])
        if self._fir is not None:
            for g in self._glides:                   # linear phase: the new FIR is cross-faded in at once
                g.band = dict(g.target)
                g.left = 0
            self._fir.redesign()

    @property
    def latency(self) -> int:
        return 0 if self._fir is None else self._fir.latency

    def tail_seconds(self) -> float:
        lowest = min((g.band["freq"] for g in self._glides), default=1000.0)
        return (0.0 if self._fir is None else self._fir.latency / self.sample_rate) + 8.0 / lowest

    def response(self, freqs_hz: Sequence[float] | np.ndarray) -> np.ndarray:
        """Magnitude response at ``freqs_hz`` in dB (of the FIR actually used in linear mode)."""
        freqs = np.asarray(freqs_hz, dtype=float)
        if self._fir is not None:
            return self._fir.response_db(freqs)
        return filters.sos_response_db(self._sos, freqs, self.sample_rate)

    # processing -----------------------------------------------------------------------------------------
    def _design(self) -> np.ndarray:
        parts = [band_sos(g.band, self.sample_rate) for g in self._glides]
        sos = np.vstack(parts) if parts else np.array([[1.0, 0.0, 0.0, 1.0, 0.0, 0.0]])
        return np.ascontiguousarray(sos)

    def _prepare(self, channels: int) -> None:
        for g in self._glides:
            if g.left:                                   # a reset lands any glide in progress
                g.band = dict(g.target)
                g.left = 0
        self._sos = self._design()
        self._zi = np.zeros((channels, self._sos.shape[0], 2))
        self._pos = 0
        if self._fir is not None:
            self._fir.prepare(channels)

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        if self._fir is not None:
            return self._fir.process(block)
        n = block.shape[1]
        out = np.empty_like(block)
        i = 0
        while i < n:
            gliding = any(g.left for g in self._glides)
            if gliding and self._pos % GRID == 0:
                for g in self._glides:
                    if g.left:
                        g.step()
                self._sos = self._design()
                gliding = any(g.left for g in self._glides)
            end = min(n, i + GRID - self._pos % GRID) if gliding else n
            out[:, i:end] = filters.sos_cascade(self._sos, block[:, i:end], self._zi)
            self._pos += end - i
            i = end
        return out


class _LinearPhaseFIR:
    """Linear-phase FIR with the EQ's target magnitude, run by uniformly partitioned overlap-save convolution."""

    def __init__(self, eq: ParametricEQ) -> None:
        self.eq = eq
        rate = eq.sample_rate
        self.size = 1 << int(np.ceil(np.log2(rate * 0.3)))       # design grid: 16384 at 48 kHz
        self.hop = self.size // 8                                 # partition length
        self.parts = 8
        self.latency = self.hop + self.size // 2 - 1
        self.taps = self._taps()
        self.spectra = self._partition(self.taps)
        self.pending: np.ndarray | None = None

    def _taps(self) -> np.ndarray:
        """Zero-phase taps from the magnitude of the EQ's cascade, centred and Blackman-windowed (length size - 1)."""
        freqs = np.fft.rfftfreq(self.size, 1.0 / self.eq.sample_rate)
        mag = np.abs(filters.sos_response(self.eq._design(), freqs, self.eq.sample_rate))
        h = np.roll(np.fft.irfft(mag, self.size), self.size // 2)[1:]
        return h * np.blackman(h.size + 2)[1:-1]

    def _partition(self, taps: np.ndarray) -> np.ndarray:
        padded = np.zeros(self.parts * self.hop)
        padded[:taps.size] = taps
        blocks = padded.reshape(self.parts, self.hop)
        return np.fft.rfft(blocks, 2 * self.hop, axis=1)

    def redesign(self) -> None:
        self.taps = self._taps()
        self.pending = self._partition(self.taps)

    def response_db(self, freqs: np.ndarray) -> np.ndarray:
        n = np.arange(self.taps.size) - (self.taps.size - 1) / 2.0
        out = np.empty(freqs.size)
        for i in range(0, freqs.size, 64):
            w = 2.0 * np.pi * freqs[i:i + 64, None] / self.eq.sample_rate
            out[i:i + 64] = np.abs(np.cos(w * n) @ self.taps)   # symmetric taps: the response is real
        return 20.0 * np.log10(np.maximum(out, 1e-15))

    def prepare(self, channels: int) -> None:
        if self.pending is not None:
            self.spectra, self.pending = self.pending, None
        self.fdl = np.zeros((self.parts, channels, self.hop + 1), dtype=complex)
        self.inbuf = np.zeros((channels, 2 * self.hop))
        self.ready = np.zeros((channels, self.hop), dtype=np.float32)
        self.fill = 0

    def _hop(self) -> None:
        self.fdl = np.roll(self.fdl, 1, axis=0)
        self.fdl[0] = np.fft.rfft(self.inbuf, axis=1)
        y = np.fft.irfft(np.einsum("pcf,pf->cf", self.fdl, self.spectra), axis=1)[:, self.hop:]
        if self.pending is not None:                 # cross-fade to the new filter over one partition
            y_new = np.fft.irfft(np.einsum("pcf,pf->cf", self.fdl, self.pending), axis=1)[:, self.hop:]
            ramp = (np.arange(self.hop) + 0.5) / self.hop
            y = y * (1.0 - ramp) + y_new * ramp
            self.spectra, self.pending = self.pending, None
        self.ready = y.astype(np.float32)
        self.inbuf[:, :self.hop] = self.inbuf[:, self.hop:]

    def process(self, block: np.ndarray) -> np.ndarray:
        n = block.shape[1]
        out = np.empty_like(block)
        i = 0
        while i < n:
            m = min(n - i, self.hop - self.fill)
            out[:, i:i + m] = self.ready[:, self.fill:self.fill + m]
            self.inbuf[:, self.hop + self.fill:self.hop + self.fill + m] = block[:, i:i + m]
            self.fill += m
            i += m
            if self.fill == self.hop:
                self._hop()
                self.fill = 0
        return out


class _SingleBand(ParametricEQ):
    """One band of ``kind`` as its own processor (minimum phase)."""

    kind = "peak"
    keys: tuple[str, ...] = ("freq", "gain_db", "q")

    def __init__(self, sample_rate: int, **settings: Any) -> None:
        super().__init__(sample_rate, bands=[{"type": self.kind, **settings}])
        self.automatable = tuple(k for k in self.keys if k in ("freq", "gain_db", "q"))

    def set_param(self, name: str, value: float) -> None:
        if name not in self.automatable:
            raise ParameterError(f"{self.name}: parameter {name!r} cannot be automated "
                                 f"(automatable: {', '.join(self.automatable)})")
        self._set_band(0, name, value)

    def params(self) -> dict[str, Any]:
        band = self.bands[0]
        return {k: band[k] for k in self.keys}


class PeakEQ(_SingleBand):
    """Peak/bell: ``freq`` (Hz), ``gain_db``, ``q``; exactly gain_db at freq (matched design)."""

    name = "peak"
    kind = "peak"

    def __init__(self, sample_rate: int, *, freq: float = 1000.0, gain_db: float = 0.0, q: float = 1.0) -> None:
        super().__init__(sample_rate, freq=freq, gain_db=gain_db, q=q)


class LowShelf(_SingleBand):
    """Low shelf: ``gain_db`` below ``freq`` (Hz, the half-gain point), knee ``q``."""

    name = "lowshelf"
    kind = "lowshelf"

    def __init__(self, sample_rate: int, *, freq: float = 100.0, gain_db: float = 0.0, q: float = 0.7071) -> None:
        super().__init__(sample_rate, freq=freq, gain_db=gain_db, q=q)


class HighShelf(_SingleBand):
    """High shelf: ``gain_db`` above ``freq`` (Hz, the half-gain point), knee ``q``."""

    name = "highshelf"
    kind = "highshelf"

    def __init__(self, sample_rate: int, *, freq: float = 8000.0, gain_db: float = 0.0, q: float = 0.7071) -> None:
        super().__init__(sample_rate, freq=freq, gain_db=gain_db, q=q)


class HighPass(_SingleBand):
    """High-pass at ``freq`` (Hz), ``slope`` 6/12/18/24/36/48 dB/oct, Butterworth or Linkwitz-Riley ``character``;
    ``q`` sets the resonance of a 12 dB/oct Butterworth."""

    name = "highpass"
    kind = "highpass"
    keys = ("freq", "q", "slope", "character")

    def __init__(self, sample_rate: int, *, freq: float = 80.0, slope: int = 12, character: str = "butterworth",
                 q: float = 0.7071) -> None:
        super().__init__(sample_rate, freq=freq, slope=slope, character=character, q=q)


class LowPass(HighPass):
    """Low-pass at ``freq`` (Hz), ``slope`` 6/12/18/24/36/48 dB/oct, Butterworth or Linkwitz-Riley ``character``."""

    name = "lowpass"
    kind = "lowpass"

    def __init__(self, sample_rate: int, *, freq: float = 16000.0, slope: int = 12, character: str = "butterworth",
                 q: float = 0.7071) -> None:
        super().__init__(sample_rate, freq=freq, slope=slope, character=character, q=q)


class Notch(_SingleBand):
    """Notch at ``freq`` (Hz), width ``q`` (freq / -3 dB bandwidth)."""

    name = "notch"
    kind = "notch"
    keys = ("freq", "q")

    def __init__(self, sample_rate: int, *, freq: float = 1000.0, q: float = 4.0) -> None:
        super().__init__(sample_rate, freq=freq, q=q)


class BandPass(_SingleBand):
    """Band-pass at ``freq`` (Hz), 0 dB at freq, width ``q``."""

    name = "bandpass"
    kind = "bandpass"
    keys = ("freq", "q")

    def __init__(self, sample_rate: int, *, freq: float = 1000.0, q: float = 1.0) -> None:
        super().__init__(sample_rate, freq=freq, q=q)


class Tilt(_SingleBand):
    """Tilt around ``freq`` (Hz): ``gain_db`` is the high-to-low difference (-gain/2 at DC, +gain/2 at the top)."""

    name = "tilt"
    kind = "tilt"
    keys = ("freq", "gain_db")

    def __init__(self, sample_rate: int, *, freq: float = 1000.0, gain_db: float = 0.0) -> None:
        super().__init__(sample_rate, freq=freq, gain_db=gain_db)
