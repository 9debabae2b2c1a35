"""EBU Tech 3341 / 3342 test signals built in code from their published definitions (1 kHz sine segments)."""

from __future__ import annotations

import numpy as np


def tone(segments: list[tuple[float, float]], rate: int, channels: int = 2, freq_hz: float = 1000.0) -> np.ndarray:
    """Concatenated 1 kHz sine segments [(seconds, peak dBFS per channel), ...], continuous phase, (channels, frames).
    """
    lengths = [int(round(sec * rate)) for sec, _ in segments]
    gains = np.concatenate([np.full(n, 10 ** (db / 20)) for n, (_, db) in zip(lengths, segments)])
    t = np.arange(gains.size) / rate
    x = gains * np.sin(2 * np.pi * freq_hz * t)
    return np.ascontiguousarray(np.tile(x, (channels, 1)), dtype=np.float32)


# Tech 3341 Table 1: case -> (segments, expected integrated LUFS); all stereo 1 kHz, +-0.1 LU
TECH3341_INTEGRATED = {
    1: ([(20.0, -23.0)], -23.0),
    2: ([(20.0, -33.0)], -33.0),
    3: ([(10.0, -36.0), (60.0, -23.0), (10.0, -36.0)], -23.0),
    4: ([(10.0, -72.0), (10.0, -36.0), (60.0, -23.0), (10.0, -36.0), (10.0, -72.0)], -23.0),
    5: ([(20.0, -26.0), (20.1, -20.0), (20.0, -26.0)], -23.0),
}

# Tech 3342: case -> (segments, expected LRA LU), +-1 LU
TECH3342_LRA = {
    1: ([(20.0, -20.0), (20.0, -30.0)], 10.0),
    2: ([(20.0, -20.0), (20.0, -15.0)], 5.0),
    3: ([(20.0, -40.0), (20.0, -20.0)], 20.0),
    4: ([(20.0, -50.0), (20.0, -35.0), (20.0, -20.0), (20.0, -35.0), (20.0, -50.0)], 15.0),
}

# Tech 3341 cases 15-19: (fraction of fs, peak amplitude, phase in degrees, expected dBTP), tolerance +0.2/-0.4
TECH3341_TRUE_PEAK = {
    15: (1 / 4, 0.50, 0.0, -6.0),
    16: (1 / 4, 0.50, 45.0, -6.0),
    17: (1 / 6, 0.50, 60.0, -6.0),
    18: (1 / 8, 0.50, 67.5, -6.0),
    19: (1 / 4, 1.41, 45.0, 3.0),
}


def case6_surround(rate: int, seconds: float = 20.0) -> np.ndarray:
    """Tech 3341 case 6: 5.1 (L R C LFE Ls Rs) 1 kHz at -28, -28, -24, silent, -30, -30 dBFS; expect -23 LUFS."""
    levels = [-28.0, -28.0, -24.0, None, -30.0, -30.0]
    one = tone([(seconds, 0.0)], rate, channels=1)[0]
    return np.stack([one * (10 ** (db / 20)) if db is not None else np.zeros_like(one) for db in levels])


def case9_short_term(rate: int) -> np.ndarray:
    """Tech 3341 case 9: 1.34 s at -20 dBFS then 1.66 s at -30 dBFS, 5 times: short-term -23 LUFS after 3 s."""
    return tone([(1.34, -20.0), (1.66, -30.0)] * 5, rate)


def case12_momentary(rate: int) -> np.ndarray:
    """Tech 3341 case 12: 0.18 s at -20 dBFS then 0.22 s at -30 dBFS, 25 times: momentary -23 LUFS after 1 s."""
    return tone([(0.18, -20.0), (0.22, -30.0)] * 25, rate)


def burst(rate: int, seconds: float, level_dbfs: float, offset_s: float, total_s: float) -> np.ndarray:
    """A 1 kHz stereo tone burst of ``seconds`` at ``level_dbfs`` starting ``offset_s`` into ``total_s`` of silence."""
    return tone([(offset_s, -300.0), (seconds, level_dbfs), (total_s - offset_s - seconds, -300.0)], rate)


# Tech 3341 cases 10/11 (short-term) and 13/14 (momentary): stereo 1 kHz tone bursts as long as the window (3 s for
# S, 0.4 s for M). Expected readings (Tech 3341 Table 1, +-0.1 LU): case 10 / 13, twenty signals whose bursts at
# -23 dBFS start at different times: Max S / Max M = -23.0 LUFS for each; case 11 / 14, one signal of twenty
# segments (6 s / 0.8 s each) whose bursts rise from -38 to -19 dBFS in 1 dB steps: the maximum read after each
# segment is -38.0, -37.0, ... -19.0 LUFS. The published text gives the readings, not the burst positions (those
# are in the EBU test-set files); here burst k of 20 starts k * 0.15 s (3 s bursts) or k * 0.03 s / k * 0.02 s
# (0.4 s bursts) into its signal or segment, so the bursts sweep the 100 ms update grid as the files' bursts do.
BURST_POSITIONS = 20
SUCCESSIVE_LEVELS_DBFS = [-38.0 + k for k in range(BURST_POSITIONS)]


def case10_short_term_bursts(rate: int) -> list[np.ndarray]:
    """Tech 3341 case 10: twenty signals, each a 3 s burst at -23 dBFS starting k * 0.15 s in, then 0.5 s silence."""
    return [burst(rate, 3.0, -23.0, 0.15 * k, 0.15 * k + 3.5) for k in range(BURST_POSITIONS)]


def case11_segments(rate: int) -> list[np.ndarray]:
    """Tech 3341 case 11: twenty 6 s segments, segment k a 3 s burst at (-38 + k) dBFS starting k * 0.15 s in."""
    return [burst(rate, 3.0, level, 0.15 * k, 6.0) for k, level in enumerate(SUCCESSIVE_LEVELS_DBFS)]


def case13_momentary_bursts(rate: int) -> list[np.ndarray]:
    """Tech 3341 case 13: twenty signals, each a 0.4 s burst at -23 dBFS starting k * 0.03 s in, within 1.2 s."""
    return [burst(rate, 0.4, -23.0, 0.03 * k, 1.2) for k in range(BURST_POSITIONS)]


def case14_segments(rate: int) -> list[np.ndarray]:
    """Tech 3341 case 14: twenty 0.8 s segments, segment k a 0.4 s burst at (-38 + k) dBFS starting k * 0.02 s in."""
    return [burst(rate, 0.4, level, 0.02 * k, 0.8) for k, level in enumerate(SUCCESSIVE_LEVELS_DBFS)]


def true_peak_case(case: int, rate: int, seconds: float = 1.0, fade_s: float = 0.02) -> np.ndarray:
    """Tech 3341 true-peak case at ``rate``: stereo sine at a fraction of fs with a given phase; short raised-cosine
    fades keep the onset from adding band-limited overshoot that the steady tone does not have."""
    frac, amp, phase_deg, _ = TECH3341_TRUE_PEAK[case]
    n = int(seconds * rate)
    i = np.arange(n)
    x = amp * np.sin(2 * np.pi * frac * i + np.deg2rad(phase_deg))
    nf = int(fade_s * rate)
    ramp = 0.5 - 0.5 * np.cos(np.pi * np.arange(nf) / nf)
    x[:nf] *= ramp
    x[n - nf:] *= ramp[::-1]
    return np.ascontiguousarray(np.tile(x, (2, 1)), dtype=np.float32)
