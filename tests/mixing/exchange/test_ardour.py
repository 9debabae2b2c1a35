"""Ardour 7 exchange: our exported sessions rendered by Ardour's own ardour7-export null against `studioflow mix`;
sessions Ardour saved itself come back in and render the same; export -> import -> render nulls."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
from exchange_helpers import ardour_render, ardour_tool, null_dbfs, run_ardour

from studioflow.errors import SessionError
from studioflow.mixing import load_session, render
from studioflow.mixing.exchange import export_session, import_session
from studioflow.mixing.exchange.units import mono_pan_to_ardour

NULL_DBFS = -60.0


def studioflow_render(session_file: Path, out: Path) -> np.ndarray:
    render(load_session(session_file), out, meter=False)
    return sf.read(out, dtype="float64", always_2d=True)[0]


@pytest.mark.slow
def test_ardour_renders_the_export_and_it_nulls(song: Path, tmp_path: Path) -> None:
    report = export_session(song, "ardour", tmp_path / "xchg-ardour")
    assert report["unmapped"] == 0
    ours = studioflow_render(song, tmp_path / "ours.wav")
    theirs = ardour_render(tmp_path / "xchg-ardour", tmp_path / "ardour.wav")
    assert np.max(np.abs(ours)) > 0.1                        # something plays
    assert null_dbfs(ours, theirs) < NULL_DBFS


@pytest.mark.slow
def test_a_session_ardour_saved_itself_imports_and_renders(song: Path, tmp_path: Path) -> None:
    folder = tmp_path / "xchg-ardour"
    export_session(song, "ardour", folder)
    script = tmp_path / "edit.lua"              # Ardour changes the mix through its own API and saves the session
    script.write_text(f"""
