"""Statistics (DC, clipping runs, correlation) and the long-term band spectrum against analytic values."""

import numpy as np
import pytest
from signals import noise, pink_noise, sine

from studioflow.analysis.spectrum import band_centres_hz, octave_spectrum, third_octave_spectrum
from studioflow.analysis.stats import SignalStats, signal_stats


def test_dc_offset_and_rms():
    x = sine(100.0, 1.0, amplitude_dbfs=-6.0, channels=2)
    x[1] += 0.01
    st = signal_stats(x, 48000)
    assert st.dc_offset[0] == pytest.approx(0.0, abs=1e-6)
    assert st.dc_offset[1] == pytest.approx(0.01, abs=1e-6)
    assert st.rms_dbfs[0] == pytest.approx(-6.0 - 3.0103, abs=0.01)


def test_clipped_runs_need_three_samples_and_span_blocks():
    x = np.zeros((2, 1000), np.float32)
    x[0, 100:102] = 1.0          # two samples: a legal peak, not a run
    x[0, 500:510] = -1.0         # ten samples
    x[1, 997:1000] = 0.9995      # three at the very end
    stats = SignalStats(1000, 2)
    for i in range(0, 1000, 7):  # blocks that cut the runs
        stats.process(x[:, i:i + 7])
    st = stats.result()
    assert st.clipped_runs == 2 and st.clipped_samples == 13
    assert [(r.channel, r.start_s, r.samples) for r in st.clip_runs] == [(0, 0.5, 10), (1, 0.997, 3)]


def test_correlation():
    x = noise(1.0, channels=1, seed=1)
    assert signal_stats(np.concatenate([x, x]), 48000).correlation == pytest.approx(1.0)
    assert signal_stats(np.concatenate([x, -x]), 48000).correlation == pytest.approx(-1.0)
    assert abs(signal_stats(noise(2.0, channels=2, seed=2), 48000).correlation) < 0.02
    assert signal_stats(x, 48000).correlation is None


def test_iec_centres():
    centres = band_centres_hz(3, 48000, low_hz=25.0)
    assert centres[0] == pytest.approx(25.12, abs=0.01)
    assert np.allclose(np.diff(np.log10(centres)), 0.1)
    assert 1000.0 in np.round(centres, 6) and centres[-1] == pytest.approx(19952.6, abs=0.1)
    assert band_centres_hz(1, 8000, low_hz=31.0)[-1] < 4000 / 2 ** 0.5


@pytest.mark.parametrize("freq_hz,level_dbfs", [(1000.0, -6.0), (125.0, -20.0), (8000.0, -12.0)])
def test_sine_lands_in_its_band_at_its_level(freq_hz, level_dbfs):
    centres, levels = third_octave_spectrum(sine(freq_hz, 2.0, amplitude_dbfs=level_dbfs, channels=2), 48000)
    band = int(np.argmin(np.abs(np.log(centres / freq_hz))))
    assert levels[band] == pytest.approx(level_dbfs, abs=0.05)
    assert np.all(np.delete(levels, band) < level_dbfs - 20)


def test_pink_noise_has_equal_energy_per_octave():
    centres, levels = octave_spectrum(pink_noise(6.0, channels=2, seed=3), 48000)
    inner = levels[(centres > 60) & (centres < 10000)]
    assert np.ptp(inner) < 1.0


def test_bands_add_up_to_the_mean_square_of_white_noise():
    centres, levels = octave_spectrum(noise(4.0, channels=2, rms_dbfs=-20.0, seed=4), 48000)
    covered = (centres[-1] * 2 ** 0.5 - centres[0] / 2 ** 0.5) / 24000.0   # white: power spread evenly to Nyquist
    expected = -20.0 + 10 * np.log10(covered) + 10 * np.log10(2.0)           # +3.01 dB: full-scale sine reads 0
    assert 10 * np.log10(np.sum(10 ** (levels / 10))) == pytest.approx(expected, abs=0.1)
