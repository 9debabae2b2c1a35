"""Where in the song a note applies: a section of the session ("in the chorus", "in the verses", "in the second
verse", "in the bridge") or a time range ("from 1:20 to 1:45", minutes:seconds; "from bar 17 to bar 25").

Times in notes are minutes:seconds, as people read them off a player; bars count from 1 at the session's tempo.
"""

from __future__ import annotations

import re

SECTION_WORDS = ("intro", "verse", "pre chorus", "prechorus", "pre-chorus", "chorus", "bridge", "middle eight",
                 "breakdown", "drop", "solo", "outro", "hook", "build", "interlude", "refrain", "coda", "tag")
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1,
            "final": -1}
_MMSS = r"(\d+):(\d{2}(?:\.\d+)?)"


class ScopeError(ValueError):
    """A scope the session cannot resolve (says why)."""


def _base(name: str) -> str:
    """A section's kind: ``"Chorus 2"`` -> ``"chorus"``."""
    return re.sub(r"[\s_-]*\d+$", "", name.strip().lower()).replace("-", " ").replace("_", " ")


def find_scope(text: str, sections: list[tuple[str, float]], end_s: float,
               bar_s: float | None) -> tuple[list[tuple[float, float]] | None, str, str]:
    """(spans in seconds or None for the whole song, a description, the text without the scope phrase).

    Raises ScopeError when the note names a section or time the session does not have."""
    m = re.search(rf"\bfrom {_MMSS} (?:to|until|till|-) {_MMSS}", text)
    if m:
        a = int(m.group(1)) * 60 + float(m.group(2))
        b = int(m.group(3)) * 60 + float(m.group(4))
        if b <= a:
            raise ScopeError(f"the range {m.group(0)[5:]!r} ends before it starts")
        return [(a, b)], f"from {m.group(1)}:{m.group(2)} to {m.group(3)}:{m.group(4)}", _cut(text, m)
    m = re.search(r"\bfrom bar (\d+) (?:to|until|till|-) (?:bar )?(\d+)", text)
    if m:
        if bar_s is None:
            raise ScopeError("bars need a tempo, and the session has none")
        a, b = int(m.group(1)), int(m.group(2))
        if b <= a or a < 1:
            raise ScopeError(f"bars {a} to {b} are not a range")
        return [((a - 1) * bar_s, (b - 1) * bar_s)], f"bars {a} to {b}", _cut(text, m)
    words = "|".join(sorted({re.escape(w) for w in SECTION_WORDS} | {re.escape(_base(n)) for n, _ in sections},
                            key=len, reverse=True))
    m = re.search(rf"\b(?:in|during|for|through|throughout|on) (?:the |each |every |all the |all )?"
                  rf"(?:({'|'.join(ORDINALS)}) )?({words})(e?s)?\b", text)
    if not m:
        return None, "", text
    ordinal, kind = m.group(1), m.group(2).replace("-", " ")
    spans = [(start, sections[i + 1][1] if i + 1 < len(sections) else end_s)
             for i, (name, start) in enumerate(sections) if _base(name) == kind]
    if not spans:
        have = ", ".join(n for n, _ in sections) or "none"
        raise ScopeError(f"the session has no {kind} section (sections: {have})")
    label = f"{kind}{'es' if kind.endswith('s') else 's'}" if len(spans) > 1 and not ordinal else kind
    if ordinal:
        k = ORDINALS[ordinal]
        if k > len(spans):
            raise ScopeError(f"the session has {len(spans)} {kind} section(s), not a {ordinal}")
        spans = [spans[k - 1 if k > 0 else -1]]
        label = f"the {ordinal} {kind}"
    else:
        label = f"the {label}"
    return spans, f"in {label}", _cut(text, m)


def _cut(text: str, m: re.Match[str]) -> str:
    return (text[:m.start()] + " " + text[m.end():]).strip()
