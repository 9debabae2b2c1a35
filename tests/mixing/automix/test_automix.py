"""The automatic first mix, judged by numbers: balance against a known intended balance, centring, image balance,
high-passes, masking cuts, compression, sends at the tempo, the reference tilt, and a session that renders."""

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from automix_stems import RATE, write_stems

from studioflow.analysis.loudness import integrated_loudness
from studioflow.mixing import load_session, render
from studioflow.mixing.automix import automix
from studioflow.mixing.automix.dynamics import compressor_for
from studioflow.mixing.automix.measure import analyse

# the stems arrive with their levels scrambled (as recorded, or bounced without care)
SCRAMBLE = {"kick": 7.0, "snare": -9.0, "hats": 10.0, "bass": -12.0, "pad": 6.0, "keys": -5.0, "vocal": -14.0}


@pytest.fixture(scope="module")
def mixed(tmp_path_factory):
    song = tmp_path_factory.mktemp("song")
    paths = write_stems(song / "stems", levels_db=SCRAMBLE)
    report = automix(song / "stems", song / "mix.yaml", sections=[("verse", 0.0), ("chorus", 4.0)])
    session = load_session(song / "mix.yaml")
    render(session, song / "mix.wav", stems_dir=song / "rendered")
    return song, paths, report, session


def _rendered_levels(folder) -> dict[str, float]:
    levels = {}
    for path in sorted(folder.glob("*.wav")):
        audio, rate = sf.read(path, dtype="float32", always_2d=True)
        levels[path.stem] = integrated_loudness(audio.T, rate)
    return levels


def test_rendered_balance_is_the_planned_balance(mixed):
    """Each track's loudness in the rendered mix is the target automix planned for it (the faders are exact)."""
    song, _, report, _ = mixed
    levels = _rendered_levels(song / "rendered")
    for t in report["tracks"]:
        assert levels[t["name"]] == pytest.approx(t["target_lufs"], abs=0.5), t["name"]


def test_balance_does_not_depend_on_the_levels_the_stems_arrive_at(mixed, tmp_path):
    """The balance is judged from what the parts are, not from how loud they were recorded: the same stems at their
    unscrambled levels get the same balance in the mix (within 0.5 LU after the common offset)."""
    song, _, _, _ = mixed
    write_stems(tmp_path / "stems")
    automix(tmp_path / "stems", tmp_path / "mix.yaml")
    render(load_session(tmp_path / "mix.yaml"), tmp_path / "mix.wav", stems_dir=tmp_path / "rendered")
    a, b = _rendered_levels(song / "rendered"), _rendered_levels(tmp_path / "rendered")
    d = np.array([a[k] - b[k] for k in SCRAMBLE])
    assert np.abs(d - d.mean()).max() < 0.5, d


def test_session_keeps_stem_names_and_reasons(mixed):
    song, paths, report, session = mixed
    assert sorted(t.name for t in session.tracks) == sorted(p.stem for p in paths.values())
    text = (song / "mix.yaml").read_text()
    for phrase in ("# gain-staging:", "# fader", "# pan", "# sends:", "high-pass", "from the loudest part"):
        assert phrase in text
    assert session.sections == [("verse", 0.0), ("chorus", 4.0)]
    saved = json.loads((song / "mix.automix.json").read_text())
    assert [t["name"] for t in saved["tracks"]] == [t["name"] for t in report["tracks"]]
    assert all(t["explain"] for t in report["tracks"])


def test_low_end_and_lead_centred_and_image_balanced(mixed):
    _, _, report, session = mixed
    pans = {t.name: t.pan for t in session.tracks}
    assert pans["kick"] == pans["snare"] == pans["bass"] == pans["vocal"] == 0.0
    assert pans["keys"] != 0.0 and pans["hats"] != 0.0 and pans["pad"] != 0.0
    assert abs(report["image_balance"]["overall_db"]) < 1.0


def test_high_pass_only_where_there_is_no_low_end(mixed):
    _, _, _, session = mixed

    def highpass(name):
        for ins in session.strip(name).inserts:
            if ins.type == "eq":
                return next((b["freq"] for b in ins.params["bands"] if b["type"] == "highpass"), None)
        return None
    assert highpass("kick") is None and highpass("bass") is None
    assert highpass("hats") >= 300 and highpass("vocal") >= 80 and highpass("pad") >= 100


