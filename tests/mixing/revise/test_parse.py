"""Notes as people write them -> the right edit; unclear or ambiguous notes refused with a reason."""

import numpy as np
import pytest

from studioflow.mixing import load_session
from studioflow.mixing.revise.amounts import parse_amount, scaled
from studioflow.mixing.revise.parse import parse_notes, split_notes
from studioflow.mixing.yamlmarks import load_located

VERSES = [(2.0, 4.0), (6.0, 7.0)]
CHORUS = [(4.0, 6.0)]
DRUMS = ["kick", "snare", "hats"]


def _parse(path, notes):
    session = load_session(path)
    data = load_located(path).data
    return parse_notes(notes, data, session.sections, session.content_end_s, 2.0,
                       {t.name: t.channels for t in session.tracks})


@pytest.mark.parametrize("note, kind, strips, amount, spans", [
    ("vocal up 2 dB", "level", ["Lead Vox"], 2.0, None),
    ("the bass a bit quieter", "level", ["bass"], -2.0, None),
    ("bring the snare down in the verses", "level", ["snare"], -2.0, VERSES),
    ("brighter guitars", "eq", ["gtr1", "gtr2"], 2.0, None),
    ("less boomy kick", "eq", ["kick"], -2.0, None),
    ("the vocal is harsh", "eq", ["Lead Vox"], -2.0, None),
    ("more reverb on the vocal", "send", ["Lead Vox"], 3.0, None),
    ("drier drums", "send", DRUMS, -3.0, None),
    ("pan the keys wider", "width", ["keys"], 0.2, None),
    ("gtr1 more to the left", "pan", ["gtr1"], -0.2, None),
    ("the vocal jumps out in places", "compress", ["Lead Vox"], 3.0, None),
    ("drums hit harder", "attack", DRUMS, 3.0, None),
    ("vocal up a touch in the chorus", "level", ["Lead Vox"], 1.0, CHORUS),
    ("from 0:01 to 0:03 the bass up a lot", "level", ["bass"], 5.0, [(1.0, 3.0)]),
    ("in the bridge the synth down a little", "level", ["track9"], -1.5, [(7.0, 8.0)]),
    ("the vox in the second verse half a dB louder", "level", ["Lead Vox"], 0.5, [(6.0, 7.0)]),
    ("kick and snare up 1.5 dB", "level", ["kick", "snare"], 1.5, None),
])
def test_each_note_makes_the_right_edit(session_path, note, kind, strips, amount, spans):
    edits, refusals = _parse(session_path, note)
    assert not refusals, refusals
    assert len(edits) == 1
    e = edits[0]
    assert (e.kind, sorted(n for _, n in e.strips), e.amount, e.spans) == (kind, sorted(strips), pytest.approx(amount),
                                                                          spans)


def test_tone_edits_pick_the_band(session_path):
    edits, _ = _parse(session_path, "less boomy kick; the vocal is harsh; brighter guitars")
    assert [(e.settings["band"], e.settings["freq"]) for e in edits][1:] == [("peak", 3500.0), ("highshelf", "top")]
    assert edits[0].settings["freq"]["kick"] == 120.0


@pytest.mark.parametrize("note, why", [
    ("guitar more to the left", "could be any of gtr1, gtr2"),
    ("the theremin up 2 dB", "names no track"),
    ("make it pop", "no change I can read"),
    ("more cowbell", "no change I can read"),
    ("vocal up in the outro", "no outro section"),
    ("from 1:45 to 1:20 vocal up", "ends before it starts"),
    ("pan the bass wider", "one mono track"),
])
def test_unclear_notes_are_refused_with_why(session_path, note, why):
    edits, refusals = _parse(session_path, note)
    assert not edits
    assert len(refusals) == 1 and why in refusals[0].why and refusals[0].note == note


