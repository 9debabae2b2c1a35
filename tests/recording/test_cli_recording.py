"""Recording commands from the command line: help with examples, one-line errors, devices, a short record."""

import json

import pytest

from studioflow.cli.main import main
from studioflow.recording import takes

COMMANDS = ["devices", "record", "takes", "recover", "check", "comp", "align"]


@pytest.mark.parametrize("name", COMMANDS)
def test_help_has_an_example(name, capsys):
    try:
        main([name, "--help"])
    except SystemExit as e:
        assert e.code == 0
    assert "studioflow " + name in capsys.readouterr().out.split("Example")[-1]


@pytest.mark.jack
def test_devices_lists_jack(jack_server, capsys):
    main(["devices", "--json"])
    data = json.loads(capsys.readouterr().out)
    assert any(d["hostapi"] == "JACK Audio Connection Kit" and d["inputs"] >= 2 for d in data["devices"])


@pytest.mark.jack
def test_record_prints_plain_progress_without_a_terminal(tmp_path, player, capsys):
    main(["record", str(tmp_path), "--track", "gtr", "--duration", "0.5", "--bits", "16"])
    out, err = capsys.readouterr()
    assert "recording take 001 of gtr" in err and "REC " in err and "gtr/take-001" in out
    assert takes.find(tmp_path, "gtr:1")["bits"] == 16


@pytest.mark.jack
@pytest.mark.parametrize("args,word", [(["--device", "no-such-interface"], "no audio interface matches"),
                                       (["--rate", "44100"], "44100"),
                                       (["--inputs", "1,2,3"], "--inputs"),
                                       (["--count-in", "2"], "tempo")])
def test_record_errors_are_one_line(tmp_path, jack_server, capsys, args, word):
    with pytest.raises(SystemExit) as e:
        main(["record", str(tmp_path), "--track", "gtr", "--duration", "0.2", *args])
    err = capsys.readouterr().err
    assert e.value.code == 2 and err.startswith("studioflow: error:") and err.count("\n") == 1 and word in err
    assert not list(tmp_path.glob("takes/*/*.wav"))
