"""audio.yamlfile: plain data plus the line of every key path, and errors that name the line."""

import pytest

from studioflow.audio.yamlfile import NOT_HANDLED, load_located
from studioflow.errors import SessionError


def test_lines_of_key_paths(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("title: A\ntracks:\n  - mix: a.wav\n    gain: 3\n  - mix: b.wav\n")
    loc = load_located(path)
    assert loc.data == {"title": "A", "tracks": [{"mix": "a.wav", "gain": 3}, {"mix": "b.wav"}]}
    assert (loc.line("title"), loc.line("tracks[0].gain"), loc.line("tracks[1].mix")) == (1, 4, 5)
    assert loc.line("tracks[1].missing") == 5                     # the nearest parent's line
    assert str(loc.fail("tracks[0].gain", "too loud")) == "a.yaml:4 tracks[0].gain: too loud"


@pytest.mark.parametrize("text,words", [("a: 1\na: 2\n", "a.yaml:2 a: key given twice"),
                                        ("a: [1, 2\n", "a.yaml:2 not valid YAML")])
def test_bad_files_name_the_line(tmp_path, text, words):
    (tmp_path / "a.yaml").write_text(text)
    with pytest.raises(SessionError, match=words):
        load_located(tmp_path / "a.yaml")


def test_missing_file_and_scalar_hook(tmp_path):
    with pytest.raises(SessionError, match="album file not found"):
        load_located(tmp_path / "none.yaml", kind="album file")
    (tmp_path / "a.yaml").write_text("code: 0123\nn: 12\n")
    keep = load_located(tmp_path / "a.yaml", scalar=lambda n: n.value if n.value.startswith("0") else NOT_HANDLED)
    assert keep.data == {"code": "0123", "n": 12}
