"""Filter design at the actual sample rate: second-order sections (``sos``, scipy layout) and a cascade kernel.

Bells, shelves, band-pass and tilt use Vicanek's magnitude-matched design ("Matched Second Order Digital Filters",
M. Vicanek, 2016): the poles come from the analog prototype by impulse invariance (z = exp(s T)) and the numerator is
solved so that the digital magnitude equals the analog one exactly at DC, at Nyquist and at the centre frequency.
So there is no bilinear cramping near Nyquist: a 16 kHz bell at 44.1 kHz keeps its shape and its exact centre gain.
The analog prototypes are those of R. Bristow-Johnson's "Audio EQ Cookbook" (peak, shelves with Q, band-pass).

High- and low-pass filters (Butterworth, Linkwitz-Riley) use the bilinear transform with the cutoff prewarped, so the
-3 dB (Butterworth) and -6 dB (Linkwitz-Riley) points are exact and a Linkwitz-Riley low/high pair sums to an allpass
exactly (the bilinear map preserves that identity; a matched design would not).
"""

from __future__ import annotations

import numba
import numpy as np
from scipy import signal

from studioflow.errors import ParameterError

BUTTERWORTH_ORDERS = {6: 1, 12: 2, 18: 3, 24: 4, 36: 6, 48: 8}   # slope dB/oct -> filter order
LINKWITZ_RILEY_ORDERS = {12: 2, 24: 4, 36: 6, 48: 8}


# analog prototypes and the matched design ---------------------------------------------------------------

def _analog_mag2(b: np.ndarray, a: np.ndarray, w: float) -> float:
    """|H(j w)|^2 of an analog prototype (polynomials in s, highest power first), w normalised to the centre."""
    s = 1j * w
    return float(abs(np.polyval(b, s) / np.polyval(a, s)) ** 2)


def _matched(b_s: list[float], a_s: list[float], freq_hz: float, rate: int) -> np.ndarray:
    """One sos row matching the analog prototype H(s / w0) (Vicanek 2016): poles by impulse invariance,
    magnitude exact at DC, Nyquist and the centre frequency."""
    b = np.asarray(b_s, dtype=float)
    a = np.asarray(a_s, dtype=float)
    w0 = 2.0 * np.pi * freq_hz / rate                       # centre in rad/sample, < pi
    poles = np.roots(a) * w0
    # a pole pair above Nyquist would alias by impulse invariance; hold it at Nyquist (the magnitude match corrects)
    poles = np.where(np.abs(poles.imag) > np.pi, poles.real + 1j * np.sign(poles.imag) * np.pi, poles)
    az = np.real(np.poly(np.exp(poles)))
    az = np.concatenate([az, np.zeros(3 - az.size)])

    def den2(w: float) -> float:
        return float(abs(np.polyval(az[::-1], np.exp(-1j * w))) ** 2)

    def target(w: float) -> float:                          # wanted |B(e^jw)|^2 = |H_analog|^2 |A(e^jw)|^2
        return _analog_mag2(b, a, w / w0) * den2(w)

    big_b0, big_b1 = target(0.0), target(np.pi)
    phi1 = np.sin(w0 / 2.0) ** 2
    phi0 = 1.0 - phi1
    phi2 = 4.0 * phi0 * phi1
    big_b2 = (target(w0) - big_b0 * phi0 - big_b1 * phi1) / phi2
    r0, r1 = np.sqrt(big_b0), np.sqrt(big_b1)
    w_half = 0.5 * (r0 + r1)
    b0 = 0.5 * (w_half + np.sqrt(max(w_half * w_half + big_b2, 0.0)))
    b1 = 0.5 * (r0 - r1)
    b2 = -big_b2 / (4.0 * b0)
    return np.array([b0, b1, b2, az[0], az[1], az[2]]) / az[0]


def _boost_inverted(design, gain_db: float) -> np.ndarray:
    """Design the boost for |gain_db| and invert it for a cut (the RBJ bell and shelves are boost/cut symmetric:
    H_-g = 1 / H_g), as Vicanek advises: the matched numerator of a deep cut may not be realisable directly."""
    row = design(abs(gain_db))
    if gain_db >= 0.0:
        return row[np.newaxis]
    inv = np.concatenate([row[3:], row[:3]])
    return (inv / inv[3])[np.newaxis]


