"""The automatic first mix: measure the stems, recognise their roles, gain-stage, correct, compress, balance, pan,
send to reverb and delay, and write a session file that carries the reason for every decision.

>>> result = automix("song/stems", "song/mix.yaml", tempo=120)      # doctest: +SKIP
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Mapping

import numpy as np

from studioflow.errors import AudioFileError, ParameterError
from studioflow.mixing.automix import balance, dynamics, eqmask, panning, passes, sends
from studioflow.mixing.automix.measure import StemFeatures, analyse_file
from studioflow.mixing.automix.model import Model, feature_vector, shipped
from studioflow.mixing.automix.roles import DRUMS, LEAD_MIN_ACTIVITY, ROLES, RoleGuess, recognise
from studioflow.mixing.automix.writer import StripText, session_text

STEM_SUFFIXES = (".wav", ".flac", ".aif", ".aiff")
MIN_TEMPO_CONFIDENCE = 0.3


@dataclass
class TrackPlan:
    """Everything decided for one track."""

    features: StemFeatures
    guess: RoleGuess
    stage_db: float = 0.0
    target_lufs: float = balance.LEAD_LUFS
    level_reason: str = ""
    inserts: list[dict[str, Any]] = field(default_factory=list)
    pan: float = 0.0
    fader_db: float = 0.0
    sends: list[dict[str, Any]] = field(default_factory=list)
    eq: eqmask.EqDecision = field(default_factory=eqmask.EqDecision)
    compressor: tuple[dict[str, Any] | None, str] = (None, "")
    text: StripText = field(default_factory=lambda: StripText({}))
    explain: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.features.name

    @property
    def role(self) -> str:
        return self.guess.role

    @property
    def frames(self) -> int:
        """Length of the stem at the song's rate, in frames."""
        return round(self.features.duration_s * self.features.sample_rate)

    def decide(self, key: str, text: str) -> None:
        """Record a decision's reason for the file (above ``key``) and for ``--explain``."""
        self.text.note(key, text)
        self.explain.append(text)


