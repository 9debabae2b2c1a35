"""Session files: the format loads, and every mistake names the file, the line and the key path."""

import numpy as np
import pytest

from studioflow.errors import SessionError
from studioflow.mixing.session import load_session


@pytest.fixture
def sources(wav):
    wav("vocal.wav", np.zeros((1, 48000)))
    wav("gtr.wav", np.zeros((2, 96000)))


def test_full_format_loads(sources, session_file, test_processors):
    path = session_file("""
        session: Demo song
        sample_rate: 48000
        tempo: 120
        time_signature: 4/4
        sections: [{name: intro, start: 0}, {name: chorus 1, start: "2:1"}]
        tracks:
          - name: vocal
            source: vocal.wav
            gain_db: -2.5
            pan: -0.2
            polarity: inverted
            inserts:
              - {type: test_scale, gain_db: -1}
            sends: [{bus: plate, level_db: -14}]
            automation:
              gain_db: [[0, -2.5], [2:1, -2.5], ["2:2", 0, exp]]
              inserts[0].gain_db: [[0, -1], [1.5, -3]]
              sends[0].level_db: [[0, -14], [1, -10]]
          - name: gtr
            regions: [{file: gtr.wav, at: "1:3", offset: 0.5, length: 1.0, fade_in: 0.1, fade_out: 0.2, gain_db: -1}]
            output: drums
        buses:
          - {name: plate, inserts: [{type: test_ring, tail_s: 1.8}]}
          - {name: drums}
        master:
          inserts: [{type: test_scale, gain_db: 0}]
    """)
    s = load_session(path)
    assert s.name == "Demo song" and s.timeline.tempo_bpm == 120
    assert s.sections == [("intro", 0.0), ("chorus 1", 2.0)]
    vocal, gtr = s.tracks
    assert vocal.inverted and vocal.channels == 1 and gtr.channels == 2
    assert vocal.automation["gain_db"].times_s == (0.0, 2.0, 2.5)
    assert gtr.regions[0].at_s == pytest.approx(1.0)
    assert gtr.regions[0].length_s == 1.0 and gtr.output == "drums"
    assert s.content_end_s == pytest.approx(2.0)
    assert len(s.sha256) == 64


@pytest.mark.parametrize("body, expected", [
    ("tracks:\n  - {name: a, source: vocal.wav, pan: 2}\n", "session.yaml:3 tracks[0].pan: must be <= 1; got 2"),
    ("tracks:\n  - name: a\n    source: vocal.wav\n    volume: 3\n",
     "session.yaml:5 tracks[0].volume: unknown key"),
    ("tracks:\n  - name: a\n    source: vocal.wav\n    inserts:\n      - {type: test_scale, gain_db: 30}\n",
     "session.yaml:6 tracks[0].inserts[0].gain_db: must be <= 24 dB; got 30"),
    ("tracks:\n  - name: a\n    source: vocal.wav\n    inserts:\n      - {type: test_scale, knee: 3}\n",
     "session.yaml:6 tracks[0].inserts[0].knee: unknown parameter 'knee'"),
    ("tracks:\n  - name: a\n    source: vocal.wav\n    inserts:\n      - {type: fuzzbox}\n",
     "session.yaml:6 tracks[0].inserts[0].type: unknown processor type 'fuzzbox'"),
    ("tracks:\n  - {name: a, source: missing.wav}\n", "session.yaml:3 tracks[0].source: "),
    ("tracks:\n  - {name: a, source: vocal.wav, output: nowhere}\n", "tracks[0].output: no bus called 'nowhere'"),
    ("tracks:\n  - {name: a, source: vocal.wav}\n  - {name: a, source: vocal.wav}\n",
     "session.yaml:4 tracks[1].name: the name 'a' is already used by tracks[0]"),
    ("tracks:\n  - name: a\n    source: vocal.wav\n    automation:\n      gain_db: [[1, 0], [0.5, 1]]\n",
     "session.yaml:6 tracks[0].automation.gain_db[1]: breakpoint time 0.5 must come after"),
    ("tracks:\n  - name: a\n    source: vocal.wav\n    automation:\n      inserts[0].gain_db: [[0, 0]]\n",
     "tracks[0].automation.inserts[0].gain_db: a has 0 inserts"),
    ("tracks:\n  - name: a\n    source: vocal.wav\n    inserts: [{type: test_ring}]\n    automation:\n"
     "      inserts[0].tail_s: [[0, 1]]\n", "test_ring cannot automate 'tail_s'"),
    ("tracks:\n  - {name: a, regions: [{file: vocal.wav, at: \"3:1\"}]}\n", "need a tempo"),
    ("tracks:\n  - {name: a, regions: [{file: vocal.wav, length: 2}]}\n", "runs past the end of the file"),
    ("tracks:\n  - {name: a, source: vocal.wav}\n  bad indent: [\n", "not valid YAML"),
])
def test_errors_name_line_and_key(sources, session_file, test_processors, body, expected):
    with pytest.raises(SessionError) as err:
        load_session(session_file("session: t\n" + body))
    assert expected in str(err.value)


def test_routing_loop_is_named(sources, session_file):
    path = session_file("""
        tracks:
          - {name: kick, source: vocal.wav, output: drums}
        buses:
          - {name: drums, output: sub}
          - {name: sub, output: glue}
          - {name: glue, sends: [{bus: drums}]}
    """)
    from studioflow.mixing.engine import Renderer, RenderSettings
    with pytest.raises(SessionError, match=r"session.yaml:6 buses\[2\].sends\[0\].bus: routing loop: "
                                           r"drums -> sub -> glue -> drums"):
        Renderer(load_session(path), RenderSettings())


def test_unquoted_bar_beat_is_not_base_60(sources, session_file):
    path = session_file("""
        tempo: 60
        tracks:
          - {name: a, regions: [{file: vocal.wav, at: 2:1}]}
    """)
    assert load_session(path).tracks[0].regions[0].at_s == pytest.approx(4.0)


def test_note_valued_insert_parameters(sources, session_file, test_processors):
    path = session_file("""
        tempo: 120
        tracks:
          - {name: a, source: vocal.wav, inserts: [{type: test_ring, tail_s: "1/4."}]}
    """)
    assert load_session(path).tracks[0].inserts[0].params["tail_s"] == pytest.approx(0.75)
