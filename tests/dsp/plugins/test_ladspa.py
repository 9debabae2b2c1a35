"""LADSPA host: real plugins from Debian's swh-plugins and tap-plugins change the audio as their parameters say."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import impulse, noise, process_in_blocks, sine

from studioflow.dsp.base import Chain
from studioflow.dsp.plugins.ladspa import LadspaPlugin, list_labels
from studioflow.dsp.registry import create
from studioflow.errors import PluginError

RATE = 48000
LADSPA = Path("/usr/lib/ladspa")
pytestmark = pytest.mark.skipif(not (LADSPA / "amp_1181.so").exists() or not (LADSPA / "tap_eq.so").exists(),
                                reason="Debian's swh-plugins and tap-plugins are not installed "
                                       "(scripts/setup-system.sh)")


def level_db(x: np.ndarray) -> float:
    return 20 * np.log10(np.sqrt(np.mean(x.astype(np.float64) ** 2)))


def test_amp_at_plus_6_db_doubles_the_amplitude_on_every_channel():
    x = noise(0.1, RATE, channels=2)
    amp = create("ladspa", RATE, path=str(LADSPA / "amp_1181.so"), amps_gain_db=6.0)
    np.testing.assert_allclose(amp(x), x * 10 ** (6 / 20), rtol=1e-5)
    assert len(amp._instances) == 2   # a mono plugin runs once per channel


def test_parameter_names_match_case_insensitively_and_defaults_come_from_the_hints():
    amp = LadspaPlugin(RATE, path="amp_1181.so", **{"AMPS GAIN (DB)": -6.0})
    assert amp.params()["Amps gain (dB)"] == -6.0
    eq = LadspaPlugin(RATE, path="tap_eq.so")
    defaults = {c.name: c.default for c in eq.controls}
    assert defaults["Band 4 Freq [Hz]"] == 1000.0 and defaults["Band 4 Gain [dB]"] == 0.0


def test_tap_equalizer_band_boosts_its_frequency_only():
    eq = LadspaPlugin(RATE, path="tap_eq.so", label="tap_equalizer", band_4_gain_db=12.0)
    at_1k = sine(1000, 0.5, RATE)
    at_100 = sine(100, 0.5, RATE)
    # TAP's bands are RBJ-cookbook bells one octave wide: the gain at the centre is the band's gain, and 3.3 octaves
    # below only the bell's skirt is left, |H(j w)| of the analog prototype at w = f / f0 (0.08 dB here)
    assert level_db(eq(at_1k)[:, 4800:]) - level_db(at_1k[:, 4800:]) == pytest.approx(12.0, abs=0.01)
    big_a, q, w = 10 ** (12.0 / 40), 1 / (2 * np.sinh(np.log(2) / 2)), 100.0 / 1000.0
    skirt_db = 10 * np.log10(((1 - w * w) ** 2 + (w * big_a / q) ** 2) / ((1 - w * w) ** 2 + (w / (big_a * q)) ** 2))
    assert level_db(eq(at_100)[:, 4800:]) - level_db(at_100[:, 4800:]) == pytest.approx(skirt_db, abs=0.01)


def test_swh_delay_moves_an_impulse_by_its_delay_time():
    d = LadspaPlugin(RATE, path="delay_1898.so", label="delay_n", max_delay_s=1.0, delay_time_s=0.01)
    out = d(impulse(0.1, RATE))
    assert np.flatnonzero(out[0]).tolist() == [480]


@pytest.mark.parametrize("path, latency", [("fast_lookahead_limiter_1913.so", None), ("tap_limiter.so", None)])
def test_latency_port_is_reported_and_matches_the_audio(path, latency):
    lim = LadspaPlugin(RATE, path=path)
    out = lim(impulse(0.1, RATE, channels=2, at=100, amplitude=0.1))
    assert lim.latency > 0
    assert np.argmax(np.abs(out[0])) == 100 + lim.latency


def test_gain_change_glides_without_a_jump():
    x = sine(200, 0.3, RATE, amplitude_dbfs=-12)
    amp = LadspaPlugin(RATE, path="amp_1181.so")
    cut = 4860   # a peak of the sine: an instant gain change here would jump by a quarter of full scale
    a = amp.process(x[:, :cut])
    amp.set_param("amps_gain_db", 6.0)
    b = amp.process(x[:, cut:])
    y = np.concatenate([a, b], axis=1)[0]
    assert np.abs(np.diff(y)).max() < 1.1 * 10 ** (6 / 20) * np.abs(np.diff(x[0])).max()
    np.testing.assert_allclose(b[:, 2000:], x[:, cut + 2000:] * 10 ** (6 / 20), rtol=1e-5)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.integers(1, 6000), min_size=1, max_size=5))
def test_block_size_invariant(sizes):
    x = noise(0.3, RATE, channels=2, seed=4)

    def make():
        return Chain([LadspaPlugin(RATE, path="tap_eq.so", band_2_gain_db=6.0),
                      LadspaPlugin(RATE, path="tap_echo.so", l_feedback=40.0)])

    np.testing.assert_array_equal(process_in_blocks(make, x, sizes), make()(x))


def test_stereo_plugin_on_mono_input_and_listing():
    assert ("tap_stereo_echo", "TAP Stereo Echo") in list_labels("tap_echo.so")
    out = LadspaPlugin(RATE, path="tap_echo.so", dry_level_db=-70.0)(impulse(0.3, RATE))
    assert out.shape == (1, 14400) and np.argmax(np.abs(out[0])) in (4800, 4801)   # 100 ms default (TAP adds 1)


def test_errors_are_one_line_plugin_errors(tmp_path):
    cases = [dict(path=str(tmp_path / "nothing.so")), dict(path="/usr/lib/x86_64-linux-gnu/libm.so.6"),
             dict(path="amp_1181.so", volume=3.0), dict(path="gverb_1216.so"),
             dict(path="delay_1898.so"), dict(path="delay_1898.so", label="nope"),
             dict(path="amp_1181.so", amps_gain_db=200.0)]
    text = tmp_path / "fake.so"
    text.write_text("not a library")
    cases.append(dict(path=str(text)))
    for kwargs in cases:
        with pytest.raises(PluginError) as err:
            LadspaPlugin(RATE, **kwargs)
        assert "\n" not in str(err.value) and str(err.value).startswith("ladspa")
    with pytest.raises(PluginError, match="no parameter"):
        LadspaPlugin(RATE, path="amp_1181.so").set_param("volume", 1.0)