def automix(stems_dir: str | os.PathLike[str] | Mapping[str, str | os.PathLike[str]],
            out_session: str | os.PathLike[str], *, tempo: float | None = None,
            sections: Iterable[Any] | None = None, genre: str | None = None,
            reference: str | os.PathLike[str] | None = None, roles: dict[str, str] | None = None,
            name: str | None = None, model: Model | None = None) -> dict[str, Any]:
    """Write a first mix of the stems in ``stems_dir`` to the session file ``out_session``; return the report
    (also written beside it as ``<session>.automix.json``). ``stems_dir`` is a folder of stems (each track named after
    its file) or a mapping {track name: audio file}. ``roles`` overrides recognition per track name; ``genre`` is
    free text ("jazz pop"); ``model`` replaces the shipped balance model (cross-validation)."""
    from studioflow.audio.atomic import atomic_write, write_json
    from studioflow.mixing.session import load_session

    style = balance.resolve_genre(genre)
    out = Path(out_session)
    model = model or shipped()
    plans, rate = _load(_stem_files(stems_dir), roles or {}, model)
    _levels(plans, style, model)
    tempo_bpm, tempo_reason = _tempo(plans, rate, tempo)
    has_vocal = any(p.role == "lead_vocal" for p in plans)
    for p in plans:
        _correct_and_compress(p)
    _masking(plans)
    parts = _pan(plans, has_vocal)
    for p in plans:
        _balance(p)
    master = StripText({})
    mix_peak = _headroom(plans, master)
    bus_data, bus_reasons = sends.return_buses(style.space, tempo_bpm, rate)
    for p in plans:
        p.sends, why = sends.sends_for(p.role, style.space)
        if p.sends:
            p.decide("sends", f"sends: {why}")
        else:
            p.explain.append(f"sends: {why}")
    ref_report = _reference(Path(reference), plans, master, rate) if reference is not None else None
    band_hz = plans[0].features.band_hz
    image = panning.image_balance(parts, {p.name: p.pan for p in plans}, band_hz)
    buses = [StripText(b, {"": [bus_reasons[b["name"]]]}) for b in bus_data]
    plans.sort(key=lambda p: (ROLES.index(p.role), p.name))          # drums first, the lead last, as on a console
    tracks = [_strip_text(p, out.parent) for p in plans]
    if isinstance(stems_dir, Mapping):
        song, origin = None, f"{len(plans)} given files"
    else:
        folder = Path(stems_dir).resolve()
        song = folder.parent.name if folder.name.lower() in ("stems", "tracks", "audio") else folder.name
        origin = str(Path(stems_dir))
    top = {"session": name or song or "automix", "sample_rate": rate, "tempo": tempo_bpm,
           "sections": _sections(sections)}
    header = [f"studioflow automix: a first mix of {len(plans)} stems from {origin} ({style.reason}).",
              f"tempo: {tempo_reason}. Left/right image balance {_db(image['overall_db'])} (low {_db(image['low_db'])},"
              f" mid {_db(image['mid_db'])}, high {_db(image['high_db'])}; + means the left is louder).",
              "Each decision's reason is the comment above it; edit freely, or use `studioflow revise`."]
    text = session_text(header, top, tracks, buses, master)
    with atomic_write(out) as tmp:           # the session must load before it takes its name
        tmp.write_text(text, encoding="utf-8")
        load_session(tmp)
    report = {
        "session": str(out), "sample_rate": rate, "tempo_bpm": tempo_bpm, "tempo_reason": tempo_reason,
        "genre": list(style.names), "genre_reason": style.reason, "image_balance": image,
        "dry_mix_peak_dbfs": mix_peak, "reference": ref_report,
        "master_gain_db": master.data.get("gain_db", 0.0),
        "tracks": [_track_report(p) for p in plans],
        "buses": [{"name": b["name"], "reason": bus_reasons[b["name"]]} for b in bus_data],
    }
    write_json(out.with_suffix(".automix.json"), report)
    return report


def _db(value: float | None) -> str:
    return "n/a" if value is None else f"{value:+.1f} dB"


# stages ----------------------------------------------------------------------------------------------------------
def _stem_files(stems: str | os.PathLike[str] | Mapping[str, str | os.PathLike[str]]) -> dict[str, Path]:
    """{track name: file} from a mapping, or from a folder's stems (named after their files without extension)."""
    if isinstance(stems, Mapping):
        if not stems:
            raise ParameterError("automix: no stems given")
        return {str(name): Path(path) for name, path in stems.items()}
    folder = Path(stems)
    if not folder.is_dir():
        raise ParameterError(f"automix: {folder} is not a folder of stems")
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in STEM_SUFFIXES and not p.name.startswith("."))
    if not paths:
        raise ParameterError(f"automix: no stems ({', '.join(STEM_SUFFIXES)}) in {folder}")
    names = [p.stem for p in paths]
    if len(set(names)) != len(names):
        raise ParameterError(f"automix: two stems in {folder} share a name without extension")
    return dict(zip(names, paths))


def _load(files: dict[str, Path], overrides: dict[str, str], model: Model) -> tuple[list[TrackPlan], int]:
    from studioflow.audio.files import info

    metas = {name: info(p) for name, p in files.items()}
    for name, meta in metas.items():
        if meta.channels > 2:
            raise AudioFileError(f"{files[name]}: {meta.channels} channels; a mix takes mono or stereo stems: split "
                                 "it into mono or stereo files first")
        if meta.frames == 0:
            raise AudioFileError(f"{files[name]}: the stem holds no audio (0 frames)")
    rates = [m.sample_rate for m in metas.values()]
    rate = max(set(rates), key=rates.count)
    plans = []
    for stem, path in files.items():
        f = analyse_file(stem, path, rate)          # streamed (and resampled to the song's rate): memory stays flat
        guess = recognise(f, model)
        if stem in overrides:
            role = overrides[stem]
            if role not in ROLES:
                raise ParameterError(f"automix: role {role!r} for {stem} is not one of {', '.join(ROLES)}")
            guess = RoleGuess(role, 1.0, "given", "role given by the caller")
        plans.append(TrackPlan(features=f, guess=guess))
    return plans, rate


