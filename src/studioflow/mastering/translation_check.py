"""``check_translation(master)``: how a master will sound on other systems, in words a musician can act on.

For each playback model (``translation.SYSTEMS``), the mono fold-down and a lossy-codec round trip: the loudness
(BS.1770 integrated, through ``loudness_floor``), the 1/3-octave spectrum before and after (``spectral``), which parts
are lost or lifted, whether a lost low band keeps harmonics that let the ear still follow it (narrow-band peaks of the
master's long-term spectrum at whole multiples of its strongest low frequency, where the model still passes them),
the peaks the system's limits squash, mono cancellation per band (mid against side energy) and the codec's added
true peak (8x, ``verify``). Every file is streamed in blocks, the codec round trip included.
"""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import numpy as np

from studioflow.audio.stream import BlockReader
from studioflow.errors import AudioFileError
from studioflow.mastering import chain
from studioflow.mastering.loudness_floor import Loudness
from studioflow.mastering.spectral import LongTermSpectrum
from studioflow.mastering.translation import SYSTEMS, System
from studioflow.mastering.verify import TruePeak8x

BLOCK = 1 << 16
CONTENT_RANGE_DB = 45.0   # a band counts as holding music when within this of the master's loudest band
GONE_DB = -12.0           # a band this much lower is gone
WEAK_DB = -6.0            # ... this much lower is weak
LIFTED_DB = 6.0           # ... this much higher is lifted
SIGNIFICANT_DB = 20.0     # a lost low region matters when its loudest band is within this of the master's loudest
OUT_OF_PHASE_DB = -6.0    # mono loses this much or more in a band (uncorrelated sides lose 3 dB): correlation
                          # at or below -0.5, the channels are mostly out of phase there
HARMONIC_PROMINENCE_DB = 10.0
MAX_HARMONIC = 16


class _Measure:
    """Loudness, long-term spectrum (mid/side), sample peak and 8x true peak of a stream."""

    def __init__(self, rate: int, channels: int, true_peak: bool = False) -> None:
        self.loud, self.spec = Loudness(rate, channels), LongTermSpectrum(rate)
        self.tp = TruePeak8x() if true_peak else None
        self.peak = 0.0

    def add(self, b: np.ndarray) -> np.ndarray:
        self.loud.add(b)
        self.spec.add(b)
        if self.tp is not None:
            self.tp.add(b)
        self.peak = max(self.peak, float(np.max(np.abs(b))) if b.size else 0.0)
        return b

    def result(self) -> dict:
        bands = self.spec.bands()
        return {"integrated_lufs": self.loud.result()["integrated_lufs"], "bands": bands,
                "true_peak_dbtp": self.tp.finish() if self.tp is not None else None,
                "peak_dbfs": 20 * np.log10(self.peak) if self.peak > 0 else None}


def _folded(blocks: Iterable[np.ndarray], system: System, rate: int) -> Iterator[np.ndarray]:
    """Mono fold of the whole signal, or of the part below ``mono_below_hz`` (Linkwitz-Riley 24 dB/oct split,
    which sums back flat)."""
    from studioflow.dsp.registry import create

    if system.mono_below_hz is not None:
        low = create("eq", rate, bands=[{"type": "lowpass", "freq": system.mono_below_hz, "slope": 24,
                                         "character": "linkwitz_riley"}])
        high = create("eq", rate, bands=[{"type": "highpass", "freq": system.mono_below_hz, "slope": 24,
                                          "character": "linkwitz_riley"}])
    for b in blocks:
        if b.shape[0] == 1:
            yield b
        elif system.mono:
            yield np.repeat(b.mean(axis=0, keepdims=True), b.shape[0], axis=0).astype(np.float32)
        elif system.mono_below_hz is not None:
            lo = low.process(b)
            yield (high.process(b) + np.repeat(lo.mean(axis=0, keepdims=True), b.shape[0], axis=0)).astype(np.float32)
        else:
            yield b


def simulate(path: Path, system: System, master_lufs: float, *, limit: bool = True) -> dict:
    """Play the master at ``path`` through ``system``; measure the result (loudness, spectrum, peaks over its limit)."""
    from studioflow.dsp.registry import create

    reader = BlockReader(path, BLOCK)
    rate, channels = reader.sample_rate, reader.channels
    eq = create("eq", rate, bands=list(system.bands))
    pre = _Measure(rate, channels)
    shaped = (pre.add(eq.process(b)) for b in _folded(reader, system, rate))
    ceiling = min(master_lufs + system.headroom_db, 0.0)
    post = _Measure(rate, channels)
    if limit:
        lim = create("limiter", rate, ceiling_dbtp=ceiling, release_ms=80.0, lookahead_ms=1.5)
        for b in chain.stream(lim, shaped, channels):
            post.add(b)
    else:
        for b in shaped:
            post.add(b)
    out = post.result()
    before_limit = pre.result()["peak_dbfs"]
    out["over_limit_db"] = max(0.0, before_limit - ceiling) if before_limit is not None else 0.0
    out["limit_dbfs"] = ceiling
    return out


