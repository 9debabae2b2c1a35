"""``room analyze`` on impulse response files of the planted room (see planted_room): the decays per octave, the
mode, the reflection, the distance; and the one-line errors for what is not an impulse response."""

import json

import numpy as np
import pytest
from planted_room import DIRECT_MS, MODE_HZ, MODE_T60_S, RATE, REFLECTION_MS, SPEED_OF_SOUND, T30_S, planted_ir
from scipy.signal import fftconvolve

from studioflow.audio.files import write
from studioflow.cli.main import main
from studioflow.errors import AudioFileError, ParameterError
from studioflow.recording.room import decay
from studioflow.recording.room.analyze import analyze_files, analyze_irs
from studioflow.recording.room.sweep import deconvolve, make_sweep


@pytest.fixture(scope="module")
def planted_files(tmp_path_factory):
    """Six positions in two three-channel files, with background noise 80 dB under the direct sound."""
    folder = tmp_path_factory.mktemp("irs")
    rng = np.random.default_rng(11)
    irs = [planted_ir(seed=s) + 1e-4 * rng.standard_normal(int(1.6 * RATE)) for s in (1, 2, 3, 4, 5, 6)]
    paths = [folder / "a.wav", folder / "b.wav"]
    write(paths[0], np.stack(irs[:3]).astype(np.float32), RATE, subtype="FLOAT")
    write(paths[1], np.stack(irs[3:]).astype(np.float32), RATE, subtype="FLOAT")
    return paths


@pytest.fixture(scope="module")
def analyzed(planted_files, tmp_path_factory):
    return analyze_files(planted_files, out_dir=tmp_path_factory.mktemp("room"))


def test_decay_per_octave_within_5_percent(analyzed):
    assert analyzed["positions"] == 6
    assert [b["band_hz"] for b in analyzed["bands"]] == sorted(T30_S)
    for band in analyzed["bands"]:
        assert band["t30_s"] == pytest.approx(T30_S[int(band["band_hz"])], rel=0.05), band
        assert band["t20_s"] == pytest.approx(T30_S[int(band["band_hz"])], rel=0.08), band
        assert band["noise_db"] < -45 and band["c80_db"] > band["c50_db"]
    # clarity rises with frequency as the decays shorten
    c80 = [b["c80_db"] for b in analyzed["bands"]]
    assert c80[-1] > c80[0] + 6


def test_mode_reflection_and_distance(analyzed):
    mode = analyzed["modes"][0]
    assert mode["freq_hz"] == pytest.approx(MODE_HZ, abs=2.0)
    assert mode["decay_s"] == pytest.approx(MODE_T60_S, rel=0.15)
    assert mode["level_db"] > 10
    for position in analyzed["reflections"]:
        assert position[0]["delay_ms"] == pytest.approx(REFLECTION_MS, abs=0.2)
        assert position[0]["path_m"] == pytest.approx(REFLECTION_MS / 1000 * SPEED_OF_SOUND, abs=0.07)
        assert position[0]["level_db"] == pytest.approx(-6.0, abs=1.5)
    assert analyzed["direct_ms"] == pytest.approx([DIRECT_MS] * 6, abs=0.05)
    assert any("57 Hz" in a for a in analyzed["advice"]) and any("1.61 m" in a for a in analyzed["advice"])


def test_written_json_and_report(analyzed):
    with open(analyzed["json"]) as f:
        saved = json.load(f)
    assert saved["bands"] == analyzed["bands"] and saved["json"].endswith("room-v001.json")
    page = open(analyzed["report"]).read()
    assert page.count("data:image/png;base64,") == 2 and "57.0 Hz" in page


def test_cli_analyze_json_and_versions(planted_files, tmp_path, capsys):
    main(["room", "analyze", str(planted_files[0]), "--folder", str(tmp_path), "--json", "--no-report"])
    first = json.loads(capsys.readouterr().out)
    assert first["positions"] == 3 and first["json"].endswith("room-v001.json") and "report" not in first
    assert first["modes"][0]["freq_hz"] == pytest.approx(MODE_HZ, abs=2.0)
    main(["room", "analyze", str(planted_files[0]), "--folder", str(tmp_path), "--json", "--no-report"])
    assert json.loads(capsys.readouterr().out)["json"].endswith("room-v002.json")   # never overwritten


