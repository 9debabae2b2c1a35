"""Mix notes as people write them, turned into edits: split into single requests, then for each the strips it
names, what it asks (level, tone, space, position, width, dynamics), how much and where in the song.

A request this cannot read with confidence (no track, an unknown one, an ambiguous one, or no recognisable ask)
becomes a :class:`Refusal` that says why; it is never guessed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from studioflow.mixing.revise.amounts import parse_amount, scaled
from studioflow.mixing.revise.scope import ScopeError, find_scope
from studioflow.mixing.revise.targets import Target, find_targets

# tone words: (pattern, band type, frequency Hz (or role -> Hz), sign: +1 boost / -1 cut, label)
TOP = "top"       # a shelf over the part's own top end (its corner from the part's spectrum, see apply.top_corner_hz)
RING_HZ = {"snare": 900.0, "toms": 300.0, "kick": 250.0, "drums": 900.0, "": 1000.0}   # "" for any other part
BOOM_HZ = {"kick": 120.0, "bass": 110.0, "toms": 150.0, "guitar": 200.0, "keys": 220.0, "lead_vocal": 200.0}
TONE: tuple[tuple[str, str, Any, float, str], ...] = (
    (r"sibilant|sibilance|essy|esses|lispy", "deesser", 6500.0, -1, "de-ess"),
    (r"harsh|harshness|piercing|shrill|spiky|ear ?piercing|biting", "peak", 3500.0, -1, "cut the harshness"),
    (r"boomy|boom|boominess|tubby|woofy", "peak", BOOM_HZ, -1, "cut the boom"),
    (r"muddy|mud|murky|cloudy", "peak", 300.0, -1, "cut the mud"),
    (r"boxy|boxiness|honky|cardboard", "peak", 600.0, -1, "cut the box"),
    (r"ringy|ringing|rings|resonant|boingy|pingy|too much ring", "peak", RING_HZ, -1, "cut the ring"),
    (r"nasal|nasally", "peak", 1000.0, -1, "cut the nasal band"),
    (r"tinny|thin sounding|too thin|thin", "lowshelf", 200.0, +1, "add body"),
    (r"darker|duller|warmer|less bright|too bright|less top|softer top", "highshelf", TOP, -1, "darken"),
    (r"brighter|bright|more top|more air|airier|airy|crisper|crisp|sparkle|shine|open(?: it)? up|dull|dark|muffled",
     "highshelf", TOP, +1, "brighten"),
    (r"fuller|more body|more bottom|more low end|more weight|beefier|fatter|heavier", "lowshelf", 150.0, +1,
     "add weight"),
    (r"less low end|less bottom|lighter|too heavy|too much low", "lowshelf", 150.0, -1, "lighten the low end"),
    (r"more presence|more present|more forward in tone|more bite|more cut", "peak", 3000.0, +1, "add presence"),
    (r"less presence|less present|less bite", "peak", 3000.0, -1, "tame the presence"),
)
LOUDER = r"up|louder|raise|raised|boost|lift|push(?:ed)?|higher|turn(?:ed)? up|bring up|more level|more of|" \
         r"more (?:loud|audible)|" \
         r"bring (?:\w+ )*(?:up|forward|out)|pull(?:ed)? (?:\w+ )*(?:up|forward|out)|more in front|" \
         r"too far back|" + r"|".join(("quiet", "soft", "weak", "timid", "low in the mix", "buried", "lost", "drowned",
                                       "swamped", "hidden", "hard to hear", "can'?t hear", "barely hear",
                                       "barely audible", "inaudible", "disappears?", "disappearing", "vanish(?:es)?",
                                       "underwhelming", "in the background", "too far back"))
QUIETER = r"down|quieter|lower|softer|turn(?:ed)? down|bring (?:\w+ )*down|pull(?:ed)? (?:\w+ )*back|reduce|" \
          r"less of|less (?:loud|audible)|back off|tuck(?:ed)? in|sits? on top|" + r"|".join(("loud", "hot",
                                                                       "overpowering", "overpowers?",
                                                                       "dominant", "dominates?", "dominating",
                                                                       r"drown(?:s|ing)? (?:\w+ )*out", "sticks? out",
                                                                       "pokes? out", "in your face", "on top of"))
# "too X" asks for less of X: the words after "too" are read as "more X" and the ask turned round ("too wide" ->
# narrower, "too dry" -> more reverb, "too much low end" -> lighter). Words that already name a fault ask for its fix
# either way ("boomy" and "too boomy" both cut the boom), so they are not turned round.
TOO = re.compile(r"\btoo\s+(?:much\s+|many\s+)?(?=\w)(?!little\b|few\b)")
FAULTS = (r"sibilant|sibilance|essy|esses|lispy|harsh|harshness|piercing|shrill|spiky|ear ?piercing|biting|boomy|boom|"
          r"boominess|tubby|woofy|muddy|mud|murky|cloudy|boxy|boxiness|honky|cardboard|nasal|nasally|tinny|thin|"
          r"dull|dark|muffled|ringy|ringing|resonant|buried|lost|uneven|inconsistent|jumpy|clicky|quiet|soft|weak|timid|hidden|loud|hot|"
          r"overpowering|dominant|wimpy|limp|far back")


@dataclass
class Edit:
    """One edit: what (kind and settings), to which strips, where (spans in s, None = throughout), from which note."""

    note: str
    kind: str                      # level, eq, deesser, send, pan, spread, width, compress, attack
    strips: list[tuple[str, str]]
    amount: float
    spans: list[tuple[float, float]] | None = None
    where: str = ""
    settings: dict[str, Any] = field(default_factory=dict)
    description: str = ""


@dataclass
class Refusal:
    """A note not applied, and why."""

    note: str
    why: str


def split_notes(message: str) -> list[list[str]]:
    """Sentences of single requests: sentences split on ., !, ?, ;, new lines (a point between digits is a decimal
    point), then on "and", "but" and commas; a piece with no ask joins the next ("kick and snare up")."""
    pieces: list[list[str]] = []
    for sentence in re.split(r"\.+(?!\d)|(?<!\d)\.+|[!?;]+|\n+", message):
        sentence = sentence.strip()
        if not sentence:
            continue
        parts = [p.strip() for p in re.split(r",\s*(?:and\s+|but\s+)?|\s+and\s+|\s+but\s+|\s+then\s+",
                                             sentence) if p.strip()]
        merged: list[str] = []
        carry = ""
        for p in parts:
            if merged and not carry and re.match(r"(?:like|as if|as though|so that|so it)\b", p.lower()):
                merged[-1] = f"{merged[-1]}, {p}"         # "more space, like it's in a big hall" is one request
                continue
            text = f"{carry} and {p}" if carry and not _scope_only(carry) else f"{carry}, {p}" if carry else p
            if _ask(p.lower()) is None:
                carry = text
                continue
            merged.append(text)
            carry = ""
        if carry:
            if merged and _scope_only(carry):
                merged[-1] = f"{merged[-1]} {carry}"
            elif merged:
                merged[-1] = f"{merged[-1]} and {carry}"
            else:
                merged.append(carry)
        pieces.append(merged)
    return pieces


# a request that starts with one of these (or with its ask: "brighter", "up 2 dB") continues the previous one's
# track ("vocal up 2 dB and a touch brighter"); one that starts with any other word ("the theremin down") names
# something else, and is refused if that is no track
CONTINUES = {"a", "an", "and", "also", "then", "just", "slightly", "much", "way", "more", "less", "too", "it", "them",
             "make", "some", "bit", "touch", "with", "plus", "maybe", "add", "cut", "pan", "bring", "turn", "push",
             "pull", "but"}


def _continues(note: str) -> bool:
    words = re.sub(r"[^\w' ]", " ", note.lower()).split()
    return bool(words) and (words[0] in CONTINUES or _ask(words[0]) is not None)


def _scope_only(text: str) -> bool:
    return bool(re.match(r"^\s*(?:in|during|for|through|from|throughout)\b", text.lower()))


def _ask(text: str) -> tuple[str, Any] | None:
    """What a request asks for: (kind, detail) or None; "too X" asks for the opposite of "more X"."""
    t = re.sub(r"\bnot (\w+(?: \w+)?) enough\b", r"more \1", f" {text} ")
    m = TOO.search(t)
    if m and not re.match(rf"(?:{FAULTS})\b", t[m.end():]):
        more = _plain_ask(f"{t[:m.start()]}more {t[m.end():]}")
        if more is not None:
            return _opposite(more)
    return _plain_ask(t)


def _opposite(ask: tuple[str, Any]) -> tuple[str, Any] | None:
    """The ask that undoes ``ask`` (None when there is no clear one, like the opposite of centring)."""
    kind, detail = ask
    if kind in ("level", "width", "compress", "attack"):
        return kind, -detail
    if kind == "space":
        return kind, (-detail[0], *detail[1:])
    if kind == "pan":
        how, side = detail
        return None if how == "centre" else ("pan", ("move", "right" if side == "left" else "left"))
    _, band, freq, sign, _ = detail
    return next((("tone", entry) for entry in TONE if entry[1:4] == (band, freq, -sign)), None)


# a part that pokes out now and then asks for compression; one that sticks out throughout asks for less level
NOW_AND_THEN = r"in places|at times|sometimes|here and there|now and then|on some (?:words|notes|hits|lines)|" \
               r"on certain|every now|from time to time|randomly|occasionally"
# room sizes a note can name, with the reverb decay (s) that says it; "in a big hall" asks for more of that space
ROOMS: tuple[tuple[str, float], ...] = (
    (r"cathedral|church|cave|canyon", 4.5), (r"arena|stadium|warehouse", 3.5), (r"big hall|huge hall|large hall|"
     r"concert hall", 3.0), (r"hall", 2.4), (r"plate", 1.8), (r"chamber", 1.4), (r"big room|large room", 1.2),
    (r"small room|tight room|little room|booth|closet|small space", 0.5), (r"room", 0.9))


def _room(t: str) -> tuple[str, float] | None:
    """The room a note names for a part's space ("like it's in a big hall"): (words, decay in s) or None."""
    for pattern, decay in ROOMS:
        m = re.search(rf"\b(?:{pattern})\b", t)
        if m:
            return m.group(0), decay
    return None


