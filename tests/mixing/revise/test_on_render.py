"""Every note in ``render_cases.txt`` revised and rendered: the part it asks for changes by the asked amount inside the
asked scope (and not outside it), and no other part changes by more than 0.3 dB. Judged on the rendered stems, never on
the session text.

A case line is ``note | parts | measure | amount | scope``:
- parts: the stems that must change (track names, comma-separated);
- measure: ``level`` (dB), ``top`` (dB in the part's own top octave), ``band:HZ`` (dB within a third of an octave
  around HZ), ``low`` (dB under 75 Hz), ``deess`` (the 5-8 kHz band must drop), ``send`` (dB of the reverb return fed
  by the part alone), ``room`` (a new reverb return for the part, the existing one untouched), ``pan`` (change of the
  pan position read off the stem, -1..1), ``width`` (change of the width, side level over mid), ``compress`` (+1:
  the 100 ms level swings shrink; -1: they grow), ``attack`` (+1: transients stick out further; -1: less);
- scope: ``-`` (the whole song), a section name (``chorus``, every one of them) or ``A-B`` seconds.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf
import yaml
from scipy.signal import butter, sosfilt, welch

from studioflow.mixing import load_session, render
from studioflow.mixing.revise import revise

RATE = 16000
SECONDS = 8.0
SECTIONS = [("intro", 0.0), ("verse", 1.5), ("chorus", 3.5), ("verse", 5.0), ("bridge", 6.5)]
MARGIN_S = 0.1                 # automation ramps and filter settling at each scope edge are not judged
OTHERS_MAX_DB = 0.3
CASES = Path(__file__).with_name("render_cases.txt")

SESSION = """\
session: render cases
sample_rate: 16000
tempo: 120
sections:
{sections}
tracks:
  - {{name: drums, source: drums.wav}}
  - {{name: kick, source: kick.wav}}
  - {{name: bass, source: bass.wav, gain_db: -2.0}}
  - {{name: gtr1, source: gtr1.wav, pan: -0.4}}
  - {{name: gtr2, source: gtr2.wav, pan: 0.4}}
  - {{name: clavinet, source: clavinet.wav}}
  - {{name: piano, source: piano.wav, pan: 0.1}}
  - {{name: keys, source: keys.wav}}
  - name: Lead Vox
    source: vox.wav
    sends: [{{bus: reverb, level_db: -14.0}}]
  - {{name: bvs, source: bvs.wav}}
  - {{name: strings, source: strings.wav, pan: -0.2}}
  - {{name: brass, source: brass.wav}}
  - {{name: sax, source: sax.wav, pan: 0.2}}
buses:
  - name: reverb
    inserts: [{{type: reverb, decay_s: 1.0, mix: 1.0}}]
"""


def _band(x: np.ndarray, low: float, high: float) -> np.ndarray:
    return sosfilt(butter(4, [low, high], "bandpass", fs=RATE, output="sos"), x)


def _sources(rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Stand-ins for the parts, (channels, frames): band-limited noise shaped like each part's register and motion."""
    n = int(SECONDS * RATE)
    t = np.arange(n) / RATE
    noise = lambda: rng.standard_normal(n)                                   # noqa: E731
    hits = lambda every, decay: np.exp(-((t % every) / decay))               # noqa: E731
    syllables = 0.55 + 0.45 * np.sin(2 * np.pi * 3.1 * t) ** 2 * (1 + 0.6 * np.sin(2 * np.pi * 0.37 * t))
    mono = {
        "drums": _band(noise(), 60, 7500) * hits(0.25, 0.03),
        "kick": _band(noise(), 40, 200) * hits(0.5, 0.06),
        "bass": _band(noise(), 35, 400),
        "gtr1": _band(noise(), 120, 4500), "gtr2": _band(noise(), 120, 4500),
        "clavinet": _band(noise(), 250, 6000), "piano": _band(noise(), 60, 6500),
        "vox": _band(noise(), 150, 7500) * syllables,
        "strings": _band(noise(), 180, 5000), "brass": _band(noise(), 200, 5500), "sax": _band(noise(), 120, 6000),
    }
    out = {k: 0.08 * v[None, :] / np.sqrt(np.mean(v ** 2)) for k, v in mono.items()}
    for name, (low, high) in {"keys": (80, 7000), "bvs": (150, 7000)}.items():
        common = _band(noise(), low, high)
        pair = np.stack([common + 0.6 * _band(noise(), low, high), common + 0.6 * _band(noise(), low, high)])
        out[name] = 0.08 * pair / np.sqrt(np.mean(pair ** 2))
    return out


