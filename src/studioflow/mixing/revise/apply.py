"""Apply parsed edits to a session's plain data: faders, pans, sends, inserts and automation with short ramps.

A change limited to sections or a time range becomes automation: the value moves by the edit's amount over
``RAMP_S`` before each span starts and back over ``RAMP_S`` after it ends, added to whatever automation was there
(its breakpoints are kept; a curved segment is approximated by the straight line between the new breakpoints).
An edit with no span moves the static value and every breakpoint of that parameter's automation together.
"""

from __future__ import annotations

import math
import re
from typing import Any, Callable

import numpy as np

from studioflow.mixing.automation import Envelope, parse_curve
from studioflow.mixing.revise.parse import TOP, Edit
from studioflow.mixing.revise.targets import strip_role
from studioflow.mixing.session import Session

RAMP_S = 0.05                 # automation ramps into and out of a scoped change
NEW_SEND_DB = -20.0           # a new send starts here, plus the edit's amount
SILENT_SEND_DB = -80.0        # a new send used only in some spans rests here elsewhere
BOOM_DEFAULT_HZ = 180.0
# "brighter" / "too bright" shelve the part's own top end: the corner sits at this fraction of the frequency under which
# 90% of the part's energy lies, so the octave below that frequency moves by most of the asked amount (a dark
# guitar's top is at 2 kHz, a hi-hat's at 8); without audio, at TOP_DEFAULT_HZ
TOP_CORNER_OF_ROLLOFF, TOP_CORNER_HZ = 0.4, (1500.0, 8000.0)
TOP_DEFAULT_HZ = 6000.0
EQ_MATCH_OCTAVES = 1 / 3      # an existing band within this distance (same type) is adjusted rather than added
REVERB_TYPES, DELAY_TYPES = ("reverb", "convolution_reverb"), ("delay",)
ROOM_MATCH = 1.3              # a reverb within this factor of the decay a note's room asks for is that room


class NotApplied(Exception):
    """An edit that turned out not to apply to this session (says why)."""


