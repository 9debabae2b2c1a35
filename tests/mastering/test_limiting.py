"""Heavy limiting is said plainly (JSON and CLI) with its cost in PLR and LRA; --max-limiting caps the limiter's
gain reduction and the record says by how much the target is then missed. Bad input is one line and exit 2."""

import json

import pytest
import soundfile as sf
from click.testing import CliRunner
from songs import RATE, beat_song

from studioflow.analysis.loudness import integrated_loudness
from studioflow.audio.files import read, write
from studioflow.cli.mastering import master as master_cmd
from studioflow.mastering.api import master


@pytest.fixture(scope="module")
def hot_mix(tmp_path_factory):
    path = tmp_path_factory.mktemp("mix") / "hot.wav"
    write(path, beat_song(-8.0), RATE, subtype="FLOAT")
    return path


def test_heavy_limiting_is_reported_with_its_cost(hot_mix, tmp_path):
    rec = master(hot_mix, tmp_path / "m.wav", target="cd")
    lim = rec["limiting"]
    assert lim["heavy"] and lim["max_gain_reduction_db"] > 6.0 and not lim["capped"]
    assert lim["max_gain_reduction_db"] == pytest.approx(rec["gain_reduction"]["max_db"], abs=0.005)
    assert rec["gain_reduction"]["max_db"] == pytest.approx(max(rec["gain_reduction"]["series"]["gr_db"]), abs=0.005)
    pre, out = rec["analysis"]["after_chain"], rec["analysis"]["output"]
    assert lim["plr_cost_db"] == pytest.approx(pre["plr_db"] - out["plr_db"], abs=0.01) and lim["plr_cost_db"] > 3
    assert lim["lra_cost_lu"] == pytest.approx(pre["lra_lu"] - out["lra_lu"], abs=0.01)
    heavy = [w for w in rec["warnings"] if w.startswith("heavy limiting")]
    assert heavy and "PLR" in heavy[0] and "LRA" in heavy[0] and "--max-limiting" in heavy[0]
    saved = json.loads((tmp_path / "m.json").read_text())
    assert saved["limiting"]["heavy"] is True


def test_max_limiting_caps_the_limiter_and_says_how_far_the_target_is_missed(hot_mix, tmp_path):
    rec = master(hot_mix, tmp_path / "m.wav", target="cd", max_limiting_db=3.0)
    lim = rec["limiting"]
    assert lim["capped"] and not lim["heavy"]
    assert lim["max_gain_reduction_db"] <= 3.0 + 0.05            # the limiter's own gain, not an estimate
    audio, rate = read(tmp_path / "m.wav")
    missed = -9.0 - integrated_loudness(audio, rate)
    assert missed > 1.0
    assert lim["target_missed_by_lu"] == pytest.approx(missed, abs=0.02)
    assert any(f"{missed:.1f} LU under the -9 LUFS target" in w for w in rec["warnings"])


def test_cli_says_heavy_or_capped_plainly(hot_mix, tmp_path):
    runner = CliRunner()
    res = runner.invoke(master_cmd, [str(hot_mix), "-o", str(tmp_path / "a.wav"), "--target", "cd"])
    assert res.exit_code == 0, res.output
    text = " ".join(res.output.split())     # rich wraps lines to the terminal width
    assert "HEAVY" in text and "PLR cost" in text
    res = runner.invoke(master_cmd, [str(hot_mix), "-o", str(tmp_path / "b.wav"), "--target", "cd",
                                     "--max-limiting", "3"])
    assert res.exit_code == 0, res.output
    assert "capped by --max-limiting 3 dB: target missed by" in " ".join(res.output.split())


@pytest.mark.parametrize("problem", ["missing", "nan", "bad-limit"])
def test_bad_input_is_one_line_and_exit_2(tmp_path, capsys, problem):
    from studioflow.cli.main import main

    mix = tmp_path / "mix.wav"
    args = [str(mix), "-o", str(tmp_path / "m.wav")]
    if problem == "nan":
        x = beat_song(-20.0, seconds=2.0)
        x[:, 48000] = float("nan")
        sf.write(mix, x.T, RATE, subtype="FLOAT")      # our writer refuses NaN; a foreign tool may not
    if problem == "bad-limit":
        write(mix, beat_song(-20.0, seconds=2.0), RATE, subtype="FLOAT")
        args += ["--max-limiting", "-3"]
    with pytest.raises(SystemExit) as exc:
        main(["master", *args])
    err = capsys.readouterr().err.strip()
    assert exc.value.code == 2 and len(err.splitlines()) == 1 and err.startswith("studioflow: error:")
    assert {"missing": "no such mix file", "nan": "NaN sample in channel 1 at 1.000000 s",
            "bad-limit": "--max-limiting"}[problem] in err