def test_several_notes_in_one_message(session_path):
    message = ("Vocal up 2 dB and a touch brighter. The bass a bit quieter; in the chorus, keys down 1 dB and "
               "gtr2 up 1 dB!\nthe theremin louder")
    assert split_notes(message)[0] == ["Vocal up 2 dB", "a touch brighter"]
    edits, refusals = _parse(session_path, message)
    assert [(e.kind, [n for _, n in e.strips], e.amount, e.spans) for e in edits] == [
        ("level", ["Lead Vox"], 2.0, None), ("eq", ["Lead Vox"], 1.0, None), ("level", ["bass"], -2.0, None),
        ("level", ["keys"], -1.0, CHORUS), ("level", ["gtr2"], 1.0, CHORUS)]
    assert [r.note for r in refusals] == ["the theremin louder"]


@pytest.mark.parametrize("text, size", [("a touch", 1.0), ("slightly", 1.0), ("a little", 1.5), ("a bit", 2.0),
                                        ("", 2.0), ("quite a bit", 3.5), ("a lot", 5.0), ("3 dB", 3.0),
                                        ("by 2.5db", 2.5), ("half a dB", 0.5)])
def test_vague_amounts_map_to_documented_sizes(text, size):
    explicit, vague, _ = parse_amount(f"vocal up {text}")
    assert scaled("level", explicit, vague) == size
    assert scaled("pan", explicit, vague) == pytest.approx(size * 0.1)


def test_a_request_naming_an_unknown_part_never_borrows_the_previous_track(session_path):
    edits, refusals = _parse(session_path, "vocal up 2 dB and the theremin down, and a touch brighter")
    assert [(e.kind, [n for _, n in e.strips]) for e in edits] == [("level", ["Lead Vox"]), ("eq", ["Lead Vox"])]
    assert [r.note for r in refusals] == ["the theremin down"]


@pytest.mark.parametrize("note, kind, band, sign", [
    ("the keys are too wide", "width", None, -1), ("the keys are too narrow", "width", None, +1),
    ("keys wider", "width", None, +1), ("more width on the keys", "width", None, +1),
    ("too much width on the keys", "width", None, -1), ("the keys are a bit too mono", "width", None, +1),
    ("the vocal is too bright", "eq", "highshelf", -1), ("vocal brighter", "eq", "highshelf", +1),
    ("the vocal is too dark", "eq", "highshelf", +1), ("vocal darker", "eq", "highshelf", -1),
    ("the vocal is too loud", "level", None, -1), ("the vocal is too quiet", "level", None, +1),
    ("vocal louder", "level", None, +1), ("more of the vocal", "level", None, +1),
    ("too much of the vocal", "level", None, -1),
    ("the vocal is too dry", "send", None, +1), ("the vocal is too wet", "send", None, -1),
    ("too much reverb on the vocal", "send", None, -1), ("too little reverb on the vocal", "send", None, +1),
    ("more reverb on the vocal", "send", None, +1), ("vocal drier", "send", None, -1),
    ("the kick is too boomy", "eq", "peak", -1), ("less boomy kick", "eq", "peak", -1),
    ("the bass is too muddy", "eq", "peak", -1), ("the vocal is too thin", "eq", "lowshelf", +1),
    ("the bass is too heavy", "eq", "lowshelf", -1), ("the bass fuller", "eq", "lowshelf", +1),
    ("too much low end on the bass", "eq", "lowshelf", -1), ("the vocal is way too present", "eq", "peak", -1),
    ("the vocal is too sibilant", "deesser", "deesser", -1),
    ("the vocal is too compressed", "compress", None, -1), ("more compression on the vocal", "compress", None, +1),
    ("the drums are too punchy", "attack", None, -1), ("punchier drums", "attack", None, +1),
    ("gtr1 is too far left", "pan", None, +1), ("gtr1 more to the left", "pan", None, -1),
])
def test_too_x_asks_for_less_x_and_more_x_for_more(session_path, note, kind, band, sign):
    """A complaint "too X" turns round what "more X" asks; a fault word ("too boomy") asks for its fix either way."""
    edits, refusals = _parse(session_path, note)
    assert not refusals and len(edits) == 1, (edits, refusals)
    e = edits[0]
    assert e.kind == kind and e.settings.get("band") == band and np.sign(e.amount) == sign


def test_too_with_no_opposite_is_refused(session_path):
    edits, refusals = _parse(session_path, "the vocal is too centred")
    assert not edits and "no change I can read" in refusals[0].why
