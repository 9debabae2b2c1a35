"""The shared delay line: whole-sample delays per channel, the caller's dtype, any block size."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from signals import process_in_blocks

from studioflow.dsp.delayline import DelayLine
from studioflow.errors import ParameterError


def test_each_channel_is_shifted_by_its_own_delay():
    x = np.random.default_rng(1).standard_normal((2, 500)).astype(np.float32)
    y = DelayLine([3, 40], channels=2).process(x)
    np.testing.assert_array_equal(y[0, 3:], x[0, :-3])
    np.testing.assert_array_equal(y[1, 40:], x[1, :-40])
    assert not y[0, :3].any() and not y[1, :40].any()
    assert y.dtype == np.float32 and y.flags.c_contiguous


def test_history_dtype_is_the_callers():
    x = np.full((2, 10), 1.0 + 2.0 ** -40)          # not representable in float32
    y = DelayLine(4, dtype=np.float64).process(x)
    assert y.dtype == np.float64 and y[0, 4] == x[0, 0] and y[1, 9] == x[1, 5]


def test_zero_delay_passes_the_block_and_bad_delays_are_refused():
    x = np.ones((1, 8), dtype=np.float32)
    assert DelayLine(0, channels=1).process(x) is x
    with pytest.raises(ParameterError, match="delay line"):
        DelayLine([1, 2, 3], channels=2)
    with pytest.raises(ParameterError, match="delay line"):
        DelayLine(-1, channels=1)


@settings(max_examples=25, deadline=None)
@given(sizes=st.lists(st.integers(1, 700), min_size=1, max_size=5), delay=st.integers(0, 300))
def test_block_size_does_not_change_the_output(sizes, delay):
    x = np.random.default_rng(2).standard_normal((2, 2000)).astype(np.float32)
    whole = DelayLine([delay, delay // 3], channels=2).process(x)
    np.testing.assert_array_equal(process_in_blocks(lambda: DelayLine([delay, delay // 3], channels=2), x, sizes),
                                  whole)