def _tempo(plans: list[TrackPlan], rate: int, tempo: float | None) -> tuple[float | None, str]:
    if tempo is not None:
        if not 20 <= tempo <= 400:
            raise ParameterError(f"automix: tempo must be 20..400 BPM; got {tempo!r}")
        return float(tempo), f"{tempo:g} BPM (given)"
    drums = [p for p in plans if p.role in DRUMS + ("percussion",)] or plans
    est = passes.drum_tempo([(p.features.path, balance.stage_gain_db(p.features.loudness_lufs, p.features.peak_dbfs))
                             for p in drums], rate)
    if est.bpm is None or est.confidence < MIN_TEMPO_CONFIDENCE:
        return None, f"not given, and the estimate is unsure (confidence {est.confidence:.2f})"
    bpm = round(float(est.bpm), 2)
    return bpm, f"{bpm:g} BPM estimated from the {'drums' if drums is not plans else 'stems'} " \
                f"(confidence {est.confidence:.2f})"


def _levels(plans: list[TrackPlan], style: balance.Genre, model: Model) -> None:
    """Each part's target loudness in the mix from the balance model, the genre's offsets and the rare-part rule."""
    levels: dict[str, float] = {}
    why: dict[str, str] = {}
    for p in plans:
        if p.features.loudness_lufs is None:
            continue
        x = feature_vector(p.features)
        if p.role in model.roles and p.guess.source != "sound":
            probs = np.array([1.0 if r == p.role else 0.0 for r in model.roles])
        else:
            probs = model.role_probabilities(x)
        offset = style.offset_lu(p.role)
        levels[p.name] = model.relative_level_lu(x, probs) + offset
        why[p.name] = f"corpus balance for a {p.role.replace('_', ' ')} playing {100 * p.features.activity:.0f}% " \
                      f"of the song" + (f", {offset:+.1f} LU for the genre" if offset else "")
    sung = [n for n in levels if _plan(plans, n).role == "lead_vocal"]
    others = [v for n, v in levels.items() if n not in sung]
    for name in sung if others else []:
        levels[name] = max(others) + balance.LEAD_VOCAL_OVER_TOP_LU
        why[name] = "a lead vocal sits level with the loudest part (the corpus has no sung parts to learn from)"
    steady = [v for n, v in levels.items() if _plan(plans, n).features.activity >= LEAD_MIN_ACTIVITY]
    for name in levels:
        if _plan(plans, name).features.activity < LEAD_MIN_ACTIVITY and steady and levels[name] > max(steady):
            levels[name] = max(steady)
            why[name] += (f"; it plays under {100 * LEAD_MIN_ACTIVITY:.0f}% of the song, so no louder than the "
                          f"loudest steady part")
    goals = balance.targets_lufs(levels)
    for p in plans:
        if p.name in goals:
            p.target_lufs = goals[p.name]
            p.level_reason = f"{why[p.name]}: {goals[p.name] - balance.LEAD_LUFS:+.1f} LU from the loudest part"


def _plan(plans: list[TrackPlan], name: str) -> TrackPlan:
    return next(p for p in plans if p.name == name)


