"""The compression stage: a mix whose low band swings much more than its mids gets the multiband compressor on that
band only (and its low range shrinks); a controlled mix gets none. The limiter's own gain reduction is reported."""

import numpy as np
import pytest
from songs import RATE, band_song

from studioflow.audio.files import write
from studioflow.mastering.api import master
from studioflow.mastering.gain_reduction import GainReductionMeter


def _compression(rec):
    return next(s for s in rec["stages"] if s["name"] == "compression")


def test_uncontrolled_low_band_gets_multiband_on_the_low_band_only(tmp_path):
    write(tmp_path / "mix.wav", band_song(20.0), RATE, subtype="FLOAT")
    rec = master(tmp_path / "mix.wav", tmp_path / "m.wav")
    stage = _compression(rec)
    assert stage["enabled"] and stage["processor"] == "multiband_compressor"
    assert stage["settings"]["ratio"][0] > 1.0 and stage["settings"]["ratio"][1:] == [1.0]
    assert stage["settings"]["crossovers_hz"] == [150.0]          # split only where a band is compressed
    assert "low band" in stage["reason"] and "20.0 dB" in stage["reason"]
    before = rec["analysis"]["input"]["band_dynamics"]
    after = rec["analysis"]["after_chain"]["band_dynamics"]
    assert before["low"]["range_db"] == pytest.approx(20.0, abs=0.5)     # the swing that was built in
    assert after["low"]["range_db"] < 0.75 * before["low"]["range_db"]
    assert after["mid"]["range_db"] == pytest.approx(before["mid"]["range_db"], abs=0.2)


def test_controlled_low_band_gets_no_multiband(tmp_path):
    write(tmp_path / "mix.wav", band_song(0.0), RATE, subtype="FLOAT")
    rec = master(tmp_path / "mix.wav", tmp_path / "m.wav")
    stage = _compression(rec)
    assert stage["processor"] != "multiband_compressor"
    assert rec["analysis"]["input"]["band_dynamics"]["low"]["range_db"] < 1.0
    if not stage["enabled"]:      # nothing compressed: the chain's band dynamics are not measured again
        assert rec["analysis"]["after_chain"]["band_dynamics"] is None
    assert rec["analysis"]["after_chain"]["integrated_lufs"] is not None


def test_gain_reduction_meter_statistics_and_windows():
    meter = GainReductionMeter(1000)                  # 100-frame windows
    gr = np.zeros(1000)
    gr[200:250] = 6.0                                 # half a window at 6 dB
    gr[500:600] = 2.0                                 # one window at 2 dB
    for i in range(0, 1000, 37):                      # any block size
        meter.add(gr[i:i + 37])
    r = meter.result()
    assert r["max_db"] == 6.0
    assert r["mean_db"] == pytest.approx((50 * 6 + 100 * 2) / 150, abs=5e-4)   # rounded to 0.001 dB
    assert r["active_pct"] == pytest.approx(15.0)
    assert r["p95_db"] == pytest.approx(2.0, abs=0.05)    # 85% at 0, 10% at 2 dB, 5% at 6 dB
    assert r["series"]["gr_db"] == [0, 0, 6, 0, 0, 2, 0, 0, 0, 0]


def test_report_stands_alone_with_its_plots_and_numbers(tmp_path):
    import base64
    import re

    write(tmp_path / "mix.wav", band_song(20.0, seconds=5.0), RATE, subtype="FLOAT")
    rec = master(tmp_path / "mix.wav", tmp_path / "m.wav", reference=tmp_path / "mix.wav", report=tmp_path / "r.html")
    page = (tmp_path / "r.html").read_text()
    images = re.findall(r"data:image/png;base64,([A-Za-z0-9+/=]+)", page)
    assert len(images) == 3 and all(base64.b64decode(i)[:8] == b"\x89PNG\r\n\x1a\n" for i in images)
    for heading in ("Loudness over time", "Spectrum", "Limiter gain reduction", "Numbers", "spectral distance"):
        assert heading in page
    assert f"{rec['analysis']['output']['integrated_lufs']:.2f} LUFS" in page


@pytest.mark.parametrize("linear", [True, False])
def test_gain_reduction_meter_equals_plain_numpy_for_any_blocks(linear):
    rng = np.random.default_rng(4)
    gain = np.ones(30000)
    hits = rng.integers(0, gain.size, 800)
    gain[hits] = rng.uniform(0.5, 1.0, hits.size)           # scattered limiting, most windows untouched
    gain[12000:13000] = np.linspace(0.4, 1.0, 1000)
    gr = -20 * np.log10(gain)
    meter = GainReductionMeter(1000)                       # 100-frame windows
    for i in range(0, gain.size, 777):
        meter.add_gain(gain[i:i + 777]) if linear else meter.add(gr[i:i + 777])
    r = meter.result()
    active = gr > 0.1
    assert r["max_db"] == pytest.approx(gr.max(), abs=1e-3)
    assert r["active_pct"] == pytest.approx(100 * active.mean(), abs=0.01)
    assert r["mean_db"] == pytest.approx(gr[active].mean(), abs=1e-3)
    np.testing.assert_allclose(r["series"]["gr_db"], np.round(gr.reshape(-1, 100).max(axis=1), 2), atol=0.006)
