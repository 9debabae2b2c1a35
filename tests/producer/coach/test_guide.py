"""The guide: MIDI read back as written (tempo, meter, notes), keys parsed, bad files refused in one line."""

from __future__ import annotations

import pytest
from producer.coach.sung_takes import BPM, guide_notes

from studioflow.errors import ParameterError, SessionError
from studioflow.producer.coach.guide import Grid, nearest_in_key, note_name, parse_key, read_guide, write_guide


def test_midi_guide_reads_back_notes_tempo_and_meter(tmp_path):
    path = write_guide(tmp_path / "g.mid", guide_notes(), BPM, beats_per_bar=3)
    notes, grid = read_guide(path)
    assert grid == Grid(BPM, 3)
    assert [n.midi for n in notes] == [g.midi for g in guide_notes()]
    for got, want in zip(notes, guide_notes()):
        assert got.start_s == pytest.approx(want.start_s, abs=0.6e-3)     # one tick at 480 a beat is 1 ms
        assert got.end_s == pytest.approx(want.end_s, abs=0.6e-3)


def test_grid_names_bars_and_beats():
    grid = Grid(120.0)
    assert grid.bar_of(0.0) == 1 and grid.bar_of(1.999) == 1 and grid.bar_of(2.0) == 2
    assert grid.bar_beat(5.5) == "3:4" and grid.bar_beat(2.25) == "2:1.5" and grid.bar_beat(1.999) == "2:1"


@pytest.mark.parametrize("text, want", [("A minor", (9, "minor")), ("F#", (6, "major")), ("Bbm", (10, "minor")),
                                        ("eb major", (3, "major")), ("C", (0, "major"))])
def test_keys(text, want):
    assert parse_key(text) == want


def test_nearest_note_of_the_key():
    a_minor = parse_key("A minor")
    assert nearest_in_key(60.9, a_minor) == 60 and nearest_in_key(61.3, a_minor) == 62   # C# is not in A minor
    assert nearest_in_key(61.3, None) == 61 and note_name(69) == "A4" and note_name(61) == "C#4"


def test_bad_inputs_say_what_is_wrong(tmp_path):
    with pytest.raises(ParameterError, match="expected a key like"):
        parse_key("H dorian")
    junk = tmp_path / "junk.mid"
    junk.write_bytes(b"not a midi file at all")
    with pytest.raises(SessionError, match="junk.mid: not a readable MIDI file"):
        read_guide(junk)
    with pytest.raises(SessionError, match="no such MIDI file"):
        read_guide(tmp_path / "missing.mid")
