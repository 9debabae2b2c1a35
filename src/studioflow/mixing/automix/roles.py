"""Track roles: recognised from the track's name, and when the name says nothing, from its sound.

Name rules are word patterns tried in order (compound names first: "bass drum" is a kick, "synth pad" a pad;
a bare "lead" is the lead vocal, "lead synth" the synth lead).
Sound rules score each role by how well the stem's measurements fit that role's typical ranges (trapezoid
memberships, averaged): spectral centroid, share of power below 150 Hz and above 5 kHz, onsets per second, share
of periodic frames and their mean autocorrelation peak, median pitch and its span, how long notes sustain,
and how often the part plays. The confidence is the winner's score scaled by its
margin over the runner-up, so two near-equal fits print a low confidence.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from studioflow.mixing.automix.measure import StemFeatures

ROLES = ("kick", "snare", "hats", "toms", "overheads", "percussion", "bass", "lead_vocal", "backing_vocals",
         "guitar", "keys", "pads", "synth_lead", "fx")
DRUMS = ("kick", "snare", "hats", "toms", "overheads")
NAME_CONFIDENCE = 0.95

# (role, word pattern) in the order they are tried; patterns match whole words of the normalised name
NAME_RULES: tuple[tuple[str, str], ...] = (
    ("kick", r"kick|kik|kck|bd|bass ?drum"),
    ("snare", r"snare|snr|sd|rim ?shot"),
    ("hats", r"hi ?hats?|hh|hats?|cymbals?|ride|crash|china|splash"),
    ("toms", r"(?:floor |rack |hi |lo |low |mid )?toms?|ft"),
    ("overheads", r"overheads?|oh|ohs|rooms?|drum ?room|drums? ?(?:l|r|st|stereo)?|kit"),
    ("percussion", r"perc(?:ussion)?|shaker|tamb(?:ourine)?|conga|bongo|claps?|cowbell|clave|triangle|cajon"),
    ("backing_vocals", r"(?:backing|back|bg|bkg|bgv|bv|bvs|harmony|harmonies|choir|ooh?s|aahs?|double)"
                       r"(?: ?vox| ?vocals?| ?voc)?"),
    ("pads", r"(?:synth )?pads?|strings?|str|violins?|viola|cello|ensemble|orch(?:estra)?|atmos?|drone"),
    ("synth_lead", r"synth ?lead|lead ?synth|synth|arp|pluck|saw ?lead|melody"),
    ("lead_vocal", r"(?:lead |main |ld )?(?:vox|vocals?|voc|voice|singer|vocal ?take|vx)|lead"),
    ("bass", r"bass|sub|sub ?bass|bs|db|upright|808"),
    ("guitar", r"guitars?|gtr|gtrs|gt|ac ?gtr|acoustic|electric|strat|tele|riff"),
    ("keys", r"keys?|piano|pno|rhodes|wurli(?:tzer)?|organ|hammond|ep|clav|keyboard|epiano"),
    ("fx", r"fx|sfx|riser|sweep|impact|noise|whoosh|drop|ambience|foley|reverse"),
)


@dataclass(frozen=True)
class RoleGuess:
    """A track's role, how sure (0..1), and what it was recognised from ("name" or "sound")."""

    role: str
    confidence: float
    source: str
    reason: str