AudioEngine:set_backend("None (Dummy)", "", "")
local s = load_session("{folder}", "{folder.name}")
local tone = s:route_by_name("tone")
tone:gain_control():set_value(0.25, PBD.GroupControlDisposition.NoGroup)
s:route_by_name("muted"):mute_control():set_value(0, PBD.GroupControlDisposition.NoGroup)
s:route_by_name("flipped"):mute_control():set_value(1, PBD.GroupControlDisposition.NoGroup)
local pan = s:route_by_name("noise"):pan_azimuth_control()
pan:set_automation_state(ARDOUR.AutoState.Off)
pan:set_value(0.9, PBD.GroupControlDisposition.NoGroup)
ARDOUR.LuaAPI.usleep(200000)
s:save_state("", false, false, false, false, false)
close_session()
""")
    run_ardour([ardour_tool("ardour7-lua"), str(script)])
    saved = (folder / f"{folder.name}.ardour").read_text()
    assert "studioflow" in saved and 'name="pan-azimuth" id=' in saved
    report = import_session(folder, tmp_path / "back.yaml")
    session = load_session(tmp_path / "back.yaml")
    comp_db = float(mono_pan_to_ardour(-0.4, -3.0)[1])     # Ardour's mono law vs ours at this pan
    assert session.strip(name="tone").gain_db == pytest.approx(20 * np.log10(0.25) - comp_db)
    assert session.strip(name="flipped").mute and not session.strip(name="muted").mute
    assert session.strip(name="noise").pan == pytest.approx(0.8)
    assert report["unmapped"] == 0
    ours = studioflow_render(tmp_path / "back.yaml", tmp_path / "ours.wav")
    theirs = ardour_render(folder, tmp_path / "ardour.wav")
    assert null_dbfs(ours, theirs) < NULL_DBFS


def test_export_import_render_round_trip_nulls(song: Path, tmp_path: Path) -> None:
    export_session(song, "ardour", tmp_path / "xchg-ardour")
    report = import_session(tmp_path / "xchg-ardour", tmp_path / "back.yaml")
    back = load_session(tmp_path / "back.yaml")
    assert [t.name for t in back.tracks] == ["tone", "noise", "flipped", "muted"]
    assert back.sections == [("intro", 0.0), ("verse", 2.0)]
    assert back.timeline.tempo_bpm == 120.0
    tone = back.strip(name="tone")
    assert tone.pan == pytest.approx(-0.4) and tone.gain_db == pytest.approx(-3.0)
    assert [(s.bus, s.pre_fader) for s in tone.sends] == [("verb", False), ("verb", True)]
    assert tone.sends[1].level_db == pytest.approx(-12.0)
    assert back.strip(name="noise").output == "group" and back.strip(name="flipped").inverted
    r0 = tone.regions[0]
    assert (r0.at_s, r0.offset_s, r0.length_s, r0.fade_in_s, r0.fade_out_s, r0.gain_db) == pytest.approx(
        (0.1, 0.25, 1.5, 0.2, 0.3, -2.0))
    assert report["exact"] > report["converted"] > 0
    ours = studioflow_render(song, tmp_path / "ours.wav")
    again = studioflow_render(tmp_path / "back.yaml", tmp_path / "again.wav")
    assert null_dbfs(ours, again) < NULL_DBFS


def test_inserts_are_reported_not_dropped(song: Path, tmp_path: Path) -> None:
    text = song.read_text().replace("    gain_db: -12\n", "    gain_db: -12\n    inserts: [{type: reverb}]\n")
    song.write_text(text)
    report = export_session(song, "ardour", tmp_path / "x")
    unmapped = [i for i in report["items"] if i["status"] == "unmapped"]
    assert [i["key"] for i in unmapped] == ["tracks[2].inserts[0]"]
    assert "reverb" in unmapped[0]["note"]
    on_disk = json.loads((tmp_path / "x.exchange.json").read_text())
    assert on_disk["unmapped"] == 1 and on_disk["exact_fraction"] < 1.0


def test_export_never_replaces_a_folder(song: Path, tmp_path: Path) -> None:
    (tmp_path / "taken").mkdir()
    with pytest.raises(Exception, match="already there"):
        export_session(song, "ardour", tmp_path / "taken")
    assert not any(p.name.endswith(".part") for p in tmp_path.iterdir())


def test_a_file_that_is_not_an_ardour_session_is_one_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.ardour"
    bad.write_text("<Project/>")
    with pytest.raises(SessionError, match="not an Ardour session"):
        import_session(bad, tmp_path / "out.yaml")
    bad.write_text("<Session")
    with pytest.raises(SessionError, match="not a readable Ardour session"):
        import_session(bad, tmp_path / "out2.yaml")


@pytest.mark.slow
def test_eq_compressor_and_gate_go_to_ardours_plugins_with_the_same_response(tmp_path: Path) -> None:
    rate = 48000
    noise = 0.1 * np.random.default_rng(3).standard_normal((2 * rate, 2))
    sf.write(tmp_path / "noise.wav", noise.astype(np.float32), rate, subtype="FLOAT")
    levels_dbfs = [-36, -28, -20, -12, -6]                 # a 1 kHz sine stepping through them (RMS), 0.6 s each
    seg = int(0.6 * rate)
    t = np.arange(seg * len(levels_dbfs)) / rate
    amp = np.repeat([np.sqrt(2) * 10 ** (x / 20) for x in levels_dbfs], seg)
    sf.write(tmp_path / "steps.wav", (amp * np.sin(2 * np.pi * 1000 * t)).astype(np.float32), rate, subtype="FLOAT")
    eq = ("{type: eq, bands: [{type: peak, freq: 120, gain_db: 4, q: 0.8}, {type: peak, freq: 1000, gain_db: 9, "
          "q: 1.5}, {type: peak, freq: 300, gain_db: -6, q: 0.7}, {type: peak, freq: 6000, gain_db: -5, q: 2}]}")
    comp = "{type: compressor, threshold_db: -24, ratio: 4, knee_db: 0, attack_ms: 2, release_ms: 50}"
    gate = "{type: gate, threshold_db: -30, ratio: 4, attack_ms: 1, release_ms: 50}"
    text = (f"tracks:\n  - name: n\n    source: noise.wav\n    inserts: [{eq}]\n"
            f"  - name: s\n    regions: [{{file: steps.wav, at: 2.5}}]\n    inserts: [{comp}]\n"
            f"  - name: g\n    regions: [{{file: steps.wav, at: 6.0}}]\n    inserts: [{gate}]\n")
    (tmp_path / "fx.yaml").write_text(text + "  - name: shelf\n    source: noise.wav\n    mute: true\n    inserts: "
                                      "[{type: eq, bands: [{type: highshelf, freq: 6000, gain_db: -5}]}]\n")
    report = export_session(tmp_path / "fx.yaml", "ardour", tmp_path / "fx-ardour")
    status = {i["key"]: i["status"] for i in report["items"]}
    assert status["tracks[0].inserts[0]"] == status["tracks[1].inserts[0]"] == "converted"
    assert status["tracks[2].inserts[0]"] == "converted"
    assert status["tracks[3].inserts[0]"] == "unmapped"           # a-EQ's shelves have another knee
    (tmp_path / "fx.yaml").write_text(text)                      # what Ardour plays
    ours = studioflow_render(tmp_path / "fx.yaml", tmp_path / "ours.wav")[:, 0]
    theirs = ardour_render(tmp_path / "fx-ardour", tmp_path / "ardour.wav")[:, 0]
    from scipy.signal import welch
    freqs, p_ours = welch(ours[:2 * rate], rate, nperseg=4096)
    _, p_theirs = welch(theirs[:2 * rate], rate, nperseg=4096)
    _, p_dry = welch(noise[:, 0], rate, nperseg=4096)
    band = (freqs > 40) & (freqs < 10000)
    response_ours = 10 * np.log10(p_ours[band] / p_dry[band])
    apart = np.abs(response_ours - 10 * np.log10(p_theirs[band] / p_dry[band]))
    assert np.ptp(response_ours) > 12                        # the EQ does something
    low = freqs[band] < 3000                # bilinear (Ardour) and matched (ours) bells part towards Nyquist
    assert np.max(apart[low]) < 0.1 and np.max(apart) < 0.5
    start = int(2.5 * rate)
    for k, level in enumerate(levels_dbfs):                  # the static curve: settled level on each step
        s = slice(start + k * seg + int(0.4 * rate), start + (k + 1) * seg)
        out_ours, out_theirs = (10 * np.log10(np.mean(x[s] ** 2)) for x in (ours, theirs))
        assert out_theirs == pytest.approx(out_ours, abs=0.5)
        if level >= -12:
            assert out_ours < level - 3.0 - 6.0                 # compressed (-3 dB is the mono pan law)
    start = int(6.0 * rate)
    for k, level in enumerate(levels_dbfs):                  # the gate's (a-Exp's) static curve
        s = slice(start + k * seg + int(0.4 * rate), start + (k + 1) * seg)
        out_ours, out_theirs = (10 * np.log10(np.mean(x[s] ** 2)) for x in (ours, theirs))
        if level == -36:                                     # 3 dB under: a-Exp expands 2.2 dB deeper (measured)
            assert out_ours < level - 3.0 - 6.0 and out_theirs < level - 3.0 - 6.0
            assert out_theirs == pytest.approx(out_ours, abs=3.0)
        else:                                                # open: within 0.4 dB (measured)
            assert out_theirs == pytest.approx(out_ours, abs=0.5)
    import_session(tmp_path / "fx-ardour", tmp_path / "back.yaml")
    back = load_session(tmp_path / "back.yaml")
    bands = back.tracks[0].inserts[0].params["bands"]
    assert [b["type"] for b in bands] == ["peak"] * 4
    assert bands[1]["q"] == pytest.approx(1.5) and bands[2]["gain_db"] == -6.0
    assert back.tracks[1].inserts[0].params == pytest.approx({"attack_ms": 2.0, "release_ms": 50.0, "knee_db": 0.0,
                                                              "ratio": 4.0, "threshold_db": -24.0, "makeup_db": 0.0})
    assert back.tracks[2].inserts[0].type == "gate"
    assert back.tracks[2].inserts[0].params == pytest.approx({"attack_ms": 1.0, "release_ms": 50.0, "ratio": 4.0,
                                                              "threshold_db": -30.0})


@pytest.mark.slow
def test_a_session_made_by_ardour_imports_and_renders_the_same(song: Path, tmp_path: Path) -> None:
    folder = tmp_path / "made"
    run_ardour([ardour_tool("ardour7-new_session"), "-s", "48000", str(folder)], folder / "made.ardour")
    script = tmp_path / "make.lua"              # tracks, a bus, aux sends, gains and pans: Ardour's API
    script.write_text(f"""
