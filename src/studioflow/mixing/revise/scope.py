"""Where in the song a note applies: a section of the session ("in the chorus", "in the verses", "in the second
verse", "around the bridge"), a time range ("from 1:20 to 1:45", "between 1:20 and 1:45", "1:20-1:45", "after 2:10",
"until 0:30"; minutes:seconds), bars ("from bar 17 to bar 25") or a moment ("at 2:05", "around 1:10").

Times in notes are minutes:seconds, as people read them off a player; bars count from 1 at the session's tempo. A
moment means the passage around it: the section that holds it when the session has sections, else from
``MOMENT_BEFORE_S`` before it to ``MOMENT_AFTER_S`` after it (a note written while listening names the time the
problem was heard, a little after it began).
"""

from __future__ import annotations

import re

SECTION_WORDS = ("intro", "verse", "pre chorus", "prechorus", "pre-chorus", "chorus", "bridge", "middle eight",
                 "breakdown", "drop", "solo", "outro", "hook", "build", "interlude", "refrain", "coda", "tag")
ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "last": -1,
            "final": -1}
_MMSS = r"(\d+):(\d{2}(?:\.\d+)?)"
MOMENT_BEFORE_S, MOMENT_AFTER_S = 2.0, 6.0


class ScopeError(ValueError):
    """A scope the session cannot resolve (says why)."""


def _base(name: str) -> str:
    """A section's kind: ``"Chorus 2"`` -> ``"chorus"``."""
    return re.sub(r"[\s_-]*\d+$", "", name.strip().lower()).replace("-", " ").replace("_", " ")


def find_scope(text: str, sections: list[tuple[str, float]], end_s: float,
               bar_s: float | None) -> tuple[list[tuple[float, float]] | None, str, str]:
    """(spans in seconds or None for the whole song, a description, the text without the scope phrase).

    Raises ScopeError when the note names a section or time the session does not have."""
    found = _time_range(text, end_s) or _moment(text, sections, end_s)
    if found:
        return found
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
    m = re.search(rf"\b(?:in|during|for|through|throughout|on|around|across|over|at) "
                  rf"(?:the |each |every |all the |all )?"
                  rf"(?:({'|'.join(ORDINALS)}) )?({words})(e?s)?\b", text)
    if not m:                       # a section as a part's adjective: "the chorus vocal", "the intro piano"
        m = re.search(rf"\bthe (?:({'|'.join(ORDINALS)}) )?({words})(e?s)?(?= [a-z])(?! (?:is|are|was|drags?|feels?|"
                      rf"sounds?|needs?|could|should|has|goes)\b)", text)
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


def _seconds(minutes: str, seconds: str) -> float:
    return int(minutes) * 60 + float(seconds)


def _time_range(text: str, end_s: float) -> tuple[list[tuple[float, float]], str, str] | None:
    """A range of minutes:seconds named in ``text``: (spans, description, text without it) or None."""
    m = re.search(rf"\b(?:from |between )?{_MMSS}\s*(?:to|until|till|and|-)\s*{_MMSS}", text)
    if m:
        a, b = _seconds(m.group(1), m.group(2)), _seconds(m.group(3), m.group(4))
        if b <= a:
            raise ScopeError(f"the range {m.group(0).split(' ', 1)[-1]!r} ends before it starts")
        return [(a, b)], f"from {m.group(1)}:{m.group(2)} to {m.group(3)}:{m.group(4)}", _cut(text, m)
    m = re.search(rf"\b(?:after|from|since|starting at|beginning at) {_MMSS}(?: (?:on|onwards?|to the end))?", text)
    if m:
        a = _seconds(m.group(1), m.group(2))
        if a >= end_s:
            raise ScopeError(f"{m.group(1)}:{m.group(2)} is after the end of the song")
        return [(a, end_s)], f"from {m.group(1)}:{m.group(2)} to the end", _cut(text, m)
    m = re.search(rf"\b(?:until|till|up to|before) {_MMSS}", text)
    if m:
        b = _seconds(m.group(1), m.group(2))
        return [(0.0, min(b, end_s))], f"until {m.group(1)}:{m.group(2)}", _cut(text, m)
    return None


def _moment(text: str, sections: list[tuple[str, float]], end_s: float
            ) -> tuple[list[tuple[float, float]], str, str] | None:
    """A moment ("at 2:05", "around 1:10"): the passage around it (see the module's note) or None."""
    m = re.search(rf"(?:\b(?:at|around|near|about|right at|by)\s+|@\s*|^|\s)~?{_MMSS}(?:ish)?\b", text)
    if not m:
        return None
    t = _seconds(m.group(1), m.group(2))
    if t >= end_s:
        raise ScopeError(f"{m.group(1)}:{m.group(2)} is after the end of the song "
                         f"({int(end_s // 60)}:{end_s % 60:04.1f})")
    mmss = f"{m.group(1)}:{m.group(2)}"
    for i, (name, start) in enumerate(sections):
        stop = sections[i + 1][1] if i + 1 < len(sections) else end_s
        if start <= t < stop:
            return [(start, stop)], f"around {mmss} (the {name})", _cut(text, m)
    return [(max(0.0, t - MOMENT_BEFORE_S), min(end_s, t + MOMENT_AFTER_S))], f"around {mmss}", _cut(text, m)
