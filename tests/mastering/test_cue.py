"""CUE sheets: CD time arithmetic (75 frames a second) and a sheet that reads back as written."""

import pytest

from studioflow.errors import ParameterError
from studioflow.mastering.cue import CueTrack, msf, parse_cue, parse_msf, render_cue


@pytest.mark.parametrize("frames,text", [(0, "00:00:00"), (74, "00:00:74"), (75, "00:01:00"), (4500, "01:00:00"),
                                         (359_775, "79:57:00"), (2 * 4500 + 3 * 75 + 12, "02:03:12")])
def test_msf_both_ways(frames, text):
    assert msf(frames) == text
    assert parse_msf(text) == frames


@pytest.mark.parametrize("bad", ["00:00:75", "1:2:3", "00:60:00", "a:00:00"])
def test_bad_times_are_refused(bad):
    with pytest.raises(ParameterError, match="CD time"):
        parse_msf(bad)


def test_sheet_round_trip():
    tracks = [CueTrack(1, "One", "Band", "GBABC2500001", None, 0),
              CueTrack(2, 'Say "Hi"', "Band", None, 1000, 1150)]
    text = render_cue(title="EP", performer="Band", file_name="cd-image.wav", tracks=tracks, catalog="036000291452",
                      year=2025)
    sheet = parse_cue(text)
    assert sheet["catalog"] == "0036000291452"     # UPC-A written as 13 digits
    assert (sheet["title"], sheet["performer"], sheet["file"]) == ("EP", "Band", "cd-image.wav")
    assert [t["number"] for t in sheet["tracks"]] == [1, 2]
    assert sheet["tracks"][0]["isrc"] == "GBABC2500001" and sheet["tracks"][1]["isrc"] is None
    assert sheet["tracks"][0]["index"] == {1: 0}
    assert sheet["tracks"][1]["index"] == {0: 1000, 1: 1150}
    assert "TRACK 02 AUDIO" in text and "INDEX 00 00:13:25" in text and "INDEX 01 00:15:25" in text
    # the ISRC line comes after TRACK and before the first INDEX of its track
    lines = [ln.strip() for ln in text.splitlines()]
    assert lines.index("ISRC GBABC2500001") < lines.index("INDEX 01 00:00:00")
