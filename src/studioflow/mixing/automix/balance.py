"""Gain-staging and the loudness balance: each part's target loudness in the mix and the fader that gets it there.

Where the figures come from: a part's level relative to the others is the balance model of ``model.py``, gradient-
boosted shallow regression trees fitted on composers' own balances (General MIDI arrangements of several composers,
rendered one stem per instrument; ``bench/corpus``) on the part's role and its measurements (how much of the song it
plays, register, onsets, sustain, spectrum). Its cross-validated error is recorded in the shipped model file and
printed by ``bench/automix.py``. The loudest part the model predicts sits at ``LEAD_LUFS`` where it plays (gated,
BS.1770-4); the others keep their predicted distance from it.

The corpus has no sung parts, so a lead vocal is not placed by the model: it sits level with the loudest other
part, as in the mixes studied by B. De Man et al., "An analysis and evaluation of audio features for multitrack
music mixtures" (ISMIR 2014), where the lead vocal is typically the loudest source.

Genres (``GENRES``) are not in the corpus: their offsets are written down from common practice (a rock mix lifts the
guitars, a hip-hop mix the kick and bass, a jazz mix keeps the kick and snare under the kit's cymbals) and are added
to the model's levels. A brief's free-text genre is read word by word (``resolve_genre``): "jazz pop" blends jazz
and pop, "synthwave" is electronic, and an unknown genre is said so, with the corpus's balance used as it is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# genre -> role -> LU added to the model's level; and the reverb character (see sends.py)
GENRES: dict[str, dict[str, float]] = {
    "pop": {},
    "rock": {"guitar": 2.0, "snare": 0.5, "drums": 1.0, "keys": -1.0, "overheads": 1.0},
    "electronic": {"kick": 1.5, "bass": 1.5, "synth_lead": 1.0, "pads": 1.0, "guitar": -1.0},
    "hiphop": {"kick": 2.0, "bass": 2.0, "snare": 0.5, "drums": 1.0, "pads": -1.0},
    "ballad": {"kick": -2.0, "snare": -2.0, "drums": -1.5, "keys": 1.5, "pads": 2.0, "strings": 1.5, "bass": -1.0},
    "jazz": {"kick": -3.0, "snare": -3.0, "overheads": 3.0, "drums": -1.0, "keys": 1.0, "brass": 1.0, "winds": 1.0},
}
# words of a free-text genre -> the genre whose mix they call for
GENRE_WORDS: dict[str, str] = {
    **{g: g for g in GENRES},
    **dict.fromkeys(("indie", "punk", "metal", "grunge", "garage", "alternative", "alt", "hardrock", "emo",
                     "shoegaze", "rockabilly", "surf", "britpop"), "rock"),
    **dict.fromkeys(("edm", "house", "techno", "trance", "dubstep", "dnb", "drum", "electro", "synthwave", "synth",
                     "disco", "dance", "club", "idm", "ambient", "chillwave", "electropop", "eurodance"),
                    "electronic"),
    **dict.fromkeys(("hip", "rap", "trap", "grime", "boombap", "drill", "rnb", "r&b"), "hiphop"),
    **dict.fromkeys(("acoustic", "folk", "singer", "songwriter", "country", "ballads", "lullaby", "soundtrack",
                     "cinematic", "orchestral", "classical"), "ballad"),
    **dict.fromkeys(("swing", "bebop", "bossa", "blues", "lounge", "ragtime", "boogie", "latin", "fusion", "soul",
                     "funk", "gospel", "bigband"), "jazz"),
    **dict.fromkeys(("dream", "synthpop", "kpop", "jpop", "schlager", "chanson"), "pop"),
}
LEAD_VOCAL_OVER_TOP_LU = 0.0   # a lead vocal's level against the loudest other part (see the module's docstring)
STAGE_LUFS = -20.0             # gain-staging: every part enters its inserts at this loudness where it plays
STAGE_MAX_PEAK_DBFS = -6.0     # ... unless that would put its peaks above this
LEAD_LUFS = -20.0              # the loudest part's loudness in the mix before headroom (a mix near -14..-12 LUFS)
MIX_PEAK_CEILING_DBFS = -3.0   # the summed mix (dry) is trimmed on the master to peak no higher than this


@dataclass(frozen=True)
class Genre:
    """A resolved genre: the genres whose offsets are blended (empty: none), and how the text was read."""

    names: tuple[str, ...]
    reason: str

    def offset_lu(self, role: str) -> float:
        """LU the genre adds to a role's level (the mean over the blended genres)."""
        if not self.names:
            return 0.0
        return sum(GENRES[g].get(role, 0.0) for g in self.names) / len(self.names)

    @property
    def space(self) -> str:
        """The genre whose reverb character the mix takes (the last named: "jazz pop" is pop's room)."""
        return self.names[-1] if self.names else "pop"


def resolve_genre(text: str | None) -> Genre:
    """Read a free-text genre ("jazz pop", "synthwave", "Hip-Hop") into the genres it calls for, with the reason."""
    if not text or not text.strip():
        return Genre((), "no genre given: the corpus's balance as it is")
    words = re.findall(r"[a-z&]+", text.lower().replace("hip-hop", "hiphop").replace("hip hop", "hiphop"))
    found: list[str] = []
    for w in words:
        g = GENRE_WORDS.get(w) or next((GENRE_WORDS[k] for k in GENRE_WORDS if len(k) > 3 and k in w), None)
        if g and g not in found:
            found.append(g)
    if not found:
        return Genre((), f"genre {text!r} is not one automix knows ({', '.join(GENRES)}); nearest: none, so the "
                         f"corpus's balance is used as it is")
    if [text.strip().lower()] == found:
        return Genre(tuple(found), f"genre {found[0]}")
    blend = " and ".join(found)
    return Genre(tuple(found), f"genre {text!r} read as {blend}" + (" (their offsets averaged)" if len(found) > 1
                                                                      else ""))


@dataclass
class Balance:
    """One track's balance decision: target loudness in the mix (LUFS) and the fader that gets it there (dB)."""

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


def targets_lufs(levels_lu: dict[str, float]) -> dict[str, float]:
    """Each part's target loudness in the mix (LUFS) from its relative level (LU): the loudest at LEAD_LUFS."""
    if not levels_lu:
        return {}
    top = max(levels_lu.values())
    return {name: LEAD_LUFS + lu - top for name, lu in levels_lu.items()}


def fader(target_lufs: float, processed_lufs: float | None, why: str) -> Balance:
    """The fader (dB) that sets a part whose processed, panned signal measures ``processed_lufs`` to its target."""
    if processed_lufs is None:
        return Balance(target_lufs, 0.0, "silent: fader left at 0 dB")
    gain = max(-60.0, min(target_lufs - processed_lufs, 24.0))
    return Balance(target_lufs, round(gain, 1), f"{why}: {processed_lufs:.1f} LUFS where it plays -> "
                                                f"{target_lufs:.1f} LUFS")
