"""What master leaves on disk: a complete set or nothing new, and never an earlier master replaced unasked."""

import pytest
from songs import RATE, beat_song

from studioflow.audio.files import write
from studioflow.cli.main import main
from studioflow.mastering import api, delivery


@pytest.fixture
def mix(tmp_path):
    path = tmp_path / "mix.wav"
    write(path, beat_song(-20.0, seconds=4.0), RATE, subtype="FLOAT")
    return path


def test_an_interrupted_master_takes_back_what_it_delivered(mix, tmp_path, monkeypatch):
    real = delivery.deliver

    def deliver(fmt, *args, **kwargs):
        if fmt == "flac":
            raise KeyboardInterrupt
        return real(fmt, *args, **kwargs)

    monkeypatch.setattr(delivery, "deliver", deliver)
    with pytest.raises(KeyboardInterrupt):
        api.master(mix, tmp_path / "m.wav", target="spotify", formats=("wav24", "wav16", "flac"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["mix.wav"]


def test_the_cli_never_replaces_an_earlier_master_unasked(mix, tmp_path, capsys):
    out = tmp_path / "m.wav"
    assert main(["master", str(mix), "-o", str(out), "--json"]) is None
    first = out.read_bytes()
    with pytest.raises(SystemExit) as e:
        main(["master", str(mix), "-o", str(out), "--target", "cd"])
    assert e.value.code == 2 and "--overwrite" in capsys.readouterr().err
    assert out.read_bytes() == first
    assert main(["master", str(mix), "-o", str(out), "--target", "cd", "--overwrite", "--json"]) is None
    assert out.read_bytes() != first