def _ranges(mask: np.ndarray) -> list[tuple[int, int]]:
    """Runs of True as (first, last) index pairs."""
    runs, start = [], None
    for i, m in enumerate(list(mask) + [False]):
        if m and start is None:
            start = i
        elif not m and start is not None:
            runs.append((start, i - 1))
            start = None
    return runs


def _hz(f: float) -> str:
    return f"{f / 1000:.1f} kHz" if f >= 1000 else f"{f:.0f} Hz"


def _prominence_db(db: np.ndarray, i: int, halfwidth: int) -> tuple[float, int]:
    """Highest level within ``halfwidth`` bins of ``i`` above the median of the 1/3 octave around it, and its bin."""
    lo, hi = max(i - halfwidth, 1), min(i + halfwidth + 1, len(db))
    j = lo + int(np.argmax(db[lo:hi]))
    hood = db[max(int(j / 2 ** (1 / 6)), 1):min(int(j * 2 ** (1 / 6)) + 1, len(db))]
    return float(db[j] - np.median(hood)), j


def harmonics_carry(freqs: np.ndarray, power: np.ndarray, below_hz: float,
                    response_db: Callable[[np.ndarray], np.ndarray]) -> dict:
    """The strongest tonal low frequency under ``below_hz`` (a peak standing ``HARMONIC_PROMINENCE_DB`` over its
    neighbourhood in the master's fine spectrum; None for noise-like lows) and the harmonics of it (whole multiples
    standing out the same way) that the system still passes (response above ``WEAK_DB``)."""
    db = 10 * np.log10(power + 1e-30)
    df = float(freqs[1] - freqs[0])
    low = (freqs > 20) & (freqs < below_hz)
    if not np.any(low):
        return {"fundamental_hz": None, "surviving_hz": []}
    i0 = int(np.argmax(np.where(low, db, -np.inf)))
    if _prominence_db(db, i0, 0)[0] < HARMONIC_PROMINENCE_DB:
        return {"fundamental_hz": None, "surviving_hz": []}
    # parabolic interpolation of the log spectrum refines the peak to a fraction of a bin
    a, b, c = db[i0 - 1], db[i0], db[i0 + 1]
    f0 = (i0 + 0.5 * (a - c) / (a - 2 * b + c + 1e-12)) * df
    found = []
    for k in range(2, MAX_HARMONIC + 1):
        f = k * f0
        if f > min(8000.0, 0.9 * freqs[-1]):
            break
        prom, j = _prominence_db(db, int(round(f / df)), 2)
        if prom >= HARMONIC_PROMINENCE_DB and db[j] >= db[i0] - 60:
            found.append(float(f))
    survive = [f for f in found if f >= below_hz and response_db(np.array([f]))[0] > WEAK_DB]
    return {"fundamental_hz": float(f0), "surviving_hz": survive}


