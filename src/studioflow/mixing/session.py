"""Mix session files: load a YAML session, validate every key, and report errors as ``session.yaml:14 key: why``.

The format (see ``docs`` in issue 4): ``session``, ``sample_rate``, ``tempo``, ``time_signature``, ``pan_law_db``,
``sections``, ``tracks`` (``source`` or ``regions``, ``gain_db``, ``pan``, ``mute``, ``solo``, ``polarity``,
``inserts``, ``sends``, ``output``, ``automation``), ``buses`` (the same minus sources, plus ``solo_safe``) and
``master`` (``gain_db``, ``inserts``, ``automation``). Times are seconds or ``"bar:beat"``; insert parameters in
seconds or ms (``*_s``, ``*_ms``) may be note values (``"1/8."``) when the session has a tempo.
"""

from __future__ import annotations

import hashlib
import math
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from studioflow.errors import AudioFileError, ParameterError, SessionError
from studioflow.mixing.automation import Envelope, parse_curve
from studioflow.mixing.timeline import TimeError, Timeline, parse_time_signature
from studioflow.mixing.yamlmarks import Located, load_located

TOP_KEYS = ("session", "sample_rate", "tempo", "time_signature", "pan_law_db", "sections", "tracks", "buses",
            "master", "tail_s")
TRACK_KEYS = ("name", "source", "regions", "gain_db", "pan", "mute", "solo", "polarity", "inserts", "sends", "output",
              "automation", "notes", "color")
BUS_KEYS = ("name", "gain_db", "pan", "mute", "solo", "solo_safe", "polarity", "inserts", "sends", "output",
            "automation", "notes", "color")
MASTER_KEYS = ("gain_db", "inserts", "automation")
REGION_KEYS = ("file", "at", "offset", "length", "fade_in", "fade_out", "gain_db")
SEND_KEYS = ("bus", "level_db", "pre_fader", "pan")
PAN_LAWS_DB = (-3.0, -4.5, -6.0, 0.0)
MAX_GAIN_DB = 24.0
#: what one session may ask for: beyond these a render would exhaust the machine (or a file is not what it says)
LIMITS = {"tracks": 256, "buses": 128, "regions": 4096, "automation points": 100_000}
SESSION_RATES = (8000, 768000)  # the sample rates (Hz) a session runs at
MAX_SONG_S = 3 * 3600.0         # the latest a region may end, a section or breakpoint sit (s)
MASTER = "master"


@dataclass(frozen=True)
class Region:
    """A stretch of a source file placed on a track: at (s) in the song, offset (s) into the file, length (s)."""

    file: Path
    at_s: float
    offset_s: float
    length_s: float
    fade_in_s: float
    fade_out_s: float
    gain_db: float
    sample_rate: int
    channels: int
    key: str


@dataclass(frozen=True)
class InsertSpec:
    """A processor on a strip: its registry type, musician-unit parameters and where it sits in the file."""

    type: str
    params: dict[str, Any]
    key: str


@dataclass(frozen=True)
class SendSpec:
    """A send to a bus: level (dB), pre- or post-fader, optional pan of a mono send (-1..1)."""

    bus: str
    level_db: float
    pre_fader: bool
    pan: float | None
    key: str


@dataclass
class Strip:
    """A track, a bus or the master: sources (tracks only), inserts, fader, pan, sends, routing and automation."""

    kind: str                       # "track", "bus" or "master"
    name: str
    key: str
    regions: list[Region] = field(default_factory=list)
    gain_db: float = 0.0
    pan: float = 0.0
    mute: bool = False
    solo: bool = False
    solo_safe: bool = False
    inverted: bool = False
    inserts: list[InsertSpec] = field(default_factory=list)
    sends: list[SendSpec] = field(default_factory=list)
    output: str | None = MASTER
    automation: dict[str, Envelope] = field(default_factory=dict)

    @property
    def channels(self) -> int:
        """Channels the strip processes: buses and master are stereo; a track is stereo if any region is."""
        if self.kind != "track":
            return 2
        return 2 if any(r.channels >= 2 for r in self.regions) else 1


@dataclass
class Session:
    """A validated mix session."""

    path: Path
    name: str
    sample_rate: int
    timeline: Timeline
    pan_law_db: float
    sections: list[tuple[str, float]]
    tracks: list[Strip]
    buses: list[Strip]
    master: Strip
    tail_s: float | None
    sha256: str
    located: Located = field(repr=False)

    @property
    def content_end_s(self) -> float:
        """Where the last region ends, in seconds."""
        return max((r.at_s + r.length_s for t in self.tracks for r in t.regions), default=0.0)

    def strip(self, name: str) -> Strip:
        """The track, bus or master called ``name``."""
        for s in [*self.tracks, *self.buses, self.master]:
            if s.name == name:
                return s
        raise KeyError(name)