def test_masking_cut_favours_the_more_important_part(mixed):
    _, _, report, _ = mixed
    tracks = {t["name"]: t for t in report["tracks"]}
    cuts = [b for i in tracks["bass"]["inserts"] if i["type"] == "eq" for b in i["bands"] if b["type"] == "peak"]
    assert any(40 <= b["freq"] <= 80 and b["gain_db"] < 0 for b in cuts)      # the bass yields to the kick
    kick_cuts = [b for i in tracks["kick"]["inserts"] if i["type"] == "eq" for b in i["bands"]]
    assert not kick_cuts


def test_sends_into_returns_at_the_tempo(mixed):
    _, _, report, session = mixed
    assert abs(report["tempo_bpm"] - 120.0) < 1.0                        # estimated from the drums
    delay = session.strip("delay").inserts[0]
    assert delay.type == "delay" and delay.params["time_ms"] == pytest.approx(0.75 * 60000 / report["tempo_bpm"])
    vocal_buses = {s.bus for s in session.strip("vocal").sends}
    assert vocal_buses == {"reverb", "delay"}
    assert not session.strip("kick").sends and not session.strip("bass").sends


def test_mix_renders_with_headroom(mixed):
    song, _, _, _ = mixed
    audio, rate = sf.read(song / "mix.wav", dtype="float32", always_2d=True)
    assert rate == RATE
    assert 20 * np.log10(np.abs(audio).max()) < -0.5
    assert -22 < integrated_loudness(audio.T, rate) < -10


def test_compression_follows_dynamics():
    t = np.arange(int(16 * RATE)) / RATE
    steady = (0.1 * np.sin(2 * np.pi * 220 * t)).astype(np.float32)[None, :]
    jumpy = steady * np.where((t % 8) < 4, 1.0, 0.12).astype(np.float32)     # phrases 18 dB apart
    f_steady = analyse("vox", None, steady, RATE)
    f_jumpy = analyse("vox", None, jumpy, RATE)
    assert compressor_for(f_steady, "lead_vocal", 0.0)[0] is None
    comp, why = compressor_for(f_jumpy, "lead_vocal", 0.0)
    assert comp is not None and comp["ratio"] == 3.0 and "loudness range" in why
    assert f_jumpy.active_rms_dbfs - 1 < comp["threshold_db"] < f_jumpy.active_rms_dbfs + 1


def test_reference_tilt_follows_the_reference(tmp_path, mixed):
    song, _, _, _ = mixed
    bright = np.random.default_rng(3).standard_normal(3 * RATE).astype(np.float32) * 0.1   # white: +3 dB/oct
    sf.write(tmp_path / "ref.wav", bright, RATE, subtype="FLOAT")
    report = automix(song / "stems", tmp_path / "mix.yaml", reference=tmp_path / "ref.wav", tempo=120)
    tilt = load_session(tmp_path / "mix.yaml").master.inserts[0]
    assert tilt.type == "tilt" and tilt.params["gain_db"] > 0
    assert report["reference"]["reference_slope_db_per_octave"] > report["reference"]["mix_slope_db_per_octave"]
    assert report["tempo_reason"] == "120 BPM (given)"


def test_cli_automix_explains(tmp_path, mixed, capsys):
    from studioflow.cli.main import main
    song, _, _, _ = mixed
    main(["automix", str(song / "stems"), "-o", str(tmp_path / "s.yaml"), "--explain", "--genre", "rock"])
    out = capsys.readouterr().out
    assert "gain-staging" in out and "lead vocal" in out and "wrote" in out
    assert load_session(tmp_path / "s.yaml").tracks


@pytest.mark.parametrize("lowest_hz", [63.0, 100.0, 125.0])
def test_a_part_guessed_from_its_sound_that_reaches_the_bass_register_keeps_its_low_end(lowest_hz):
    """A bass line played high (its lowest useful band at 125 Hz) taken for keys from its sound is high-passed no
    higher than 40 Hz; named keys with the same spectrum get the keys' high-pass."""
    from studioflow.analysis.spectrum import band_centres_hz
    from studioflow.mixing.automix import eqmask
    from studioflow.mixing.automix.measure import StemFeatures

    bands = band_centres_hz(3, 48000)
    spectrum = np.where(bands >= lowest_hz * 0.99, -20.0, -90.0)
    f = StemFeatures("track3", Path("track3.wav"), 48000, 1, 10.0, -20.0, 3.0, -6.0, -20.0, 14.0,
                     band_hz=bands, spectrum_db=spectrum)
    guessed, _ = eqmask.highpass(f, "keys", trust_role=False)
    named, _ = eqmask.highpass(f, "keys", trust_role=True)
    assert guessed is None or guessed <= eqmask.GUESSED_LOW_PART_MAX_HZ
    assert named is not None and named > eqmask.GUESSED_LOW_PART_MAX_HZ
