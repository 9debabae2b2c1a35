"""Track roles: recognised from the track's name, and when the name says nothing, from its sound.

Name rules are word patterns tried in order, so compound names win over their parts ("bass drum" is a kick,
"steel drums" a mallet keyboard, "synth strings" a pad, "english horn" a woodwind, "Lead 1 (square)" a synth lead).
They cover the General MIDI program names, instrument names in English, German, French, Italian and Spanish common
spellings, and studio abbreviations (``kik``, ``oh``, ``rm``, ``bgv``, ``gtr``, ``vox``, ``ld``, ``syn``...). A whole
kit (``drums``, ``kit``, ``drum bus``) is its own role: a drum bus, never an overhead pair.

From sound, the learned classifier of ``model.py`` gives each role a probability; the confidence is the winner's
probability. Below ``UNSURE_BELOW`` the role is "unknown" (mixed with neutral settings, which beats a wrong guess),
and a part that plays under ``LEAD_MIN_ACTIVITY`` of the song is never taken for a lead from its sound alone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np

from studioflow.mixing.automix.measure import StemFeatures

if TYPE_CHECKING:
    from studioflow.mixing.automix.model import Model

ROLES = ("drums", "kick", "snare", "hats", "toms", "overheads", "percussion", "bass", "lead_vocal", "backing_vocals",
         "guitar", "keys", "strings", "brass", "winds", "pads", "synth_lead", "fx", "unknown")
DRUMS = ("drums", "kick", "snare", "hats", "toms", "overheads")
LEADS = ("lead_vocal", "synth_lead")
NAME_CONFIDENCE = 0.95
UNSURE_BELOW = 0.4             # a sound-based winner below this probability is reported as "unknown"
SOUND_MAX_CONFIDENCE = 0.9     # a guess from sound never claims more than this (the name's word is surer)
LEAD_MIN_ACTIVITY = 0.10       # a part playing less than this share of the song is not a lead by its sound alone

# (role, word pattern) in the order they are tried; patterns match whole words of the normalised name
NAME_RULES: tuple[tuple[str, str], ...] = (
    ("fx", r"s?fx|(?:guitar )?fret noise|breath noise|orch(?:estra)? hit|reverse cymbal|seashore|bird tweet|"
           r"telephone(?: ring)?|helicopter|applause|gunshot|riser|whoosh|foley"),
    ("synth_lead", r"lead (?:square|saw(?:tooth)?|calliope|chiff|charang|voice|fifths|bass lead)|synth ?lead|"
                   r"lead ?synth|saw ?lead"),
    ("kick", r"kick(?: (?:in|out|sub|drum))?|kik|kck|bd|bass ?drum|bassdrum|grosse caisse|cassa|bombo"),
    ("snare", r"snare(?: drum)?|snr|sn|sd|rim ?shot|caisse claire|rullante|caja|side stick"),
    ("hats", r"hi ?hats?|hihats?|hh|hats?|cymbals?|ride|crash|china|splash|charleston|becken|piatti|platillos?"),
    ("toms", r"(?:floor |rack |hi |lo |low |mid |high |melodic )?toms?|ft|rt|synth drums?|e ?toms?"),
    ("overheads", r"overheads?|oh|ohs|ovh|rooms?|rm|drum ?rooms?|amb(?:ience)? mics?"),
    ("keys", r"steel ?drums?|steelpan|tinkle bells?|kalimba|mbira|celesta|celeste|glock(?:enspiel)?|vibes|"
             r"vibraphon[e]?|marimba|xylo(?:phon[e]?)?|music box|tubular bells|bells|chimes|dulcimer|mallets?|"
             r"reed organ"),
    ("percussion", r"perc(?:ussion)?s?|shakers?|tamb(?:ourine)?|congas?|bongos?|timbales?|cowbell|claves?|"
                   r"triangle|cajon|agogo|woodblock|wood block|timpani|pauken|taiko(?: drum)?|guiro|cabasa|"
                   r"claps?|hand ?claps?|djembe|tabla|darbuka|udu"),
    ("pads", r"(?:synth |warm |string )?pads?|synth ?strings?|synth ?voice|atmos|drone|soundscape"),
    ("bass", r"(?:synth ?|electric |acoustic |fretless |slap |upright |double |sub ?|e ?|string )?bass(?:es)?|"
             r"synthbass|bass ?(?:di|amp|gtr|guitar|line)|bassline|bs|bas|basse|basso|bajo|kontrabass|contrabass|"
             r"contrabasso|contrebasse|sub|upright|808"),
    ("backing_vocals", r"(?:backing|back|bg|bkg|bgv|bgvs|bv|bvs|backs|harmony|harmonies|choir|chor|choeurs?|"
                       r"coros?|ooh?s|aahs?|voice oohs|choir aahs|dbl|double)(?: ?vox| ?vocals?| ?voc)?"),
    ("winds", r"english horn|cor anglais|(?:soprano |alto |tenor |bari(?:tone)? )?sax(?:ophone)?s?|"
              r"clarinets?|klarinette|clarinette|clarinetto|clar|oboes?|hautbois|bassoons?|fagott|flutes?|"
              r"fl[oö]te|flauto|flauta|piccolo|recorder|pan ?flute|pan ?pipes?|whistle|ocarina|shakuhachi|"
              r"blown bottle|harmonica|mouth ?organ|accordions?|akkordeon|bandoneon|melodica|bagpipes?|shanai|"
              r"shehnai|wood ?winds?|winds|reeds?"),
    ("brass", r"brass(?: section)?|synth ?brass|trumpets?|tpts?|trp|trombones?|tbn|trb|tubas?|(?:french )?horns?|"
              r"flugel(?:horn)?|cornets?|sousaphone|euphonium|trompete|posaune|trompette|tromba|trombon|blech"),
    ("strings", r"strings?|string (?:ensemble|section)|str|violins?|vln|vl|violas?|vla|cellos?|vc|vlc|"
                r"violoncello|fiddle|orch(?:estra)?|geigen?|violon|violino|streicher|cordes|archi|cuerdas|"
                r"tremolo(?: strings)?|pizz(?:icato)?(?: strings)?"),
    ("keys", r"keys?|keyboards?|kbd|kb|piano|pno|pn|klavier|flügel|rhodes|wurli(?:tzer)?|organ|orgel|orgue|"
             r"organo|hammond|ep|epiano|e piano|electric piano|clav(?:inet)?|harpsichord|cembalo|"
             r"clavecin|honky tonk|synth ?chords?"),
    ("drums", r"drums?|drum ?kit|drumkit|drum ?bus|drums? ?(?:l|r|st|stereo|mix)|kit|batterie|schlagzeug|"
              r"bateria|batteria|drm|drms"),
    ("lead_vocal", r"(?:lead |main |ld )?(?:vox|vocals?|voc|voice|singer|vocal ?take|vx|lv)|lead|ld|chant|gesang|"
                   r"stimme|voz|voce"),
    ("guitar", r"guitars?|gtr|gtrs|gt|guit|ac ?gtr|agtr|egtr|acoustic|electric|strat|tele|les paul|gitarre|"
               r"guitare|chitarra|guitarra|banjo|mandolin[e]?|ukulele|uke|sitar|koto|shamisen|harp|lute|"
               r"bouzouki|dobro|pedal steel|lap steel|riff|overdrive[n]?|distortion|nylon"),
    ("synth_lead", r"synth|syn|arp|arpeggio|pluck|melody|mel|lead line|square|sawtooth|calliope|chiff|charang"),
    ("fx", r"sweep|impact|noise|drop|ambience|reverse|rain|soundtrack|crystal|atmosphere|brightness|goblins|"
           r"echoes|sci fi|scifi|transition"),
)


@dataclass(frozen=True)
class RoleGuess:
    """A track's role, how sure (0..1), and what it was recognised from ("name", "sound" or "given")."""

    role: str
    confidence: float
    source: str
    reason: str
    probabilities: tuple[float, ...] | None = field(default=None, repr=False)  # the classifier's (sound only)


