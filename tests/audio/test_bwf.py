"""BWF: a bext chunk (EBU Tech 3285 v2) with loudness, the ISRC in axml (EBU Tech 3352), plain PCM, audio untouched."""

import numpy as np
import pytest

from studioflow.audio.bwf import make_bwf, read_bwf
from studioflow.audio.files import read
from studioflow.audio.stream import BlockWriter
from studioflow.audio.tags import read_tags, write_tags
from studioflow.errors import AudioFileError


def test_a_streamed_wav_becomes_a_plain_pcm_bwf_with_the_same_samples(tmp_path):
    path = tmp_path / "m.wav"
    x = (0.3 * np.random.default_rng(2).standard_normal((2, 5001))).astype(np.float32)
    with BlockWriter(path, 48000, 2, subtype="PCM_24") as w:     # length unknown: WAVE_FORMAT_EXTENSIBLE + JUNK
        w.write(x)
    assert read_bwf(path)["format_tag"] == 0xFFFE and "JUNK" in read_bwf(path)["chunks"]
    before, _ = read(path)
    write_tags(path, title="T", isrc="GB-ABC-25-00001")
    make_bwf(path, description="Band - T", originator="studioflow", isrc="GBABC2500001",
             loudness={"integrated_lufs": -14.004, "lra_lu": 5.2, "true_peak_dbtp": -1.13, "max_short_term_lufs": None},
             coding_history="A=PCM,F=48000,W=24,M=stereo,T=studioflow")
    got = read_bwf(path)
    assert got["chunks"] == ["fmt ", "bext", "data", "id3 ", "axml"] and got["format_tag"] == 1
    b = got["bext"]
    assert (b["description"], b["originator"], b["version"], b["loudness_value"], b["loudness_range"],
            b["max_true_peak_level"], b["max_short_term_loudness"]) == ("Band - T", "studioflow", 2, -14.0, 5.2,
                                                                        -1.13, None)
    assert b["coding_history"] == "A=PCM,F=48000,W=24,M=stereo,T=studioflow\r\n" and got["isrc"] == "GBABC2500001"
    np.testing.assert_array_equal(read(path)[0], before)            # libsndfile reads the same samples
    assert read_tags(path)["title"] == "T"                         # the tags kept
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.wav"]


def test_not_a_wav_is_refused(tmp_path):
    (tmp_path / "x.wav").write_bytes(b"not a riff file at all")
    with pytest.raises(AudioFileError, match="x.wav: not a RIFF WAVE file"):
        make_bwf(tmp_path / "x.wav", description="", originator="")
