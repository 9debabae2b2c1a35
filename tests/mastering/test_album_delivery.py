"""A two-song album read by tools nobody on the project wrote: shnsplit's pieces of the CD image equal the 16-bit
track files (shntool hash), the gap is zeros, every MP3/M4A decodes (ffmpeg) to its source's exact length, FLACs pass
flac -t, tags are complete in every format (metaflac, ffprobe, mutagen), the DDP fileset reads back equal to the CUE
sheet and the image, the 24-bit files are BWF. Two albums: the album kit's songs at 44.1 kHz, and beat songs (other
material: a decaying beat on pink noise) at 48 kHz, whose 16-bit master is resampled."""

from __future__ import annotations

import json
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf
from albumkit import song, write_album
from songs import beat_song

from studioflow.audio.bwf import read_bwf
from studioflow.audio.tags import TAG_KEYS, read_tags
from studioflow.mastering.album import make_album
from studioflow.mastering.cue import SAMPLES_PER_FRAME, parse_cue
from studioflow.mastering.ddp import PREGAP, read_ddp

TOOLS = ("shnsplit", "shntool", "cuebreakpoints", "flac", "metaflac", "ffmpeg", "ffprobe")
pytestmark = pytest.mark.skipif(any(shutil.which(t) is None for t in TOOLS),
                                reason="needs shntool, cuetools, flac and ffmpeg (scripts/setup-system.sh)")

BODY = """title: Two Songs
artist: The Testers
catalog: "036000291452"
year: 2025
cover: cover.png
formats: [wav24, wav16, flac, mp3, aac, cd]
tracks:
  - mix: a.wav
    title: First
    isrc: US-S1Z-25-00001
    fade_out_s: 0.8
  - mix: b.wav
    title: Second "Song"
    isrc: US-S1Z-25-00002
    gap_s: 1.5
"""
NAMES = ("01 - First", "02 - Second _Song_")


def _run(*args: str, cwd=None) -> str:
    return subprocess.run(args, check=True, capture_output=True, text=True, cwd=cwd).stdout


@pytest.fixture(scope="module", params=["kit-44k1", "beat-48k"])
def release(request, tmp_path_factory):
    folder = tmp_path_factory.mktemp(request.param)
    if request.param == "kit-44k1":
        rate, mixes = 44100, {"a.wav": song(4.3, -16, "bright", 1), "b.wav": song(4.1, -20, "dark", 2)}
    else:
        rate, mixes = 48000, {"a.wav": beat_song(-18, seconds=4.4), "b.wav": beat_song(-24, seconds=4.2) * 0.7}
    path = write_album(folder, BODY, mixes, rate)
    import matplotlib.pyplot as plt

    plt.imsave(folder / "cover.png", np.random.default_rng(0).random((16, 16, 3)))
    record = make_album(path, folder / "out", report=False)
    return folder / "out", record, rate


def test_shnsplit_pieces_equal_the_16bit_files_and_the_gap_is_zeros(release, tmp_path):
    out, rec, _ = release
    assert "WAVE format:                  0x0001 (Microsoft PCM)" in _run("shntool", "info", "cd-image.wav", cwd=out)
    _run("shnsplit", "-q", "-f", "cd-image.cue", "-d", str(tmp_path), "-o", "wav", "cd-image.wav", cwd=out)
    pieces = sorted(tmp_path.glob("split-track*.wav"))
    ours = [out / f"{n}-16bit-44k1.wav" for n in NAMES]
    hashes = [line.split()[0] for line in _run("shntool", "hash", *map(str, pieces + ours)).splitlines()]
    assert len(pieces) == 2 and hashes[:2] == hashes[2:]                  # sample for sample
    for f in ours:
        info = _run("shntool", "info", str(f))
        assert "0x0001 (Microsoft PCM)" in info and "Inconsistent header:        no" in info
    # cuebreakpoints (cuetools) reads the sheet: its split point is track 2's INDEX 01
    cue = parse_cue((out / "cd-image.cue").read_text())
    t2 = cue["tracks"][1]["index"]
    assert _run("cuebreakpoints", "cd-image.cue", cwd=out).split() == [
        f"{t2[1] // 4500}:{t2[1] // 75 % 60:02d}.{t2[1] % 75:02d}"]
    image, _ = sf.read(out / "cd-image.wav", dtype="int16")
    gap = image[t2[0] * SAMPLES_PER_FRAME:t2[1] * SAMPLES_PER_FRAME]
    assert gap.shape[0] == round(1.5 * 75) * SAMPLES_PER_FRAME
    # zeros: the fade that reached zero and the gap; after resampling (48 kHz) only soxr's pre-ringing of the next
    # song's onset (80 samples were measured) is not digital silence
    ringing = 0 if rec["sample_rate"] == 44100 else 128
    assert not gap[:gap.shape[0] - ringing].any()
    assert not image[-50:].any() or rec["sample_rate"] != 44100          # the pad to the last frame


