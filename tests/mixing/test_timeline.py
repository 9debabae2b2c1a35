"""Song time: bar:beat to seconds at a tempo and time signature, note values, automation curves."""

import numpy as np
import pytest

from studioflow.mixing.automation import Envelope, parse_curve
from studioflow.mixing.timeline import TimeError, Timeline, parse_time_signature


def test_bar_beat_in_four_four():
    tl = Timeline(120.0, 4, 4)
    assert tl.seconds("1:1") == 0.0
    assert tl.seconds("17:1") == pytest.approx(16 * 4 * 0.5)
    assert tl.seconds("17:2") == pytest.approx(32.5)
    assert tl.seconds("2:2.5") == pytest.approx((4 + 1.5) * 0.5)
    assert tl.seconds(12.25) == 12.25


def test_bar_beat_in_six_eight_counts_eighths():
    tl = Timeline(180.0, *parse_time_signature("6/8"))
    assert tl.seconds("3:1") == pytest.approx(2 * 6 * 60 / 180)


def test_note_values():
    tl = Timeline(120.0, 4, 4)
    assert tl.note_seconds("1/4") == pytest.approx(0.5)
    assert tl.note_seconds("1/8.") == pytest.approx(0.375)
    assert tl.note_seconds("1/8t") == pytest.approx(0.25 * 2 / 3)


def test_bad_times():
    with pytest.raises(TimeError, match="tempo"):
        Timeline().seconds("2:1")
    with pytest.raises(TimeError, match="beats"):
        Timeline(120.0, 3, 4).seconds("2:4")
    with pytest.raises(TimeError):
        Timeline(120.0).seconds(-1)
    with pytest.raises(TimeError):
        parse_time_signature("4/3")


def test_envelope_linear_holds_and_ends():
    env = Envelope((1.0, 3.0), (-6.0, 0.0), (0.0, 0.0))
    got = env.at_seconds(np.array([0.0, 1.0, 2.0, 2.5, 3.0, 9.0]))
    np.testing.assert_allclose(got, [-6, -6, -3, -1.5, 0, 0])


def test_envelope_curves_hit_both_ends_and_bend():
    for curve in ("exp", "log", "s", 5.0):
        env = Envelope((0.0, 1.0), (0.0, 1.0), (parse_curve(curve), 0.0))
        v = env.at_seconds(np.linspace(0, 1, 101))
        assert v[0] == pytest.approx(0) and v[-1] == pytest.approx(1)
        assert np.all(np.diff(v) >= 0)
    slow = Envelope((0.0, 1.0), (0.0, 1.0), (parse_curve("exp"), 0.0)).at_seconds(0.5)[0]
    fast = Envelope((0.0, 1.0), (0.0, 1.0), (parse_curve("log"), 0.0)).at_seconds(0.5)[0]
    assert slow < 0.5 < fast
    assert Envelope((0.0, 1.0), (0.0, 1.0), ("s", 0.0)).at_seconds(0.5)[0] == pytest.approx(0.5)
    with pytest.raises(ValueError):
        parse_curve("wobbly")
