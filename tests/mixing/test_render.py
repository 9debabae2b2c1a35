"""The renderer: exact sums, block-size independence, pan laws, automation, delay compensation, solo and stems."""

import json

import numpy as np
import pytest

from studioflow.errors import ParameterError
from studioflow.mixing import load_session, render

RATE = 48000


def noise(seconds, channels=1, seed=0, rms=0.1):
    return (np.random.default_rng(seed).standard_normal((channels, int(seconds * RATE))) * rms).astype(np.float32)


def mono_pan(pan):
    theta = (pan + 1) * np.pi / 4
    return np.cos(theta), np.sin(theta)


def test_gains_pans_mutes_equal_the_weighted_sum(wav, session_file, read_audio, tmp_path):
    a, b, c = noise(1.0, 1, 1), noise(0.7, 2, 2), noise(0.5, 1, 3)
    wav("a.wav", a), wav("b.wav", b), wav("c.wav", c)
    path = session_file("""
        tracks:
          - {name: a, source: a.wav, gain_db: -3.5, pan: -0.4}
          - {name: b, regions: [{file: b.wav, at: 0.25}], gain_db: 2, pan: 0.3, polarity: inverted}
          - {name: c, source: c.wav, mute: true}
        master: {gain_db: -1}
    """)
    out = tmp_path / "mix.wav"
    render(load_session(path), out, block_frames=1000)
    got = read_audio(out)
    ref = np.zeros((2, RATE))
    gl, gr = mono_pan(-0.4)
    ref[0] += a[0] * 10 ** (-3.5 / 20) * gl
    ref[1] += a[0] * 10 ** (-3.5 / 20) * gr
    at = int(0.25 * RATE)
    g = -(10 ** (2 / 20))
    ref[0, at:at + b.shape[1]] += b[0] * g * (1 - 0.3)   # balance: the left side fades, the right stays at unity
    ref[1, at:at + b.shape[1]] += b[1] * g
    ref *= 10 ** (-1 / 20)
    assert got.shape == ref.shape
    residual_db = 20 * np.log10(np.max(np.abs(got - ref)) + 1e-300)
    assert residual_db < -120


def test_block_size_does_not_change_the_file(wav, session_file, read_audio, tmp_path, test_processors):
    wav("a.wav", noise(0.6, 1, 1)), wav("b.wav", noise(0.5, 2, 2))
    path = session_file("""
        tracks:
          - name: a
            regions: [{file: a.wav, at: 0.05, fade_in: 0.1, fade_out: 0.2, gain_db: -2}]
            inserts: [{type: test_delay, frames: 37}, {type: test_scale, gain_db: 0}]
            automation:
              pan: [[0, -1], [0.5, 1, s]]
              inserts[1].gain_db: [[0, 0], [0.4, -12, exp]]
            sends: [{bus: fx, level_db: -6, pre_fader: true}]
          - name: b
            source: b.wav
            automation: {gain_db: [[0.1, 0], [0.3, -20]]}
            sends: [{bus: fx, level_db: -3}]
        buses:
          - {name: fx, inserts: [{type: test_delay, frames: 501}], output: grp}
          - {name: grp, pan: 0.2}
    """)
    session = load_session(path)
    outs = []
    for block in (64, 1000, 8192):
        out = tmp_path / f"mix{block}.wav"
        render(session, out, block_frames=block)
        outs.append(read_audio(out))
    np.testing.assert_array_equal(outs[0], outs[1])
    np.testing.assert_array_equal(outs[0], outs[2])
    assert np.max(np.abs(outs[0])) > 0.01


def test_mono_pan_law_and_stereo_balance(wav, session_file, read_audio, tmp_path):
    wav("m.wav", np.full((1, 4800), 0.5)), wav("s.wav", np.full((2, 4800), 0.5))
    for law, centre_db in ((-3, -3.0103), (-4.5, -4.515), (-6, -6.0206), (0, 0.0)):
        path = session_file(f"""
            pan_law_db: {law}
            tracks:
              - {{name: m, source: m.wav}}
        """)
        out = tmp_path / f"m{law}.wav"
        render(load_session(path), out)
        got = read_audio(out)
        assert 20 * np.log10(got[0, 100] / 0.5) == pytest.approx(centre_db, abs=0.01)
        assert got[0, 100] == pytest.approx(got[1, 100])
    path = session_file("""
        tracks:
          - {name: s, source: s.wav}
          - {name: s2, source: s.wav, pan: -0.5}
    """)
    out = tmp_path / "s.wav.out.wav"
    render(load_session(path), out)
    got = read_audio(out)
    assert got[0, 100] == pytest.approx(1.0) and got[1, 100] == pytest.approx(0.5 + 0.25)


