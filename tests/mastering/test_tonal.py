"""The tonal correction and the EQ fitted to it, checked through the real filters' response."""

import numpy as np
import pytest

from studioflow.dsp.eq import ParametricEQ
from studioflow.mastering.spectral import band_centers_hz
from studioflow.mastering.styles import curve_db
from studioflow.mastering.tonal import correction_db, fit_eq

FC = band_centers_hz(48000)
IN = (FC >= 31) & (FC <= 16100)


def test_correction_is_centred_scaled_and_limited():
    mix = np.zeros(len(FC))
    goal = np.where(FC < 150, 10.0, 0.0)
    c = correction_db(mix, goal, FC, strength=0.5, max_db=3.0, smooth_bands=1)
    assert np.mean(c[(FC >= 200) & (FC <= 5000)]) == pytest.approx(0.0, abs=1e-9)
    assert c.max() == pytest.approx(3.0) and c[FC < 150].min() == pytest.approx(3.0)


def test_fit_follows_a_tilt_between_genre_curves_closely():
    c = correction_db(curve_db("acoustic", FC), curve_db("edm", FC), FC, strength=1.0, max_db=12.0, smooth_bands=1)
    bands, resp = fit_eq(c, FC, 48000, resolution="half-octave", max_db=12.0)
    err = np.sqrt(np.mean((c - resp)[IN] ** 2))
    assert err < 0.25 * np.sqrt(np.mean(c[IN] ** 2))
    # the bands mean the same thing to the EQ processor: its response at the band centres agrees
    eq = ParametricEQ(48000, bands=[{k: b[k] for k in ("type", "freq", "gain_db", "q")} for b in bands])
    at = eq.response(FC[IN])
    at_db = 20 * np.log10(np.abs(at)) if np.iscomplexobj(at) else np.asarray(at)
    assert np.sqrt(np.mean((at_db - resp[IN]) ** 2)) < 0.6


def test_gains_stay_within_max():
    c = correction_db(np.zeros(len(FC)), np.where(FC > 4000, 20.0, 0.0), FC, strength=1, max_db=4.0, smooth_bands=3)
    bands, _ = fit_eq(c, FC, 48000, resolution="octave", max_db=4.0)
    assert max(abs(b["gain_db"]) for b in bands) <= 4.0


def test_stereo_band_change_follows_width_and_mono_bass():
    # side as loud as mid in every band: width x2 raises each band by 10log10((1 + 4) / 2); the mono bass removes
    # the side far under its crossover (-3.01 dB) and leaves it far above (only the width's change remains)
    from studioflow.mastering.decisions import Stage, stereo_band_change_db

    mix = {"spectrum": {"centers_hz": FC.tolist(), "side_minus_mid_db": [0.0] * len(FC)}}
    width = Stage("stereo width", True, "width", {"width": 2.0})
    mono = Stage("mono bass", True, "mono_bass", {"freq": 120.0})
    assert stereo_band_change_db(mix, [width], 48000) == pytest.approx(np.full(len(FC), 10 * np.log10(2.5)))
    both = stereo_band_change_db(mix, [width, mono], 48000)
    assert both[FC <= 31.5] == pytest.approx(10 * np.log10(0.5), abs=0.01)
    assert both[FC >= 1000] == pytest.approx(10 * np.log10(2.5), abs=0.01)
    assert stereo_band_change_db(mix, [Stage("stereo width", False, "width", {"width": 2.0})], 48000) == \
        pytest.approx(np.zeros(len(FC)))
