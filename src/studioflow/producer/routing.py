"""Route a note about a song to the role that handles it, as a real studio would, with the reason.

Performance, tuning, timing, noise, takes and how things were captured -> the recording engineer; balance, tone,
dynamics, effects, space and panning of parts -> the mixing engineer; loudness and tone of the whole master, platforms
and formats, playback systems, consistency, sequencing and transitions between songs, delivery -> the mastering
engineer; structure, tempo, instrumentation, alternative versions, direction and the project itself (schedule,
release, what is left to do) -> the producer.

A note is read clause by clause ("love it, but the snare is too loud; and the bridge drags" is three clauses). Each
clause has a *subject* (a part, a section, the whole song, the master, several songs, a playback system), inherited
from the clause before when it names none ("the vocal is harsh and it could be louder"), and *cues*: what is wrong or
asked for. Each cue says which role handles it for each kind of subject ("harsh" about the vocal is the mixer's, about
the whole song the mastering engineer's) and why, in that role's words; praise clauses count for little, and later
clauses a little less than the first. The role with the most weight wins, and the reason is the strongest cue that
pointed there, so it always names the role it picked. Below :data:`UNSURE_BELOW` confidence the note goes to the
producer, marked unsure: "I am not sure: the producer will look".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from studioflow.producer.notecues import (
    ALBUM_WORDS,
    CUES,
    FUZZY_PARTS,
    MASTER_WORDS,
    MIX,
    PART_ALT,
    PART_PRIOR,
    PART_PRIOR_REASON,
    PART_WORDS,
    PLAYER_ALT,
    PRAISE,
    PRAISE_WEIGHT,
    PRO,
    ROLE_TITLES,
    ROLES,
    SECTION_WORDS,
    SYSTEM_WORDS,
    UNSURE_BELOW,
    UNSURE_REASON,
    WHOLE_WORDS,
    Cue,
)

_CLAUSE_SPLIT = re.compile(r"[.;!?]+\s*|,\s*|\s+(?:but|also|plus|otherwise|then|now|and (?:maybe|also|it|the|now))\s+"
                           r"|\s+-\s+")
_COMPILED = [(cue, re.compile(rf"\b(?:{cue.pattern})", re.IGNORECASE)) for cue in CUES]
_PART_RE = re.compile(rf"\b(?:{PART_ALT})s?\b")
_PLAYER_RE = re.compile(rf"\b(?:{PLAYER_ALT})s?\b")
_SECTION_RE = re.compile(rf"\b(?:{SECTION_WORDS})\b")
_WHOLE_RE = re.compile(WHOLE_WORDS)
_MASTER_RE = re.compile(MASTER_WORDS)
_ALBUM_RE = re.compile(rf"{ALBUM_WORDS}|tracklist|running order|track order")
_SYSTEM_RE = re.compile(SYSTEM_WORDS)
_PRAISE_RE = re.compile(PRAISE)
_PLACE_RE = re.compile(r"\b(?:in|into|with|within|of|from) the (?:track|mix|song|tune|arrangement)\b")
_TIME_RE = re.compile(r"\b(?:at |from |around )?(\d{1,2}:\d{2})(?:\s*(?:-|to)\s*(\d{1,2}:\d{2}))?")
_WORD_RE = re.compile(r"[a-z']+")


@dataclass
class Routing:
    """Where a note goes and why."""

    role: str
    reason: str
    confidence: float
    subject: str
    cues: list[str] = field(default_factory=list)
    at: str | None = None
    scope: str = "unclear"
    unsure: bool = False
    guess: str | None = None   # when unsure: the role the cues leaned to

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"role": self.role, "role_title": ROLE_TITLES[self.role], "reason": self.reason,
                "confidence": round(self.confidence, 2), "subject": self.subject, "scope": self.scope,
                "cues": self.cues, "at": self.at, "unsure": self.unsure, "guess": self.guess}


@dataclass
class Clause:
    """One clause of a note: its text, subject, scope and weight."""

    text: str
    scope: str
    subject: str
    weight: float


def route_note(text: str) -> Routing:
    """Decide which role handles the note ``text`` and say why."""
    lowered = normalise(text)
    clauses = read_clauses(lowered) or [Clause("", "unclear", "the song", 1.0)]
    scores, best, names = score_clauses(clauses)
    at = _time_of(lowered)
    main = next((c for c in clauses if c.weight >= 1.0), clauses[0])
    if not best and main.scope in ("part", "player"):
        return Routing(MIX, PART_PRIOR_REASON.format(subject=main.subject), PART_PRIOR, main.subject, [], at,
                       main.scope)
    if not best:
        return Routing(PRO, f"{UNSURE_REASON} (no cue I know in the note)", 0.0, main.subject, [], at, main.scope,
                       True, None)
    role = max(ROLES, key=lambda r: (scores[r], -ROLES.index(r)))
    confidence = _confidence(scores, role)
    cue, clause = best[role][1:]
    tied = sorted(scores.values())[-2] >= scores[role]
    if confidence < UNSURE_BELOW or tied:
        return Routing(PRO, f"{UNSURE_REASON} (the cues are thin or point several ways: {', '.join(names)})",
                       confidence, clause.subject, names, at, clause.scope, True, role)
    return Routing(role, cue.reasons[role].format(subject=clause.subject), confidence, clause.subject, names, at,
                   clause.scope)


def score_clauses(clauses: list[Clause]) -> tuple[dict[str, float], dict[str, tuple[float, Cue, Clause]], list[str]]:
    """Weight per role, the strongest (weight, cue, clause) per role, and the names of the cues found."""
    scores = {role: 0.0 for role in ROLES}
    best: dict[str, tuple[float, Cue, Clause]] = {}
    names: list[str] = []
    for clause in clauses:
        for cue, role in clause_cues(clause):
            w = cue.weight * clause.weight
            scores[role] += w
            names += [cue.name] if cue.name not in names else []
            if role not in best or w > best[role][0]:
                best[role] = (w, cue, clause)
    return scores, best, names


def _confidence(scores: dict[str, float], role: str) -> float:
    """The winning role's share of all the weight, lowered when the evidence is thin (under one full cue)."""
    total = sum(scores.values())
    return scores[role] / total * min(1.0, scores[role])


