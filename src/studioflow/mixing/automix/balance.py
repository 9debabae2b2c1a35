"""Gain-staging and the loudness balance by role: the target table, the busyness adjustment and the fader maths.

Where the figures come from: ``TARGET_LU`` is studioflow's own starting balance, written down from common mixing
practice rather than measured from a corpus: the lead (vocal or synth) is the reference at 0 LU, kick and snare sit
just under it, the bass a little lower, harmony parts (guitars, keys, backing vocals) clearly behind and pads, hats,
percussion and effects furthest back. It follows the priority ordering taught in M. Senior, "Mixing Secrets for the
Small Studio" (2011: build the mix in order of importance, the lead and the rhythm section's backbone first), and is
consistent with the mixes studied by B. De Man et al., "An analysis and evaluation of audio features for multitrack
music mixtures" (ISMIR 2014), where the lead vocal is typically the loudest source. They are defaults to be tuned by
ear, not measured constants. The figures are loudness *within the mix* of each part where it plays (gated,
BS.1770-4), relative to the lead. Genres (``GENRES``) shift a few roles; the busyness adjustment lets rare parts
(fills, toms, one-shot effects) speak a little louder where they play and keeps parts that play all the time a
little lower.
"""

from __future__ import annotations

from dataclasses import dataclass

# role -> loudness in the mix where it plays, LU relative to the lead (0)
TARGET_LU: dict[str, float] = {
    "lead_vocal": 0.0, "synth_lead": -1.0,
    "kick": -2.0, "snare": -2.5, "bass": -3.0,
    "toms": -5.0, "overheads": -8.0, "hats": -10.0, "percussion": -10.0,
    "backing_vocals": -6.0, "guitar": -6.0, "keys": -6.5,
    "pads": -10.0, "fx": -12.0,
}
# genre -> role -> LU added to the table above; and the reverb character (see sends.py)
GENRES: dict[str, dict[str, float]] = {
    "pop": {},
    "rock": {"guitar": 2.0, "snare": 0.5, "keys": -1.0, "overheads": 1.0},
    "electronic": {"kick": 1.5, "bass": 1.5, "synth_lead": 1.0, "pads": 1.0, "guitar": -1.0},
    "hiphop": {"kick": 2.0, "bass": 2.0, "snare": 0.5, "pads": -1.0},
    "ballad": {"lead_vocal": 0.0, "kick": -2.0, "snare": -2.0, "keys": 1.5, "pads": 2.0, "bass": -1.0},
    "jazz": {"kick": -3.0, "snare": -3.0, "overheads": 3.0, "bass": 0.0, "keys": 1.0},
}
BUSY_SLOPE_LU = 2.0            # LU per unit of (0.5 - share of the song the part plays)
BUSY_LIMITS_LU = (-1.0, 1.5)
STAGE_LUFS = -20.0             # gain-staging: every part enters its inserts at this loudness where it plays
STAGE_MAX_PEAK_DBFS = -6.0     # ... unless that would put its peaks above this
LEAD_LUFS = -20.0              # the lead's loudness in the mix before headroom (a mix near -14..-12 LUFS)
MIX_PEAK_CEILING_DBFS = -3.0   # the summed mix (dry) is trimmed on the master to peak no higher than this


@dataclass
class Balance:
    """One track's balance decision: target loudness in the mix (LUFS) and the fader that gets it there (dB)."""

    target_lu: float
    busy_lu: float
    target_lufs: float
    fader_db: float
    reason: str


def stage_gain_db(loudness_lufs: float | None, peak_dbfs: float | None) -> float:
    """Trim (dB) that brings a part to STAGE_LUFS where it plays, keeping its peaks under STAGE_MAX_PEAK_DBFS."""
    if loudness_lufs is None:
        return 0.0
    gain = STAGE_LUFS - loudness_lufs
    if peak_dbfs is not None:
        gain = min(gain, STAGE_MAX_PEAK_DBFS - peak_dbfs)
    return round(max(-40.0, min(gain, 40.0)), 1)


def role_target_lu(role: str, genre: str | None) -> float:
    """Target loudness (LU relative to the lead) of ``role`` in ``genre``."""
    return TARGET_LU[role] + (GENRES.get(genre or "pop", {}).get(role, 0.0))


def busy_adjust_lu(activity: float) -> float:
    """LU added for how much of the song a part plays (rare parts forward, ever-present parts back)."""
    lo, hi = BUSY_LIMITS_LU
    return max(lo, min(hi, BUSY_SLOPE_LU * (0.5 - activity)))


def fader(role: str, genre: str | None, activity: float, processed_lufs: float | None) -> Balance:
    """The fader (dB) that sets a part whose processed, panned signal measures ``processed_lufs`` to its target."""
    target = role_target_lu(role, genre)
    busy = busy_adjust_lu(activity)
    goal = LEAD_LUFS + target + busy
    if processed_lufs is None:
        return Balance(target, busy, goal, 0.0, "silent: fader left at 0 dB")
    gain = max(-60.0, min(goal - processed_lufs, 24.0))
    reason = (f"{role.replace('_', ' ')} sits {target:+.1f} LU from the lead"
              + (f" ({genre})" if genre and genre != "pop" else "")
              + (f", {busy:+.1f} LU for playing {100 * activity:.0f}% of the song" if abs(busy) >= 0.05 else "")
              + f": {processed_lufs:.1f} LUFS where it plays -> {goal:.1f} LUFS")
    return Balance(target, busy, goal, round(gain, 1), reason)