def findings(where: str, fc: np.ndarray, master_db: np.ndarray, after_db: np.ndarray,
             fine: tuple[np.ndarray, np.ndarray] | None = None,
             response_db: Callable[[np.ndarray], np.ndarray] | None = None) -> tuple[list[str], dict]:
    """What a listener loses or gains ``where`` ("on the phone speaker"), in words, from the band levels before and
    after (dB)."""
    change = np.asarray(after_db) - np.asarray(master_db)
    content = np.asarray(master_db) >= np.max(master_db) - CONTENT_RANGE_DB
    lo_edge, hi_edge = fc * 10 ** -0.05, fc * 10 ** 0.05
    gone = content & (change <= GONE_DB)
    words: list[str] = []
    facts: dict = {"lost_below_hz": None, "lost_above_hz": None, "harmonics": None}
    idx = np.where(content)[0]
    if len(idx) == 0:
        return words, facts
    # the low end: from the bottom, past bands that are gone or hold nothing, to the first that still plays
    k = idx[0]
    while k < len(fc) and (gone[k] or not content[k]):
        k += 1
    last = max((i for i in range(idx[0], k) if gone[i]), default=None)
    if last is not None:
        edge = float(hi_edge[last])
        facts["lost_below_hz"] = edge
        text = f"below {_hz(edge)} is gone {where}"
        if master_db[idx[0]:last + 1].max() >= np.max(master_db) - SIGNIFICANT_DB and fine is not None and response_db:
            h = harmonics_carry(fine[0], fine[1], edge, response_db)
            facts["harmonics"] = h
            if h["fundamental_hz"] is not None and h["surviving_hz"]:
                text += (f": the bass line (around {_hz(h['fundamental_hz'])}) is carried only by its harmonics above "
                         f"{_hz(min(h['surviving_hz']))}")
            elif h["fundamental_hz"] is not None:
                text += (f": the bass (around {_hz(h['fundamental_hz'])}) has no harmonics above {_hz(edge)} to carry "
                         "it, so it disappears (some saturation on the bass would let it be heard)")
            else:
                text += ": the weight of the kick and the bass is missing"
        words.append(text)
    # the top end, the same way down from the top
    k = idx[-1]
    while k >= 0 and (gone[k] or not content[k]):
        k -= 1
    first = min((i for i in range(k + 1, idx[-1] + 1) if gone[i]), default=None)
    if first is not None:
        edge = float(lo_edge[first])
        facts["lost_above_hz"] = edge
        words.append(f"above {_hz(edge)} is gone {where} (the air and sparkle of cymbals and breath)")
    # weak or lifted stretches in between
    inner = np.zeros(len(fc), bool)
    inner[idx[0]:idx[-1] + 1] = True
    inner &= ~gone & content
    for mask, how in ((inner & (change <= WEAK_DB), "weaker"), (inner & (change >= LIFTED_DB), "louder")):
        for a, b in _ranges(mask):
            words.append(f"{_hz(lo_edge[a])}-{_hz(hi_edge[b])} is about {abs(change[a:b + 1].mean()):.0f} dB {how} "
                         f"{where}")
    return words, facts


def mono_cancellation(bands: dict) -> tuple[np.ndarray, list[str], list[dict]]:
    """Per-band level change of the mono fold-down (dB, <= 0: mid against mid plus side) and the out-of-phase ranges."""
    m, s = 10 ** (bands["mid_db"] / 10), 10 ** (bands["side_db"] / 10)
    cancel = 10 * np.log10((m + 1e-30) / (m + s + 1e-30))
    fc = bands["centers_hz"]
    content = bands["total_db"] >= np.max(bands["total_db"]) - CONTENT_RANGE_DB
    words, flagged = [], []
    for a, b in _ranges(content & (cancel <= OUT_OF_PHASE_DB)):
        lo, hi, worst = fc[a] * 10 ** -0.05, fc[b] * 10 ** 0.05, float(cancel[a:b + 1].min())
        flagged.append({"from_hz": float(lo), "to_hz": float(hi), "worst_db": worst})
        words.append(f"in mono, {_hz(lo)}-{_hz(hi)} drops up to {abs(worst):.0f} dB: left and right are out of phase "
                     "there (a flipped polarity, a phasey widener or a stereo-spread bass)")
    return cancel, words, flagged


def _codec_round_trip(path: Path, codec: str, kbps: int) -> dict:
    """What ``_Measure`` (with the 8x true peak) finds in the master at ``path`` after a ``codec`` round trip at
    ``kbps``, encoded and decoded in blocks."""
    from studioflow.audio.encode import DecodeReader, encode_blocks

    reader = BlockReader(path, BLOCK)
    with tempfile.TemporaryDirectory() as tmp:
        enc = encode_blocks(reader, reader.sample_rate, reader.channels,
                            Path(tmp) / ("trip.mp3" if codec == "mp3" else "trip.m4a"), codec=codec, bitrate_kbps=kbps)
        decoded = DecodeReader(enc, BLOCK)
        trip = _Measure(decoded.sample_rate, decoded.channels, true_peak=True)
        for block in decoded:
            trip.add(block)
    return trip.result()