def _correct_and_compress(p: TrackPlan) -> None:
    f = p.features
    p.text.note("", f"{p.name}: {p.role.replace('_', ' ')} ({100 * p.guess.confidence:.0f}% from its "
                    f"{p.guess.source}: {p.guess.reason})")
    p.explain.append(f"role: {p.role} ({100 * p.guess.confidence:.0f}% from {p.guess.source}): {p.guess.reason}")
    if f.loudness_lufs is None:
        p.decide("inserts", "silent stem: no processing")
        return
    p.stage_db = balance.stage_gain_db(f.loudness_lufs, f.peak_dbfs)
    p.inserts.append({"type": "gain", "gain_db": p.stage_db})
    p.decide("inserts[0]", f"gain-staging: {f.loudness_lufs:.1f} LUFS where it plays (gated), peaks "
                           f"{f.peak_dbfs:.1f} dBFS -> {p.stage_db:+.1f} dB to about {balance.STAGE_LUFS:g} LUFS")
    hp, why = eqmask.highpass(f, p.role, trust_role=p.guess.source != "sound")
    p.eq = eqmask.EqDecision(highpass_hz=hp)
    if hp is not None:
        p.eq.reasons.append(f"high-pass: {why}")
    else:
        p.explain.append(f"high-pass: none, {why}" if why else "high-pass: none")
    comp, why = dynamics.compressor_for(f, p.role, p.stage_db)
    p.compressor = (comp, why)


def _gain_to_mix(p: TrackPlan) -> float:
    """Estimated gain (dB) from the raw stem to the mix, before the exact fader is known."""
    f = p.features
    if f.loudness_lufs is None:
        return -120.0
    return p.target_lufs - f.loudness_lufs


def _masking(plans: list[TrackPlan]) -> None:
    cuts = eqmask.masking_cuts([(p.features, p.role, _gain_to_mix(p)) for p in plans
                                if p.features.loudness_lufs is not None])
    for p in plans:
        if p.features.loudness_lufs is None:
            continue
        bands = []
        if p.eq.highpass_hz is not None:
            bands.append({"type": "highpass", "freq": p.eq.highpass_hz, "slope": 12})
        for freq, gain, why in cuts.get(p.name, []):
            bands.append({"type": "peak", "freq": round(freq, 1), "gain_db": gain, "q": eqmask.CUT_Q})
            p.eq.reasons.append(f"cut: {why}")
        if bands:
            p.inserts.append({"type": "eq", "bands": bands})
            for why in p.eq.reasons:
                p.decide(f"inserts[{len(p.inserts) - 1}]", why)
        comp, why = p.compressor
        if comp is not None:
            p.inserts.append(comp)
            p.decide(f"inserts[{len(p.inserts) - 1}]", f"compression: {why}")
        else:
            p.explain.append(why)


def _band_power(p: TrackPlan, gain_db: float) -> np.ndarray:
    f = p.features
    if f.spectrum_db.size == 0:
        return np.zeros(f.band_hz.size)
    return 10 ** ((f.spectrum_db + gain_db) / 10) * max(f.activity, 1e-3)


def _pan(plans: list[TrackPlan], has_vocal: bool) -> list[panning.PanPart]:
    parts = [panning.PanPart(p.name, p.role, p.features.channels, _band_power(p, _gain_to_mix(p)))
             for p in plans]
    pans, reasons = panning.place_parts(parts, has_vocal=has_vocal)
    for p in plans:
        p.pan = pans.get(p.name, 0.0)
        p.decide("pan", f"pan {p.pan:+.2f}: {reasons.get(p.name, 'centred')}")
    return parts


def _balance(p: TrackPlan) -> None:
    if p.features.loudness_lufs is None:
        p.fader_db = 0.0
        return
    loud = passes.track_loudness(p.features.path, p.features.sample_rate, p.inserts, p.pan)
    b = balance.fader(p.target_lufs, loud, p.level_reason)
    p.fader_db = b.fader_db
    p.decide("gain_db", f"fader {b.fader_db:+.1f} dB: {b.reason}")