def normalise(name: str) -> str:
    """Lower-case words of a track name: ``"LeadVox_01"`` -> ``" lead vox "`` (digits and separators dropped)."""
    text = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    text = re.sub(r"[^a-zA-Zäöüéèàç]+", " ", text).lower()
    return f" {' '.join(text.split())} "


def role_from_name(name: str) -> str | None:
    """The role a track name says, or None when it says nothing."""
    text = normalise(name)
    for role, pattern in NAME_RULES:
        if re.search(rf" (?:{pattern}) ", text):
            return role
    return None


def from_sound(f: StemFeatures, model: "Model | None" = None) -> RoleGuess:
    """The stem's role from its sound alone (the learned classifier, the shipped one unless ``model`` is given),
    "unknown" when it is unsure."""
    from studioflow.mixing.automix.model import feature_vector, shipped

    if f.loudness_lufs is None:
        return RoleGuess("unknown", 0.0, "sound", "silent: nothing to recognise")
    model = model or shipped()
    probs = model.role_probabilities(feature_vector(f))
    order = [int(i) for i in np.argsort(probs)[::-1]]
    if f.activity < LEAD_MIN_ACTIVITY:
        order = [i for i in order if model.roles[i] not in LEADS]
    best, second = order[0], order[1]
    role, p = model.roles[best], float(probs[best])
    pitch = f"{f.pitch_hz:.0f} Hz" if f.pitch_hz else "none"
    measured = (f"centroid {f.centroid_hz:.0f} Hz, {100 * f.low_share:.0f}% of power below 150 Hz, "
                f"{f.onsets_per_s:.1f} onsets/s, {100 * f.voiced:.0f}% pitched (median {pitch}), plays "
                f"{100 * f.activity:.0f}% of the time")
    runner = f"{model.roles[second].replace('_', ' ')} {100 * probs[second]:.0f}%"
    if p < UNSURE_BELOW:
        return RoleGuess("unknown", round(p, 2), "sound",
                         f"unsure from its sound: most like {role.replace('_', ' ')} ({100 * p:.0f}%) or {runner}; "
                         f"mixed with neutral settings ({measured})", tuple(float(v) for v in probs))
    return RoleGuess(role, round(min(p, SOUND_MAX_CONFIDENCE), 2), "sound",
                     f"from its sound ({measured}); next best {runner}",
                     tuple(float(v) for v in probs))


def recognise(f: StemFeatures, model: "Model | None" = None) -> RoleGuess:
    """The stem's role: from its name when the name says it, otherwise from its sound."""
    by_name = role_from_name(f.name)
    if by_name is not None:
        return RoleGuess(by_name, NAME_CONFIDENCE, "name", f"the name {f.name!r} says {by_name.replace('_', ' ')}")
    return from_sound(f, model)
