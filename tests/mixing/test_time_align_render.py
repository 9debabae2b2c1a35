"""A fractional time_align insert in a mix: its latency is compensated, so it lands exactly its delay later."""

import numpy as np
from delayed_signals import periodic_noise

from studioflow.dsp.fractional import BULK
from studioflow.mixing import load_session, render

FRAMES = 1 << 14


def _periodic_noise(delay=0.0):
    return periodic_noise(FRAMES, delay, band=(0.0, 0.4), seed=3)


def test_fractional_time_align_stays_in_step_with_a_dry_track(wav, session_file, read_audio, tmp_path):
    wav("x.wav", np.tile(_periodic_noise(), 3)[None])
    path = session_file("""
        tracks:
          - {name: dry, source: x.wav, pan: -1}
          - {name: late, source: x.wav, pan: 1, inserts: [{type: time_align, delay_samples: 12.5}]}
    """)
    out = tmp_path / "mix.wav"
    report = render(load_session(path), out)
    got = read_audio(out)[:, FRAMES:2 * FRAMES]
    assert report["master_latency_frames"] == BULK
    np.testing.assert_allclose(got[0], _periodic_noise(), atol=1e-7)                 # the dry track, unmoved
    want = _periodic_noise(12.5)
    assert 10 * np.log10(np.sum((got[1] - want) ** 2) / np.sum(want ** 2)) < -60     # 12.5 samples later, no more