def peak_sos(freq_hz: float, gain_db: float, q: float, rate: int) -> np.ndarray:
    """Peak/bell (RBJ prototype, matched): gain_db exactly at freq_hz, bandwidth set by q."""
    def design(g: float) -> np.ndarray:
        amp = 10.0 ** (g / 40.0)
        return _matched([1.0, amp / q, 1.0], [1.0, 1.0 / (amp * q), 1.0], freq_hz, rate)
    return _boost_inverted(design, gain_db)


def _lowshelf_boost(freq_hz: float, gain_db: float, q: float, rate: int) -> np.ndarray:
    amp = 10.0 ** (gain_db / 40.0)
    r = np.sqrt(amp) / q
    return _matched([amp, amp * r, amp * amp], [amp, r, 1.0], freq_hz, rate)


def lowshelf_sos(freq_hz: float, gain_db: float, q: float, rate: int) -> np.ndarray:
    """Low shelf (RBJ prototype, matched): gain_db at DC, gain_db / 2 exactly at freq_hz, q sets the knee."""
    return _boost_inverted(lambda g: _lowshelf_boost(freq_hz, g, q, rate), gain_db)


def highshelf_sos(freq_hz: float, gain_db: float, q: float, rate: int) -> np.ndarray:
    """High shelf (RBJ prototype, matched): gain_db towards Nyquist, gain_db / 2 exactly at freq_hz.

    Built as A^2 / lowshelf(+|gain|) (an identity of the RBJ prototypes), so its poles never sit above Nyquist.
    """
    amp2 = 10.0 ** (abs(gain_db) / 20.0)
    row = _lowshelf_boost(freq_hz, abs(gain_db), q, rate)
    if gain_db >= 0.0:
        row = np.concatenate([row[3:] * amp2, row[:3]])
    else:
        row = np.concatenate([row[:3] / amp2, row[3:]])
    return (row / row[3])[np.newaxis]


def bandpass_sos(freq_hz: float, q: float, rate: int) -> np.ndarray:
    """Band-pass with 0 dB exactly at freq_hz and -3 dB bandwidth freq_hz / q (RBJ constant-peak prototype, matched)."""
    return _matched([0.0, 1.0 / q, 0.0], [1.0, 1.0 / q, 1.0], freq_hz, rate)[np.newaxis]


def notch_sos(freq_hz: float, q: float, rate: int) -> np.ndarray:
    """Notch: zeros exactly on the unit circle at freq_hz, poles matched to the analog notch, 0 dB at DC."""
    w0 = 2.0 * np.pi * freq_hz / rate
    poles = np.roots([1.0, 1.0 / q, 1.0]) * w0
    az = np.real(np.poly(np.exp(poles)))
    bz = np.array([1.0, -2.0 * np.cos(w0), 1.0])
    bz *= az.sum() / bz.sum()
    return np.concatenate([bz, az])[np.newaxis]


def tilt_sos(freq_hz: float, gain_db: float, rate: int) -> np.ndarray:
    """Tilt around freq_hz: -gain_db/2 at DC, +gain_db/2 towards Nyquist, 0 dB at freq_hz (first-order prototype,
    matched)."""
    def design(gain: float) -> np.ndarray:
        g = 10.0 ** (gain / 40.0)                           # sqrt of the low-to-high amplitude ratio
        return _matched([0.0, g, 1.0], [0.0, 1.0, g], freq_hz, rate)
    return _boost_inverted(design, gain_db)


def butterworth_sos(freq_hz: float, order: int, rate: int, kind: str) -> np.ndarray:
    """Butterworth low- or high-pass (bilinear, prewarped: exactly -3 dB at freq_hz)."""
    btype = {"lowpass": "lowpass", "highpass": "highpass"}[kind]
    return signal.butter(order, freq_hz, btype=btype, fs=rate, output="sos")


def resonant_sos(freq_hz: float, q: float, rate: int, kind: str) -> np.ndarray:
    """12 dB/oct low- or high-pass with resonance q (RBJ cookbook LPF/HPF, bilinear); q = 1/sqrt(2) is Butterworth."""
    w0 = 2.0 * np.pi * freq_hz / rate
    alpha = np.sin(w0) / (2.0 * q)
    c = np.cos(w0)
    if kind == "lowpass":
        b = np.array([(1.0 - c) / 2.0, 1.0 - c, (1.0 - c) / 2.0])
    else:
        b = np.array([(1.0 + c) / 2.0, -(1.0 + c), (1.0 + c) / 2.0])
    a = np.array([1.0 + alpha, -2.0 * c, 1.0 - alpha])
    return (np.concatenate([b, a]) / a[0])[np.newaxis]


