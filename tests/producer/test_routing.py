"""The note router against notes phrased as artists write them: the labelled corpus (train and held-out parts), the
reason always matching the role, the unsure path, and note ids unique within a project."""

import csv
from pathlib import Path

import pytest
import yaml

from studioflow.errors import ParameterError
from studioflow.producer import history
from studioflow.producer.notes import close_note, file_note, load, project_notes, reply_note
from studioflow.producer.routing import (
    CUES,
    PART_PRIOR_REASON,
    ROLE_TITLES,
    ROLES,
    UNSURE_BELOW,
    UNSURE_REASON,
    route_note,
)
from studioflow.producer.songs import add_song

CORPUS = Path(__file__).with_name("notes_corpus.tsv")
# the issue's goal on both parts; reached when this was written: train 100% (357), held-out 97.4% (149/153)
GOAL = 0.97


def corpus(part: str) -> list[dict[str, str]]:
    """Rows of the corpus part ("train" or "heldout"): split, role, kind, text."""
    lines = [ln for ln in CORPUS.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return [r for r in csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE) if r["split"] == part]


def test_the_corpus_is_large_labelled_and_split_once():
    train, held = corpus("train"), corpus("heldout")
    assert len(train) + len(held) >= 450
    assert 0.25 <= len(held) / (len(train) + len(held)) <= 0.35
    assert not {r["text"] for r in train} & {r["text"] for r in held}
    for part in (train, held):
        assert {r["role"] for r in part} == set(ROLES)
    kinds = {r["kind"] for r in train + held}
    assert {"project", "alt-version", "sequencing", "capture", "section-tone", "mixed", "unsure"} <= kinds


@pytest.mark.parametrize("part", ["train", "heldout"])
def test_corpus_accuracy_reaches_the_goal(part):
    rows = corpus(part)
    misses = [(r["text"], r["role"], route_note(r["text"]).role) for r in rows
              if route_note(r["text"]).role != r["role"]]
    accuracy = 1 - len(misses) / len(rows)
    assert accuracy >= GOAL, f"{part}: {accuracy:.1%} < {GOAL:.0%}; misses: {misses}"


@pytest.mark.parametrize("part", ["train", "heldout"])
def test_every_reason_comes_from_a_cue_of_the_role_it_picked(part):
    for row in corpus(part):
        r = route_note(row["text"])
        d = r.as_dict()
        assert d["role"] == r.role and d["unsure"] == r.unsure
        if r.unsure:
            assert r.role == "producer" and r.reason.startswith(UNSURE_REASON), row["text"]
            continue
        allowed = {c.reasons[r.role].format(subject=r.subject) for c in CUES if r.role in c.reasons}
        allowed.add(PART_PRIOR_REASON.format(subject=r.subject))
        assert r.reason in allowed, f"{row['text']!r} -> {r.role}: {r.reason}"
        others = [t for role, t in ROLE_TITLES.items() if role != r.role]
        assert ROLE_TITLES[r.role] in r.reason and not any(t in r.reason for t in others), (row["text"], r.reason)


@pytest.mark.parametrize("text,role,words", [
    ("drums feel kinda wimpy, I want the kick to hit me in the chest", "mixing", "punch"),
    ("muddy and dark, can it breathe more on top?", "mastering", "tonal balance"),
    ("the bass disappears on my phone", "mastering", "mastering engineer"),
    ("the input level was too low when we tracked the bass", "recording", "captured"),
    ("the guitar gets harsh around the bridge", "mixing", "EQ"),
    ("when is the release date?", "producer", "schedule"),
    ("can we do an acoustic version?", "producer", "versions"),
    ("the gap between track 3 and 4 is too long", "mastering", "between songs"),
])
def test_the_issues_examples_get_the_role_and_a_matching_reason(text, role, words):
    r = route_note(text)
    assert (r.role, r.unsure) == (role, False), f"{text!r} -> {r.role}: {r.reason}"
    assert words in r.reason


@pytest.mark.parametrize("text", ["hmm", "idk, something feels off", "can we talk about it?", ""])
def test_unsure_notes_go_to_the_producer_flagged(text):
    r = route_note(text)
    d = r.as_dict()
    assert r.role == "producer" and r.unsure and d["unsure"] is True
    assert r.confidence < UNSURE_BELOW and d["role_title"] == "producer"
    assert r.reason.startswith("I am not sure: the producer will look")


def test_a_note_pulled_two_ways_is_unsure_and_keeps_the_guess():
    r = route_note("it's too bright and too narrow")
    assert r.unsure and r.role == "producer" and r.guess in ("mixing", "mastering")
    assert r.as_dict()["guess"] == r.guess


def test_a_clear_note_is_sure():
    r = route_note("the vocal is buried in the chorus")
    assert not r.unsure and r.confidence >= UNSURE_BELOW and r.as_dict()["unsure"] is False


def test_note_ids_are_unique_across_the_songs_of_a_project(project, stems_dir):
    add_song(project, "Second Song", stems=stems_dir)
    ids = [file_note(project, song, text)["id"] for song, text in [
        ("First Song", "the snare is too ringy"), ("Second Song", "the bridge drags"),
        ("Second Song", "the vocal is pitchy"), ("First Song", "too quiet on spotify")]]
    assert ids == [1, 2, 3, 4]
    listed = [n["id"] for items in project_notes(project).values() for n in items]
    assert sorted(listed) == [1, 2, 3, 4]
    closed = close_note(project, "Second Song", 2, by="producer")
    assert closed["text"] == "the bridge drags"


def test_a_project_with_ids_counted_per_song_still_reads_and_new_ids_go_above(project, stems_dir):
    add_song(project, "Second Song", stems=stems_dir)
    first = file_note(project, "First Song", "the snare is too ringy")
    second_dir = project / "songs" / "second-song"
    legacy = {**first, "song": "Second Song", "text": "the bridge drags", "role": "producer"}
    (second_dir / "notes.yaml").write_text(yaml.safe_dump({"notes": [legacy]}, sort_keys=False))
    assert [n["id"] for n in load(second_dir)] == [1]
    assert sorted(n["id"] for items in project_notes(project).values() for n in items) == [1, 1]
    assert file_note(project, "Second Song", "the hats are harsh")["id"] == 2
    assert close_note(project, "Second Song", 1, by="producer")["text"] == "the bridge drags"
    assert close_note(project, "First Song", 1)["text"] == "the snare is too ringy"


def test_a_reply_is_kept_with_its_note_and_recorded(project):
    note = file_note(project, "First Song", "the snare is too ringy")
    replied = reply_note(project, "First Song", note["id"], "try 2 dB less at 900 Hz", by="Sam")
    stored = load(project / "songs" / "first-song")[0]
    assert stored["replies"] == replied["replies"] and len(stored["replies"]) == 1
    assert stored["replies"][0]["by"] == "Sam" and stored["replies"][0]["text"] == "try 2 dB less at 900 Hz"
    assert [e["event"] for e in history.read(project)][-1] == "note-reply"
    with pytest.raises(ParameterError, match="no note 99"):
        reply_note(project, "First Song", 99, "hello")


# --- earlier cases, kept ------------------------------------------------------------------------------------------

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
    assert r.role == "producer" and r.confidence < 0.5 and r.unsure


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
