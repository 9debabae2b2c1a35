"""The note router against notes phrased as artists write them."""

import pytest

from studioflow.producer.routing import route_note

NOTES = [
    # the recording engineer: performance, tuning, noise, takes
    ("the second take is out of tune", "recording"),
    ("the vocal is pitchy in the second verse", "recording"),
    ("there's a wrong note in the bass at 1:12", "recording"),
    ("the guitar solo is sloppy, can we punch in a better one", "recording"),
    ("drums are rushing in the chorus", "recording"),
    ("I hear a hum on the acoustic guitar", "recording"),
    ("there's a click at 2:03 in the vocal", "recording"),
    ("the bass player is behind the beat in the bridge", "recording"),
    ("can we comp the best lines from takes 2 and 5", "recording"),
    ("there's bleed from the drums in the vocal mic", "recording"),
    ("the vocal sounds flat on the high note", "recording"),
    ("some hiss on the keys track", "recording"),
    # the mixing engineer: balance, tone, dynamics, space of parts
    ("the vocal is buried in the chorus", "mixing"),
    ("the snare is too ringy", "mixing"),
    ("can the kick be punchier", "mixing"),
    ("bass is too loud", "mixing"),
    ("I can't hear the guitars", "mixing"),
    ("the vocal is harsh", "mixing"),
    ("more reverb on the vocal", "mixing"),
    ("the drums sound too dry", "mixing"),
    ("pan the keys wider", "mixing"),
    ("the hats are too bright", "mixing"),
    ("the low end of the kick and bass is muddy", "mixing"),
    ("the synth pad masks the vocal", "mixing"),
    ("the backing vocals stick out too much", "mixing"),
    ("guitar more to the left", "mixing"),
    ("the delay on the lead is too loud", "mixing"),
    ("the vocal jumps out in places", "mixing"),
    ("drums should hit harder", "mixing"),
    ("piano sounds boxy", "mixing"),
    # the mastering engineer: the whole record, loudness, platforms, consistency, delivery
    ("it's quieter than the other songs on Spotify", "mastering"),
    ("too quiet on Spotify", "mastering"),
    ("the whole song sounds a bit dull", "mastering"),
    ("the master is too loud and squashed", "mastering"),
    ("this track sounds quieter than the rest of the album", "mastering"),
    ("the gaps between songs are too long", "mastering"),
    ("it clips on Apple Music", "mastering"),
    ("overall it's too bright", "mastering"),
    ("can we get a 16-bit version for the CD", "mastering"),
    ("the ISRC on track 3 is wrong", "mastering"),
    ("song 4 stands out from the rest of the EP", "mastering"),
    ("the mix distorts on my phone", "mastering"),
    # the producer: arrangement, structure, tempo, vision
    ("the bridge drags", "producer"),
    ("the intro is too long", "producer"),
    ("the chorus needs more energy", "producer"),
    ("it feels a bit too slow, could we try 5 bpm faster", "producer"),
    ("the second verse is repetitive", "producer"),
    ("maybe add a breakdown before the last chorus", "producer"),
    ("it doesn't match the vibe we talked about", "producer"),
    ("the outro goes on too long", "producer"),
    ("what if we add some strings in the last chorus", "producer"),
    ("the song needs a key change at the end", "producer"),
]


@pytest.mark.parametrize("text,role", NOTES)
def test_note_goes_to_the_role_that_handles_it(text, role):
    routing = route_note(text)
    assert routing.role == role, f"{text!r} -> {routing.role} ({routing.reason}; cues {routing.cues})"
    assert routing.reason


def test_time_is_read_from_the_note():
    assert route_note("there's a click at 2:03 in the vocal").at == "2:03"
    assert route_note("the vocal is too loud from 1:20 to 1:45").at == "1:20-1:45"


def test_a_note_with_no_cue_goes_to_the_producer_with_low_confidence():
    r = route_note("hmm")
    assert r.role == "producer" and r.confidence < 0.5


@pytest.mark.parametrize("text,role", [
    ("can the kick be punchier", "mixing"),
    ("the snare needs to crack more", "mixing"),
    ("the drummer dragged in the bridge", "recording"),
    ("this is too compressed", "mastering"),
    ("make it louder", "mastering"),
    ("the chorus is too quiet", "mixing"),
    ("lyrics in verse 2 are hard to understand", "mixing"),
    ("can you make the guitars sound bigger", "mixing"),
    ("the bridge is dragging", "producer"),
])
def test_harder_phrasings(text, role):
    routing = route_note(text)
    assert routing.role == role, f"{text!r} -> {routing.role} ({routing.reason}; cues {routing.cues})"


@pytest.mark.parametrize("text,words", [
    ("make it louder", "loudness"),
    ("the ballad should stay quieter than the single", "between songs"),
    ("the master is too quiet compared to the reference", "loudness"),
])
def test_whole_song_notes_give_a_mastering_reason(text, words):
    routing = route_note(text)
    assert routing.role == "mastering"
    assert words in routing.reason and "between parts" not in routing.reason