def _space(t: str) -> tuple[str, Any] | None:
    """A reverb or delay ask: ("space", (sign, "reverb" | "delay", room or None))."""
    room = _room(t)
    m = re.search(r"\b(more|less|too much|too little|not enough|no|some|add(?: some| a bit of)?|bigger|smaller)\s+"
                  r"(reverb|verb|room|ambience|space|echo|delay|atmosphere|depth)"
                  r"|\b(wetter|drier|dryer|dry|wet|too wet|too dry|spacious|roomier|roomy|ambient|"
                  r"too close|up front|echoey|washy|swimming in)\b", t)
    if m:
        if m.group(3):
            sign = -1 if m.group(3) in ("drier", "dryer", "dry", "too wet", "echoey", "washy", "swimming in") else +1
            return "space", (sign, "reverb", room)
        sign = -1 if m.group(1) in ("less", "too much", "no", "smaller") else +1
        return "space", (sign, "delay" if m.group(2) in ("echo", "delay") else "reverb", room)
    if room and re.search(r"\b(?:like|as if|as though|sounds? like|in an?|into an?|bigger|more of an?)\b", t):
        return "space", (+1, "reverb", room)
    return None


def _pan(t: str) -> tuple[str, Any] | None:
    """A position ask: ("pan", ("hard" | "move", side)) or ("pan", ("centre", None))."""
    m = re.search(r"\b(?:hard|all the way|fully|completely|extreme)\s+"
                  r"(?:to the |over to the |on the )?(left|right)\b", t)
    if m:
        return "pan", ("hard", m.group(1))
    m = re.search(r"\b(?:pan(?:ned|s)?|move[ds]?|put|shift(?:ed)?|place[ds]?|sit|nudge[ds]?|push(?:ed)?|slide|over|"
                  r"more|further|farther|bit|little|touch|tad|towards?|to|on)\b(?: \w+){0,3}? (?:the )?(left|right)"
                  r"(?! (?:now|away|before|after|at|there|here|when|on time))\b", t)
    if m:
        return "pan", ("move", m.group(1))
    if re.search(r"\b(?:cent(?:er|re)(?:d)?|in the middle|mono it|dead cent(?:er|re))\b", t):
        return "pan", ("centre", None)
    return None


