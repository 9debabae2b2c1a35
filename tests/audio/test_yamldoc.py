"""Round-trip YAML: read and written back unchanged; the layout guessed from the text."""

import re

import pytest

from studioflow.audio.yamldoc import annotate, dump_document, guess_layout, load_document
from studioflow.errors import SessionError


@pytest.mark.parametrize("text, layout", [
    ("a:\n  b: 1\nc:\n  - 1\n", (2, 2)),
    ("a:\n    b: 1\nc:\n- 1\n", (4, 0)),
    ("a: 1\n", (2, 0)),
])
def test_layout_is_read_off_the_text(text, layout):
    assert guess_layout(text) == layout


@pytest.mark.parametrize("text", [
    "# top\nx: 1   # one\nlist:\n  - {a: 1, b: 'q'}   # item\n  # between\n  - b: 2\n    c: [1, 2]\n",
    "x: 1\nlist:\n- a: 1\n  b: \"two\"\n- 3\n",
])
def test_unchanged_documents_are_written_back_as_read(tmp_path, text):
    path = tmp_path / "f.yaml"
    path.write_text(text)
    assert dump_document(load_document(path)) == text


def test_new_values_are_flow_lists_and_annotations_follow_comments(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("m:\n  a: 1  # mine\n  b: 2\n")
    doc = load_document(path)
    doc["m"]["a"] = 3
    doc["m"]["c"] = [[0.0, 1.0], [2.0, 3.0]]
    annotate(doc["m"], "a", "changed")
    annotate(doc["m"], "c", "new")
    assert re.fullmatch(r"m:\n  a: 3  # mine \| changed\n  b: 2\n  c: +# new\n  - \[0\.0, 1\.0\]\n  - \[2\.0, 3\.0\]\n",
                        dump_document(doc))


def test_unreadable_documents_say_where(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("a: [1, 2\n")
    with pytest.raises(SessionError, match=r"f.yaml:2 not valid YAML"):
        load_document(path)
    path.write_text("- 1\n")
    with pytest.raises(SessionError, match="not a mapping"):
        load_document(path)


def test_a_commented_flow_item_before_a_block_item_keeps_its_line_break(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("t:\n  # rhythm\n  - {name: kick}   # sampled\n  - name: bass\n    source: a.wav\n")
    text = dump_document(load_document(path))
    assert "  - name: bass\n    source: a.wav\n" in text and "sampled" in text and "# rhythm" in text


def test_a_key_whose_value_has_comments_before_it_takes_an_annotation(tmp_path):
    path = tmp_path / "f.yaml"
    path.write_text("s:\n  inserts:\n    # gain staging\n    - {type: gain, gain_db: 1.0}\n  pan: 0\n")
    doc = load_document(path)
    doc["s"]["inserts"].append({"type": "eq"})
    annotate(doc["s"], "inserts", "v002: ring cut")
    text = dump_document(doc)
    assert re.search(r"inserts: +# v002: ring cut\n    # gain staging\n"
                     r"    - \{type: gain, gain_db: 1\.0\}\n", text), text