def test_a_dead_room_is_called_dead():
    result = analyze_irs([planted_ir(seed=s, t30_scale=0.4, mode_amp=0.0) for s in (5, 6)], RATE)
    assert result["liveness"] == "dead" and result["mid_t30_s"] == pytest.approx(0.4 * 0.575, rel=0.08)
    assert result["modes"] == [] and "dead" in result["advice"][0]


def test_sweep_deconvolution_recovers_a_known_response():
    """A response of two impulses and a decaying sine, heard through the sweep and its inverse filter."""
    sweep = make_sweep(RATE, duration_s=1.5)
    ir = np.zeros(RATE // 2)
    ir[240], ir[480] = 1.0, -0.5
    t = np.arange(len(ir) - 240) / RATE
    ir[240:] += 0.05 * np.exp(-20 * t) * np.sin(2 * np.pi * 1000 * t)
    recorded = fftconvolve(sweep.signal.astype(np.float64), ir)
    got = deconvolve(recorded[None, :], sweep, ir_s=0.5)[0]
    assert int(np.argmax(got)) == 240 and int(np.argmin(got)) == 480
    band = slice(1000, 20000)       # the decaying sine, well away from the impulses
    assert np.corrcoef(got[band], ir[band])[0, 1] > 0.99
    assert float(np.max(np.abs(got[:200]))) < 0.01      # nothing before the direct sound


def test_noise_without_decay_gives_no_t30():
    """A response buried in noise 30 dB under its start: no T30 is made up; the advice says to measure louder."""
    rng = np.random.default_rng(3)
    ir = planted_ir(seed=7) + 0.03 * rng.standard_normal(int(1.6 * RATE))
    result = analyze_irs([ir], RATE)
    assert all(b["t30_s"] is None for b in result["bands"])
    assert result["liveness"] == "unknown" and "louder" in result["advice"][0]


def test_lundeby_finds_the_noise_floor():
    """The crossing point of a clean exponential decay (60 dB in 0.5 s) into noise 50 dB down sits where the decay
    line meets the noise: 0.5 s * 50 / 60."""
    rng = np.random.default_rng(2)
    n = 2 * RATE
    t = np.arange(n) / RATE
    x = rng.standard_normal(n) * 10 ** (-3 * t / 0.5) + 10 ** (-50 / 20) * rng.standard_normal(n)
    cross, noise_db, _ = decay.lundeby(x ** 2, RATE)
    assert cross / RATE == pytest.approx(0.5 * 50 / 60, abs=0.03)
    assert noise_db == pytest.approx(-50, abs=1.0)
    d = decay.band_decay(x, RATE)
    assert d.t30_s == pytest.approx(0.5, rel=0.03) and d.edt_s == pytest.approx(0.5, rel=0.05)


def test_bad_inputs_fail_in_one_line(tmp_path, capsys):
    silent = tmp_path / "silent.wav"
    write(silent, np.zeros((1, RATE), dtype=np.float32), RATE)
    with pytest.raises(ParameterError, match="position 1 is not an impulse response"):
        analyze_files([silent])
    other = tmp_path / "other.wav"
    write(other, planted_ir()[None, :].astype(np.float32), RATE)
    slow = tmp_path / "slow.wav"
    write(slow, planted_ir()[None, :].astype(np.float32), 44100)
    with pytest.raises(AudioFileError, match="one rate"):
        analyze_files([other, slow])
    with pytest.raises(ParameterError, match="finite samples"):
        analyze_irs([np.full(RATE, np.nan)], RATE)
    with pytest.raises(SystemExit) as exc:
        main(["room", "analyze", str(silent)])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("studioflow: error:") and len(err.strip().splitlines()) == 1
