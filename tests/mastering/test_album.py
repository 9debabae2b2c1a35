"""The album end to end: songs mastered as a set, the package in OUT_DIR, the CD image against its CUE sheet."""

import hashlib
import json

import numpy as np
import pytest
from albumkit import song, write_album

from studioflow.audio.files import info, read
from studioflow.audio.tags import read_tags
from studioflow.mastering.album import make_album
from studioflow.mastering.cue import SAMPLES_PER_FRAME, parse_cue

ALBUM = """title: Test EP
artist: The Testers
catalog: "036000291452"
year: 2025
cover: cover.png
target: spotify
formats: [wav24, wav16, flac, mp3, aac, cd]
tracks:
  - mix: single.wav
    title: The Single
    isrc: US-S1Z-25-00001
  - mix: ballad.wav
    title: The Ballad
    isrc: US-S1Z-25-00002
    gap_s: 1.5
    fade_out_s: 0.5
  - mix: closer.wav
    title: Closer
    isrc: US-S1Z-25-00003
    gap_s: 0.4
  - mix: outro.wav
    title: Outro
    crossfade_s: 0.6
"""


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    folder = tmp_path_factory.mktemp("album")
    # a CD track lasts at least 4 s from its INDEX 01 to the next
    songs = {"single.wav": song(4.1, -16, "bright", 1), "ballad.wav": song(4.0, -22, "dark", 2),
             "closer.wav": song(4.7, -19, "bright", 3), "outro.wav": song(4.1, -20, "dark", 4)}
    path = write_album(folder, ALBUM, songs)
    import matplotlib.pyplot as plt

    plt.imsave(folder / "cover.png", np.random.default_rng(0).random((16, 16, 3)))
    record = make_album(path, folder / "out")
    return folder / "out", record


def test_loudest_on_target_and_relative_loudness_kept(release):
    _, rec = release
    songs = rec["songs"]
    loudest = max(s["after"]["integrated_lufs"] for s in songs)
    assert loudest == pytest.approx(-14.0, abs=0.1)          # master() lands within 0.1 LU
    for s in songs:
        mix_rel = s["before"]["relative_lu"]
        assert s["intended_relative_lu"] == pytest.approx(mix_rel, abs=1e-6)
        assert s["after"]["relative_lu"] == pytest.approx(mix_rel, abs=0.2)   # two masters, 0.1 LU each
    ballad = next(s for s in songs if s["title"] == "The Ballad")
    assert ballad["after"]["relative_lu"] < -4.0              # the ballad stays quieter than the single


def test_tonal_balance_brought_closer(release):
    _, rec = release
    assert rec["tonal_spread_db"]["after"] < 0.7 * rec["tonal_spread_db"]["before"]
    assert all(s["stages"][0]["name"] == "album tonal match" for s in rec["songs"])


def test_cue_sheet_matches_the_cd_image(release):
    out, rec = release
    sheet = parse_cue((out / "cd-image.cue").read_text())
    assert sheet["catalog"] == "0036000291452" and sheet["file"] == "cd-image.wav"
    assert [t["number"] for t in sheet["tracks"]] == [1, 2, 3, 4]
    assert [t["isrc"] for t in sheet["tracks"]] == ["USS1Z2500001", "USS1Z2500002", "USS1Z2500003", None]
    meta = info(out / "cd-image.wav")
    assert (meta.sample_rate, meta.channels, meta.subtype) == (44100, 2, "PCM_16")
    assert meta.frames % SAMPLES_PER_FRAME == 0
    image, _ = read(out / "cd-image.wav")
    level = np.max(np.abs(image), axis=0)
    tracks = sheet["tracks"]
    assert tracks[0]["index"] == {1: 0}
    for t in tracks[1:3]:          # gap tracks: silence from INDEX 00, audio from exactly INDEX 01
        start00, start01 = t["index"][0] * SAMPLES_PER_FRAME, t["index"][1] * SAMPLES_PER_FRAME
        assert t["index"][1] - t["index"][0] == {2: 112, 3: 30}[t["number"]]   # 1.5 s and 0.4 s in frames
        assert level[start00:start01].max() == 0                             # digital silence: no dither
        assert level[start01] > 0.01
    # the crossfaded track has no INDEX 00 and starts where the record says its audio starts (same rate: exact)
    assert set(tracks[3]["index"]) == {1}
    assert tracks[3]["index"][1] * SAMPLES_PER_FRAME == rec["songs"][3]["spot"]["start_sample"]
    assert level[tracks[3]["index"][1] * SAMPLES_PER_FRAME - 200:tracks[3]["index"][1] * SAMPLES_PER_FRAME].min() > 0