def normalise(text: str) -> str:
    """Lower case, plain quotes and spaces, and misspelt part names mended ("vocla" -> "vocal")."""
    t = text.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    t = re.sub(r"\s+", " ", t).strip()
    return _WORD_RE.sub(lambda m: _mend(m.group(0)), t)


def _mend(word: str) -> str:
    """A word one typo away from a part name (same first letter, 4+ letters) becomes that part name."""
    if len(word) < 4 or word in PART_WORDS:
        return word
    for part in FUZZY_PARTS:
        if part[0] == word[0] and abs(len(part) - len(word)) <= 1 and _one_edit(word, part):
            return part
    return word


def _one_edit(a: str, b: str) -> bool:
    """Whether ``a`` and ``b`` differ by one dropped or added letter or two neighbours swapped (not one changed
    letter: "played" is not "player")."""
    if a == b:
        return False
    if len(a) == len(b):
        diff = [i for i in range(len(a)) if a[i] != b[i]]
        return (len(diff) == 2 and diff[1] == diff[0] + 1
                and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]])
    short, long_ = sorted((a, b), key=len)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


def read_clauses(text: str) -> list[Clause]:
    """The note's clauses, each with its subject (inherited from the clause before when it names none) and weight."""
    pieces = [p.strip() for p in _CLAUSE_SPLIT.split(text) if p and p.strip()]
    first_scope = next((s for s in (_subject(p)[0] for p in pieces) if s != "unclear"), "unclear")
    praise = [_is_praise(p) for p in pieces]
    if all(praise):                       # nothing but praise: then the praise is the note
        praise = [False] * len(pieces)
    out: list[Clause] = []
    for piece, kind in zip(pieces, praise):
        scope, subject = _subject(piece)
        if out and (scope == "unclear" or (scope == "whole" and _is_pronoun_only(piece)
                                            and out[-1].scope in ("part", "player", "section"))):
            scope, subject = out[-1].scope, out[-1].subject
        elif not out and scope == "unclear":
            scope = first_scope
            subject = {"whole": "the whole song"}.get(scope, subject)
        seen_complaint = any(c.weight >= 0.8 for c in out)
        weight = PRAISE_WEIGHT if kind else (0.8 if seen_complaint else 1.0)
        out.append(Clause(piece, scope, subject, weight))
    return out


def _is_praise(piece: str) -> bool:
    """Whether a clause praises ("love the vibe", "mix sounds great") rather than asks ("would love more air")."""
    return bool(_PRAISE_RE.search(piece)) and not re.search(r"\b(?:would|i'?d) love", piece)


def _is_pronoun_only(piece: str) -> bool:
    """Whether a clause's only hint of the whole song is a pronoun ("it could be louder")."""
    return not re.search(r"song|track|tune|mix|thing|record|overall|everything|whole|general", piece)


def _subject(piece: str) -> tuple[str, str]:
    """The scope and subject a clause is about: master > several songs > playback system > part > section > whole."""
    piece = _PLACE_RE.sub(" ", piece)
    if _MASTER_RE.search(piece):
        return "master", "the master"
    if _ALBUM_RE.search(piece):
        return "album", "the songs of the release"
    if _SYSTEM_RE.search(piece):
        return "system", "the song on that playback system"
    player = _PLAYER_RE.search(piece)
    if player and not (player.group(0) in ("he", "she") and _SECTION_RE.search(piece)):
        return "player", "the player" if player.group(0) in ("he", "she") else f"the {player.group(0)}"
    part = _PART_RE.search(piece)
    if part:
        return "part", f"the {part.group(0)}"
    section = _SECTION_RE.search(piece)
    if section:
        name = section.group(0)
        return "section", name if name.startswith("the ") else f"the {name}"
    if _WHOLE_RE.search(piece):
        return "whole", "the whole song"
    return "unclear", "the song"


# a cue that explains what else a clause says: "we tracked the toms too quiet" is a capture problem, not a balance one
EXPLAINS: dict[str, frozenset[str]] = {
    "capture": frozenset({"level", "tone", "dynamics", "space", "effects"}),   # how it was recorded
    "space": frozenset({"timing", "structure"}),                             # "the echo is out of time", "too long"
    "effects": frozenset({"timing"}),
    "timing": frozenset({"structure"}),                                      # "comes in early" is a performance
    "take": frozenset({"instrumentation"}),                                  # "swap in take 3" swaps takes
}


def clause_cues(clause: Clause) -> list[tuple[Cue, str]]:
    """The cues found in a clause, each with the role it points to for the clause's subject."""
    found = [cue for cue, rx in _COMPILED if rx.search(clause.text)]
    names = {cue.name for cue in found}
    explained = set().union(*(EXPLAINS.get(n, frozenset()) for n in names))
    out = []
    for cue in found:
        role = cue.role_for(clause.scope)
        if role is not None and cue.name not in explained:
            out.append((cue, role))
    return out


def _time_of(text: str) -> str | None:
    m = _TIME_RE.search(text)
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)
