"""Route a note about a song to the role that handles it, as a real studio would, with the reason.

Performance, tuning, timing, noise or a bad take -> the recording engineer; balance, EQ, dynamics, effects and space of
parts -> the mixing engineer; overall loudness and tone, consistency between songs, platforms and formats -> the
mastering engineer; arrangement, structure, tempo, direction and the vision -> the producer.

The router reads a note for three things: *what* it is about (a part of the arrangement, the whole song, a section, a
platform), *what is wrong* (a cue: tuning, level, tone, space, loudness, length...) and *how* it is said
(comparisons with other songs, platforms). Each cue carries the roles it points to; the subject decides between them:
"harsh" about the vocal is the mixer's, "harsh" about the whole song is the mastering engineer's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

ROLES = ("recording", "mixing", "mastering", "producer")
ROLE_TITLES = {
    "recording": "recording engineer",
    "mixing": "mixing engineer",
    "mastering": "mastering engineer",
    "producer": "producer",
}

# parts of an arrangement (a note naming one is about that part, not the whole song)
PARTS = (
    r"vocals?|vox|singer|singing|voice|lead vocal|backing vocals?|bvs?|harmon(?:y|ies)|choir|rap|verse vocal"
    r"|kick|bass ?drum|snare|hi-?hats?|hats|cymbals?|ride|crash|toms?|overheads?|drums?|kit|percussion|claps?|shaker"
    r"|tambourine|808|lyrics?|drummer|bassist|guitarist|pianist|keyboardist|player|band|bass(?:line| line| guitar)?|sub(?: bass)?|guitars?|gtrs?|acoustic|electric|riff|solo|keys|piano"
    r"|organ|rhodes|synths?|pads?|strings|violins?|cello|brass|horns?|trumpet|sax|lead|arp|pluck|fx|effects?|sample"
    r"|loop|reverb|delay|echo"
)
WHOLE = (
    r"the (?:whole )?(?:song|track|tune|record|master|mix|single|album|ep|record)|overall|everything|the whole thing"
    r"|whole song|the entire|across the board|in general|all of it"
)
SECTIONS = r"intro|verse|pre-?chorus|chorus|hook|bridge|middle 8|middle eight|breakdown|drop|outro|ending|build"
PLATFORMS = (
    r"spotify|apple music|itunes|youtube|amazon|tidal|deezer|soundcloud|bandcamp|streaming|radio|cd|vinyl|podcast"
    r"|mp3|aac|wav|flac|lufs|dbtp|loudness|normali[sz]"
)


@dataclass(frozen=True)
class Cue:
    """A kind of complaint: its pattern and the role it points to for a part, for the whole song, and by default."""

    name: str
    pattern: str
    part: str | None      # role when the note names a part
    whole: str | None     # role when the note is about the whole song
    default: str          # role when the subject is unclear
    reason: str           # why, in a sentence with {subject}
    weight: float = 1.0


CUES: tuple[Cue, ...] = (
    # performance and capture: the recording engineer
    Cue("tuning", r"out of tune|pitchy|off[- ]key|flat|sharp|tuning|intonation|sour note|wrong note|bum note",
        "recording", "recording", "recording",
        "tuning and wrong notes are fixed by retaking or comping another take of {subject}", 1.6),
    Cue("timing", r"out of time|off (?:the )?beat|behind the beat|ahead of the beat|timing|sloppy|rushing|rushed"
        r"|not tight|loose|late|early|not together|lazy|groove is off|dragged|dragging",
        "recording", "producer", "recording",
        "timing of a performance is fixed at the source: a better take or a comp of {subject}", 1.3),
    Cue("take", r"\btakes?\b|re-?record|re-?track|punch(?:[- ]?in)?\b|performance|comp(?:ing)? |another pass|redo\b"
        r"|overdub|double it|retake|mic(?:rophone)?|recorded", "recording", "recording", "recording",
        "takes, punch-ins and comping are the recording engineer's work on {subject}", 1.2),
    Cue("noise", r"noise|noisy|hiss|hum|buzz|click(?:s|ing)?\b|pops?\b|crackle|distort(?:ed|ion)? (?:in|on) the (?:take|recording)"
        r"|clipp(?:ed|ing) (?:in|on) the (?:take|recording)|dropouts?|glitch|breath(?:s|ing)? noise|plosive|room sound"
        r"|bleed|spill|phas(?:e|ey|ing) between", "recording", "recording", "recording",
        "noise, hum, clicks and bleed come from the recording of {subject}: fix at the source or with a clean take", 1.3),
    # balance and treatment of parts: the mixing engineer
    Cue("level", r"buried|too loud|too quiet|too soft|louder|quieter|softer|up\b|down\b|turn(?:ed)? (?:it )?(?:up|down)"
        r"|can'?t hear|hard to hear|barely hear|sticks? out|jumps? out|on top|in front|forward|back(?:ground)?|drowned"
        r"|lost|level|balance|masks?|masking|fighting|competes?|swallowed|overpower|hard to understand|intelligib"
        r"|can'?t understand", "mixing", "mastering", "mixing",
        "the balance between parts is set in the mix: the level of {subject} against the rest", 1.0),
    Cue("tone", r"harsh|bright|dull|dark|muddy|mud|boomy|boxy|thin|tinny|nasal|honky|brittle|sibilant|ess|shrill"
        r"|piercing|warm(?:er|th)?|air(?:y)?|crisp|presence|body|fat(?:ter)?|weight|low end|low-end|lows|mids|highs|top end"
        r"|treble|eq|ringy|ringing|ring|resonan(?:t|ce)|scoop", "mixing", "mastering", "mixing",
        "tone of a part is shaped with EQ in the mix; the tone of the whole record is the mastering engineer's", 1.0),
    Cue("dynamics", r"punch(?:y|ier)?|hit(?:s)? harder|hit(?:ting)? harder|harder|smack|slam|snap|crack|transients?"
        r"|attack|sustain|inconsistent level|all over the place|uneven", "mixing", "mixing", "mixing",
        "punch and dynamics of parts come from compression and transient shaping in the mix of {subject}", 1.0),
    Cue("compression", r"compress(?:ed|ion)?|squash(?:ed)?|pumping|pump|breath(?:e|ing)|dynamic|flat sounding"
        r"|lifeless|no life|fatiguing|tiring", "mixing", "mastering", "mixing",
        "compression of a part is set in the mix; the dynamics of the whole record are the mastering engineer's", 1.0),
    Cue("space", r"reverb|verb|delay|echo|wet|dry|drier|wetter|space|spacious|ambien(?:ce|t)|room|distant|far away"
        r"|close|intimate|depth|3d|in your face|washy|cavern|big(?:ger)?|huge|massive|small(?:er)?", "mixing", "mixing", "mixing",
        "reverb, delay and depth are effects the mixing engineer sets on {subject}", 1.0),
    Cue("stereo", r"wide|wider|narrow|width|stereo|mono|pan(?:ned|ning)?|left|right|centre|center|image|spread",
        "mixing", "mastering", "mixing",
        "panning and width of parts are set in the mix; width of the whole record is a mastering decision", 0.9),
    Cue("distortion", r"distort(?:ed|ion)?|crunch|grit(?:ty)?|saturat(?:ed|ion)|fuzz|overdriven|clipping|clips|crackly",
        "mixing", "mastering", "mixing",
        "distortion of a part is a mix choice (or a recording fault); distortion of the whole record is over-limiting in mastering", 0.8),
    # the record as a whole: the mastering engineer
    Cue("loudness", r"loud(?:er|ness)?|quiet(?:er)?|volume|level|too hot|hot\b|squashed|crushed|limited|limiting"
        r"|headroom|peaks?|true peak|clipping", None, "mastering", "mastering",
        "overall loudness, peaks and limiting are set when mastering the whole record", 1.0),
    Cue("platform", PLATFORMS, "mastering", "mastering", "mastering",
        "loudness targets and delivery formats per platform are the mastering engineer's", 1.6),
    Cue("consistency", r"other songs|other tracks|rest of the (?:album|ep|record)|between (?:the )?songs|next song"
        r"|previous song|compared to (?:the )?(?:other|rest)|than the (?:single|ballad|last song|first song|opener|other one)|consisten(?:t|cy)|sequenc(?:e|ing)|track order|gaps?"
        r"|spacing between|album flow|stands? out from the", "mastering", "mastering", "mastering",
        "consistency and sequencing between songs are decided when mastering the release", 1.8),
    Cue("translation", r"in the car|on (?:my )?(?:phone|laptop|earbuds|headphones|airpods|speakers?)|club|translat",
        "mixing", "mastering", "mastering",
        "how a record translates across playback systems is checked when mastering", 1.0),
    Cue("delivery", r"isrc|upc|ean|metadata|tags?|cover art|artwork|cue sheet|dither|sample rate|bit depth|24[- ]bit"
        r"|16[- ]bit|44\.1|48k|file format|deliver(?:y|ables)", "mastering", "mastering", "mastering",
        "delivery files, formats and metadata are prepared by the mastering engineer", 1.8),
    # the song itself: the producer
    Cue("structure", r"drags?|dragging|too long|too short|long|short|repetitive|repeats?|boring|gets? old|goes on"
        r"|cut (?:a|the|it)|shorten|extend|add (?:a|an|another) (?:section|verse|chorus|bridge|break|part)|structure"
        r"|arrangement|arrange|section|build(?:s|up)?|breakdown|key change|modulat|transition|drop|ending|fade out"
        r"|starts? too|intro is", "producer", "producer", "producer",
        "structure and arrangement ({subject}) are the producer's decisions", 1.2),
    Cue("tempo", r"tempo|bpm|slower|faster|speed (?:it )?up|slow (?:it )?down|too slow|too fast|half[- ]time"
        r"|double[- ]time|feel|groove", "producer", "producer", "producer",
        "tempo and feel of the song are the producer's call", 1.1),
    Cue("vision", r"vision|direction|vibe|mood|emotion|story|melody|chords?|harmony change|instrumentation"
        r"|add (?:some|a|an) (?:strings|guitar|synth|pad|keys|percussion|layer)|another instrument|needs something"
        r"|missing something|more energy|less energy|energy|genre|sound like|reference|commercial|radio edit|single"
        r"|hook", "producer", "producer", "producer",
        "the vision, instrumentation and direction of the song are the producer's", 1.0),
)

_COMPILED = [(cue, re.compile(rf"\b(?:{cue.pattern})", re.IGNORECASE)) for cue in CUES]
_PART_RE = re.compile(rf"\b(?:{PARTS})\b", re.IGNORECASE)
_WHOLE_RE = re.compile(rf"(?:{WHOLE})\b", re.IGNORECASE)
_SECTION_RE = re.compile(rf"\b(?:{SECTIONS})\b", re.IGNORECASE)
_TIME_RE = re.compile(r"\b(?:at |from |around )?(\d{1,2}:\d{2})(?:\s*(?:-|to)\s*(\d{1,2}:\d{2}))?")
# a section named as the subject of a structural complaint ("the bridge drags") rather than a place ("in the bridge")
_SECTION_SUBJECT_RE = re.compile(rf"^\s*(?:the\s+)?(?:{SECTIONS})\b(?!.*\b(?:{PARTS})\b)", re.IGNORECASE)


@dataclass
class Routing:
    """Where a note goes and why."""

    role: str
    reason: str
    confidence: float
    subject: str
    cues: list[str] = field(default_factory=list)
    at: str | None = None

    def as_dict(self) -> dict:
        """JSON-ready form."""
        return {"role": self.role, "role_title": ROLE_TITLES[self.role], "reason": self.reason,
                "confidence": round(self.confidence, 2), "subject": self.subject, "cues": self.cues, "at": self.at}


def route_note(text: str) -> Routing:
    """Decide which role handles the note ``text`` and say why."""
    lowered = text.lower().strip()
    parts = [m.group(0).lower() for m in _PART_RE.finditer(lowered)]
    # "loud"/"quiet" words are also part names' neighbours; the subject is the first named part
    whole = bool(_WHOLE_RE.search(lowered)) or (not parts and bool(re.search(r"\b(?:it|it's|its|this)\b", lowered)))
    section_subject = bool(_SECTION_SUBJECT_RE.search(lowered))
    if parts:
        scope, subject = "part", f"the {parts[0]}"
    elif whole:
        scope, subject = "whole", "the whole song"
    elif section_subject:
        scope, subject = "section", f"the {_SECTION_RE.search(lowered).group(0)}"
    else:
        scope, subject = "unclear", "the song"

    scores = {role: 0.0 for role in ROLES}
    hits: list[tuple[Cue, str]] = []
    for cue, rx in _COMPILED:
        if not rx.search(lowered):
            continue
        if scope == "part":
            role = cue.part
        elif scope in ("whole",):
            role = cue.whole
        elif scope == "section":
            # a section's own length, energy or feel is arrangement; its level against the rest is mix automation
            role = ("producer" if cue.name in ("structure", "tempo", "vision", "dynamics", "timing")
                    else "mixing" if cue.name in ("level", "loudness") else cue.default)
        else:
            role = cue.default
        if role is None:
            role = cue.default
        scores[role] += cue.weight
        hits.append((cue, role))

    if not hits:
        role = "producer"
        reason = "no specific cue found: the producer reads it and decides who takes it"
        return Routing(role, reason, 0.3, subject, [], _time_of(lowered))

    role = max(ROLES, key=lambda r: (scores[r], -ROLES.index(r)))
    total = sum(scores.values())
    # the reason comes from the strongest cue for that role; on a tie, from a cue that points there by default
    best_cue = max((c for c, r in hits if r == role), key=lambda c: (c.weight, c.default == role))
    reason = best_cue.reason.format(subject=subject)
    return Routing(role, reason, scores[role] / total if total else 0.0, subject,
                   [c.name for c, _ in hits], _time_of(lowered))


def _time_of(text: str) -> str | None:
    m = _TIME_RE.search(text)
    if not m:
        return None
    return f"{m.group(1)}-{m.group(2)}" if m.group(2) else m.group(1)