def _plain_ask(t: str) -> tuple[str, Any] | None:
    """What a request asks for, reading each word as it stands."""
    if re.search(rf"(?:jumps?|jumping|pokes?|poking|sticks?|sticking) out (?:\w+ )?(?:{NOW_AND_THEN})|uneven|"
                 r"inconsistent|too dynamic|even(?:ed)? out|more consistent|more compress|compress(?:ed|ion)? more|"
                 r"more squash|control(?:led)? more|more control|all over the place|up and down|jumpy", t):
        return "compress", +1
    if re.search(r"less compress|over ?compressed|too compressed|squashed|more dynamic|breathe|less squash|"
                 r"choked|lifeless|flat dynamics", t):
        return "compress", -1
    if re.search(r"hit harder|hits? harder|hit(?:s)? (?:me )?(?:in the chest|like a truck)|more punch|punchier|"
                 r"more snap|snappier|more attack|more impact|more smack|wimpy|limp|lacks? punch|no punch|"
                 r"more thump|more slam|slam(?:s)? more|more kick to it", t):
        return "attack", +1
    if re.search(r"less punch|softer attack|less attack|less snap|too clicky|too snappy|less clicky|"
                 r"too much attack", t):
        return "attack", -1
    found = _space(t)
    if found:
        return found
    if re.search(r"\b(wider|wide|narrower|narrow|spread (?:out|wider)|less wide|more width|less width|"
                 r"more stereo|more mono|bigger stereo|smaller stereo)\b", t):
        return "width", -1 if re.search(r"narrow|less wide|less width|more mono|smaller stereo", t) else +1
    found = _pan(t)
    if found:
        return found
    for pattern, band, freq, sign, label in TONE:
        if re.search(rf"\b(?:{pattern})\b", t):
            return "tone", (pattern, band, freq, sign, label)
    if re.search(rf"\b(?:{LOUDER})\b", t):
        return "level", +1
    if re.search(rf"\b(?:{QUIETER})\b", t):
        return "level", -1
    return None