def test_gain_automation_is_sample_accurate(wav, session_file, read_audio, tmp_path):
    wav("one.wav", np.ones((2, RATE)))
    path = session_file("""
        tempo: 120
        tracks:
          - name: one
            source: one.wav
            automation: {gain_db: [[0, 0], ["1:2", 0], ["2:1", -20]]}
    """)
    out = tmp_path / "mix.wav"
    render(load_session(path), out, block_frames=777)
    got = read_audio(out)[0]
    n = np.arange(RATE)
    t = n / RATE
    ref_db = np.where(t <= 0.5, 0.0, np.where(t >= 2.0, -20.0, -20.0 * (t - 0.5) / 1.5))
    np.testing.assert_allclose(got, 10 ** (ref_db / 20), rtol=1e-6)


def test_latency_is_compensated_for_tracks_and_returns(wav, session_file, read_audio, tmp_path, test_processors):
    click = np.zeros((2, 4800), dtype=np.float32)
    click[:, 1000] = 1.0
    wav("click.wav", click)
    path = session_file("""
        tracks:
          - {name: late, source: click.wav, inserts: [{type: test_delay, frames: 300}], output: grp}
          - {name: dry, source: click.wav, sends: [{bus: verb, level_db: 0, pan: 0}], pan: -1}
        buses:
          - {name: verb, inserts: [{type: test_delay, frames: 120}], pan: 1}
          - {name: grp, pan: 1}
    """)
    out = tmp_path / "mix.wav"
    report = render(load_session(path), out)
    got = read_audio(out)
    assert got.shape[1] == 4800                           # delay compensation is cut off the front
    assert report["master_latency_frames"] == 300
    assert np.flatnonzero(np.abs(got[0]) > 1e-6).tolist() == [1000]     # dry (left)
    right = np.flatnonzero(np.abs(got[1]) > 1e-6).tolist()
    assert right == [1000]                                                # late track and the return, aligned
    assert got[1, 1000] == pytest.approx(1.0 + 1.0)


def test_solo_keeps_the_path_and_the_return(wav, session_file, read_audio, tmp_path):
    wav("a.wav", np.full((2, 4800), 0.25)), wav("b.wav", np.full((2, 4800), 0.125))
    path = session_file("""
        tracks:
          - {name: a, source: a.wav, solo: true, output: grp, sends: [{bus: verb, level_db: 0}]}
          - {name: b, source: b.wav}
        buses:
          - {name: grp}
          - {name: verb}
    """)
    out = tmp_path / "mix.wav"
    report = render(load_session(path), out)
    got = read_audio(out)
    np.testing.assert_allclose(got[:, 10], [0.5, 0.5])      # a through grp + a through verb; b silenced
    silent = {s["name"] for s in report["strips"] if s["silent"]}
    assert silent == {"b"}


def test_stems_add_up_to_the_mix(wav, session_file, read_audio, tmp_path, test_processors):
    wav("a.wav", noise(0.3, 1, 5)), wav("b.wav", noise(0.3, 2, 6))
    path = session_file("""
        tracks:
          - {name: a, source: a.wav, pan: 0.3, inserts: [{type: test_delay, frames: 50}]}
          - {name: b, source: b.wav, gain_db: -4, sends: [{bus: verb, level_db: -6}]}
        buses:
          - {name: verb, inserts: [{type: test_delay, frames: 80}]}
    """)
    out = tmp_path / "mix.wav"
    report = render(load_session(path), out, stems_dir=tmp_path / "stems", format="wav24")
    assert sorted(p.name for p in (tmp_path / "stems").iterdir()) == ["a.wav", "b.wav", "verb.wav"]
    total = sum(read_audio(tmp_path / "stems" / n) for n in ("a.wav", "b.wav", "verb.wav"))
    np.testing.assert_allclose(total, read_audio(out), atol=4 / 2 ** 23)
    assert set(report["stems"]) == {"a", "b", "verb"}


