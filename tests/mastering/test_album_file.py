"""ALBUM.yaml: identifiers checked (ISRC form, UPC/EAN check digit), and every problem named with its line."""

import numpy as np
import pytest
from albumkit import song, write_album

from studioflow.audio.codes import gs1_check_digit, normalise_catalog, normalise_isrc
from studioflow.errors import SessionError
from studioflow.mastering import cdimage
from studioflow.mastering.albumfile import load_album

HEAD = "title: EP\nartist: Band\n"


def test_isrc_forms():
    assert normalise_isrc("us-s1z-99-00001") == "USS1Z9900001"
    for bad in ("US-S1Z-99-0001", "USS1Z99000012", "U1-S1Z-99-00001", "US-S1Z-9X-00001"):
        with pytest.raises(ValueError, match="ISRC"):
            normalise_isrc(bad)


def test_gs1_check_digits():
    # published examples: UPC-A 036000291452 and EAN-13 4006381333931
    assert gs1_check_digit("03600029145") == 2
    assert gs1_check_digit("400638133393") == 1
    assert normalise_catalog("4006381333931") == "4006381333931"
    with pytest.raises(ValueError, match="check digit is 2 but should be 1"):
        normalise_catalog("4006381333932")


def _one(tmp_path, extra_top="", extra_track="", rate=44100):
    body = HEAD + extra_top + "tracks:\n  - mix: a.wav\n    title: A\n" + extra_track
    return write_album(tmp_path, body, {"a.wav": song(0.5, -20, "dark", 1, rate)}, rate)


@pytest.mark.parametrize("top,track,line,words", [
    ("", "    isrc: GB-ABC-25-0001\n", 6, "has 11 characters"),
    ('catalog: "036000291453"\n', "", 3, "should be 2"),
    ("", "    fade_out_s: 2\n", 6, "longer than the 0.50 s mix"),
    ("", "    colour: red\n", 6, "unknown key"),
    ("formats: [wav24, dvd]\n", "", 3, "unknown format 'dvd'"),
    ("", "    crossfade_s: 1\n", 6, "nothing to crossfade from"),
    ("target: spotfy\n", "", 3, "unknown mastering target 'spotfy'"),
    ("", "    overrides: {style: shouty}\n", 6, "shouty"),
])
def test_errors_name_the_line(tmp_path, top, track, line, words):
    path = _one(tmp_path, top, track)
    with pytest.raises(SessionError, match=words) as err:
        load_album(path)
    assert str(err.value).startswith(f"ALBUM.yaml:{line} ")
    assert "\n" not in str(err.value)


def test_missing_mix(tmp_path):
    path = write_album(tmp_path, HEAD + "tracks:\n  - mix: a.wav\n    title: A\n  - mix: gone.wav\n    title: B\n",
                       {"a.wav": song(0.5, -20, "dark", 1)})
    with pytest.raises(SessionError, match=r"ALBUM.yaml:6 tracks\[1\].mix: no such mix file"):
        load_album(path)


def test_a_rate_mp3_cannot_carry(tmp_path):
    path = _one(tmp_path, "formats: [wav24, mp3]\n", rate=96000)
    with pytest.raises(SessionError, match="mp3 cannot carry 96000 Hz"):
        load_album(path)
    path = _one(tmp_path, "formats: [wav24, flac]\n", rate=96000)
    assert load_album(path).sample_rate == 96000


def test_more_than_99_tracks_for_cd(tmp_path):
    tracks = "".join(f"  - {{mix: a.wav, title: T{i}, gap_s: 0}}\n" for i in range(100))
    path = write_album(tmp_path, HEAD + "formats: [wav24, cd]\ntracks:\n" + tracks,
                       {"a.wav": song(0.2, -20, "dark", 1)})
    with pytest.raises(SessionError, match="100 tracks: a CD holds at most 99"):
        load_album(path)


def test_cd_length_limits():
    spots, total = cdimage.plan([44100 * 300] * 12, [0] * 12, [0] * 12, [0] * 12, [0] * 12, 44100)
    assert total == 270_000 and cdimage.check_cd(spots, total) is None
    assert cdimage.check_cd(spots, 359_775) is None                          # exactly 79:57
    assert "longer than a CD's 79:57:00" in cdimage.check_cd(spots, 359_776)
    short, total = cdimage.plan([44100 * 5, 44100 * 3 + 5, 44100 * 5], [0, 0.5, 0], [0] * 3, [0] * 3, [0] * 3, 44100)
    assert "track 2 runs 3.01 s from its INDEX 01 to the next: a CD track lasts at least 4 s" in \
        cdimage.check_cd(short, total)


def test_plan_puts_tracks_on_frames():
    rate = 48000    # 640 samples a CD frame
    lengths = [48000 * 3 + 17, 48000 * 2 + 5, 48000 * 2 + 333]
    spots, total = cdimage.plan(lengths, [0, 2.0, 0], [0, 0, 0.5], [0, 0, 0], [0, 0, 0], rate)
    assert [s.start % 640 for s in spots] == [0, 0, 0]
    # track 2: the first frame boundary after track 1, then a 2 s (150 frame) gap
    assert spots[1].index00 == int(np.ceil((48000 * 3 + 17) / 640)) and spots[1].index01 == spots[1].index00 + 150
    # track 3: crossfade of at least 0.5 s, starting on a frame
    end2 = spots[1].start + lengths[1]
    assert spots[2].index00 is None and 0.5 * rate <= spots[2].overlap < 0.5 * rate + 640
    assert spots[2].start == end2 - spots[2].overlap
    assert spots[1].fade_out_s == pytest.approx(spots[2].overlap / rate)
    assert total == int(np.ceil((spots[2].start + lengths[2]) / 640))