def normalise(name: str) -> str:
    """Lower-case words of a track name: ``"LeadVox_01"`` -> ``" lead vox "`` (digits and separators dropped)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    text = re.sub(r"[^a-zA-Z]+", " ", text).lower()
    return f" {' '.join(text.split())} "


def role_from_name(name: str) -> str | None:
    """The role a track name says, or None when it says nothing."""
    text = normalise(name)
    for role, pattern in NAME_RULES:
        if re.search(rf" (?:{pattern}) ", text):
            return role
    return None


def _band(x: float | None, lo0: float, lo1: float, hi1: float, hi0: float) -> float:
    """Trapezoid membership: 0 below lo0, rising to 1 at lo1, 1 up to hi1, falling to 0 at hi0."""
    if x is None:
        return 0.0
    if x < lo1:
        return 0.0 if x <= lo0 else (x - lo0) / (lo1 - lo0)
    if x > hi1:
        return 0.0 if x >= hi0 else (hi0 - x) / (hi0 - hi1)
    return 1.0


INF = 1e9
# role -> feature -> (lo0, lo1, hi1, hi0): typical ranges of each measurement for that role
SOUND_RULES: dict[str, dict[str, tuple[float, float, float, float]]] = {
    "kick": {"sustain": (-1, 0, 0.45, 0.65), "centroid_hz": (0, 0, 250, 600), "low_share": (0.3, 0.6, 1, 1.1),
             "onsets_per_s": (0.3, 1, 6, 10), "voiced": (-1, 0, 1, 2), "activity": (0, 0, 1, 1.1),
             "high_share": (-1, 0, 0.02, 0.1)},
    "snare": {"sustain": (-1, 0, 0.5, 0.7), "centroid_hz": (400, 900, 5000, 8000), "low_share": (-1, 0, 0.15, 0.4),
              "onsets_per_s": (0.3, 1, 5, 9), "voiced": (-1, 0, 0.4, 0.7), "high_share": (0.01, 0.05, 0.6, 0.9)},
    "hats": {"sustain": (-1, 0, 0.5, 0.7), "centroid_hz": (3000, 6000, INF, INF), "low_share": (-1, 0, 0.02, 0.1),
             "onsets_per_s": (1, 2.5, 16, 25), "voiced": (-1, 0, 0.3, 0.6), "high_share": (0.3, 0.6, 1, 1.1)},
    "toms": {"sustain": (-1, 0, 0.5, 0.7), "centroid_hz": (60, 90, 400, 900), "low_share": (0.05, 0.2, 0.8, 0.95),
             "onsets_per_s": (0.3, 1, 8, 12), "voiced": (-1, 0.2, 1, 2), "activity": (-1, 0, 0.25, 0.5)},
    "bass": {"sustain": (0.4, 0.6, 1, 1.1), "centroid_hz": (40, 60, 250, 500), "low_share": (0.25, 0.5, 1, 1.1),
             "voiced": (0.3, 0.6, 1, 2), "pitch_hz": (25, 35, 140, 220), "onsets_per_s": (-1, 0, 4, 8),
             "high_share": (-1, 0, 0.01, 0.05)},
    "lead_vocal": {"sustain": (0.5, 0.75, 1, 1.1), "periodicity": (0.5, 0.7, 1, 1.1),
                   "centroid_hz": (250, 500, 2500, 4000), "voiced": (0.3, 0.55, 1, 2),
                   "pitch_hz": (90, 150, 700, 1000), "pitch_span_st": (1, 3, 14, 24),
                   "activity": (0.2, 0.35, 0.9, 1), "low_share": (-1, 0, 0.05, 0.2), "onsets_per_s": (-1, 0, 3, 5)},
    "pads": {"sustain": (0.6, 0.85, 1, 1.1), "centroid_hz": (150, 300, 2500, 5000), "activity": (0.6, 0.85, 1, 1.1),
             "onsets_per_s": (-1, 0, 0.8, 2), "low_share": (-1, 0, 0.2, 0.5), "high_share": (-1, 0, 0.1, 0.3),
             "pitch_span_st": (-1, 0, 6, 12)},
    "keys": {"sustain": (0.2, 0.35, 0.75, 0.9), "centroid_hz": (150, 300, 2500, 5000),
             "onsets_per_s": (0.3, 0.8, 4, 8), "voiced": (-1, 0.1, 1, 2), "activity": (0.3, 0.5, 1, 1.1),
             "low_share": (-1, 0, 0.25, 0.5)},
    "guitar": {"sustain": (0.2, 0.35, 0.75, 0.9), "centroid_hz": (300, 600, 3000, 5000),
               "onsets_per_s": (0.5, 1, 6, 10), "voiced": (-1, 0.1, 1, 2), "low_share": (-1, 0, 0.1, 0.3),
               "high_share": (-1, 0, 0.15, 0.35)},
    "synth_lead": {"sustain": (0.4, 0.6, 1, 1.1), "periodicity": (0.5, 0.7, 1, 1.1),
                   "centroid_hz": (400, 800, 4000, 7000), "voiced": (0.4, 0.7, 1, 2),
                   "pitch_hz": (200, 300, 1000, 1500), "onsets_per_s": (0.3, 1, 6, 10),
                   "activity": (0.2, 0.3, 0.9, 1)},
    "fx": {"voiced": (-1, 0, 0.2, 0.4), "onsets_per_s": (-1, 0, 0.3, 1), "activity": (-1, 0, 0.4, 0.7)},
}
SOUND_CONFIDENCE_MARGIN = 0.25   # a winner this far ahead of the runner-up keeps its whole score as confidence


def role_scores(f: StemFeatures) -> dict[str, float]:
    """Fit (0..1) of the stem's measurements to each role's typical ranges."""
    out = {}
    for role, rules in SOUND_RULES.items():
        values = [_band(getattr(f, feature), *limits) for feature, limits in rules.items()]
        out[role] = sum(values) / len(values)
    return out


def recognise(f: StemFeatures) -> RoleGuess:
    """The stem's role: from its name when the name says it, otherwise from its sound."""
    by_name = role_from_name(f.name)
    if by_name is not None:
        return RoleGuess(by_name, NAME_CONFIDENCE, "name", f"the name {f.name!r} says {by_name.replace('_', ' ')}")
    if f.loudness_lufs is None:
        return RoleGuess("fx", 0.1, "sound", "silent: nothing to recognise")
    scores = sorted(role_scores(f).items(), key=lambda kv: kv[1], reverse=True)
    (role, best), (second, runner) = scores[0], scores[1]
    confidence = best * min(1.0, (best - runner) / SOUND_CONFIDENCE_MARGIN + 0.5) * 0.9
    pitch = f"{f.pitch_hz:.0f} Hz" if f.pitch_hz else "none"
    reason = (f"from its sound: centroid {f.centroid_hz:.0f} Hz, {100 * f.low_share:.0f}% of power below 150 Hz, "
              f"{f.onsets_per_s:.1f} onsets/s, {100 * f.voiced:.0f}% pitched (median {pitch}), plays "
              f"{100 * f.activity:.0f}% of the time; next best {second.replace('_', ' ')} ({runner:.2f} vs {best:.2f})")
    return RoleGuess(role, round(max(0.05, min(confidence, 0.9)), 2), "sound", reason)
