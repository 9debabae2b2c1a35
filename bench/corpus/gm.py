"""General MIDI: the 128 program names, the role a mixing engineer gives each (the corpus's ground truth), and the
kit's note groups that a drum channel is split into when the corpus renders the kit as separate pieces.

The roles here are the corpus's answer key and are written independently of studioflow's recogniser
(``studioflow.mixing.automix.roles``), so that a named-role accuracy is not the recogniser checking itself.
"""

from __future__ import annotations

PROGRAMS = (
    "Acoustic Grand Piano", "Bright Acoustic Piano", "Electric Grand Piano", "Honky-tonk Piano", "Electric Piano 1",
    "Electric Piano 2", "Harpsichord", "Clavinet", "Celesta", "Glockenspiel", "Music Box", "Vibraphone", "Marimba",
    "Xylophone", "Tubular Bells", "Dulcimer", "Drawbar Organ", "Percussive Organ", "Rock Organ", "Church Organ",
    "Reed Organ", "Accordion", "Harmonica", "Tango Accordion", "Acoustic Guitar (nylon)", "Acoustic Guitar (steel)",
    "Electric Guitar (jazz)", "Electric Guitar (clean)", "Electric Guitar (muted)", "Overdriven Guitar",
    "Distortion Guitar", "Guitar Harmonics", "Acoustic Bass", "Electric Bass (finger)", "Electric Bass (pick)",
    "Fretless Bass", "Slap Bass 1", "Slap Bass 2", "Synth Bass 1", "Synth Bass 2", "Violin", "Viola", "Cello",
    "Contrabass", "Tremolo Strings", "Pizzicato Strings", "Orchestral Harp", "Timpani", "String Ensemble 1",
    "String Ensemble 2", "Synth Strings 1", "Synth Strings 2", "Choir Aahs", "Voice Oohs", "Synth Voice",
    "Orchestra Hit", "Trumpet", "Trombone", "Tuba", "Muted Trumpet", "French Horn", "Brass Section", "Synth Brass 1",
    "Synth Brass 2", "Soprano Sax", "Alto Sax", "Tenor Sax", "Baritone Sax", "Oboe", "English Horn", "Bassoon",
    "Clarinet", "Piccolo", "Flute", "Recorder", "Pan Flute", "Blown Bottle", "Shakuhachi", "Whistle", "Ocarina",
    "Lead 1 (square)", "Lead 2 (sawtooth)", "Lead 3 (calliope)", "Lead 4 (chiff)", "Lead 5 (charang)",
    "Lead 6 (voice)", "Lead 7 (fifths)", "Lead 8 (bass + lead)", "Pad 1 (new age)", "Pad 2 (warm)",
    "Pad 3 (polysynth)", "Pad 4 (choir)", "Pad 5 (bowed)", "Pad 6 (metallic)", "Pad 7 (halo)", "Pad 8 (sweep)",
    "FX 1 (rain)", "FX 2 (soundtrack)", "FX 3 (crystal)", "FX 4 (atmosphere)", "FX 5 (brightness)", "FX 6 (goblins)",
    "FX 7 (echoes)", "FX 8 (sci-fi)", "Sitar", "Banjo", "Shamisen", "Koto", "Kalimba", "Bagpipe", "Fiddle", "Shanai",
    "Tinkle Bell", "Agogo", "Steel Drums", "Woodblock", "Taiko Drum", "Melodic Tom", "Synth Drum", "Reverse Cymbal",
    "Guitar Fret Noise", "Breath Noise", "Seashore", "Bird Tweet", "Telephone Ring", "Helicopter", "Applause",
    "Gunshot",
)
assert len(PROGRAMS) == 128

# program ranges -> role; exceptions below
_FAMILY_ROLES = ((0, "keys"), (8, "keys"), (16, "keys"), (24, "guitar"), (32, "bass"), (40, "strings"),
                 (48, "strings"), (56, "brass"), (64, "winds"), (72, "winds"), (80, "synth_lead"), (88, "pads"),
                 (96, "fx"), (104, "guitar"), (112, "percussion"), (120, "fx"))
_EXCEPTIONS = {21: "winds", 22: "winds", 23: "winds",        # accordion, harmonica, bandoneon: free reeds
               43: "bass", 46: "guitar",                      # a contrabass holds the bass; a harp is plucked
               47: "percussion", 50: "pads", 51: "pads", 52: "backing_vocals", 53: "backing_vocals",
               54: "pads", 55: "fx",
               108: "keys", 109: "winds", 110: "strings", 111: "winds", 112: "keys", 114: "keys",
               117: "toms", 118: "toms", 119: "fx"}


def program_role(program: int) -> str:
    """The role a mixing engineer gives a General MIDI program (0..127)."""
    if program in _EXCEPTIONS:
        return _EXCEPTIONS[program]
    return [role for start, role in _FAMILY_ROLES if program >= start][-1]


# kit pieces (GM percussion key map) -> (stem name, role)
KIT_PIECES = {
    "kick": ((35, 36), "kick"),
    "snare": ((37, 38, 40), "snare"),
    "hihat": ((42, 44, 46), "hats"),
    "toms": ((41, 43, 45, 47, 48, 50), "toms"),
    "cymbals": ((49, 51, 52, 53, 55, 57, 59), "hats"),
}


def kit_piece(note: int) -> str:
    """The kit piece a GM percussion note belongs to ("perc" for hand percussion and the rest)."""
    for piece, (notes, _) in KIT_PIECES.items():
        if note in notes:
            return piece
    return "perc"


def piece_role(piece: str) -> str:
    """The role of a kit piece's stem."""
    return KIT_PIECES[piece][1] if piece in KIT_PIECES else "percussion"


def slug(text: str) -> str:
    """A file-name form of a program name: ``"Electric Guitar (jazz)"`` -> ``"electric_guitar_jazz"``."""
    out = "".join(c.lower() if c.isalnum() else "_" for c in text)
    return "_".join(w for w in out.split("_") if w)
