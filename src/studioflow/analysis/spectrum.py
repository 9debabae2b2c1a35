"""Long-term spectrum: a streaming Welch estimate (Hann, 50 % overlap) summed into octave and 1/3-octave bands.

Band centres follow IEC 61260-1 (base 10): f = 1000 * 10^(3k/10) for octaves, 1000 * 10^(k/10) for thirds, with
edges at f * G^(-1/2b) and f * G^(1/2b) (G = 10^(3/10), b = 1 or 3). A band level is the mean square of the signal
in that band in dB, with a full-scale sine reading 0 dB (AES17), averaged over the channels.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from studioflow._kernels.native import add_power
from studioflow.analysis.realfft import rfft

OCTAVE_RATIO = 10 ** 0.3
SINE_DB = 10 * math.log10(2.0)          # AES17: a full-scale sine reads 0 dBFS, not -3


def segment_frames(sample_rate: int) -> int:
    """FFT length for ``sample_rate``: the power of two near 1/6 s (8192 at 48 kHz, ~5.9 Hz resolution)."""
    return 1 << max(8, round(math.log2(sample_rate / 6)))


BATCH_FRAMES = 8   # frames per FFT call: scratch and spectra stay in cache


def frame_count(frames: int, nfft: int, hop: int) -> int:
    """Number of complete ``nfft``-sample frames, ``hop`` apart, in ``frames`` samples."""
    return (frames - nfft) // hop + 1 if frames >= nfft else 0


class FramePower:
    """Welch sums over blocks: every complete frame of ``(rows, n)`` float32 data, ``window.size`` samples ``hop``
    apart, times ``window`` and transformed by a single-precision real FFT, ``BATCH_FRAMES`` frames per call into
    one reused scratch buffer (nothing large is allocated per block); ``sums`` (rows, bins) collects the power per
    bin over frames in float64 (the C kernel ``_kernels/spectrum.c``), ``frames`` counts them."""

    def __init__(self, rows: int, window: np.ndarray, hop: int, edges: np.ndarray | None = None) -> None:
        """``edges``: bin edges of groups whose per-frame power ``add`` returns (none by default)."""
        self.window = np.asarray(window, np.float32)
        self.nfft, self.hop = self.window.size, int(hop)
        self.sums = np.zeros((rows, self.nfft // 2 + 1))
        self.frames = 0
        self.edges = np.zeros(1, np.int64) if edges is None else np.asarray(edges, np.int64)
        self._scratch = np.empty((rows, BATCH_FRAMES, self.nfft), np.float32)
        self._spectra = np.empty((rows, BATCH_FRAMES, self.nfft // 2 + 1), np.complex64)
        self._power = np.empty(self.nfft // 2 + 1)

    def add(self, data: np.ndarray) -> np.ndarray:
        """Take the complete frames of ``data`` (the caller keeps the samples from ``len(result) * hop`` on);
        returns each frame's power summed over the rows within the bins ``edges[g]..edges[g+1]-1`` (frames, groups)."""
        count = frame_count(data.shape[1], self.nfft, self.hop)
        groups = np.zeros((count, self.edges.size - 1))
        if count:
            windows = np.lib.stride_tricks.sliding_window_view(data, self.nfft, axis=1)
            frames = windows[:, : (count - 1) * self.hop + 1: self.hop]
            for j in range(0, count, BATCH_FRAMES):
                m = min(BATCH_FRAMES, count - j)
                scratch = self._scratch[:, :m]
                np.multiply(frames[:, j:j + m], self.window, out=scratch)
                spectra = rfft(scratch, self._spectra[:, :m])
                add_power(spectra, self.sums, self.edges, groups[j:j + m], self._power)
            self.frames += count
        return groups


