"""Long-term mid/side spectrum in 1/3-octave bands (streamed, Welch-averaged) and the spectral distance between tracks.

Bands are the IEC 61260-1 base-10 third-octave bands, 25 Hz to 20 kHz (centres 1000 * 10^(k/10)).
The spectral distance is the RMS over the bands from 31.5 Hz to 16 kHz of the difference of two loudness-normalized
band spectra (each band level minus the track's integrated loudness), in dB.
"""

from __future__ import annotations

import numpy as np

from studioflow.analysis.spectrum import FramePower

NFFT = 16384
HOP = NFFT // 2
DISTANCE_BAND_HZ = (31.5, 16000.0)
GROUPS_HZ = (150.0, 4000.0)


def band_centers_hz(rate: int) -> np.ndarray:
    """Exact IEC 61260 third-octave centres from 25 Hz up to 20 kHz (or the highest below 0.45 x ``rate``), in Hz."""
    k = np.arange(-16, 14)
    fc = 1000.0 * 10.0 ** (k / 10.0)
    return fc[fc * 10 ** 0.05 < 0.5 * rate]


class LongTermSpectrum:
    """Accumulates Welch power spectra of mid (L+R)/2 and side (L-R)/2 over blocks of any size."""

    def __init__(self, rate: int) -> None:
        self.rate = int(rate)
        self.window = np.hanning(NFFT).astype(np.float32)
        self._norm = 1.0 / (NFFT * float(np.sum(self.window.astype(np.float64) ** 2)))
        # mid, side; the first ``_fill`` samples wait for a frame
        self._buf = np.zeros((2, NFFT + HOP), dtype=np.float32)
        self._fill = 0
        freqs = np.fft.rfftfreq(NFFT, 1.0 / self.rate)
        #: per-frame power in the groups low (< 150 Hz), mid, high (> 4 kHz), for the band-dynamics decision
        self.group_edges = np.concatenate([[1], np.searchsorted(freqs, GROUPS_HZ), [NFFT // 2 + 1]]).astype(np.int64)
        self.group_frames: list[np.ndarray] = []
        self._power = FramePower(2, self.window, HOP, self.group_edges)   # rows mid, side

    @property
    def frames(self) -> int:
        """Welch frames summed so far."""
        return self._power.frames

    @property
    def mid(self) -> np.ndarray:
        """Per-bin power of the mid summed over frames (unscaled)."""
        return self._power.sums[0]

    @property
    def side(self) -> np.ndarray:
        """Per-bin power of the side summed over frames (unscaled)."""
        return self._power.sums[1]

    def add(self, block: np.ndarray) -> None:
        """Feed one block ``(channels, frames)`` float32 (mono, stereo; more channels use the first two).
        Mid and side of every frame are transformed in single precision and summed in double
        (``analysis.spectrum.FramePower``)."""
        block = np.asarray(block, dtype=np.float32)
        c, n = self._fill, block.shape[1]
        if self._buf.shape[1] < c + n:             # grown once to the block size, then reused
            grown = np.empty((2, c + n), dtype=np.float32)
            grown[:, :c] = self._buf[:, :c]
            self._buf = grown
        _mid_side(block, self._buf[:, c:c + n])
        data = self._buf[:, :c + n]
        groups = self._power.add(data)
        count = len(groups)
        if count:
            self.group_frames.append(groups)
        self._fill = c + n - count * HOP
        self._buf[:, :self._fill] = data[:, count * HOP:].copy()

    def power(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per-bin mean-square contributions (freqs Hz, mid, side); short inputs are zero-padded to one frame."""
        mid, side, frames = self.mid.copy(), self.side.copy(), self.frames
        if frames == 0 and self._fill:
            pad = np.zeros((2, NFFT), dtype=np.float32)
            pad[:, :self._fill] = self._buf[:, :self._fill]
            scale = NFFT / self._fill
            mid += np.abs(np.fft.rfft(pad[0] * self.window)) ** 2 * scale
            side += np.abs(np.fft.rfft(pad[1] * self.window)) ** 2 * scale
            frames = 1
        one_sided = np.full(NFFT // 2 + 1, 2.0)
        one_sided[0] = one_sided[-1] = 1.0
        k = one_sided * self._norm / max(frames, 1)
        return np.fft.rfftfreq(NFFT, 1.0 / self.rate), mid * k, side * k

    def bands(self) -> dict:
        """Band centres (Hz) and band levels in dB of total, mid and side power, and side-minus-mid (dB)."""
        freqs, mid, side = self.power()
        fc = band_centers_hz(self.rate)
        m = _to_bands(freqs, mid, fc)
        s = _to_bands(freqs, side, fc)
        tiny = 1e-20
        return {
            "centers_hz": fc,
            "total_db": 10 * np.log10(m + s + tiny),
            "mid_db": 10 * np.log10(m + tiny),
            "side_db": 10 * np.log10(s + tiny),
            "side_minus_mid_db": 10 * np.log10((s + tiny) / (m + tiny)),
        }


    def band_dynamics(self) -> dict:
        """Per group (low < 150 Hz, mid, high > 4 kHz): level statistics over the Welch frames (~0.34 s at 48 kHz).

        Frames are gated like EBU Tech 3342's loudness range: absolute -70 dBFS, then relative -20 dB under the power
        mean of the frames above it, so fades and silence do not count. For each group, in dB of the group's mean
        square (dBFS RMS): ``level_db`` the power mean, ``p10_db``/``p50_db``/``p95_db`` percentiles, ``range_db``
        = p95 - p10 (the LRA idea applied to one band) and ``crest_db`` = loudest frame minus the power mean
        (a short-term crest factor: how far the band's loud moments stand above its average)."""
        keys = ("low", "mid", "high")
        if not self.group_frames:
            empty = {"level_db": None, "p10_db": None, "p50_db": None, "p95_db": None, "range_db": 0.0, "crest_db": 0.0}
            return {k: dict(empty) for k in keys}
        p = np.concatenate(self.group_frames) * (2.0 * self._norm)       # per-frame mean square of each group
        total = p.sum(axis=1)
        keep = total > 1e-7                                              # -70 dBFS absolute gate
        if keep.any():
            keep &= total > np.mean(total[keep]) * 0.01                  # -20 dB relative gate
        if not keep.any():
            keep = np.ones(len(total), bool)
        out = {}
        for i, k in enumerate(keys):
            lv = 10 * np.log10(p[keep, i] + 1e-20)
            mean = 10 * np.log10(np.mean(p[keep, i]) + 1e-20)
            p10, p50, p95 = np.percentile(lv, [10, 50, 95])
            out[k] = {"level_db": round(float(mean), 2), "p10_db": round(float(p10), 2),
                      "p50_db": round(float(p50), 2), "p95_db": round(float(p95), 2),
                      "range_db": round(float(p95 - p10), 2), "crest_db": round(float(lv.max() - mean), 2)}
        return out


def _mid_side(block: np.ndarray, out: np.ndarray) -> None:
    """The mid (L+R)/2 and side (L-R)/2 of a float32 ``block`` written into ``out`` (2, frames); mono: side 0."""
    if block.shape[0] == 1:
        out[0] = block[0]
        out[1] = 0.0
    else:
        np.add(block[0], block[1], out=out[0])
        np.subtract(block[0], block[1], out=out[1])
        out *= np.float32(0.5)


def _to_bands(freqs: np.ndarray, power: np.ndarray, fc: np.ndarray) -> np.ndarray:
    """Sum per-bin power into third-octave bands; bands too narrow to hold a bin take their neighbours' density."""
    lo, hi = fc * 10 ** -0.05, fc * 10 ** 0.05
    edges = np.searchsorted(freqs, np.concatenate([lo[:1], hi]))
    cums = np.concatenate([[0.0], np.cumsum(power)])
    out = cums[edges[1:]] - cums[edges[:-1]]
    df = freqs[1] - freqs[0]
    for i in np.where(edges[1:] - edges[:-1] == 0)[0]:
        j = min(int(np.searchsorted(freqs, fc[i])), len(power) - 1)
        out[i] = power[j] * (hi[i] - lo[i]) / df
    return out


def normalized_bands_db(total_db: np.ndarray, integrated_lufs: float) -> np.ndarray:
    """Band levels made loudness-independent: each band's dB minus the track's integrated loudness."""
    return np.asarray(total_db, dtype=float) - float(integrated_lufs)


def spectral_distance_db(a_norm_db: np.ndarray, b_norm_db: np.ndarray, centers_hz: np.ndarray) -> float:
    """RMS difference in dB of two loudness-normalized band spectra over the bands from 31.5 Hz to 16 kHz."""
    fc = np.asarray(centers_hz)
    sel = (fc >= DISTANCE_BAND_HZ[0] * 0.99) & (fc <= DISTANCE_BAND_HZ[1] * 1.01)
    d = np.asarray(a_norm_db)[sel] - np.asarray(b_norm_db)[sel]
    return float(np.sqrt(np.mean(d ** 2)))


def octave_db(centers_hz: list[float] | np.ndarray,
              level_db: list[float] | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Octave-band levels (dB, power sums of the three 1/3-octave bands around each) at 31.5 Hz .. 16 kHz:
    (octave centres in Hz, levels)."""
    fc, level = np.asarray(centers_hz, dtype=float), np.asarray(level_db, dtype=float)
    octaves = 1000.0 * 2.0 ** np.arange(-5, 5)
    out = []
    for f in octaves:
        near = np.abs(np.log2(fc / f)) < 0.5
        out.append(10 * np.log10(np.sum(10 ** (level[near] / 10))) if near.any() else np.nan)
    return octaves, np.asarray(out)
