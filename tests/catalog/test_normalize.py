import numpy as np
import pytest
from catalog_checks import loudness_and_peak
from catalog_songs import make_song

from studioflow.audio.files import write
from studioflow.catalog.normalize import normalize_song
from studioflow.errors import AudioFileError
from studioflow.mastering.manifest import sha256_file
from studioflow.mastering.targets import resolve_target


def test_quiet_song_with_room_gets_gain_only(tmp_path):
    src = make_song(tmp_path / "quiet.wav", 4.0, -30.0, seed=1)
    before = sha256_file(src)
    done = normalize_song(src, tmp_path / "out.wav", resolve_target("ebu-r128"))
    assert not done["limited"] and done["limiter_max_db"] == 0.0
    assert done["gain_db"] == pytest.approx(-23.0 - done["before"]["integrated_lufs"], abs=0.01)
    lufs, peak = loudness_and_peak(tmp_path / "out.wav")
    assert abs(lufs - -23.0) <= 0.5 and peak <= -1.0
    assert abs(done["after"]["integrated_lufs"] - -23.0) <= 0.05
    assert sha256_file(src) == before                       # the input is never modified


@pytest.mark.parametrize("lufs_in, overs_db, limited", [(-20.0, 3.0, True), (-10.0, 2.0, False)])
def test_the_limiter_runs_only_where_the_gain_would_go_over_the_ceiling(tmp_path, lufs_in, overs_db, limited):
    src = make_song(tmp_path / "loud.wav", 4.0, lufs_in, seed=2, overs_db=overs_db)
    target = resolve_target("apple-music")
    done = normalize_song(src, tmp_path / "out.wav", target)
    assert done["before"]["true_peak_dbtp"] > 0.0
    assert done["limited"] is limited
    assert (done["limiter_max_db"] > 0.5) is limited        # turned down, the overs need no limiter
    lufs, peak = loudness_and_peak(tmp_path / "out.wav")
    assert abs(lufs - target.lufs) <= 0.5
    assert peak <= target.ceiling_dbtp
    assert done["after"]["true_peak_dbtp"] <= target.ceiling_dbtp


def test_silence_is_an_error_and_leaves_nothing(tmp_path):
    write(tmp_path / "silent.wav", np.zeros((2, 44100), np.float32), 44100)
    with pytest.raises(AudioFileError, match="silent"):
        normalize_song(tmp_path / "silent.wav", tmp_path / "out.wav", resolve_target("spotify"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["silent.wav"]