def _headroom(plans: list[TrackPlan], master: StripText) -> float | None:
    """Trim the master so the dry sum's loud moments peak under the ceiling; returns the dry sum's peak (dBFS) after
    the trim. Loud moments: 50 ms blocks up to the 99.9th percentile of block peaks, so one stray peak (a clipped
    take) does not pull the whole mix down; the limiter in mastering deals with those."""
    tracks = [passes.DryTrack(p.features.path, p.inserts, p.pan, p.fader_db) for p in plans
              if p.features.loudness_lufs is not None]
    block_peaks, top = passes.dry_sum_peaks(tracks, plans[0].features.sample_rate, max(p.frames for p in plans))
    loud = float(np.percentile(block_peaks, 99.9))
    if loud <= 0:
        return None
    loud_db, peak_db = 20 * np.log10(loud), 20 * np.log10(top)
    trim = min(0.0, round(balance.MIX_PEAK_CEILING_DBFS - loud_db - 0.05, 1))
    master.data["gain_db"] = trim
    master.note("", f"master: the dry sum's loud moments peak at {loud_db:.1f} dBFS (its highest sample "
                    f"{peak_db:.1f}); " + (f"{trim:+.1f} dB keeps them under {balance.MIX_PEAK_CEILING_DBFS:g} dBFS "
                                           "for the returns and mastering" if trim < 0 else "no trim needed"))
    return round(peak_db + trim, 2)


def _reference(path: Path, plans: list[TrackPlan], master: StripText, rate: int) -> dict[str, Any]:
    from studioflow.mixing.automix.reference import match_tilt

    band_hz = plans[0].features.band_hz
    power = sum(_band_power(p, p.stage_db + p.fader_db) for p in plans if p.features.spectrum_db.size)
    insert, report = match_tilt(path, band_hz, 10 * np.log10(np.maximum(power, 1e-20)), rate)
    if insert is not None:
        master.data["inserts"] = [insert]
        master.note("inserts[0]", f"reference: {report['reason']}")
    else:
        master.note("", f"reference: {report['reason']}")
    return report


def _sections(sections: Iterable[Any] | None) -> list[dict[str, Any]] | None:
    if not sections:
        return None
    out = []
    for s in sections:
        if isinstance(s, dict):
            start = s.get("start", s.get("start_s"))
            out.append({"name": str(s["name"]), "start": round(start, 4) if isinstance(start, float) else start})
        else:
            name, start = s
            out.append({"name": str(name), "start": start})
    return out


def _strip_text(p: TrackPlan, base: Path) -> StripText:
    source = os.path.relpath(os.path.abspath(p.features.path), os.path.abspath(base))  # links kept: comp.wav stays
    data: dict[str, Any] = {"name": p.name, "source": source,
                            "notes": f"role: {p.role} ({p.guess.source}, {100 * p.guess.confidence:.0f}%)"}
    if p.inserts:
        data["inserts"] = p.inserts
    data["gain_db"] = p.fader_db
    data["pan"] = p.pan
    if p.sends:
        data["sends"] = p.sends
    p.text.data = data
    return p.text


def _track_report(p: TrackPlan) -> dict[str, Any]:
    f = p.features
    return {"name": p.name, "role": p.role, "confidence": p.guess.confidence, "recognised_from": p.guess.source,
            "role_reason": p.guess.reason, "loudness_lufs": f.loudness_lufs, "loudness_range_lu": f.loudness_range_lu,
            "peak_dbfs": f.peak_dbfs, "crest_db": f.crest_db, "activity": f.activity, "centroid_hz": f.centroid_hz,
            "low_share": f.low_share, "onsets_per_s": f.onsets_per_s, "voiced": f.voiced, "pitch_hz": f.pitch_hz,
            "stage_gain_db": p.stage_db, "target_lufs": round(p.target_lufs, 2), "inserts": p.inserts,
            "gain_db": p.fader_db, "pan": p.pan,
            "sends": p.sends, "explain": p.explain}