AudioEngine:set_backend("None (Dummy)", "", "")
local s = load_session("{folder}", "made")
local tracks = s:new_audio_track(1, 2, nil, 2, "", ARDOUR.PresentationInfo.max_order, ARDOUR.TrackMode.Normal, true)
local bus = s:new_audio_route(2, 2, nil, 1, "FX", ARDOUR.PresentationInfo.Flag.AudioBus,
                              ARDOUR.PresentationInfo.max_order):front()
local rl = ARDOUR.RouteListPtr()
for t in tracks:iter() do
  rl:push_back(t)
  for c = 0, 1 do t:output():audio(c):connect("Master/audio_in " .. (c + 1)) end
end
for c = 0, 1 do bus:output():audio(c):connect("Master/audio_in " .. (c + 1)) end
s:add_internal_sends(bus, ARDOUR.Placement.PostFader, rl)
local a1, a2 = s:route_by_name("Audio 1"), s:route_by_name("Audio 2")
local none = PBD.GroupControlDisposition.NoGroup
a1:gain_control():set_value(0.5, none)
a1:pan_azimuth_control():set_value(0.3, none)
a2:pan_azimuth_control():set_value(0.8, none)
bus:gain_control():set_value(0.7, none)
a1:nth_send(0):to_send():gain_control():set_value(0.25, none)
a2:mute_control():set_value(0, none)
ARDOUR.LuaAPI.usleep(200000)
s:save_state("", false, false, false, false, false)
close_session()
""")
    run_ardour([ardour_tool("ardour7-lua"), str(script)])
    # the audio goes onto Ardour's tracks as Ardour 7 stores it (headless Lua has no import): a source and a region
    audio = folder / "interchange" / "made" / "audiofiles"
    for name in ("tone.wav", "noise.wav"):
        data, rate = sf.read(song.parent / name, dtype="float32", always_2d=True)
        sf.write(audio / name, data[:, 0], rate, subtype="FLOAT")
    text = (folder / "made.ardour").read_text()
    sc = 282_240_000 // 48000
    sources, placed = [], text
    for k, (name, at, offset, length) in enumerate((("tone.wav", 12000, 4800, 96000), ("noise.wav", 0, 0, 120000))):
        sources.append(f'<Source name="{name}" type="audio" flags="" id="{90001 + k}" captured-for="" origin="" '
                       f'gain="1" channel="0"/>')
        region = (f'<Region name="r{k}" muted="0" opaque="1" locked="0" video-locked="0" automatic="0" '
                  f'whole-file="0" import="0" external="0" sync-marked="0" left-of-split="0" right-of-split="0" '
                  f'hidden="0" position-locked="0" valid-transients="0" start="a{offset * sc}" '
                  f'length="a{length * sc}@a{at * sc}" sync-position="a0" ancestral-start="a0" '
                  f'ancestral-length="a0@a0" stretch="1" shift="1" layering-index="0" envelope-active="0" '
                  f'default-fade-in="0" default-fade-out="0" fade-in-active="0" fade-out-active="0" '
                  f'scale-amplitude="1" id="{90011 + k}" type="audio" first-edit="nothing" source-0="{90001 + k}" '
                  f'master-source-0="{90001 + k}" channels="1"/>')
        marker = f'name="Audio {k + 1}" type="audio"'
        start = placed.index(marker)
        close = placed.index("/>", start)
        placed = placed[:close] + f">{region}</Playlist>" + placed[close + 2:]
    placed = placed.replace("<Sources/>", "<Sources>" + "".join(sources) + "</Sources>", 1)
    placed = placed.replace("<Locations/>", f'<Locations><Location id="90021" name="session" start="a0" '
                                            f'end="a{130000 * sc}" flags="IsSessionRange" locked="0" '
                                            f'timestamp="0" cue="0"/></Locations>', 1)
    (folder / "made.ardour").write_text(placed)
    report = import_session(folder, tmp_path / "made.yaml")
    session = load_session(tmp_path / "made.yaml")
    assert [t.name for t in session.tracks] == ["Audio 1", "Audio 2"] and [b.name for b in session.buses] == ["FX"]
    assert session.strip(name="Audio 1").sends[0].level_db == pytest.approx(20 * np.log10(0.25), abs=0.1)
    assert report["unmapped"] == 0
    ours = studioflow_render(tmp_path / "made.yaml", tmp_path / "ours.wav")
    theirs = ardour_render(folder, tmp_path / "ardour.wav")
    n = min(len(ours), len(theirs))
    assert np.max(np.abs(theirs)) > 0.05
    assert null_dbfs(ours[:n], theirs[:n]) < NULL_DBFS


def test_a_malformed_value_in_a_session_is_one_clear_error(song: Path, tmp_path: Path) -> None:
    export_session(song, "ardour", tmp_path / "x")
    file = tmp_path / "x" / "x.ardour"
    file.write_text(file.read_text().replace('name="gaincontrol"', 'name="gaincontrol" broken="1"', 1)
                    .replace('sample-rate="48000"', 'sample-rate="fast"', 1))
    with pytest.raises(SessionError, match="cannot be read: ValueError"):
        import_session(tmp_path / "x", tmp_path / "x.yaml")
    assert not (tmp_path / "x.yaml").exists()