# words after which a note names the part it compares against, not the one it asks about
VERSUS = re.compile(r"\b(?:drown(?:s|ing|ed)? out|overpower(?:s|ing|ed)?|mask(?:s|ing|ed)?|covers?(?: up)?|"
                    r"covering|on top of|louder than|quieter than|compared to|under|underneath|behind|against|"
                    r"fighting(?: with)?|fights?(?: with)?|competing with|clash(?:es|ing)? with|by the)\b")


def _versus(text: str) -> str:
    """The first comparing phrase in ``text`` ("drowning out"), or a string that is never found."""
    m = VERSUS.search(text)
    return m.group(0) if m else "\0"


def parse_notes(message: str, data: dict[str, Any], sections: list[tuple[str, float]], end_s: float,
                bar_s: float | None, channels: dict[str, int], at: str | None = None
                ) -> tuple[list[Edit], list[Refusal]]:
    """Edits and refusals for a message of notes, against a session's plain data (names, roles, sections).

    ``at`` ("1:10", "1:20-1:45", "chorus") is where the note was filed: the scope of every request that names none."""
    edits: list[Edit] = []
    refusals: list[Refusal] = []
    previous: list[Target] = []          # a request with no track ("and brighter") borrows the one before it
    noted: tuple[list[tuple[float, float]] | None, str] = (None, "")
    if at:
        try:
            spans, where, _ = find_scope(f"at {at.strip().lower()}", sections, end_s, bar_s)
        except ScopeError as e:
            return [], [Refusal(message, f"where it was noted ({at}): {e}")]
        noted = (spans, where)
    for sentence in split_notes(message):
        scope = noted                     # a sentence-opening scope ("in the chorus, ...") holds for its sentence
        for k, note in enumerate(sentence):
            result = parse_one(note, data, sections, end_s, bar_s, channels, previous, scope)
            if isinstance(result, Refusal):
                refusals.append(result)
                continue
            edits.append(result[0])
            previous = result[1]
            if k == 0 and _scope_only(note):
                scope = (result[0].spans, result[0].where)
    return _merge_repeats(edits), refusals


def _merge_repeats(edits: list[Edit]) -> list[Edit]:
    """One edit for one ask said twice in a message ("wimpy drums, I want the kick to hit harder" on a kit): the
    same kind, strips, scope and settings keep the larger amount."""
    def key(e: Edit) -> tuple[Any, ...]:
        return e.kind, tuple(e.strips), tuple(e.spans or ()), repr(sorted(e.settings.items())), e.amount > 0

    kept: dict[tuple[Any, ...], Edit] = {}
    for e in edits:
        if key(e) not in kept or abs(e.amount) > abs(kept[key(e)].amount):
            kept[key(e)] = e
    return [e for e in edits if kept[key(e)] is e]