def test_per_track_files_are_tagged(release):
    out, rec = release
    names = sorted(p.name for p in out.iterdir())
    assert not [n for n in names if n.startswith(".")]            # no temporary files left behind
    for suffix in (".wav", "-16bit-44k1.wav", ".flac", ".mp3", ".m4a"):
        tags = read_tags(out / f"02 - The Ballad{suffix}")
        assert (tags["title"], tags["artist"], tags["album"], tags["album_artist"]) == \
            ("The Ballad", "The Testers", "Test EP", "The Testers")
        assert (tags["track_number"], tags["track_total"], tags["isrc"], tags["year"]) == (2, 4, "USS1Z2500002", 2025)
        assert (tags["disc_number"], tags["disc_total"], tags["upc"]) == (1, 1, "036000291452")
        assert tags["cover"] == (out.parent / "cover.png").read_bytes()
    assert info(out / "02 - The Ballad-16bit-44k1.wav").subtype == "PCM_16"
    assert info(out / "02 - The Ballad.wav").subtype == "PCM_24"


def test_manifest_lists_every_file_with_its_checksum(release):
    out, _ = release
    manifest = json.loads((out / "manifest.json").read_text())
    listed = {f["path"] for f in manifest["files"]}
    assert listed == {p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file()} - {"manifest.json"}
    for f in manifest["files"]:
        assert f["sha256"] == hashlib.sha256((out / f["path"]).read_bytes()).hexdigest()
        if f["path"].endswith((".wav", ".flac", ".mp3", ".m4a")):
            assert f["duration_s"] > 0 and f["integrated_lufs"] < -10 and f["true_peak_dbtp"] <= -1.0
    cd = next(f for f in manifest["files"] if f["path"] == "cd-image.wav")
    assert cd["duration_s"] == pytest.approx(info(out / "cd-image.wav").frames / 44100)


def test_48k_album_cd_image_is_resampled_onto_its_frames(tmp_path):
    body = ("title: EP\nartist: Band\nformats: [wav24, cd]\ntracks:\n  - mix: a.wav\n    title: A\n"
            "  - mix: b.wav\n    title: B\n    gap_s: 0.5\n")
    path = write_album(tmp_path, body, {"a.wav": song(4.1, -18, "dark", 1, 48000),
                                         "b.wav": song(4.0, -20, "bright", 2, 48000)}, 48000)
    rec = make_album(path, tmp_path / "out", report=False)
    assert info(tmp_path / "out" / "01 - A.wav").sample_rate == 48000
    meta = info(tmp_path / "out" / "cd-image.wav")
    assert meta.sample_rate == 44100 and meta.frames == rec["cd"]["total_frames"] * SAMPLES_PER_FRAME
    sheet = parse_cue((tmp_path / "out" / "cd-image.cue").read_text())
    t2 = sheet["tracks"][1]["index"]
    assert t2[1] - t2[0] == round(0.5 * 75)
    # at 48 kHz a frame is 640 samples: the song starts on one, and after soxr on sample 588 x INDEX 01 of the CD
    assert rec["songs"][1]["spot"]["start_sample"] == t2[1] * 640
    image, _ = read(tmp_path / "out" / "cd-image.wav")
    level = np.max(np.abs(image), axis=0)
    onset = t2[1] * SAMPLES_PER_FRAME
    assert level[onset - 200:onset - 8].max() < 0.01 <= level[onset:onset + 8].max()   # within the filter's ringing


def test_an_earlier_release_is_never_replaced_unasked(tmp_path):
    from studioflow.errors import OutputExistsError

    body = "title: EP\nartist: Band\nformats: [wav24]\ntracks:\n  - mix: a.wav\n    title: A\n"
    path = write_album(tmp_path, body, {"a.wav": song(1.0, -18, "dark", 1, 48000)}, 48000)
    make_album(path, tmp_path / "out", report=False)
    first = (tmp_path / "out" / "manifest.json").read_bytes()
    with pytest.raises(OutputExistsError, match="already holds a release"):
        make_album(path, tmp_path / "out", report=False)
    assert (tmp_path / "out" / "manifest.json").read_bytes() == first
    make_album(path, tmp_path / "out", report=False, overwrite=True)