def test_tails_extend_the_render_and_the_report_says_so(wav, session_file, read_audio, tmp_path, test_processors):
    wav("a.wav", np.full((1, 4800), 2.0))
    path = session_file("""
        tracks:
          - {name: a, source: a.wav, output: bus}
        buses:
          - {name: bus, inserts: [{type: test_ring, tail_s: 0.5}]}
    """)
    out = tmp_path / "mix.wav"
    report = render(load_session(path), out)
    assert read_audio(out).shape[1] == 4800 + 24000
    on_disk = json.loads(out.with_suffix(".json").read_text())
    assert on_disk["tail_s"] == 0.5 and on_disk["session_sha256"] == report["session_sha256"]
    assert any("track a clips before its fader" in w for w in on_disk["warnings"])
    assert any("bus bus goes over" in w for w in on_disk["warnings"])


def test_from_to_renders_an_excerpt_of_the_same_mix(wav, session_file, read_audio, tmp_path):
    wav("a.wav", noise(2.0, 2, 9))
    path = session_file("""
        tracks:
          - {name: a, source: a.wav, automation: {gain_db: [[0, -10], [2, 0]]}}
    """)
    session = load_session(path)
    render(session, tmp_path / "all.wav")
    render(session, tmp_path / "part.wav", start_s=0.5, end_s=1.25)
    whole, part = read_audio(tmp_path / "all.wav"), read_audio(tmp_path / "part.wav")
    np.testing.assert_array_equal(part, whole[:, 24000:60000])


def test_memory_stays_flat_as_the_song_grows(wav, session_file, tmp_path):
    import tracemalloc
    peaks = []
    for seconds in (2.0, 8.0):
        wav(f"n{seconds}.wav", noise(seconds, 2, 1))
        tracks = "\n".join(f"  - {{name: t{i}, source: n{seconds}.wav, pan: {i / 10}}}" for i in range(6))
        path = session_file(f"tracks:\n{tracks}\n", f"s{seconds}.yaml")
        session = load_session(path)
        tracemalloc.start()
        render(session, tmp_path / f"m{seconds}.wav", block_frames=4096)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    tracks_bytes = 6 * 8.0 * RATE * 2 * 4
    assert peaks[1] < peaks[0] * 1.25 + 1e6          # 4x longer song, about the same peak
    assert peaks[1] < tracks_bytes / 2               # well under holding the tracks in memory


def test_real_limiter_lookahead_is_compensated(wav, session_file, read_audio, tmp_path):
    click = np.zeros((2, 9600), dtype=np.float32)
    click[:, 3000] = 0.1
    wav("click.wav", click)
    path = session_file("""
        tracks:
          - {name: limited, source: click.wav, pan: -1, inserts: [{type: limiter, ceiling_dbtp: 0}]}
          - {name: plain, source: click.wav, pan: 1}
    """)
    session = load_session(path)
    out = tmp_path / "mix.wav"
    report = render(session, out)
    got = read_audio(out)
    assert report["master_latency_frames"] > 0
    assert int(np.argmax(np.abs(got[0]))) == int(np.argmax(np.abs(got[1]))) == 3000


def test_real_processor_errors_name_line_and_key(wav, session_file):
    wav("v.wav", np.zeros((1, 4800)))
    path = session_file("""
        tracks:
          - name: vocal
            source: v.wav
            inserts:
              - {type: eq, bands: [{type: highpass, freq: 90, slope: 24}]}
              - {type: compressor, threshold_db: -20, ratio: 0.5, attack_ms: 5, release_ms: 80}
    """)
    from studioflow.errors import SessionError
    with pytest.raises(SessionError, match=r"^session.yaml:6 tracks\[0\].inserts\[1\].ratio: must be >= 1"):
        load_session(path)


def test_a_negative_tail_is_refused(wav, session_file, tmp_path):
    wav("a.wav", np.zeros((1, 4800)))
    path = session_file("""
        tracks:
          - {name: a, source: a.wav}
    """)
    with pytest.raises(ParameterError, match="tail_s must be >= 0"):
        render(load_session(path), tmp_path / "mix.wav", tail_s=-1.0)


def test_a_failed_render_leaves_no_empty_stems_folder(wav, session_file, tmp_path, monkeypatch):
    from studioflow.mixing import engine

    wav("a.wav", np.zeros((1, 4800)))
    path = session_file("""
        tracks:
          - {name: a, source: a.wav}
    """)

    def interrupted(self, main, writers):
        raise KeyboardInterrupt

    monkeypatch.setattr(engine.Renderer, "_loop", interrupted)
    with pytest.raises(KeyboardInterrupt):
        render(load_session(path), tmp_path / "mix.wav", stems_dir=tmp_path / "stems")
    assert not (tmp_path / "stems").exists() and not (tmp_path / "mix.wav").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.wav", "session.yaml"]
