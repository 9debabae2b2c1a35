"""Release tags with mutagen: round trips per format, audio untouched, copies atomic, values validated."""

from __future__ import annotations

import struct
import zlib

import numpy as np
import pytest

from studioflow.audio import files
from studioflow.audio.encode import decode, encode
from studioflow.audio.tags import read_tags, write_tags
from studioflow.errors import AudioFileError, ParameterError

RATE = 48000


def _png(width: int = 3, height: int = 2) -> bytes:
    """A tiny valid RGB PNG built in code."""
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
    rows = b"".join(b"\x00" + b"\x80\x20\x10" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def _make(tmp_path, suffix: str):
    x = (0.25 * np.sin(2 * np.pi * 440 * np.arange(9600) / RATE)).astype(np.float32)[np.newaxis].repeat(2, 0)
    path = tmp_path / f"song{suffix}"
    if suffix in (".wav", ".flac"):
        files.write(path, x, RATE)
    else:
        encode(x, RATE, path, codec={".mp3": "mp3", ".m4a": "aac", ".opus": "opus"}[suffix], bitrate_kbps=96)
    return path


TAGS = dict(title="Nuit Blanche – Part 2", artist="Les Étoiles", album="Été", album_artist="Les Étoiles & Co",
            track_number=3, track_total=11, disc_number=1, disc_total=2, isrc="fr-z03-25-00042", upc="036000291452",
            year=2025)


@pytest.mark.parametrize("suffix", [".wav", ".flac", ".mp3", ".m4a", ".opus"])
def test_tags_round_trip_and_audio_is_untouched(tmp_path, suffix):
    path = _make(tmp_path, suffix)
    (tmp_path / "cover.png").write_bytes(_png())
    assert read_tags(path) == dict.fromkeys([*TAGS, "cover", "cover_mime"])
    before = decode(path)[0]

    assert write_tags(path, cover_path=tmp_path / "cover.png", **TAGS) == path
    got = read_tags(path)
    assert got == {**TAGS, "isrc": "FRZ032500042", "cover": _png(), "cover_mime": "image/png"}
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["cover.png", path.name])
    np.testing.assert_array_equal(decode(path)[0], before)  # the audio is the same
    if suffix in (".wav", ".flac"):
        np.testing.assert_array_equal(files.read(path)[0], before)  # and libsndfile still reads it

    write_tags(path, title="Renamed", track_number=4)  # others keep their values
    again = read_tags(path)
    assert again["title"] == "Renamed" and again["track_number"] == 4 and again["track_total"] == 11
    assert again["artist"] == TAGS["artist"] and again["cover"] == _png()


def test_out_path_leaves_the_source_alone(tmp_path):
    src = _make(tmp_path, ".flac")
    original = src.read_bytes()
    jpeg = b"\xff\xd8\xff\xe0" + bytes(range(200)) + b"\xff\xd9"
    (tmp_path / "c.jpg").write_bytes(jpeg)
    out = write_tags(src, out_path=tmp_path / "tagged.flac", title="T", cover_path=tmp_path / "c.jpg")
    assert src.read_bytes() == original
    got = read_tags(out)
    assert got["title"] == "T" and got["cover"] == jpeg and got["cover_mime"] == "image/jpeg"


@pytest.mark.parametrize("kwargs,needle", [
    ({"isrc": "US-XYZ-1"}, "ISRC 'US-XYZ-1' has 6 characters"),
    ({"upc": "036000291453"}, "the check digit is 3 but should be 2"),
    ({"disc_number": 3, "disc_total": 2}, "disc_number 3 is past disc_total 2"),
    ({"year": 25}, "year must be a four-digit number"),
    ({"track_number": 0}, "track_number must be a whole number from 1"),
    ({"track_number": 5, "track_total": 4}, "track_number 5 is past track_total 4"),
    ({"title": 7}, "title must be text"),
    ({"cover_path": "nowhere.png"}, "cover nowhere.png: no such file"),
])
def test_bad_values_are_refused_and_nothing_changes(tmp_path, kwargs, needle):
    path = _make(tmp_path, ".wav")
    original = path.read_bytes()
    with pytest.raises(ParameterError, match=needle):
        write_tags(path, **kwargs)
    assert path.read_bytes() == original
    assert [p.name for p in tmp_path.iterdir()] == ["song.wav"]


def test_unsupported_and_missing_files(tmp_path):
    (tmp_path / "a.aiff").write_bytes(b"x")
    with pytest.raises(AudioFileError, match="a.aiff: cannot tag .aiff"):
        write_tags(tmp_path / "a.aiff", title="x")
    with pytest.raises(AudioFileError, match="gone.mp3: no such file"):
        read_tags(tmp_path / "gone.mp3")
    (tmp_path / "fake.flac").write_text("not flac at all")
    with pytest.raises(AudioFileError, match="fake.flac: cannot write tags"):
        write_tags(tmp_path / "fake.flac", title="x")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.aiff", "fake.flac"]
