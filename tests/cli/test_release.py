"""``studioflow album`` and ``studioflow translation`` from the command line: outputs, JSON, reports, errors."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parents[1] / "mastering"))
from albumkit import song, write_album  # noqa: E402

from studioflow.cli.main import main  # noqa: E402


def _run(capsys, *args):
    try:
        main(list(args))
        code = 0
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.out, out.err


def test_help_ends_with_examples():
    for cmd in ("album", "translation"):
        text = subprocess.run([sys.executable, "-m", "studioflow.cli.main", cmd, "--help"], capture_output=True,
                              text=True, check=True).stdout.rstrip().splitlines()
        examples = [line.strip() for line in text].index("Examples:")
        assert all(line.strip().startswith(f"studioflow {cmd}") for line in text[examples + 1:])


def test_album_and_translation(tmp_path, capsys):
    body = ("title: EP\nartist: Band\nformats: [wav24, cd]\ntracks:\n  - mix: a.wav\n    title: A\n"
            "  - mix: b.wav\n    title: B\n    gap_s: 0.5\n")
    path = write_album(tmp_path, body, {"a.wav": song(4.1, -18, "dark", 1), "b.wav": song(4.0, -21, "bright", 2)})
    code, out, _ = _run(capsys, "album", str(path), "-o", str(tmp_path / "rel"), "--json")
    assert code == 0
    rec = json.loads(out)
    assert [s["title"] for s in rec["songs"]] == ["A", "B"]
    assert (tmp_path / "rel" / "cd-image.cue").is_file() and (tmp_path / "rel" / "manifest.json").is_file()

    code, out, _ = _run(capsys, "translation", str(tmp_path / "rel" / "01 - A.wav"), "--report",
                        str(tmp_path / "t.html"), "--system", "phone")
    assert code == 0 and "phone speaker" in out and "mono fold-down" in out
    html = (tmp_path / "t.html").read_text()
    assert html.count("data:image/png;base64,") == 2
    assert json.loads((tmp_path / "t.json").read_text())["checks"][0]["name"] == "phone"


def test_errors_are_one_line(tmp_path, capsys):
    body = "title: EP\nartist: Band\ntracks:\n  - mix: a.wav\n    title: A\n    isrc: XX-1\n"
    path = write_album(tmp_path, body, {"a.wav": song(0.5, -18, "dark", 1)})
    code, out, err = _run(capsys, "album", str(path), "-o", str(tmp_path / "rel"))
    assert code == 2 and out == ""
    assert err.startswith("studioflow: error: ALBUM.yaml:6 tracks[0].isrc: ISRC 'XX-1'") and err.count("\n") == 1
    assert not (tmp_path / "rel").exists()
    code, _, err = _run(capsys, "translation", str(tmp_path / "missing.wav"))
    assert code == 2 and "no such master file" in err
    assert np.isfinite(0.0)


def test_template_is_a_valid_album_file(tmp_path, capsys):
    code, out, _ = _run(capsys, "album", "--template")
    assert code == 0 and out.startswith("# ALBUM.yaml")
    (tmp_path / "mixes").mkdir()
    import matplotlib.pyplot as plt

    plt.imsave(tmp_path / "cover.png", np.zeros((4, 4, 3)))
    path = write_album(tmp_path, out, {f"mixes/{n}.wav": song(6.0, -20, "dark", 1)
                                       for n in ("single", "ballad", "closer")})
    from studioflow.mastering.albumfile import load_album

    album = load_album(path)
    assert [t.title for t in album.tracks] == ["The Single", "The Ballad", "Closer"]
    assert album.tracks[1].relative_lu == -3 and album.tracks[2].crossfade_s == 1.5


def test_a_project_without_approved_mixes_says_which(tmp_path, capsys):
    from studioflow.producer.project import create_project

    create_project(tmp_path / "ep", title="EP", artist="Band")
    code, _, err = _run(capsys, "album", str(tmp_path / "ep" / "project.yaml"), "-o", str(tmp_path / "rel"))
    assert code == 2 and "no song has an approved mix" in err and len(err.strip().splitlines()) == 1