def load_session(path: str | os.PathLike[str]) -> Session:
    """Load and validate a session file; raise SessionError naming the file, line and key of the first problem.

    >>> session = load_session("song/mix.yaml")         # doctest: +SKIP
    """
    path = Path(path)
    located = load_located(path)
    return _Parser(located).session()


def parameter_error_message(insert: InsertSpec, error: Exception) -> tuple[str, str]:
    """Split a processor's ParameterError into (key path of the parameter, the rest of the message)."""
    text = str(error)
    prefix = f"{insert.type}: "
    if text.startswith(prefix):
        text = text[len(prefix):]
    for name in sorted(insert.params, key=len, reverse=True):
        if text.startswith(name + " ") or text.startswith(f"{name}:"):
            return f"{insert.key}.{name}", text[len(name):].lstrip(": ")
        m = re.search(rf"parameter '{re.escape(name)}'", text)
        if m:
            return f"{insert.key}.{name}", text
    return insert.key, text


class _Parser:
    """Validation of the plain data, one section at a time."""

    def __init__(self, located: Located) -> None:
        self.loc = located
        self.base = located.path.parent
        self.timeline = Timeline()
        self.rate = 48000

    # helpers -----------------------------------------------------------------------------------------------
    def fail(self, key: str, message: str) -> SessionError:
        return self.loc.fail(key, message)

    def mapping(self, value: Any, key: str, allowed: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, f"must be a mapping of keys ({', '.join(allowed)})")
        for k in value:
            if k not in allowed:
                raise self.fail(_join(key, k), f"unknown key; known keys: {', '.join(allowed)}")
        return value

    def listing(self, value: Any, key: str) -> list[Any]:
        if value is None:
            return []
        if not isinstance(value, list):
            raise self.fail(key, "must be a list")
        return value

    def number(self, value: Any, key: str, low: float | None = None, high: float | None = None,
               low_open: bool = False) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            raise self.fail(key, f"must be a number; got {value!r}")
        if low is not None and (value <= low if low_open else value < low):
            raise self.fail(key, f"must be {'>' if low_open else '>='} {low:g}; got {value!r}")
        if high is not None and value > high:
            raise self.fail(key, f"must be <= {high:g}; got {value!r}")
        return float(value)

    def gain(self, value: Any, key: str) -> float:
        if value == float("-inf"):
            return value
        return self.number(value, key, high=MAX_GAIN_DB)

    def boolean(self, value: Any, key: str) -> bool:
        if not isinstance(value, bool):
            raise self.fail(key, f"must be true or false; got {value!r}")
        return value

    def name(self, value: Any, key: str) -> str:
        if not isinstance(value, (str, int)) or isinstance(value, bool) or not str(value).strip():
            raise self.fail(key, f"must be a name; got {value!r}")
        text = str(value).strip()
        if "/" in text or "\\" in text or text.startswith(".") or not text.isprintable():
            raise self.fail(key, f"a name cannot hold '/', '\\' or control characters, or start with '.'; "
                                 f"got {value!r}")
        return text

    def time(self, value: Any, key: str) -> float:
        try:
            seconds = self.timeline.seconds(value)
        except TimeError as e:
            raise self.fail(key, str(e)) from None
        if not 0.0 <= seconds <= MAX_SONG_S:
            raise self.fail(key, f"{value!r} is {seconds:g} s: times run from 0 to {MAX_SONG_S:g} s (3 hours)")
        return seconds

    def count(self, what: str, key: str, n: int = 1) -> None:
        """Count ``n`` more of ``what`` (a key of ``LIMITS``); fail at ``key`` once the session asks for too many."""
        self.counts[what] = self.counts.get(what, 0) + n
        if self.counts[what] > LIMITS[what]:
            raise self.fail(key, f"a session may hold at most {LIMITS[what]:,} {what}; split the song into "
                                 "several sessions or bounce parts to stems")

    # sections ----------------------------------------------------------------------------------------------
    def session(self) -> Session:
        data = self.mapping(self.loc.data, "", TOP_KEYS)
        name = self.name(data.get("session", self.loc.path.stem), "session")
        rate = data.get("sample_rate", 48000)
        low, high = SESSION_RATES
        if isinstance(rate, bool) or not isinstance(rate, int) or not low <= rate <= high:
            raise self.fail("sample_rate", f"must be a whole number of Hz from {low} to {high}; got {rate!r}")
        self.rate = rate
        tempo = data.get("tempo")
        if tempo is not None:
            tempo = self.number(tempo, "tempo", 1.0, 1000.0)
        try:
            beats, unit = parse_time_signature(data.get("time_signature", "4/4"))
        except TimeError as e:
            raise self.fail("time_signature", str(e)) from None
        self.timeline = Timeline(tempo, beats, unit)
        law = self.number(data.get("pan_law_db", -3.0), "pan_law_db")
        if law not in PAN_LAWS_DB:
            raise self.fail("pan_law_db", f"must be one of {', '.join(f'{x:g}' for x in PAN_LAWS_DB)}; got {law:g}")
        tail = data.get("tail_s")
        tail = None if tail is None else self.number(tail, "tail_s", 0.0, 600.0)
        sections = []
        for i, sec in enumerate(self.listing(data.get("sections"), "sections")):
            key = f"sections[{i}]"
            sec = self.mapping(sec, key, ("name", "start"))
            if "start" not in sec:
                raise self.fail(key, "a section needs a start (seconds or \"bar:beat\")")
            sections.append((self.name(sec.get("name", f"section {i + 1}"), key + ".name"),
                             self.time(sec["start"], key + ".start")))
        self.counts: dict[str, int] = {}
        self.count("tracks", "tracks", len(self.listing(data.get("tracks"), "tracks")))
        self.count("buses", "buses", len(self.listing(data.get("buses"), "buses")))
        tracks = [self.track(t, f"tracks[{i}]") for i, t in enumerate(self.listing(data.get("tracks"), "tracks"))]
        if not tracks:
            raise self.fail("tracks", "a session needs at least one track")
        buses = [self.strip(b, f"buses[{i}]", "bus", BUS_KEYS) for i, b in
                 enumerate(self.listing(data.get("buses"), "buses"))]
        master = self.strip(data.get("master") or {}, "master", "master", MASTER_KEYS)
        self.check_names(tracks, buses)
        text = self.loc.path.read_bytes()
        return Session(path=self.loc.path, name=name, sample_rate=rate, timeline=self.timeline, pan_law_db=law,
                       sections=sections, tracks=tracks, buses=buses, master=master, tail_s=tail,
                       sha256=hashlib.sha256(text).hexdigest(), located=self.loc)

    def check_names(self, tracks: list[Strip], buses: list[Strip]) -> None:
        seen: dict[str, str] = {MASTER: "master"}
        for s in [*tracks, *buses]:
            if s.name in seen:
                raise self.fail(s.key + ".name", f"the name {s.name!r} is already used by {seen[s.name]}")
            seen[s.name] = s.key
        bus_names = {b.name for b in buses}
        for s in [*tracks, *buses]:
            if s.output is not None and s.output != MASTER and s.output not in bus_names:
                raise self.fail(s.key + ".output", f"no bus called {s.output!r} (buses: "
                                f"{', '.join(sorted(bus_names)) or 'none'}; or master)")
            if s.output == s.name:
                raise self.fail(s.key + ".output", f"{s.name} cannot feed itself")
        for s in [*tracks, *buses]:
            for send in s.sends:
                if send.bus not in bus_names:
                    raise self.fail(send.key + ".bus", f"no bus called {send.bus!r} (buses: "
                                    f"{', '.join(sorted(bus_names)) or 'none'})")
                if send.bus == s.name:
                    raise self.fail(send.key + ".bus", f"{s.name} cannot send to itself")

    def track(self, value: Any, key: str) -> Strip:
        strip = self.strip(value, key, "track", TRACK_KEYS)
        data = value
        if ("source" in data) == ("regions" in data):
            raise self.fail(key, "a track needs either `source: FILE` or `regions: [...]`")
        if "source" in data:
            strip.regions = [self.region({"file": data["source"]}, key + ".source", single=True)]
        else:
            regions = self.listing(data["regions"], key + ".regions")
            if not regions:
                raise self.fail(key + ".regions", "needs at least one region")
            self.count("regions", key + ".regions", len(regions))
            strip.regions = [self.region(r, f"{key}.regions[{i}]") for i, r in enumerate(regions)]
        return strip

    def strip(self, value: Any, key: str, kind: str, allowed: tuple[str, ...]) -> Strip:
        data = self.mapping(value, key, allowed)
        if kind == "master":
            name = MASTER
        else:
            if "name" not in data:
                raise self.fail(key, f"a {kind} needs a name")
            name = self.name(data["name"], key + ".name")
            if name == MASTER:
                raise self.fail(key + ".name", "'master' is the master bus; choose another name")
        strip = Strip(kind=kind, name=name, key=key)
        strip.gain_db = self.gain(data.get("gain_db", 0.0), key + ".gain_db")
        strip.pan = self.number(data.get("pan", 0.0), key + ".pan", -1.0, 1.0)
        strip.mute = self.boolean(data.get("mute", False), key + ".mute")
        strip.solo = self.boolean(data.get("solo", False), key + ".solo")
        strip.solo_safe = self.boolean(data.get("solo_safe", False), key + ".solo_safe")
        polarity = data.get("polarity", "normal")
        if polarity not in ("normal", "inverted"):
            raise self.fail(key + ".polarity", f"must be normal or inverted; got {polarity!r}")
        strip.inverted = polarity == "inverted"
        strip.inserts = [self.insert(x, f"{key}.inserts[{i}]")
                         for i, x in enumerate(self.listing(data.get("inserts"), key + ".inserts"))]
        strip.sends = [self.send(x, f"{key}.sends[{i}]")
                       for i, x in enumerate(self.listing(data.get("sends"), key + ".sends"))]
        if kind == "master":
            strip.output = None
        else:
            out = data.get("output", MASTER)
            strip.output = self.name(out, key + ".output")
        strip.automation = self.automation(data.get("automation"), key + ".automation", strip)
        return strip

    def region(self, value: Any, key: str, single: bool = False) -> Region:
        if single:
            file_key = key
            data = value
        else:
            data = self.mapping(value, key, REGION_KEYS)
            file_key = key + ".file"
            if "file" not in data:
                raise self.fail(key, "a region needs a file")
        if not isinstance(data["file"], str) or not data["file"].strip():
            raise self.fail(file_key, f"must be a file path; got {data['file']!r}")
        path = Path(data["file"]).expanduser()
        path = path if path.is_absolute() else self.base / path
        from studioflow.audio.files import info
        try:
            meta = info(path)
        except AudioFileError as e:
            raise self.fail(file_key, str(e)) from None
        at = self.time(data.get("at", 0.0), key + ".at")
        offset = self.number(data.get("offset", 0.0), key + ".offset", 0.0)
        if offset >= meta.duration_s and meta.frames:
            raise self.fail(key + ".offset", f"{offset:g} s is past the end of the file ({meta.duration_s:.3f} s)")
        room = meta.duration_s - offset
        length = room if data.get("length") is None else self.number(data["length"], key + ".length", 0.0,
                                                                      low_open=True)
        if length > room + 1e-9:
            raise self.fail(key + ".length", f"{length:g} s from offset {offset:g} s runs past the end of the file "
                            f"({meta.duration_s:.3f} s)")
        fade_in = self.number(data.get("fade_in", 0.0), key + ".fade_in", 0.0)
        fade_out = self.number(data.get("fade_out", 0.0), key + ".fade_out", 0.0)
        if at + length > MAX_SONG_S:
            raise self.fail(key + ".at", f"the region would end at {at + length:g} s: a song may last "
                                         f"{MAX_SONG_S:g} s (3 hours)")
        if fade_in + fade_out > length + 1e-9:
            raise self.fail(key + ".fade_in", f"fades ({fade_in:g} s + {fade_out:g} s) are longer than the region "
                            f"({length:g} s)")
        if meta.channels > 2:
            raise self.fail(file_key, f"{path.name} has {meta.channels} channels; tracks take mono or stereo files")
        return Region(file=path, at_s=at, offset_s=offset, length_s=length, fade_in_s=fade_in, fade_out_s=fade_out,
                      gain_db=self.gain(data.get("gain_db", 0.0), key + ".gain_db"), sample_rate=meta.sample_rate,
                      channels=meta.channels, key=key)

    def insert(self, value: Any, key: str) -> InsertSpec:
        if not isinstance(value, dict):
            raise self.fail(key, "an insert is a mapping like {type: compressor, threshold_db: -20}")
        if "type" not in value:
            raise self.fail(key, "an insert needs a type (eq, compressor, reverb, ...)")
        type_name = value["type"]
        params = {}
        for k, v in value.items():
            if k == "type":
                continue
            if isinstance(v, str) and (k.endswith("_ms") or k.endswith("_s")) and "/" in v:
                try:
                    seconds = self.timeline.note_seconds(v)
                except TimeError as e:
                    raise self.fail(f"{key}.{k}", str(e)) from None
                v = seconds * 1000.0 if k.endswith("_ms") else seconds
            params[k] = v
        spec = InsertSpec(type=str(type_name), params=params, key=key)
        build_insert(spec, self.rate, self.loc)
        return spec

    def send(self, value: Any, key: str) -> SendSpec:
        data = self.mapping(value, key, SEND_KEYS)
        if "bus" not in data:
            raise self.fail(key, "a send needs a bus")
        pan = data.get("pan")
        return SendSpec(bus=self.name(data["bus"], key + ".bus"), level_db=self.gain(data.get("level_db", 0.0),
                        key + ".level_db"), pre_fader=self.boolean(data.get("pre_fader", False), key + ".pre_fader"),
                        pan=None if pan is None else self.number(pan, key + ".pan", -1.0, 1.0), key=key)

    def automation(self, value: Any, key: str, strip: Strip) -> dict[str, Envelope]:
        if value is None:
            return {}
        if not isinstance(value, dict):
            raise self.fail(key, "must map parameters to breakpoint lists, like gain_db: [[0, -3], [\"9:1\", 0]]")
        out = {}
        for target, points in value.items():
            tkey = f"{key}.{target}"
            low, high = self.target_range(target, tkey, strip)
            out[target] = self.envelope(points, tkey, low, high)
        return out

    def target_range(self, target: str, key: str, strip: Strip) -> tuple[float | None, float | None]:
        if target == "gain_db":
            return None, MAX_GAIN_DB
        if target == "pan":
            if strip.kind == "master":
                raise self.fail(key, "the master has no pan")
            return -1.0, 1.0
        m = re.fullmatch(r"sends\[(\d+)\]\.level_db", target)
        if m:
            if int(m.group(1)) >= len(strip.sends):
                raise self.fail(key, f"{strip.name} has {len(strip.sends)} sends (counting from 0)")
            return None, MAX_GAIN_DB
        m = re.fullmatch(r"inserts\[(\d+)\]\.(\w+)", target)
        if m:
            i, param = int(m.group(1)), m.group(2)
            if i >= len(strip.inserts):
                raise self.fail(key, f"{strip.name} has {len(strip.inserts)} inserts (counting from 0)")
            proc = build_insert(strip.inserts[i], self.rate, self.loc)
            if param not in proc.automatable:
                raise self.fail(key, f"{strip.inserts[i].type} cannot automate {param!r} (automatable: "
                                f"{', '.join(proc.automatable) or 'none'})")
            return None, None
        raise self.fail(key, "automation targets are gain_db, pan, sends[N].level_db or inserts[N].PARAMETER")

    def envelope(self, points: Any, key: str, low: float | None, high: float | None) -> Envelope:
        points = self.listing(points, key)
        if not points:
            raise self.fail(key, "needs at least one breakpoint [time, value]")
        self.count("automation points", key, len(points))
        times: list[float] = []
        values: list[float] = []
        curves: list[float | str] = []
        for i, p in enumerate(points):
            pkey = f"{key}[{i}]"
            if not isinstance(p, list) or len(p) not in (2, 3):
                raise self.fail(pkey, f"a breakpoint is [time, value] or [time, value, curve]; got {p!r}")
            t = self.time(p[0], pkey)
            if times and t <= times[-1]:
                raise self.fail(pkey, f"breakpoint time {p[0]!r} must come after the previous one")
            v = p[1]
            v = v if v == float("-inf") and high == MAX_GAIN_DB else self.number(v, pkey, low, high)
            try:
                c = parse_curve(p[2]) if len(p) == 3 else 0.0
            except ValueError as e:
                raise self.fail(pkey, str(e)) from None
            times.append(t)
            values.append(float(v))
            curves.append(c)
        return Envelope(tuple(times), tuple(values), tuple(curves))


def build_insert(spec: InsertSpec, sample_rate: int, located: Located) -> Any:
    """Build the processor an insert names, turning its parameter errors into SessionErrors at the right line."""
    from studioflow.dsp import registry
    if spec.type not in registry.PROCESSORS:
        raise located.fail(spec.key + ".type", f"unknown processor type {spec.type!r}; known types: "
                           f"{', '.join(sorted(registry.PROCESSORS))}")
    try:
        return registry.create(spec.type, sample_rate, **spec.params)
    except ModuleNotFoundError as e:
        raise located.fail(spec.key + ".type", f"processor {spec.type!r} is not available ({e})") from None
    except (ParameterError, TypeError, ValueError) as e:
        key, message = parameter_error_message(spec, e)
        raise located.fail(key, message) from None


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key
