"""The album sequence: songs land on their planned samples, crossfades overlap with equal-power fades, and the
per-track cuts played back to back give the sequence again."""

import numpy as np

from studioflow.audio.files import read, write
from studioflow.mastering import cdimage

RATE = 44100


def test_sequence_gaps_crossfade_and_cuts(tmp_path):
    n = [RATE, RATE // 2 + 101, RATE]
    songs = [np.full((2, k), 0.25 * (i + 1), np.float32) for i, k in enumerate(n)]   # constant levels: easy to see
    paths = []
    for i, s in enumerate(songs):
        paths.append(write(tmp_path / f"s{i}.wav", s, RATE, subtype="FLOAT"))
    spots, total = cdimage.plan(n, [0, 0.2, 0], [0, 0, 0.1], [0, 0, 0], [0, 0, 0], RATE)
    seq = tmp_path / "seq.wav"
    length = cdimage.render_sequence(paths, spots, total, RATE, 2, seq)
    audio, _ = read(seq)
    assert length == audio.shape[1] == total * 588
    a, b, c = spots
    assert np.all(audio[0, :n[0]] == 0.25)                                   # song 1 untouched
    assert np.all(audio[:, n[0]:b.start] == 0)                              # pad + 0.2 s gap
    assert b.start == (b.index00 + 15) * 588 and b.index00 == -(-n[0] // 588)
    # the crossfade: song 2 fades out while song 3 fades in over the overlap, equal power (sin/cos)
    ov = c.overlap
    t = np.arange(ov) / ov
    want = 0.5 * np.cos(0.5 * np.pi * t) + 0.75 * np.sin(0.5 * np.pi * t)
    got = audio[0, c.start:c.start + ov]
    assert np.max(np.abs(got - want)) < 1e-6
    assert np.all(audio[0, c.start + ov:c.start + n[2]] == 0.75)
    assert np.all(audio[:, c.start + n[2]:] == 0)                           # pad to the last frame
    # the cuts at INDEX 01 rebuild the sequence from track 1's start
    bounds = [s.start for s in spots] + [total * 588]
    pieces = cdimage.cut_tracks(seq, bounds, [tmp_path / f"cut-{s.number}.wav" for s in spots], "FLOAT")
    joined = np.concatenate([read(p)[0] for p in pieces], axis=1)
    assert np.array_equal(joined, audio[:, a.start:])