class Applier:
    """Applies edits to ``data`` (the session's YAML data or document, changed in place); ``touched`` lists the
    (strip, key) pairs changed; ``cache`` keeps what was read of the tracks' audio between appliers."""

    def __init__(self, data: dict[str, Any], session: Session, cache: dict[Any, Any] | None = None) -> None:
        self.data = data
        self.session = session
        self.rate = int(data.get("sample_rate", session.sample_rate))
        self.cache = {} if cache is None else cache
        self.touched: list[tuple[dict[str, Any], str]] = []

    def touch(self, strip: dict[str, Any], key: str) -> None:
        """Note that ``key`` of ``strip`` changed."""
        if not any(s is strip and k == key for s, k in self.touched):
            self.touched.append((strip, key))

    # helpers ---------------------------------------------------------------------------------------------------
    def strip(self, kind: str, name: str) -> dict[str, Any]:
        for s in self.data.get("tracks" if kind == "track" else "buses") or []:
            if str(s.get("name")) == name:
                return s
        raise NotApplied(f"no {kind} called {name}")

    def seconds(self, t: Any) -> float:
        return self.session.timeline.seconds(t)

    def shift(self, strip: dict[str, Any], target: str, get: Callable[[], float], put: Callable[[float], None],
              delta: float, spans: list[tuple[float, float]] | None, low: float, high: float) -> None:
        """Move ``target`` (an automation key of ``strip``) by ``delta``, throughout or only within ``spans``."""
        auto = strip.setdefault("automation", {}) or {}
        strip["automation"] = auto
        self.touch(strip, re.split(r"[.\[]", target)[0] if spans is None else "automation")
        if spans is None:
            put(_clamp(get() + delta, low, high))
            if target in auto:
                auto[target] = [[p[0], _clamp(float(p[1]) + delta, low, high), *p[2:]] for p in auto[target]]
            if not auto:
                del strip["automation"]
            return
        before = self._envelope(auto.get(target), get())
        times = sorted(set(before.times_s) | {t for s, e in spans for t in (max(0.0, s - RAMP_S), s, e, e + RAMP_S)})
        times_arr = np.asarray(times)
        weight = np.zeros_like(times_arr)
        for s, e in spans:
            up = np.clip((times_arr - (s - RAMP_S)) / RAMP_S, 0, 1) if s - RAMP_S > 0 else np.where(times_arr >= 0,
                                                                                                    1.0, 0.0)
            down = np.clip(((e + RAMP_S) - times_arr) / RAMP_S, 0, 1)
            weight = np.maximum(weight, np.minimum(up, down))
        values = before.at_seconds(times_arr) + delta * weight
        auto[target] = [[round(float(t), 4), round(_clamp(float(v), low, high), 3)] for t, v in zip(times, values)]

    def _envelope(self, points: list[list[Any]] | None, static: float) -> Envelope:
        if not points:
            return Envelope((0.0,), (static,), (0.0,))
        times = tuple(self.seconds(p[0]) for p in points)
        return Envelope(times, tuple(float(p[1]) for p in points),
                        tuple(parse_curve(p[2]) if len(p) == 3 else 0.0 for p in points))

    def insert_index(self, strip: dict[str, Any], types: tuple[str, ...]) -> int | None:
        inserts = strip.get("inserts") or []
        found = [i for i, x in enumerate(inserts) if isinstance(x, dict) and x.get("type") in types]
        return found[-1] if found else None

    def add_insert(self, strip: dict[str, Any], insert: dict[str, Any]) -> int:
        strip.setdefault("inserts", [])
        if strip["inserts"] is None:
            strip["inserts"] = []
        strip["inserts"].append(insert)
        self.touch(strip, "inserts")
        return len(strip["inserts"]) - 1

    def insert_param(self, strip: dict[str, Any], i: int, param: str, default: float, edit: Edit, low: float,
                     high: float, delta: float) -> None:
        ins = strip["inserts"][i]
        ins.setdefault(param, default)
        self.shift(strip, f"inserts[{i}].{param}", lambda: float(ins[param]),
                   lambda v: ins.__setitem__(param, round(v, 3)), delta, edit.spans, low, high)

    # edits -----------------------------------------------------------------------------------------------------
    def apply(self, edit: Edit) -> None:
        """Apply one edit (raises NotApplied with the reason when it cannot)."""
        getattr(self, f"_{edit.kind}")(edit)

    def _level(self, edit: Edit) -> None:
        for kind, name in edit.strips:
            s = self.strip(kind, name)
            self.shift(s, "gain_db", lambda: float(s.get("gain_db", 0.0)),
                       lambda v: s.__setitem__("gain_db", round(v, 2)), edit.amount, edit.spans, -math.inf, 24.0)

    def _eq(self, edit: Edit) -> None:
        band_type = edit.settings["band"]
        for kind, name in edit.strips:
            s = self.strip(kind, name)
            freq = edit.settings["freq"]
            if isinstance(freq, dict):
                freq = freq.get(edit.settings.get("piece") or strip_role(s) or "", freq.get("", BOOM_DEFAULT_HZ))
            elif freq == TOP:
                freq = self._top_corner_hz(kind, name)
            freq = min(float(freq), 0.45 * self.rate)
            i = self.insert_index(s, ("eq",))
            if i is None:
                i = self.add_insert(s, {"type": "eq", "bands": []})
            bands = s["inserts"][i].setdefault("bands", [])
            k = next((j for j, b in enumerate(bands) if b.get("type", "peak") == band_type
                      and abs(math.log2(float(b.get("freq", 1000.0)) / freq)) <= EQ_MATCH_OCTAVES), None)
            if k is None:
                bands.append({"type": band_type, "freq": freq, "gain_db": 0.0,
                              "q": 1.4 if band_type == "peak" else 0.7071})
                k = len(bands) - 1
            band = bands[k]
            band.setdefault("gain_db", 0.0)
            self.shift(s, f"inserts[{i}].band{k + 1}_gain_db", lambda: float(band["gain_db"]),
                       lambda v: band.__setitem__("gain_db", round(v, 2)), edit.amount, edit.spans, -24.0, 24.0)

    def _deesser(self, edit: Edit) -> None:
        for kind, name in edit.strips:
            s = self.strip(kind, name)
            i = self.insert_index(s, ("deesser",))
            if i is None:
                i = self.add_insert(s, {"type": "deesser", "frequency_hz": min(edit.settings["freq"], 0.45 * self.rate),
                                        "threshold_db": -24.0 if edit.spans is None else 0.0, "range_db": 9.0})
            self.insert_param(s, i, "threshold_db", -24.0, edit, -80.0, 0.0, 1.5 * edit.amount)

    def _send(self, edit: Edit) -> None:
        effect = edit.settings["effect"]
        decay = edit.settings.get("decay_s")
        bus = (self._room_bus(edit.settings["room"], decay) if decay
               else self._effect_bus(effect, create=edit.amount > 0))
        changed = 0
        for kind, name in edit.strips:
            s = self.strip(kind, name)
            sends = s.get("sends") or []
            k = next((j for j, x in enumerate(sends) if str(x.get("bus")) == bus), None)
            if k is None:
                if edit.amount <= 0:
                    continue
                sends.append({"bus": bus, "level_db": NEW_SEND_DB + edit.amount if edit.spans is None
                              else SILENT_SEND_DB})
                s["sends"] = sends
                self.touch(s, "sends")
                k = len(sends) - 1
                delta = 0.0 if edit.spans is None else NEW_SEND_DB + edit.amount - SILENT_SEND_DB
            else:
                delta = edit.amount
            send = sends[k]
            send.setdefault("level_db", 0.0)
            if delta:
                self.shift(s, f"sends[{k}].level_db", lambda: float(send["level_db"]),
                           lambda v: send.__setitem__("level_db", round(v, 2)), delta, edit.spans, -120.0, 24.0)
            changed += 1
        if not changed:
            raise NotApplied(f"{', '.join(n for _, n in edit.strips)} send nothing to the {effect}: nothing to reduce")

    def strip_names(self) -> set[str]:
        """The names of every track and bus (a new bus takes a name none of them has)."""
        return {str(s.get("name")) for s in (self.data.get("buses") or []) + (self.data.get("tracks") or [])}

    def _room_bus(self, room: str, decay_s: float) -> str:
        """A reverb bus whose decay is within ``ROOM_MATCH`` of ``decay_s`` (s), or a new one for that room."""
        buses = self.data.get("buses") or []
        for b in buses:
            for x in b.get("inserts") or []:
                if isinstance(x, dict) and x.get("type") == "reverb" and \
                        abs(math.log(float(x.get("decay_s", 1.8)) / decay_s)) <= math.log(ROOM_MATCH):
                    return str(b["name"])
        names = self.strip_names()
        name = next(n for n in (room, f"{room} reverb", *(f"{room} {k}" for k in range(2, 99))) if n not in names)
        buses.append({"name": name, "inserts": [
            {"type": "highpass", "freq": 200.0, "slope": 12},
            {"type": "reverb", "decay_s": decay_s, "predelay_ms": round(min(40.0, 10.0 * decay_s), 1),
             "size": round(min(1.0, 0.25 + decay_s / 5.0), 2), "mix": 1.0}]})
        self.data["buses"] = buses
        self.touch(buses[-1], "name")
        return name

    def _effect_bus(self, effect: str, create: bool) -> str:
        types = REVERB_TYPES if effect == "reverb" else DELAY_TYPES
        buses = self.data.get("buses") or []
        for b in buses:
            if any(isinstance(x, dict) and x.get("type") in types for x in b.get("inserts") or []):
                return str(b["name"])
        if not create:
            raise NotApplied(f"the session has no {effect} bus")
        names = self.strip_names()
        name = effect if effect not in names else f"{effect} return"
        if effect == "reverb":
            inserts = [{"type": "highpass", "freq": 250.0, "slope": 12},
                       {"type": "reverb", "decay_s": 1.6, "predelay_ms": 20.0, "mix": 1.0}]
        else:
            tempo = self.data.get("tempo")
            time_ms = round(45000.0 / float(tempo), 2) if tempo else 110.0
            inserts = [{"type": "delay", "time_ms": time_ms, "feedback": 0.3, "low_cut_hz": 300.0,
                        "high_cut_hz": 5000.0, "mix": 1.0}]
        buses.append({"name": name, "inserts": inserts})
        self.data["buses"] = buses
        self.touch(buses[-1], "name")
        return name

    def _pan(self, edit: Edit) -> None:
        for kind, name in edit.strips:
            s = self.strip(kind, name)
            current = float(s.get("pan", 0.0))
            how = edit.settings["how"]
            delta = edit.amount if how == "move" else (edit.amount - current if how == "hard" else -current)
            self.shift(s, "pan", lambda: float(s.get("pan", 0.0)), lambda v: s.__setitem__("pan", round(v, 3)),
                       delta, edit.spans, -1.0, 1.0)

    def _spread(self, edit: Edit) -> None:
        placed = [(k, n) for k, n in edit.strips if abs(float(self.strip(k, n).get("pan", 0.0))) > 1e-6]
        if not placed:
            raise NotApplied(f"{', '.join(n for _, n in edit.strips)} are all centred: say which goes where")
        for kind, name in placed:
            s = self.strip(kind, name)
            sign = math.copysign(1.0, float(s["pan"]))
            self.shift(s, "pan", lambda: float(s.get("pan", 0.0)), lambda v: s.__setitem__("pan", round(v, 3)),
                       sign * edit.amount, edit.spans, -1.0, 1.0)

    def _width(self, edit: Edit) -> None:
        for kind, name in edit.strips:
            s = self.strip(kind, name)
            i = self.insert_index(s, ("width",))
            if i is None:
                i = self.add_insert(s, {"type": "width", "width": 1.0})
            self.insert_param(s, i, "width", 1.0, edit, 0.0, 2.0, edit.amount)

    def _compress(self, edit: Edit) -> None:
        for kind, name in edit.strips:
            s = self.strip(kind, name)
            i = self.insert_index(s, ("compressor",))
            if i is None:
                if edit.amount < 0:
                    raise NotApplied(f"{name} has no compressor to relax")
                level = self._level_estimate(kind, name, s)
                # a new compressor's threshold starts at the part's level and the asked amount goes under it:
                # "more control" on a part with none takes 3-5 dB off its loudest words
                i = self.add_insert(s, {"type": "compressor", "threshold_db": round(level, 1), "ratio": 3.0,
                                        "attack_ms": 5.0, "release_ms": 80.0, "detection": "rms", "knee_db": 6.0})
                if edit.spans is not None:
                    s["inserts"][i]["threshold_db"] = 0.0
                    self.insert_param(s, i, "threshold_db", 0.0, edit, -60.0, 0.0, level - edit.amount)
                    continue
            self.insert_param(s, i, "threshold_db", -20.0, edit, -60.0, 0.0, -edit.amount)

    def _attack(self, edit: Edit) -> None:
        for kind, name in edit.strips:
            s = self.strip(kind, name)
            i = self.insert_index(s, ("transient_shaper",))
            if i is None:
                i = self.add_insert(s, {"type": "transient_shaper", "attack_db": 0.0})
            self.insert_param(s, i, "attack_db", 0.0, edit, -24.0, 24.0, edit.amount)

    def _source(self, kind: str, name: str) -> tuple[np.ndarray, int] | None:
        """The audio of a track's first region (channels, frames) and its rate, or None (a bus, an empty track)."""
        if kind != "track":
            return None
        from studioflow.audio.files import read

        strip = self.session.strip(name)
        if ("audio", name) not in self.cache:
            self.cache["audio", name] = read(strip.regions[0].file) if strip.regions else None
        return self.cache["audio", name]

    def _top_corner_hz(self, kind: str, name: str) -> float:
        """Where a shelf over the part's top end starts (Hz; see ``TOP_CORNER_OF_ROLLOFF``)."""
        source = self._source(kind, name)
        if source is None:
            return TOP_DEFAULT_HZ
        audio, rate = source
        power = np.abs(np.fft.rfft(np.mean(audio, axis=0)[: 1 << 20])) ** 2
        cumulative = np.cumsum(power)
        if cumulative[-1] <= 0:
            return TOP_DEFAULT_HZ
        rolloff = np.searchsorted(cumulative, 0.9 * cumulative[-1]) * rate / (2 * (len(power) - 1))
        return round(_clamp(TOP_CORNER_OF_ROLLOFF * rolloff, *TOP_CORNER_HZ), -1)

    def _level_estimate(self, kind: str, name: str, s: dict[str, Any]) -> float:
        """The strip's level (LUFS where it plays) before its inserts' dynamics: source loudness plus gain inserts."""
        from studioflow.analysis.loudness import integrated_loudness

        source = self._source(kind, name)
        if source is None:
            return -18.0
        strip = self.session.strip(name)
        audio, rate = source
        loud = integrated_loudness(audio, rate)
        gains = sum(float(x.get("gain_db", 0.0)) for x in s.get("inserts") or [] if x.get("type") == "gain")
        return (loud if loud is not None else -30.0) + gains + strip.regions[0].gain_db


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
