"""A small session for the revise tests: mono and stereo tracks, two guitars, a reverb bus, sections, a tempo."""

import textwrap
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

RATE = 16000
SECONDS = 8.0
SESSION = """
session: notes test
sample_rate: 16000
tempo: 120
sections:
  - {name: intro, start: 0}
  - {name: verse, start: 2.0}
  - {name: chorus, start: 4.0}
  - {name: verse 2, start: 6.0}
  - {name: bridge, start: 7.0}
tracks:
  - {name: kick, source: kick.wav, gain_db: -2.0}
  - {name: snare, source: snare.wav, sends: [{bus: reverb, level_db: -16.0}]}
  - {name: hats, source: hats.wav, pan: 0.3}
  - {name: bass, source: bass.wav}
  - {name: gtr1, source: gtr1.wav, pan: -0.5}
  - {name: gtr2, source: gtr2.wav, pan: 0.5}
  - {name: keys, source: keys.wav}
  - {name: track9, source: track9.wav, notes: "role: synth_lead (sound, 70%)"}
  - name: Lead Vox
    source: vox.wav
    gain_db: -1.0
    inserts: [{type: gain, gain_db: 3.0}]
    sends: [{bus: reverb, level_db: -14.0}]
buses:
  - name: reverb
    inserts: [{type: reverb, decay_s: 1.0, mix: 1.0}]
"""


@pytest.fixture
def session_path(tmp_path: Path) -> Path:
    rng = np.random.default_rng(5)
    n = int(SECONDS * RATE)
    for name in ("kick", "snare", "hats", "bass", "gtr1", "gtr2", "track9", "vox"):
        sf.write(tmp_path / f"{name}.wav", (0.05 * rng.standard_normal(n)).astype(np.float32), RATE, subtype="FLOAT")
    sf.write(tmp_path / "keys.wav", (0.05 * rng.standard_normal((n, 2))).astype(np.float32), RATE, subtype="FLOAT")
    path = tmp_path / "session.yaml"
    path.write_text(textwrap.dedent(SESSION).lstrip())
    return path
