"""A revision keeps the session a document: every comment and the layout of what it did not change, each changed key
annotated with the version and the note, automation as one [time, value] pair per line."""

import re
from pathlib import Path

import numpy as np
import soundfile as sf

from studioflow.mixing import load_session
from studioflow.mixing.revise import revise

SESSION = """\
# Song 3, second mix. Ask Sam before touching the bass.
session: document test   # the name on the report
sample_rate: 16000

tracks:
  # rhythm section
  - {name: kick, source: a.wav, gain_db: -2.0}   # sampled, not the room kick
  - name: bass
    source: a.wav
    gain_db: -3.0     # Sam wants it low
    # no EQ on purpose: the DI is already dark
    pan: 0.0
  - name: vocal
    source: a.wav
    sends: [{bus: verb, level_db: -14.0}]
    # the vocal is comped from takes 2 and 5
buses:
  - name: verb
    inserts: [{type: reverb, decay_s: 1.2, mix: 1.0}]   # plate-ish
"""


def _session(tmp_path: Path) -> Path:
    rate = 16000
    sf.write(tmp_path / "a.wav", (0.05 * np.random.default_rng(1).standard_normal(4 * rate)).astype(np.float32),
             rate, subtype="FLOAT")
    path = tmp_path / "mix.yaml"
    path.write_text(SESSION)
    return path


def test_every_comment_and_untouched_line_survives(tmp_path):
    path = _session(tmp_path)
    result = revise(path, "kick up 1 dB from 0:01 to 0:02; the vocal a bit brighter")
    text = Path(result["new_session"]).read_text()
    for line in SESSION.splitlines():
        comment = line.split("#", 1)[1].strip() if "#" in line else None
        if comment:
            assert comment in text, comment
    untouched = SESSION[SESSION.index("  - name: bass"):SESSION.index("  - name: vocal")]
    assert untouched in text
    assert "  - name: verb\n    inserts: [{type: reverb, decay_s: 1.2, mix: 1.0}]   # plate-ish" in text
    assert re.search(r"\n        - \[1\.0, -1\.0\]\n", text), text                  # one pair per line, flow style
    assert "- - " not in text


def test_each_changed_key_says_which_version_and_note(tmp_path):
    path = _session(tmp_path)
    text = Path(revise(path, "kick up 1 dB from 0:01 to 0:02")["new_session"]).read_text()
    kick = text[text.index("name: kick"):text.index("name: bass")]
    assert re.search(r"name: kick +# sampled, not the room kick", kick)
    assert re.search(r"automation:\s+# v002: kick: level \+1\.0 dB from 0:01 to 0:02 \(note: kick up 1 dB", kick)
    assert "# rhythm section" in text[:text.index("name: kick")]
    assert load_session(path).strip("kick").automation["gain_db"].at_seconds(1.5)[0] == -1.0


def test_a_comment_on_a_changed_key_is_kept_beside_the_note(tmp_path):
    path = _session(tmp_path)
    text = Path(revise(path, "the bass a touch louder")["new_session"]).read_text()
    assert re.search(r"gain_db: -2\.0 +# Sam wants it low \| v002: bass: level \+1\.0 dB", text), text
    assert "    # no EQ on purpose: the DI is already dark\n    pan: 0.0" in text


def test_a_second_revision_replaces_the_header_and_keeps_the_first_notes(tmp_path):
    path = _session(tmp_path)
    revise(path, "the bass a touch louder")
    text = Path(revise(path, "kick down 1 dB")["new_session"]).read_text()
    assert text.startswith("# revised from mix.yaml by studioflow revise\n# notes: kick down 1 dB\n")
    assert text.count("# revised from") == 1
    assert "v002: bass: level +1.0 dB" in text and "v003: kick: level -1.0 dB" in text
