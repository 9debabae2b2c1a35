"""LV2 host through liblilv: real plugins from Debian's lsp-plugins (LV2) change the audio as their parameters say."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import impulse, noise, process_in_blocks

from studioflow.dsp.plugins.lv2 import Lv2Plugin
from studioflow.dsp.registry import create
from studioflow.errors import PluginError

RATE = 48000
LSP = "http://lsp-plug.in/plugins/lv2/"
pytestmark = pytest.mark.skipif(not Path("/usr/lib/lv2/lsp-plugins.lv2").exists(),
                                reason="Debian's lsp-plugins-lv2 is not installed (scripts/setup-system.sh)")


def delay(**params):
    return create("lv2", RATE, uri=LSP + "comp_delay_mono", **{"mode": 0, "dry": 0.0, "wet": 1.0, **params})


def test_delay_in_samples_moves_an_impulse_on_every_channel():
    out = delay(samp=100)(impulse(0.05, RATE, channels=2))
    assert np.flatnonzero(out[0]).tolist() == [100] and np.flatnonzero(out[1]).tolist() == [100]


def test_output_gain_by_name_doubles_the_amplitude():
    x = noise(0.1, RATE, channels=2)
    np.testing.assert_allclose(delay(samp=0, **{"output gain": 2.0})(x), 2.0 * x, rtol=1e-5)


def test_gain_change_glides():
    x = noise(0.2, RATE, seed=2)
    p = delay(samp=0)
    a = p.process(x[:, :4000])
    p.set_param("g_out", 2.0)
    b = p.process(x[:, 4000:])
    ratio = b[0] / x[0, 4000:]
    assert 1.0 <= ratio[:4].min() and ratio[:4].max() < 1.05      # starts near the old gain
    np.testing.assert_allclose(b[:, 2000:], 2.0 * x[:, 6000:], rtol=1e-5)
    np.testing.assert_allclose(a, x[:, :4000], rtol=1e-6)


@settings(max_examples=8, deadline=None)
@given(st.lists(st.integers(1, 6000), min_size=1, max_size=5))
def test_block_size_invariant(sizes):
    x = noise(0.2, RATE, channels=2, seed=3)

    def make():
        return delay(samp=333, dry=0.5)

    np.testing.assert_array_equal(process_in_blocks(make, x, sizes), make()(x))


def test_latency_is_reported_and_matches_the_audio():
    lim = Lv2Plugin(RATE, uri=LSP + "limiter_stereo")
    out = lim(impulse(0.1, RATE, channels=2, at=100, amplitude=0.05))
    assert lim.latency > 0
    assert np.argmax(np.abs(out[0])) == 100 + lim.latency


def test_errors_are_one_line_plugin_errors():
    for kwargs in [dict(uri=LSP + "no_such_plugin"), dict(uri=LSP + "comp_delay_mono", volume=1.0),
                   dict(uri=LSP + "comp_delay_mono", samp=1e6)]:
        with pytest.raises(PluginError) as err:
            Lv2Plugin(RATE, **kwargs)
        assert "\n" not in str(err.value) and str(err.value).startswith("lv2")
