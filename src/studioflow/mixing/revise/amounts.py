"""How much a note asks for: explicit dB ("2 dB", "half a dB", "by 3dB") or vague words mapped to sizes.

Vague amounts, in dB of level (the size every kind of edit scales from, see ``SCALE``):

| words | size |
|---|---|
| "a touch", "a tad", "slightly", "a hair", "a smidge", "just a little" | 1 dB (just noticeable on a full mix) |
| "a little", "a little bit", "somewhat" | 1.5 dB |
| "a bit", no amount at all | 2 dB (clearly heard, still safe) |
| "quite a bit", "more", "much", "a good deal" | 3.5 dB |
| "a lot", "lots", "way", "loads", "much more", "a ton" | 5 dB |

Other edits scale the same size: EQ gain 1x (dB), send level 1.5x (dB: sends move more before they are heard),
pan 0.1 per dB (a bit = 0.2 of the way to a side), stereo width 0.1 per dB, compressor threshold 1.5x (dB down),
transient attack 1.5x (dB).
"""

from __future__ import annotations

import re

VAGUE: tuple[tuple[str, float, str], ...] = (
    (r"just a (?:little|touch|tad|hair)|a (?:touch|tad|hair|smidge|smidgen|whisker)|slightly|ever so slightly|"
     r"a tiny bit|a wee bit", 1.0, "a touch"),
    (r"a little(?: bit)?|somewhat|a little more", 1.5, "a little"),
    (r"quite a bit|quite a lot|a good deal|(?<!too )(?<!so )much|considerably|significantly", 3.5, "quite a bit"),
    (r"a lot|lots|loads|(?<!all the )way|a ton|massively|heaps|really", 5.0, "a lot"),
    (r"a bit|a bit more", 2.0, "a bit"),
)
DEFAULT_DB = 2.0
SCALE = {"level": 1.0, "tone": 1.0, "space": 1.5, "pan": 0.1, "width": 0.1, "compress": 1.5, "attack": 1.5}
_WORDS = {"half a": 0.5, "half an": 0.5, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0, "six": 6.0}
_EXPLICIT = re.compile(r"(?:by |of )?([+-]?\d+(?:\.\d+)?|half an?|one|two|three|four|five|six) ?(?:db|decibels?)\b",
                       re.IGNORECASE)


def parse_amount(text: str) -> tuple[float | None, str | None, str]:
    """(explicit dB or None, the vague word found or None, text with the amount removed)."""
    m = _EXPLICIT.search(text)
    if m:
        word = m.group(1)
        value = _WORDS.get(word, None)
        value = abs(float(word)) if value is None else value
        return value, None, (text[:m.start()] + text[m.end():]).strip()
    for pattern, _, label in VAGUE:
        m = re.search(rf"\b(?:{pattern})\b", text)
        if m:
            return None, label, (text[:m.start()] + " " + text[m.end():]).strip()
    return None, None, text


def size_db(explicit_db: float | None, vague: str | None) -> float:
    """The size of the change in dB: the explicit amount, the vague word's size, or the default."""
    if explicit_db is not None:
        return explicit_db
    for _, value, label in VAGUE:
        if label == vague:
            return value
    return DEFAULT_DB


def scaled(kind: str, explicit_db: float | None, vague: str | None) -> float:
    """The change for an edit of ``kind`` (dB, pan or width units); explicit dB count as given for dB kinds."""
    if explicit_db is not None and kind in ("level", "tone", "space", "compress", "attack"):
        return explicit_db
    return size_db(explicit_db, vague) * SCALE[kind]