def check_translation(master_path: str | os.PathLike[str], *, systems: Sequence[str] | None = None,
                      codec: str = "mp3", kbps: int = 128,
                      progress: Callable[[str, float], None] | None = None) -> dict:
    """Check how ``master_path`` translates: each system in ``systems`` (default all), the mono fold-down and a
    ``codec`` round trip at ``kbps``. Returns plain data with every number and a list of findings in words."""
    say = progress or (lambda stage, fraction: None)
    path = Path(master_path)
    if not path.is_file():
        raise AudioFileError(f"{path}: no such master file")
    names = list(systems) if systems else list(SYSTEMS)
    unknown = [n for n in names if n not in SYSTEMS]
    if unknown:
        from studioflow.errors import ParameterError

        raise ParameterError(f"unknown playback system {unknown[0]!r}; systems: {', '.join(SYSTEMS)}")
    say("measuring the master", 0.0)
    reader = BlockReader(path, BLOCK)
    rate, channels = reader.sample_rate, reader.channels
    ref = _Measure(rate, channels, true_peak=True)
    for b in reader:
        ref.add(b)
    master = ref.result()
    if master["integrated_lufs"] is None:
        raise AudioFileError(f"{path}: the master is silent (below the loudness gate)")
    lufs = master["integrated_lufs"]
    fc, master_db = master["bands"]["centers_hz"], master["bands"]["total_db"]
    freqs, mid, side = ref.spec.power()
    fine = (freqs, mid + side)
    checks = []
    for i, name in enumerate(names):
        sys_ = SYSTEMS[name]
        say(f"playing it on the {sys_.label}", 0.1 + 0.7 * i / len(names))
        out = simulate(path, sys_, lufs)
        words, facts = findings(f"on the {sys_.label}", fc, master_db, out["bands"]["total_db"], fine,
                                functools.partial(sys_.response_db, rate=rate))
        if out["over_limit_db"] > 1.0:
            words.append(f"the {sys_.label}'s limits squash peaks by up to {out['over_limit_db']:.0f} dB: "
                         "transients lose some punch")
        checks.append(_entry(name, sys_.label, "system", sys_.source, lufs, out, master_db, words, facts,
                             over_limit_db=out["over_limit_db"]))
    say("mono fold-down", 0.82)
    cancel, mono_words, flagged = mono_cancellation(master["bands"]) if channels > 1 else \
        (np.zeros(len(fc)), [], [])
    mono = simulate(path, _MONO, lufs, limit=False)
    if channels == 1:
        mono_words = ["the master is mono: nothing folds"]
    elif not flagged:
        mono_words.append("no band cancels in mono (left and right are nowhere mostly out of phase)")
    checks.append(_entry("mono", "mono fold-down", "mono", "(L+R)/2 on both channels", lufs, mono, master_db,
                         mono_words, {}, cancellation_db=cancel.tolist(), out_of_phase=flagged))
    say(f"{codec} {kbps} kbps round trip", 0.9)
    got = _codec_round_trip(path, codec, kbps)
    n = min(len(fc), len(got["bands"]["total_db"]))
    words, facts = findings(f"after {codec.upper()} {kbps} kbps", fc[:n], master_db[:n], got["bands"]["total_db"][:n])
    added = (got["true_peak_dbtp"] - master["true_peak_dbtp"]) if got["true_peak_dbtp"] is not None else None
    if added is not None:
        how = f"adds {added:.2f} dB of true peak" if added > 0 else f"leaves the true peak {-added:.2f} dB lower"
        words.append(f"the {codec.upper()} {kbps} round trip {how} ({got['true_peak_dbtp']:.2f} dBTP)"
                     + (": over 0 dBTP, it will clip on playback" if got["true_peak_dbtp"] > 0 else ""))
    checks.append(_entry("codec", f"{codec.upper()} {kbps} kbps", "codec", "audio.encode (PyAV/FFmpeg) round trip",
                         lufs, got, master_db, words, facts, added_true_peak_db=added,
                         true_peak_dbtp=got["true_peak_dbtp"]))
    say("done", 1.0)
    return {"master": str(path), "rate": rate, "channels": channels, "integrated_lufs": lufs,
            "true_peak_dbtp": master["true_peak_dbtp"], "centers_hz": fc.tolist(), "master_db": master_db.tolist(),
            "checks": checks, "systems": {n: SYSTEMS[n].as_dict() for n in names},
            "note": "The playback models are approximations after published measurements (see each source), "
                    "not measurements of particular products."}


_MONO = System("mono", "mono fold-down", (), 0.0, "(L+R)/2", mono=True)


def _entry(name: str, label: str, kind: str, source: str, master_lufs: float, out: dict, master_db: np.ndarray,
           words: list[str], facts: dict, **extra: object) -> dict:
    after = np.asarray(out["bands"]["total_db"])[:len(master_db)]
    lufs = out["integrated_lufs"]
    return {"name": name, "label": label, "kind": kind, "source": source, "integrated_lufs": lufs,
            "loudness_change_lu": (lufs - master_lufs) if lufs is not None else None,
            "after_db": after.tolist(), "change_db": (after - np.asarray(master_db)[:len(after)]).tolist(),
            "findings": words, **facts, **extra}