def parse_one(note: str, data: dict[str, Any], sections: list[tuple[str, float]], end_s: float,
              bar_s: float | None, channels: dict[str, int], previous: list[Target] | None = None,
              scope: tuple[list[tuple[float, float]] | None, str] = (None, "")) -> tuple[Edit, list[Target]] | Refusal:
    """One request as an edit (and the targets it named), or a refusal that says why."""
    text = " ".join(re.sub(r"[^\w:.+\-' ]", " ", note.lower()).split()).replace("hi-hat", "hi hat")
    try:
        spans, where, text = find_scope(text, sections, end_s, bar_s)
    except ScopeError as e:
        return Refusal(note, str(e))
    if spans is None:
        spans, where = scope
    explicit, vague, text = parse_amount(text)
    subject, versus, against = text.partition(_versus(text))
    targets, rest = find_targets(subject, data) if versus else ([], text)
    if targets:
        rest = f"{rest} {versus} {against}"
    else:
        targets, rest = find_targets(text, data)
    ask = _ask(rest) or _ask(text)
    if ask is None:
        return Refusal(note, "no change I can read in it (level, tone, reverb/delay, pan, width or dynamics)")
    if not targets:
        if previous and _continues(note):
            targets = previous
        else:
            names = ", ".join(str(t.get("name")) for t in data.get("tracks") or [])
            return Refusal(note, f"it names no track I can find (tracks: {names})")
    strips: list[tuple[str, str]] = []
    for t in targets:
        if not t.strips:
            return Refusal(note, f"no track in the session is a {t.words.strip()}")
        if len(t.strips) > 1 and not t.plural and ask[0] == "pan":
            # "the guitar" over two guitar tracks is the doubled part for level, tone, space and dynamics; where
            # it sits needs the one track
            return Refusal(note, f"{t.words.strip()!r} could be any of {', '.join(n for _, n in t.strips)}; "
                                 "name the track")
        strips += [s for s in t.strips if s not in strips]
    kind, detail = ask
    if kind == "space":     # "more reverb" names the effect, not the reverb bus as a strip to change
        strips = [(k, n) for k, n in strips
                  if not (k == "bus" and re.search(r"reverb|verb|delay|echo|room", n.lower()))]
        if not strips:
            return Refusal(note, "it names no track to send to the effect")
    edit = Edit(note=note, kind=kind, strips=strips, amount=0.0, spans=spans, where=where)
    who = ", ".join(n for _, n in strips)
    if kind == "level":
        edit.amount = detail * scaled("level", explicit, vague)
        edit.description = f"{who}: level {edit.amount:+.1f} dB"
    elif kind == "tone":
        pattern, band, freq, sign, label = detail
        edit.kind = "deesser" if band == "deesser" else "eq"
        edit.amount = sign * scaled("tone", explicit, vague)
        edit.settings = {"band": band, "freq": freq, "label": label}
        pieces = {t.piece for t in targets if t.piece}
        if len(pieces) == 1:
            edit.settings["piece"] = pieces.pop()
        edit.description = f"{who}: {label} ({band} {edit.amount:+.1f} dB)"
    elif kind == "space":
        sign, bus, room = detail
        edit.kind = "send"
        edit.amount = sign * scaled("space", explicit, vague)
        edit.settings = {"effect": bus}
        edit.description = f"{who}: {bus} send {edit.amount:+.1f} dB"
        if room and bus == "reverb" and sign > 0:
            edit.settings.update(room=room[0], decay_s=room[1])
            edit.description += f" (a {room[0]}: {room[1]:g} s decay)"
    elif kind == "pan":
        how, side = detail
        step = scaled("pan", explicit, vague)
        edit.settings = {"how": how, "side": side}
        if how == "hard":
            edit.amount = -1.0 if side == "left" else 1.0
            edit.description = f"{who}: pan hard {side}"
        elif how == "centre":
            edit.description = f"{who}: pan to the centre"
        else:
            edit.amount = -step if side == "left" else step
            edit.description = f"{who}: pan {abs(edit.amount):.2f} further {side}"
    elif kind == "width":
        edit.amount = detail * scaled("width", explicit, vague)
        stereo = [n for k, n in strips if k == "bus" or channels.get(n, 1) == 2]
        if len(strips) == 1 and not stereo:
            return Refusal(note, f"{who} is one mono track: it has no width to change; say where to pan it")
        edit.kind = "width" if stereo else "spread"
        edit.description = (f"{who}: width {edit.amount:+.2f}" if stereo else
                            f"{who}: pans spread {edit.amount:+.2f} further apart")
    elif kind == "compress":
        edit.amount = detail * scaled("compress", explicit, vague)
        edit.description = (f"{who}: more compression (threshold {-edit.amount:+.1f} dB)" if detail > 0 else
                            f"{who}: less compression (threshold {-edit.amount:+.1f} dB)")
    elif kind == "attack":
        edit.amount = detail * scaled("attack", explicit, vague)
        edit.description = f"{who}: transients {edit.amount:+.1f} dB"
    kits = [f"{t.words.strip()} -> the kit" for t in targets if t.piece]
    if kits:
        edit.description += f" ({', '.join(kits)}: no track of its own)"
    if where:
        edit.description += f" {where}"
    return edit, targets