@pytest.fixture(scope="module")
def song(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("song")
    for name, audio in _sources(np.random.default_rng(11)).items():
        sf.write(folder / f"{name}.wav", audio.T.astype(np.float32), RATE, subtype="FLOAT")
    sections = "\n".join(f"  - {{name: {n}, start: {s}}}" for n, s in SECTIONS)
    (folder / "session.yaml").write_text(SESSION.format(sections=sections))
    return folder


@dataclass
class Case:
    note: str
    parts: list[str]
    measure: str
    amount: float
    scope: str


def _cases() -> list[Case]:
    cases = []
    for line in CASES.read_text().splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        note, parts, measure, amount, scope = (f.strip() for f in line.split("|"))
        cases.append(Case(note, [p.strip() for p in parts.split(",")], measure, float(amount), scope))
    return cases


def _spans(scope: str) -> list[tuple[float, float]]:
    if scope == "-":
        return [(0.0, SECONDS)]
    if "-" in scope:
        a, b = scope.split("-")
        return [(float(a), float(b))]
    bounds = [s for _, s in SECTIONS[1:]] + [SECONDS]
    return [(s, bounds[i]) for i, (n, s) in enumerate(SECTIONS) if n == scope]


def _mask(spans: list[tuple[float, float]], inside: bool) -> np.ndarray:
    """Frames well inside (or well outside) the spans."""
    t = np.arange(int(SECONDS * RATE)) / RATE
    near = np.zeros(t.shape, bool)
    core = np.zeros(t.shape, bool)
    for a, b in spans:
        near |= (t > a - MARGIN_S) & (t < b + MARGIN_S)
        core |= (t > a + MARGIN_S) & (t < b - MARGIN_S)
    return core if inside else ~near


def _render(session_path: Path, out: Path, solo: list[str] | None = None) -> dict[str, np.ndarray]:
    """Stems (channels, frames) of the session; ``solo``: every other track muted (its sends with it)."""
    if solo is not None:
        data = yaml.safe_load(session_path.read_text())
        for t in data["tracks"]:
            t["mute"] = t["name"] not in solo
        session_path = session_path.with_name(f"{session_path.stem}-solo.yaml")
        session_path.write_text(yaml.safe_dump(data, sort_keys=False))
    out.mkdir(parents=True, exist_ok=True)
    render(load_session(session_path), out / "mix.wav", stems_dir=out, end_s=SECONDS, tail_s=0.0)
    stems = {}
    for p in out.glob("*.wav"):
        if p.name != "mix.wav":
            audio, _ = sf.read(p, dtype="float64", always_2d=True)
            stems[p.stem] = audio.T[:, :int(SECONDS * RATE)]
    return stems


def _db(after: np.ndarray, before: np.ndarray) -> float:
    return float(10 * np.log10((np.sum(after ** 2) + 1e-20) / (np.sum(before ** 2) + 1e-20)))


def _band_db(after: np.ndarray, before: np.ndarray, low: float, high: float) -> float:
    f, pa = welch(after.mean(axis=0), RATE, nperseg=2048)
    _, pb = welch(before.mean(axis=0), RATE, nperseg=2048)
    band = (f >= low) & (f <= high)
    return float(10 * np.log10(pa[band].sum() / pb[band].sum()))


def _top_octave(x: np.ndarray) -> tuple[float, float]:
    """The octave under the frequency below which 90% of the part's energy lies (Hz)."""
    f, p = welch(x.mean(axis=0), RATE, nperseg=2048)
    roll = float(f[np.searchsorted(np.cumsum(p), 0.9 * p.sum())])
    return roll / 2, roll


def _pan(x: np.ndarray) -> float:
    """The pan position (-1..1) of a mono part's stem under the -3 dB constant-power law."""
    left, right = np.sqrt(np.mean(x[0] ** 2)), np.sqrt(np.mean(x[1] ** 2))
    return float(4 / np.pi * np.arctan2(right, left) - 1)


def _swing_db(x: np.ndarray) -> float:
    """Standard deviation of the 100 ms RMS levels (dB): how much the part's level moves."""
    m = x.mean(axis=0)
    frames = m[: len(m) // 1600 * 1600].reshape(-1, 1600)
    return float(np.std(10 * np.log10(np.mean(frames ** 2, axis=1) + 1e-20)))


def _transients_db(x: np.ndarray) -> float:
    """How far the peaks of a 5 ms envelope stand over its median (dB)."""
    m = np.abs(x.mean(axis=0))
    env = m[: len(m) // 80 * 80].reshape(-1, 80).max(axis=1)
    return float(20 * np.log10(np.percentile(env, 98) / np.median(env)))


def _judge(case: Case, before: dict[str, np.ndarray], after: dict[str, np.ndarray]) -> None:
    spans = _spans(case.scope)
    inside, outside = _mask(spans, True), _mask(spans, False)
    for part in case.parts:
        a, b = after[part][:, inside], before[part][:, inside]
        what = f"{case.note!r}: {part}"
        if case.measure == "level":
            assert _db(a, b) == pytest.approx(case.amount, abs=0.1), what
        elif case.measure == "top":
            low, high = _top_octave(b)
            got = _band_db(a, b, low, high)
            assert 0.6 * abs(case.amount) <= got * np.sign(case.amount) <= 1.1 * abs(case.amount) + 0.1, (what, got)
        elif case.measure.startswith("band:"):
            hz = float(case.measure[5:])
            got = _band_db(a, b, hz / 2 ** (1 / 6), hz * 2 ** (1 / 6))
            assert 0.7 * abs(case.amount) <= got * np.sign(case.amount) <= 1.1 * abs(case.amount) + 0.1, (what, got)
        elif case.measure == "low":
            got = _band_db(a, b, 20, 75)
            assert 0.7 * abs(case.amount) <= got * np.sign(case.amount) <= 1.1 * abs(case.amount) + 0.1, (what, got)
        elif case.measure == "deess":
            assert _band_db(a, b, 5000, 7900) < -1.0, what
        elif case.measure == "pan":
            assert _pan(a) - _pan(b) == pytest.approx(case.amount, abs=0.02), what
        elif case.measure == "width":
            side = lambda x: 0.5 * (x[0] - x[1])                              # noqa: E731
            mid = lambda x: 0.5 * (x[0] + x[1])                               # noqa: E731
            width_db = _db(side(a), side(b)) - _db(mid(a), mid(b))
            assert width_db == pytest.approx(20 * np.log10(1 + case.amount), abs=0.2), (what, width_db)
        elif case.measure == "compress":
            change = _swing_db(a) - _swing_db(b)
            assert change * -case.amount > 0.3, (what, change)
        elif case.measure == "attack":
            change = _transients_db(a) - _transients_db(b)
            assert change * case.amount > 0.5, (what, change)
        if case.measure not in ("send", "room") and outside.any():
            assert abs(_db(after[part][:, outside], before[part][:, outside])) <= 0.1, f"{what} outside the scope"


def _others_unchanged(case: Case, before: dict[str, np.ndarray], after: dict[str, np.ndarray],
                      effects: tuple[str, ...] = ()) -> None:
    for name in before:
        if name in case.parts or name in effects or name == "master":
            continue
        assert abs(_db(after[name], before[name])) <= OTHERS_MAX_DB, f"{case.note!r} changed {name}"


@pytest.fixture(scope="module")
def baseline(song, tmp_path_factory) -> dict[str, np.ndarray]:
    return _render(song / "session.yaml", tmp_path_factory.mktemp("before"))


@pytest.mark.parametrize("case", _cases(), ids=lambda c: c.note[:60])
def test_the_render_changes_as_the_note_asks(case, song, baseline, tmp_path):
    work = tmp_path / "song"
    work.mkdir()
    for p in song.glob("*.wav"):
        (work / p.name).symlink_to(p)
    (work / "session.yaml").write_text((song / "session.yaml").read_text())
    result = revise(work / "session.yaml", case.note)
    assert not result["not_applied"], result["not_applied"]
    revised = Path(result["new_session"])
    if case.measure in ("send", "room"):
        before = _render(work / "session-v001.yaml", tmp_path / "before", solo=case.parts)
        after = _render(revised, tmp_path / "after", solo=case.parts)
        if case.measure == "send":
            got = _db(after["reverb"], before["reverb"])
            assert got == pytest.approx(case.amount, abs=0.3), (case.note, got)
        else:
            new = [n for n in after if n not in before]
            assert len(new) == 1 and _db(after[new[0]], 1e-6 * np.ones_like(after[new[0]])) > 0, case.note
            assert abs(_db(after["reverb"], before["reverb"])) <= 0.1, case.note
        _others_unchanged(case, before, after, effects=("reverb",) + tuple(n for n in after if n not in before))
        return
    after = _render(revised, tmp_path / "after")
    _judge(case, baseline, after)
    asked = Case(case.note, _asked(case.note), case.measure, case.amount, case.scope)
    _others_unchanged(asked, baseline, after, effects=("reverb",) if "Lead Vox" in asked.parts else ())


def _asked(note: str) -> list[str]:
    """Every part a note asks to change (a note of several clauses has a case line per part)."""
    return sorted({p for c in _cases() if c.note == note for p in c.parts})


def test_there_are_at_least_150_cases():
    assert len(_cases()) >= 150
    assert {c.measure.split(":")[0] for c in _cases()} >= {"level", "top", "band", "low", "deess", "send", "room",
                                                           "pan", "width", "compress", "attack"}
