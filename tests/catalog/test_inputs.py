import numpy as np
import pytest

from studioflow.audio.encode import encode
from studioflow.audio.files import write
from studioflow.catalog.inputs import discover, is_audio, read_manifest
from studioflow.errors import ParameterError, SessionError

RATE = 44100


def _wav(path, seconds=0.5):
    """A short tone written as WAV, then given the name ``path`` (whatever its suffix)."""
    write(path.with_name("tmp.wav"), _tone(seconds), RATE).rename(path)


def _tone(seconds=0.5):
    t = np.arange(int(seconds * RATE)) / RATE
    return np.stack([0.3 * np.sin(2 * np.pi * 440 * t)] * 2).astype(np.float32)


def test_audio_is_recognised_by_content_not_by_name(tmp_path):
    _wav(tmp_path / "take.dat")                 # a WAV under another suffix
    write(tmp_path / "song.flac", _tone(), RATE)
    (tmp_path / "notes.wav").write_text("not audio at all\n")    # text under an audio suffix
    encode(_tone(1.0), RATE, tmp_path / "lossy.mp3", codec="mp3", bitrate_kbps=128).rename(tmp_path / "lossy.bin")
    assert is_audio(tmp_path / "take.dat")
    assert is_audio(tmp_path / "song.flac")
    assert is_audio(tmp_path / "lossy.bin")
    assert not is_audio(tmp_path / "notes.wav")
    assert not is_audio(tmp_path / "missing.wav")


def test_folders_are_searched_recursively_and_hidden_files_left_out(tmp_path):
    (tmp_path / "album" / "disc 2").mkdir(parents=True)
    write(tmp_path / "album" / "01.wav", _tone(), RATE)
    _wav(tmp_path / "album" / "disc 2" / "02.aif.data")
    _wav(tmp_path / "album" / ".01-x.123.part.wav")
    (tmp_path / "album" / "cover.txt").write_text("art")
    items, other = discover([tmp_path / "album", tmp_path / "album" / "01.wav"], tmp_path / "out")
    assert [i.path.name for i in items] == ["01.wav", "02.aif.data"]        # each file once
    assert other == 1


def test_csv_manifest_rows_with_titles_isrc_and_targets(tmp_path):
    write(tmp_path / "a.wav", _tone(), RATE)
    (tmp_path / "list.csv").write_text("Path,Title,ISRC,Target\na.wav,First,GB-ABC-25-00001,apple-music\n"
                                       "b.wav,Second,,-18\n")
    items, _ = discover([tmp_path / "list.csv"], tmp_path / "out")
    assert [(i.path, i.title, i.isrc, i.target) for i in items] == [
        (tmp_path / "a.wav", "First", "GB-ABC-25-00001", "apple-music"), (tmp_path / "b.wav", "Second", None, "-18")]
    assert items[1].where.endswith("list.csv:3")


def test_csv_manifest_errors_name_the_line(tmp_path):
    (tmp_path / "bad.csv").write_text("path,title,colour\na.wav,A,red\n")
    with pytest.raises(SessionError, match=r"bad.csv:1: unknown column 'colour'"):
        read_manifest(tmp_path / "bad.csv")
    (tmp_path / "empty.csv").write_text("path,title\na.wav,A\n,B\n")
    with pytest.raises(SessionError, match=r"empty.csv:3: the row has no path"):
        read_manifest(tmp_path / "empty.csv")


def test_output_folder_and_inputs_never_overlap(tmp_path):
    write(tmp_path / "a.wav", _tone(), RATE)
    with pytest.raises(ParameterError, match="inside the input folder"):
        discover([tmp_path], tmp_path / "out")
    (tmp_path / "out").mkdir()
    write(tmp_path / "out" / "b.wav", _tone(), RATE)
    with pytest.raises(ParameterError, match="inside the output folder"):
        discover([tmp_path / "out" / "b.wav"], tmp_path / "out")
    with pytest.raises(ParameterError, match="no inputs"):
        discover([], tmp_path / "out")
