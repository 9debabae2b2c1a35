"""The spectrum's real FFT is scipy.fft's, bit for bit, with or without an output buffer, loaded without scipy.fft."""

import subprocess
import sys

import numpy as np
import pytest
import scipy.fft

from studioflow.analysis.realfft import rfft


@pytest.mark.parametrize("n", [256, 1024, 8192, 16384])
def test_rfft_is_scipy_fft_bit_for_bit(n):
    x = np.random.default_rng(n).standard_normal((2, 5, n)).astype(np.float32)
    expected = scipy.fft.rfft(x, axis=-1)
    got = rfft(x)
    assert got.dtype == np.complex64 and np.array_equal(got, expected)
    buffer = np.zeros((2, 8, n // 2 + 1), np.complex64)
    into = rfft(x, buffer[:, 1:6])                       # a strided slice of a reused buffer
    assert np.shares_memory(into, buffer) and np.array_equal(buffer[:, 1:6], expected)


def test_rfft_loads_without_importing_scipy_fft_which_later_shares_it():
    code = ("import sys, numpy as np; from studioflow.analysis.realfft import rfft; x = np.ones(64, np.float32); "
            "y = rfft(x); print(sorted(m for m in sys.modules if m.split('.')[0] == 'scipy')); import scipy.fft; "
            "print(scipy.fft._pocketfft.basic.pfft is sys.modules['scipy.fft._pocketfft.pypocketfft'], "
            "np.array_equal(scipy.fft.rfft(x), y))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.splitlines() == ["['scipy.fft._pocketfft.pypocketfft']", "True True"]
