"""Every dynamics processor gives the same output whatever the block sizes (1 to 65536), and registers by name."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import noise, process_in_blocks

from studioflow.dsp import registry

RATE = 48000
SIGNAL = noise(0.05, RATE, rms_dbfs=-6, channels=2, seed=7)
KEY = noise(0.05, RATE, rms_dbfs=-10, channels=2, seed=8)

MAKERS = {
    "compressor": dict(threshold_db=-20, ratio=4, attack_ms=1, release_ms=30, detection="rms", stereo_link=0.5,
                       sidechain_hpf_hz=100, lookahead_ms=1, auto_makeup=True, mix=0.7, auto_release=True),
    "gate": dict(threshold_db=-12, hold_ms=2, release_ms=5),
    "deesser": dict(frequency_hz=5000, threshold_db=-30),
    "transient_shaper": dict(attack_db=6, sustain_db=-4),
    "multiband_compressor": dict(crossovers_hz=[200, 2000, 8000]),
    "limiter": dict(ceiling_dbtp=-6, lookahead_ms=1),
}

sizes = st.lists(st.integers(1, 65536) | st.integers(1, 64), min_size=1, max_size=6)


@pytest.mark.parametrize("type_name", list(MAKERS))
@settings(max_examples=12, deadline=None)
@given(block_sizes=sizes)
def test_block_invariant(type_name, block_sizes):
    whole = registry.create(type_name, RATE, **MAKERS[type_name])(SIGNAL)
    parts = process_in_blocks(lambda: registry.create(type_name, RATE, **MAKERS[type_name]), SIGNAL, block_sizes)
    assert np.array_equal(whole, parts)


@settings(max_examples=10, deadline=None)
@given(sizes, st.integers(0, 2399))
def test_compressor_sidechain_and_automation_block_invariant(block_sizes, change_at):
    def run(sz):
        comp = registry.create("compressor", RATE, threshold_db=-30, ratio=3)
        out, pos, i = [], 0, 0
        while pos < SIGNAL.shape[1]:
            n = sz[i % len(sz)]
            if pos <= change_at < pos + n:  # split at the automation point so both runs change at the same frame
                n = change_at - pos or n
            if pos == change_at:
                comp.set_param("threshold_db", -10)
                comp.set_param("mix", 0.5)
            out.append(comp.process(SIGNAL[:, pos:pos + n], sidechain=KEY[:, pos:pos + n]))
            pos += n
            i += 1
        return np.concatenate(out, axis=1)
    assert np.array_equal(run([SIGNAL.shape[1]]), run(block_sizes))


def test_every_dynamics_name_is_registered_and_builds():
    for name in MAKERS:
        proc = registry.create(name, RATE, **MAKERS[name])
        assert proc.name == name
        out = proc.process(SIGNAL)
        assert out.shape == SIGNAL.shape and np.all(np.isfinite(out))
