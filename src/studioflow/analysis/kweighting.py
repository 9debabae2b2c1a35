"""K-weighting (ITU-R BS.1770-4, Annex 1) designed for any sample rate from its analog prototypes.

BS.1770 publishes the two biquads only for 48 kHz. Here each stage is derived from the analog filter it
approximates (a high-frequency shelf and a second-order high-pass), mapped to the digital domain with the
bilinear transform pre-warped at the stage's frequency, so the response is the same at 8 kHz as at 192 kHz.
At 48 kHz this reproduces the published coefficients to about 1e-8.
"""

from __future__ import annotations

import math

import numpy as np

from studioflow.errors import ParameterError

# Analog prototype of stage 1 (the "pre-filter", a high shelf modelling the head): centre frequency (Hz),
# shelf gain (dB), quality factor, and the exponent that places the mid-band gain between 0 dB and the shelf.
SHELF_FREQ_HZ = 1681.974450955533
SHELF_GAIN_DB = 3.999843853973347
SHELF_Q = 0.7071752369554196
SHELF_MID_EXPONENT = 0.4996667741545416
# Analog prototype of stage 2 (the RLB high-pass): corner frequency (Hz) and quality factor.
HIGHPASS_FREQ_HZ = 38.13547087602444
HIGHPASS_Q = 0.5003270373238773

#: BS.1770-4 Table 1 and Table 2 (48 kHz): (b0, b1, b2, a1, a2) of stage 1 and stage 2.
PUBLISHED_48K = (
    (1.53512485958697, -2.69169618940638, 1.19839281085285, -1.69065929318241, 0.73248077421585),
    (1.0, -2.0, 1.0, -1.99004745483398, 0.99007225036621),
)

MIN_RATE_HZ = 8000
MAX_RATE_HZ = 192000


def check_rate(sample_rate: int) -> int:
    """Validate a sample rate for the meter (8 kHz .. 192 kHz) and return it as int."""
    rate = int(sample_rate)
    if rate != sample_rate or not MIN_RATE_HZ <= rate <= MAX_RATE_HZ:
        raise ParameterError(f"loudness meter: sample_rate {sample_rate!r} Hz is outside "
                             f"{MIN_RATE_HZ}..{MAX_RATE_HZ} Hz")
    return rate


def shelf_stage(sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Stage 1 of K-weighting (high shelf, +4 dB above ~1.7 kHz) as normalised (b, a) for ``sample_rate`` Hz."""
    k = math.tan(math.pi * SHELF_FREQ_HZ / sample_rate)
    v_high = 10.0 ** (SHELF_GAIN_DB / 20.0)
    v_band = v_high ** SHELF_MID_EXPONENT
    a0 = 1.0 + k / SHELF_Q + k * k
    b = np.array([v_high + v_band * k / SHELF_Q + k * k, 2.0 * (k * k - v_high), v_high - v_band * k / SHELF_Q + k * k])
    a = np.array([a0, 2.0 * (k * k - 1.0), 1.0 - k / SHELF_Q + k * k])
    return b / a0, a / a0


def _highpass_a0(sample_rate: int) -> float:
    k = math.tan(math.pi * HIGHPASS_FREQ_HZ / sample_rate)
    return 1.0 + k / HIGHPASS_Q + k * k


def highpass_stage(sample_rate: int) -> tuple[np.ndarray, np.ndarray]:
    """Stage 2 of K-weighting (RLB high-pass, ~38 Hz) as (b, a) for ``sample_rate`` Hz.

    BS.1770 publishes b = [1, -2, 1] at 48 kHz, i.e. a pass-band gain of a0(48 kHz) (+0.04 dB) that its -0.691 dB
    constant absorbs; the analog prototype here carries that same gain, so b is exactly [1, -2, 1] at 48 kHz and
    the pass band keeps the same level at every other rate.
    """
    k = math.tan(math.pi * HIGHPASS_FREQ_HZ / sample_rate)
    a0 = _highpass_a0(sample_rate)
    gain = _highpass_a0(48000) / a0
    b = gain * np.array([1.0, -2.0, 1.0])
    a = np.array([1.0, 2.0 * (k * k - 1.0) / a0, (1.0 - k / HIGHPASS_Q + k * k) / a0])
    return b, a


def k_weighting_sos(sample_rate: int) -> np.ndarray:
    """Both K-weighting stages as second-order sections, shape (2, 6) float64 (scipy ``sos`` layout)."""
    rate = check_rate(sample_rate)
    rows = [np.concatenate(stage(rate)) for stage in (shelf_stage, highpass_stage)]
    return np.array(rows, dtype=np.float64)


def k_weighting_gain_db(freq_hz: float | np.ndarray, sample_rate: int) -> np.ndarray:
    """Magnitude response of the K-weighting filter at ``freq_hz`` for ``sample_rate``, in dB."""
    sos = k_weighting_sos(sample_rate)
    z = np.exp(-2j * np.pi * np.asarray(freq_hz, dtype=np.float64) / sample_rate)
    h = np.ones_like(z)
    for b0, b1, b2, a0, a1, a2 in sos:
        h = h * (b0 + b1 * z + b2 * z * z) / (a0 + a1 * z + a2 * z * z)
    return 20.0 * np.log10(np.abs(h))
