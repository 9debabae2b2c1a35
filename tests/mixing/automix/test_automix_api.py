"""automix given {track name: file} instead of a folder: the session plays exactly those files, links kept."""

from automix_stems import write_stems

from studioflow.mixing.automix import automix
from studioflow.mixing.session import load_session


def test_named_files_are_mixed_under_their_track_names(tmp_path):
    song = tmp_path / "song"
    paths = write_stems(song / "takes-raw")
    takes = {}
    for part, path in paths.items():
        folder = song / "takes" / part
        folder.mkdir(parents=True)
        (folder / "take-001.wav").write_bytes(path.read_bytes())
        (folder / "comp.wav").symlink_to("take-001.wav")   # the recording engineer's comp link
        takes[part] = folder / "comp.wav"
    report = automix(takes, song / "session.yaml", tempo=120)
    session = load_session(song / "session.yaml")
    assert sorted(t.name for t in session.tracks) == sorted(paths)
    text = (song / "session.yaml").read_text()
    for part in paths:
        assert f"source: takes/{part}/comp.wav" in text
    assert "from 7 given files" in text and report["tempo_bpm"] == 120
