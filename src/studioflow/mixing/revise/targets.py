"""Which strips a note is about: tracks by their own name, and by role synonyms ("vocal", "vox", "singer" -> the lead
vocal; "drums" -> the drum bus, or the kit and its pieces: drums + kick + snare + hats + toms + overheads).

A drum piece named on a session that has no track for it ("the kick" with one kit track) means the kit (a track
whose role is ``drums``, or the drum bus), and the piece is kept so tone edits aim at its band.

A track's role comes from its ``notes`` (``role: kick``, as automix writes it) or else from its name
(``mixing.automix.roles.role_from_name``). A singular word that matches several tracks ("the guitar" with two
guitars) is ambiguous and refused; a plural ("guitars") means all of them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from studioflow.mixing.automix.roles import DRUMS, ROLES, normalise, role_from_name

# (singular words, plural words, roles)
SYNONYMS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (r"backing vocal|backing vox|backing|bv|bgv|harmony|choir",
     r"backing vocals|backings|bvs|bgvs|harmonies|backing vox", ("backing_vocals",)),
    (r"synth|synth lead|lead synth|arp", r"synths|arps", ("synth_lead",)),
    (r"lead vocal|vocal|vox|voice|singer|singing|lead vox|lead", r"lead vocals", ("lead_vocal",)),
    (r"", r"vocals|voices", ("lead_vocal", "backing_vocals")),
    (r"kick|kick drum|bass drum", r"kicks", ("kick",)),
    (r"snare|snare drum", r"snares", ("snare",)),
    (r"hat|hihat|hi hat|cymbal|ride", r"hats|hihats|hi hats|cymbals", ("hats",)),
    (r"tom", r"toms", ("toms",)),
    (r"overhead|room mic", r"overheads|rooms", ("overheads",)),
    (r"percussion|perc|shaker|tambourine", r"shakers|percussions", ("percussion",)),
    (r"", r"drums|drum kit|kit|the drums", DRUMS),
    (r"bass|bass guitar|bassline|bass line|sub", r"basses", ("bass",)),
    (r"guitar|gtr|acoustic|electric guitar", r"guitars|gtrs", ("guitar",)),
    (r"keys|piano|keyboard|rhodes|organ|synth chords", r"pianos|keyboards", ("keys",)),
    (r"pad", r"pads", ("pads",)),
    (r"string section|violin|viola|cello|fiddle", r"strings|violins|cellos", ("strings",)),
    (r"brass|trumpet|trombone|horn|tuba", r"horns|trumpets|trombones|horn section", ("brass",)),
    (r"sax|saxophone|flute|clarinet|oboe|woodwind|harmonica|accordion", r"saxes|flutes|woodwinds|winds",
     ("winds",)),
    (r"fx|effect|riser|sweep", r"effects|risers|sweeps", ("fx",)),
)
DRUM_BUS_NAMES = ("drums", "drum bus", "drumbus", "kit")


@dataclass
class Target:
    """Strips a note names: kind ("track" or "bus") and name, the words that named them, and whether plural."""

    strips: list[tuple[str, str]]
    words: str
    plural: bool
    piece: str | None = None      # the drum piece meant when the strips are the whole kit


def strip_role(strip: dict[str, Any]) -> str | None:
    """A session strip's role: from ``notes: "role: X ..."`` or its name."""
    notes = strip.get("notes")
    if isinstance(notes, str):
        m = re.search(r"\brole:\s*([a-z_]+)", notes)
        if m and m.group(1) in ROLES:
            return m.group(1)
    return role_from_name(str(strip.get("name", "")))


def find_targets(text: str, data: dict[str, Any]) -> tuple[list[Target], str]:
    """The strips a note names and the note's text with those words removed."""
    tracks = [t for t in data.get("tracks") or [] if isinstance(t, dict)]
    buses = [b for b in data.get("buses") or [] if isinstance(b, dict)]
    found: list[Target] = []
    work = f" {text} "
    # exact names first (longest first, so "gtr l" wins over "gtr")
    named = sorted([("track", str(t["name"])) for t in tracks] + [("bus", str(b["name"])) for b in buses],
                   key=lambda kv: len(kv[1]), reverse=True)
    for kind, name in named:
        words = normalise(name).strip()
        for pattern in {re.escape(name.lower()), re.escape(words)} if words else {re.escape(name.lower())}:
            m = re.search(rf"(?<![\w-]){pattern}(?![\w-])", work)
            if m:
                found.append(Target([(kind, name)], m.group(0), False))
                work = work[:m.start()] + " " + work[m.end():]
                break
    for kind, name in named:                # a short form of one strip's name ("clav" for "clavinet")
        for word in re.findall(r"[a-z]{4,}", work):
            owners = [(k, n) for k, n in named if normalise(n).strip().startswith(word)]
            if owners == [(kind, name)] and not any((kind, name) in t.strips for t in found):
                found.append(Target([(kind, name)], word, False))
                work = re.sub(rf"(?<![\w-]){word}(?![\w-])", " ", work, count=1)
    roles = {str(t["name"]): strip_role(t) for t in tracks}
    for singular, plural, wanted in SYNONYMS:
        for is_plural, pattern in ((True, plural), (False, singular)):
            if not pattern:
                continue
            m = re.search(rf"(?<![\w-])(?:{pattern})(?![\w-])", work)
            if not m:
                continue
            if wanted == DRUMS:
                bus = [b for b in buses if str(b["name"]).lower() in DRUM_BUS_NAMES]
                if bus:
                    found.append(Target([("bus", str(bus[0]["name"]))], m.group(0), True))
                    work = work[:m.start()] + " " + work[m.end():]
                    continue
            strips = [("track", n) for n, r in roles.items() if r in wanted]
            piece = None
            if not strips and len(wanted) == 1 and wanted[0] in DRUMS:
                strips, piece = _kit(roles, buses), wanted[0]
            found.append(Target(strips, m.group(0), is_plural or len(wanted) > 1, piece if strips else None))
            work = work[:m.start()] + " " + work[m.end():]
    return found, " ".join(work.split())


def _kit(roles: dict[str, str | None], buses: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The whole kit: the tracks whose role is ``drums``, else the drum bus, else nothing."""
    kits = [("track", n) for n, r in roles.items() if r == "drums"]
    if kits:
        return kits
    return [("bus", str(b["name"])) for b in buses if str(b["name"]).lower() in DRUM_BUS_NAMES][:1]