def test_every_file_decodes_to_its_source_length(release):
    out, _, rate = release
    for name in NAMES:
        source = sf.info(out / f"{name}.wav").frames                    # the 24-bit master of the track
        for suffix in (".mp3", ".m4a", ".flac"):
            pcm = subprocess.run(["ffmpeg", "-v", "error", "-i", str(out / f"{name}{suffix}"), "-f", "s16le", "-"],
                                 check=True, capture_output=True).stdout
            assert len(pcm) // 4 == source, f"{name}{suffix}"
        probe = json.loads(_run("ffprobe", "-v", "error", "-of", "json", "-show_streams", "-select_streams", "a",
                                str(out / f"{name}.m4a")))["streams"][0]
        assert (probe["codec_name"], int(probe["sample_rate"]), probe["duration_ts"]) == ("aac", rate, source)
        assert sf.info(out / f"{name}-16bit-44k1.wav").samplerate == 44100
    _run("flac", "-t", "-s", *[str(out / f"{n}.flac") for n in NAMES])


def test_tags_are_complete_in_every_format(release):
    out, _, _ = release
    want = {"title": "Second \"Song\"", "artist": "The Testers", "album": "Two Songs", "album_artist": "The Testers",
            "track_number": 2, "track_total": 2, "disc_number": 1, "disc_total": 1, "isrc": "USS1Z2500002",
            "upc": "036000291452", "year": 2025}
    for suffix in (".wav", "-16bit-44k1.wav", ".flac", ".mp3", ".m4a"):
        tags = read_tags(out / f"{NAMES[1]}{suffix}")
        assert {k: tags[k] for k in TAG_KEYS} == want, suffix
        assert tags["cover"] == (out.parent / "cover.png").read_bytes()
    flac = dict(line.split("=", 1) for line in _run("metaflac", "--export-tags-to=-",
                                                     str(out / f"{NAMES[1]}.flac")).splitlines())
    assert {k: flac[k] for k in ("TITLE", "ALBUMARTIST", "TRACKNUMBER", "TRACKTOTAL", "ISRC", "UPC", "DATE")} == \
        {"TITLE": 'Second "Song"', "ALBUMARTIST": "The Testers", "TRACKNUMBER": "2", "TRACKTOTAL": "2",
         "ISRC": "USS1Z2500002", "UPC": "036000291452", "DATE": "2025"}
    assert "3 (Cover (front))" in _run("metaflac", "--list", "--block-type=PICTURE", str(out / f"{NAMES[1]}.flac"))
    for suffix in (".mp3", ".m4a"):
        tags = json.loads(_run("ffprobe", "-v", "error", "-of", "json", "-show_format",
                               str(out / f"{NAMES[1]}{suffix}")))["format"]["tags"]
        assert (tags["title"], tags["album_artist"], tags["track"], tags["disc"], tags["BARCODE"]) == \
            ('Second "Song"', "The Testers", "2/2", "1/1", "036000291452")


def test_24bit_masters_are_bwf_with_loudness_and_isrc(release):
    out, rec, _ = release
    bwf = read_bwf(out / f"{NAMES[0]}.wav")
    assert bwf["chunks"][:3] == ["fmt ", "bext", "data"] and bwf["format_tag"] == 1
    after = rec["songs"][0]["after"]
    assert bwf["bext"]["version"] == 2 and bwf["isrc"] == "USS1Z2500001"
    assert bwf["bext"]["loudness_value"] == pytest.approx(rec["songs"][0]["deliveries"][0]["integrated_lufs"],
                                                          abs=0.006)
    assert bwf["bext"]["max_true_peak_level"] <= -1.0 and bwf["bext"]["loudness_range"] is not None
    assert bwf["bext"]["loudness_value"] < after["integrated_lufs"]     # the track file holds its fade and gap too
    assert "A=PCM,F=" in bwf["bext"]["coding_history"]


def test_ddp_reads_back_as_the_cue_sheet_and_the_image(release):
    out, _, _ = release
    ddp = read_ddp(out / "DDP")
    cue = parse_cue((out / "cd-image.cue").read_text())
    assert ddp["upc"] == cue["catalog"] == "0036000291452" and ddp["pregap"] == PREGAP
    assert ddp["checksummed"] == ["DDPID", "DDPMS", "IMAGE.DAT", "PQDESCR"]
    assert [t["isrc"] for t in ddp["tracks"]] == [t["isrc"] for t in cue["tracks"]]
    assert ddp["tracks"][0]["index"] == {0: 0, 1: PREGAP}                 # track 1's 2 s pregap
    assert ddp["tracks"][1]["index"] == {k: v + PREGAP for k, v in cue["tracks"][1]["index"].items()}
    image, _ = sf.read(out / "cd-image.wav", dtype="int16")
    assert ddp["lead_out"] == PREGAP + image.shape[0] // SAMPLES_PER_FRAME
    raw = np.fromfile(ddp["image"], "<i2").reshape(-1, 2)
    assert not raw[:PREGAP * SAMPLES_PER_FRAME].any() and np.array_equal(raw[PREGAP * SAMPLES_PER_FRAME:], image)