class WelchSpectrum:
    """Streaming Welch power spectrum: ``process(block)`` per (channels, n) block; ``power()`` per frequency bin."""

    def __init__(self, sample_rate: int, channels: int, nfft: int | None = None) -> None:
        self.sample_rate = int(sample_rate)
        self.channels = int(channels)
        self.nfft = nfft or segment_frames(self.sample_rate)
        self.hop = self.nfft // 2
        self._window = np.hanning(self.nfft + 2)[1:-1].astype(np.float32)
        self._scale = 2.0 / (self.nfft * float(np.sum(self._window.astype(np.float64) ** 2)))
        self._pending = np.zeros((self.channels, 0), np.float32)
        self._power = FramePower(self.channels, self._window, self.hop)

    def process(self, block: np.ndarray) -> None:
        """Feed one float32 block (channels, frames)."""
        data = np.concatenate([self._pending, np.asarray(block, np.float32)], axis=1)
        count = len(self._power.add(data))
        self._pending = np.ascontiguousarray(data[:, count * self.hop:])

    def frequencies_hz(self) -> np.ndarray:
        """Centre frequency of each bin (Hz)."""
        return np.fft.rfftfreq(self.nfft, 1.0 / self.sample_rate)

    def power(self) -> np.ndarray:
        """Mean square per bin, averaged over segments and channels (one-sided, so the bins sum to the mean square).

        A signal shorter than one segment is measured from one zero-padded segment."""
        total, segments = self._power.sums.sum(axis=0), self._power.frames
        if segments == 0 and self._pending.shape[1] > 0:
            seg = np.zeros((self.channels, self.nfft), np.float32)
            n = self._pending.shape[1]
            seg[:, :n] = self._pending
            spec = rfft(seg * self._window)
            total = (np.abs(spec) ** 2).sum(axis=0) * (self.nfft / n)
            segments = 1
        p = total * self._scale / max(segments * self.channels, 1)
        p[0] /= 2
        p[-1] /= 2
        return p


def band_centres_hz(fraction: int, sample_rate: int, low_hz: float = 20.0) -> np.ndarray:
    """IEC 61260-1 base-10 centres of 1/``fraction``-octave bands from ``low_hz`` whose upper edge is under Nyquist."""
    step = 0.3 / fraction
    k = np.arange(math.ceil(math.log10(low_hz / 1000) / step - 1e-6), round(2.0 / step) + 1)
    centres = 1000.0 * 10 ** (k * step)
    upper = centres * OCTAVE_RATIO ** (1 / (2 * fraction))
    return centres[upper <= sample_rate / 2]


def band_levels_db(freqs_hz: np.ndarray, power: np.ndarray, centres_hz: np.ndarray, fraction: int) -> np.ndarray:
    """Sum bin powers into bands (bins split at band edges by their centre); dB with a full-scale sine at 0."""
    half = OCTAVE_RATIO ** (1 / (2 * fraction))
    edges = np.concatenate([centres_hz / half, centres_hz[-1:] * half])
    idx = np.searchsorted(edges, freqs_hz, side="right") - 1
    inside = (idx >= 0) & (idx < centres_hz.size)
    sums = np.bincount(idx[inside], weights=power[inside], minlength=centres_hz.size)
    with np.errstate(divide="ignore"):
        return 10 * np.log10(sums) + SINE_DB


def _spectrum_of(audio_or_path: Any, sample_rate: int | None) -> WelchSpectrum:
    if isinstance(audio_or_path, (str, os.PathLike)):
        from studioflow.audio.stream import BlockReader

        reader = BlockReader(audio_or_path)
        spectrum = WelchSpectrum(reader.sample_rate, reader.channels)
        for block in reader:
            spectrum.process(block)
        return spectrum
    if sample_rate is None:
        from studioflow.errors import ParameterError

        raise ParameterError("spectrum: sample_rate is required with an array")
    audio = np.atleast_2d(np.asarray(audio_or_path, np.float32))
    spectrum = WelchSpectrum(int(sample_rate), audio.shape[0])
    spectrum.process(audio)
    return spectrum


def bands_from(spectrum: WelchSpectrum, fraction: int) -> tuple[np.ndarray, np.ndarray]:
    """(centres_hz, levels_db) of 1/``fraction``-octave bands of a streamed spectrum."""
    centres = band_centres_hz(fraction, spectrum.sample_rate, low_hz=25.0 if fraction == 3 else 31.0)
    return centres, band_levels_db(spectrum.frequencies_hz(), spectrum.power(), centres, fraction)


def third_octave_spectrum(audio_or_path: Any, sample_rate: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Long-term 1/3-octave spectrum of an array (channels, frames) or a file: (centres_hz, levels_db)."""
    return bands_from(_spectrum_of(audio_or_path, sample_rate), 3)


def octave_spectrum(audio_or_path: Any, sample_rate: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Long-term octave-band spectrum of an array (channels, frames) or a file: (centres_hz, levels_db)."""
    return bands_from(_spectrum_of(audio_or_path, sample_rate), 1)