def linkwitz_riley_sos(freq_hz: float, order: int, rate: int, kind: str) -> np.ndarray:
    """Linkwitz-Riley crossover half of ``order`` 2, 4, 6 or 8 (a squared Butterworth, -6 dB at freq_hz).

    For crossovers: the ``lowpass`` and ``highpass`` of the same freq and order sum to an allpass (flat magnitude);
    for orders 2 and 6 the highpass is returned polarity-inverted so that the plain sum is the flat one.
    """
    if order not in (2, 4, 6, 8):
        raise ParameterError(f"linkwitz_riley_sos: order must be 2, 4, 6 or 8; got {order!r}")
    half = butterworth_sos(freq_hz, order // 2, rate, kind)
    sos = np.vstack([half, half])
    if kind == "highpass" and (order // 2) % 2 == 1:
        sos[0, :3] *= -1.0
    return sos


def linkwitz_riley_allpass_sos(freq_hz: float, rate: int) -> np.ndarray:
    """The allpass a 4th-order Linkwitz-Riley low/high pair sums to, as one section: the second-order allpass with
    Butterworth Q at ``freq_hz`` (the same response as running both halves and adding them, at a quarter of the
    cost)."""
    w0 = 2.0 * np.pi * freq_hz / rate
    alpha, cos = np.sin(w0) / (2.0 * np.sqrt(0.5)), np.cos(w0)
    a0 = 1.0 + alpha
    return np.array([[(1.0 - alpha) / a0, -2.0 * cos / a0, 1.0, 1.0, -2.0 * cos / a0, (1.0 - alpha) / a0]])


def pass_sos(kind: str, freq_hz: float, slope_db_oct: int, rate: int, character: str = "butterworth",
             q: float | None = None) -> np.ndarray:
    """High- or low-pass at 6/12/18/24/36/48 dB/oct, Butterworth or Linkwitz-Riley (polarity not inverted)."""
    if character == "linkwitz_riley":
        half = butterworth_sos(freq_hz, LINKWITZ_RILEY_ORDERS[slope_db_oct] // 2, rate, kind)
        return np.vstack([half, half])
    if slope_db_oct == 12 and q is not None and abs(q - np.sqrt(0.5)) > 1e-12:
        return resonant_sos(freq_hz, q, rate, kind)
    return butterworth_sos(freq_hz, BUTTERWORTH_ORDERS[slope_db_oct], rate, kind)


# response and filtering ---------------------------------------------------------------------------------

def sos_response(sos: np.ndarray, freqs_hz: np.ndarray, rate: int) -> np.ndarray:
    """Complex frequency response of a cascade at ``freqs_hz``."""
    z1 = np.exp(-2j * np.pi * np.asarray(freqs_hz, dtype=float) / rate)
    h = np.ones_like(z1)
    for b0, b1, b2, a0, a1, a2 in np.asarray(sos, dtype=float):
        h *= (b0 + z1 * (b1 + z1 * b2)) / (a0 + z1 * (a1 + z1 * a2))
    return h


def sos_response_db(sos: np.ndarray, freqs_hz: np.ndarray, rate: int) -> np.ndarray:
    """Magnitude response of a cascade at ``freqs_hz`` in dB."""
    return 20.0 * np.log10(np.maximum(np.abs(sos_response(sos, freqs_hz, rate)), 1e-15))


CASCADE_CHUNK = 1024   # frames per pass of the cascade kernel (its float64 scratch stays in L1)
OUTPUT_FLOOR = 1e-30   # output samples under this (-600 dBFS) are written as 0, never as float32 subnormals


@numba.njit(cache=True, nogil=True)
def _section_pair(sos, s, buf, zi, channels, m):
    """Sections ``s`` and ``s + 1`` over buf[:, :m] in place (transposed direct form II, float64), two channels at
    a time, every state in a register: four independent recursions in flight at once."""
    b0, b1, b2, a1, a2 = sos[s, 0], sos[s, 1], sos[s, 2], sos[s, 4], sos[s, 5]
    c0, c1, c2, d1, d2 = sos[s + 1, 0], sos[s + 1, 1], sos[s + 1, 2], sos[s + 1, 4], sos[s + 1, 5]
    c = 0
    while c + 1 < channels:
        left = buf[c]
        right = buf[c + 1]
        p0, p1, q0, q1 = zi[c, s, 0], zi[c, s, 1], zi[c, s + 1, 0], zi[c, s + 1, 1]
        r0, r1, t0, t1 = zi[c + 1, s, 0], zi[c + 1, s, 1], zi[c + 1, s + 1, 0], zi[c + 1, s + 1, 1]
        for i in range(m):
            v = left[i]
            u = right[i]
            o = b0 * v + p0
            e = b0 * u + r0
            p0 = b1 * v - a1 * o + p1
            r0 = b1 * u - a1 * e + r1
            p1 = b2 * v - a2 * o
            r1 = b2 * u - a2 * e
            w = c0 * o + q0
            f = c0 * e + t0
            q0 = c1 * o - d1 * w + q1
            t0 = c1 * e - d1 * f + t1
            q1 = c2 * o - d2 * w
            t1 = c2 * e - d2 * f
            left[i] = w
            right[i] = f
        zi[c, s, 0], zi[c, s, 1], zi[c, s + 1, 0], zi[c, s + 1, 1] = p0, p1, q0, q1
        zi[c + 1, s, 0], zi[c + 1, s, 1], zi[c + 1, s + 1, 0], zi[c + 1, s + 1, 1] = r0, r1, t0, t1
        c += 2
    if c < channels:           # a lone last channel: one section after the other
        _section(sos, s, buf[c:], zi[c:], 1, m)
        _section(sos, s + 1, buf[c:], zi[c:], 1, m)


@numba.njit(cache=True, nogil=True)
def _section(sos, s, buf, zi, channels, m):
    """Section ``s`` over buf[:, :m] in place (transposed direct form II, float64), the state in registers."""
    b0, b1, b2, a1, a2 = sos[s, 0], sos[s, 1], sos[s, 2], sos[s, 4], sos[s, 5]
    for c in range(channels):
        row = buf[c]
        p0, p1 = zi[c, s, 0], zi[c, s, 1]
        for i in range(m):
            v = row[i]
            o = b0 * v + p0
            p0 = b1 * v - a1 * o + p1
            p1 = b2 * v - a2 * o
            row[i] = o
        zi[c, s, 0], zi[c, s, 1] = p0, p1


@numba.njit(cache=True, nogil=True)
def sos_cascade(sos: np.ndarray, x: np.ndarray, zi: np.ndarray) -> np.ndarray:
    """Run float32 ``x`` (channels, frames) through the cascade ``sos`` (normalised, a0 = 1) in float64,
    transposed direct form II exactly as ``scipy.signal.sosfilt``; ``zi`` (channels, sections, 2) is updated.

    Works in chunks of ``CASCADE_CHUNK`` frames and two sections per pass; between sections the signal stays
    float64, so the result is the same, bit for bit, as running every section on each frame in turn. A filter's tail
    in silence is ended instead of decaying through subnormal numbers: states under 1e-100 and output samples under
    ``OUTPUT_FLOOR`` become exact zeros."""
    channels, frames = x.shape
    sections = sos.shape[0]
    y = np.empty((channels, frames), np.float32)
    buf = np.empty((channels, CASCADE_CHUNK))
    for start in range(0, frames, CASCADE_CHUNK):
        m = min(CASCADE_CHUNK, frames - start)
        for c in range(channels):
            for i in range(m):
                buf[c, i] = np.float64(x[c, start + i])
        s = 0
        while s + 1 < sections:
            _section_pair(sos, s, buf, zi, channels, m)
            s += 2
        if s < sections:
            _section(sos, s, buf, zi, channels, m)
        # a state decaying in silence would cross the subnormal range (each operation ~50x slower); below 1e-100
        # (2000 dB under full scale, so no float32 output changes) it is set to zero and silence stays zero
        for c in range(channels):
            for k in range(sections):
                if abs(zi[c, k, 0]) + abs(zi[c, k, 1]) < 1e-100:
                    zi[c, k, 0] = 0.0
                    zi[c, k, 1] = 0.0
        for c in range(channels):
            for i in range(m):
                v = buf[c, i]
                y[c, start + i] = v if abs(v) > OUTPUT_FLOOR else 0.0
    return y
