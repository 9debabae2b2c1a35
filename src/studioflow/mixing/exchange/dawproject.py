"""DAWproject 1.0 (bitwig/dawproject): a zip holding ``project.xml``, ``metadata.xml`` and the audio, written to
the published schema (Project.xsd, MetaData.xsd) and read back.

Mapped: tracks with their clips (time, duration, playStart = offset, fades), Volume (linear), Pan (normalized
0..1: the format leaves the pan law to the reading DAW), Mute, solo, sends (pre/post, level, pan), return and
group buses (channel roles ``effect`` and ``submix``), the master, markers, tempo, time signature, automation
of volume, pan and send levels (Points), and EQ, compressor, gate and limiter inserts as the built-in devices
(see ``devices``). The format has no clip gain and no polarity: those are named in the report. Times are written
in seconds.
"""

from __future__ import annotations

import os
import tempfile
import xml.etree.ElementTree as ET
import zipfile
from pathlib import Path, PurePosixPath
from typing import Any

import numpy as np

from studioflow import __version__
from studioflow.errors import SessionError
from studioflow.mixing.exchange.common import breakpoints, copy_audio
from studioflow.mixing.exchange.devices import device_for, insert_from
from studioflow.mixing.exchange.report import MappingReport
from studioflow.mixing.exchange.units import (
    gain_to_db,
    normalized_to_pan,
    pan_to_normalized,
)
from studioflow.mixing.session import MASTER, Session, Strip

FORMAT_VERSION = "1.0"
PROJECT, METADATA = "project.xml", "metadata.xml"


class _Writer:
    def __init__(self, session: Session, report: MappingReport) -> None:
        self.s = session
        self.report = report
        self.n = 0
        self.channel_ids = {st.name: self.id("ch") for st in [*session.tracks, *session.buses, session.master]}
        self.params: dict[tuple[str, str], str] = {}        # (strip, target) -> parameter id
        self.files: dict[Path, str] = {}
        self.track_ids: dict[str, str] = {}

    def id(self, prefix: str) -> str:
        self.n += 1
        return f"{prefix}{self.n}"

    def real(self, parent: ET.Element, tag: str, unit: str, value: float, low: float | None = None,
             high: float | None = None, name: str | None = None) -> ET.Element:
        attrs = {"id": self.id("p"), "name": name or tag, "unit": unit, "value": repr(float(value))}
        if low is not None:
            attrs["min"] = repr(float(low))
        if high is not None:
            attrs["max"] = repr(float(high))
        return ET.SubElement(parent, tag, attrs)

    def project(self) -> ET.Element:
        s = self.s
        root = ET.Element("Project", {"version": FORMAT_VERSION})
        ET.SubElement(root, "Application", {"name": "studioflow", "version": __version__})
        transport = ET.SubElement(root, "Transport")
        if s.timeline.tempo_bpm is not None:
            self.real(transport, "Tempo", "bpm", s.timeline.tempo_bpm * 4.0 / s.timeline.beat_unit, 20, 999)
            self.report.add("tempo", "exact", "quarter notes a minute")
        ET.SubElement(transport, "TimeSignature", {"id": self.id("p"), "numerator": str(s.timeline.beats_per_bar),
                                                   "denominator": str(s.timeline.beat_unit)})
        self.report.add("time_signature", "exact")
        self.report.add("pan_law_db", "exact" if s.pan_law_db == -3.0 else "unmapped",
                        "the format has no pan law: the reading DAW applies its own")
        structure = ET.SubElement(root, "Structure")
        for strip in [*s.tracks, *s.buses, s.master]:
            structure.append(self.track(strip))
        root.append(self.arrangement())
        return root

    def track(self, strip: Strip) -> ET.Element:
        kind = "audio" if strip.kind == "track" else "tracks"
        track = ET.Element("Track", {"id": self.id("t"), "name": "Master" if strip.kind == "master" else strip.name,
                                     "contentType": kind, "loaded": "true"})
        self.track_ids[strip.name] = track.get("id", "")
        role = {"track": "regular", "master": "master"}.get(strip.kind, "")
        if strip.kind == "bus":
            fed_by_sends = any(snd.bus == strip.name for st in [*self.s.tracks, *self.s.buses] for snd in st.sends)
            role = "effect" if fed_by_sends else "submix"
        attrs = {"id": self.channel_ids[strip.name], "name": track.attrib["name"], "role": role,
                 "audioChannels": str(strip.channels), "solo": "true" if strip.solo else "false"}
        if strip.output is not None:
            attrs["destination"] = self.channel_ids[strip.output if strip.output != MASTER else MASTER]
            self.report.add(f"{strip.key}.output", "exact")
        channel = ET.SubElement(track, "Channel", attrs)
        devices = ET.SubElement(channel, "Devices")
        for insert in strip.inserts:
            device, note = device_for(insert, self.id)
            if device is None:
                self.report.add(insert.key, "unmapped", note)
            else:
                devices.append(device)
                self.report.add(insert.key, "converted", note)
        if not len(devices):
            channel.remove(devices)
        if strip.kind != "master":
            ET.SubElement(channel, "Mute", {"id": self.id("p"), "name": "Mute", "value": str(strip.mute).lower()})
            pan = self.real(channel, "Pan", "normalized", pan_to_normalized(strip.pan), 0.0, 1.0)
            self.params[(strip.name, "pan")] = pan.attrib["id"]
            for item in ("mute", "solo", "pan"):
                self.report.add(f"{strip.key}.{item}", "exact")
            self.report.add(f"{strip.key}.polarity", "exact" if not strip.inverted else "unmapped",
                            "" if not strip.inverted else "DAWproject has no polarity switch")
        if strip.sends:
            sends = ET.SubElement(channel, "Sends")
            for k, send in enumerate(strip.sends):
                el = ET.SubElement(sends, "Send", {"id": self.id("s"), "name": send.bus,
                                                   "destination": self.channel_ids[send.bus],
                                                   "type": "pre" if send.pre_fader else "post"})
                ET.SubElement(el, "Enable", {"id": self.id("p"), "name": "Enable", "value": "true"})
                if send.pan is not None:
                    self.real(el, "Pan", "normalized", pan_to_normalized(send.pan), 0.0, 1.0)
                vol = self.real(el, "Volume", "linear", 10.0 ** (send.level_db / 20.0), 0.0, 4.0)
                self.params[(strip.name, f"sends[{k}].level_db")] = vol.attrib["id"]
                self.report.add(send.key, "exact")
        vol = self.real(channel, "Volume", "linear", 10.0 ** (strip.gain_db / 20.0), 0.0, 16.0)
        self.params[(strip.name, "gain_db")] = vol.attrib["id"]
        self.report.add(f"{strip.key}.gain_db", "exact")
        return track

    def arrangement(self) -> ET.Element:
        arr = ET.Element("Arrangement", {"id": self.id("a")})
        lanes = ET.SubElement(arr, "Lanes", {"id": self.id("l"), "timeUnit": "seconds"})
        ids = self.track_ids
        for strip in [*self.s.tracks, *self.s.buses, self.s.master]:
            lane = ET.Element("Lanes", {"id": self.id("l"), "track": ids[strip.name]})
            if strip.regions:
                lane.append(self.clips(strip))
            for target, env in strip.automation.items():
                if (strip.name, target) not in self.params:
                    self.report.add(f"{strip.key}.automation.{target}", "unmapped", "insert automation not carried")
                    continue
                lane.append(self.points(strip, target, env))
            if len(lane):
                lanes.append(lane)
        if self.s.sections:
            markers = ET.SubElement(arr, "Markers", {"id": self.id("m")})
            for i, (name, start) in enumerate(self.s.sections):
                ET.SubElement(markers, "Marker", {"name": name, "time": repr(start)})
                self.report.add(f"sections[{i}]", "exact", "a marker")
        return arr

    def clips(self, strip: Strip) -> ET.Element:
        clips = ET.Element("Clips", {"id": self.id("c")})
        for r in strip.regions:
            path = self.audio(r.file)
            clip = ET.SubElement(clips, "Clip", {"time": repr(r.at_s), "duration": repr(r.length_s),
                                                 "contentTimeUnit": "seconds", "playStart": repr(r.offset_s),
                                                 "fadeTimeUnit": "seconds", "fadeInTime": repr(r.fade_in_s),
                                                 "fadeOutTime": repr(r.fade_out_s)})
            info = self.info(r.file)
            audio = ET.SubElement(clip, "Audio", {"id": self.id("f"), "channels": str(r.channels),
                                                  "sampleRate": str(self.s.sample_rate), "duration": repr(info)})
            ET.SubElement(audio, "File", {"path": path})
            self.report.add(r.key, "exact" if r.gain_db == 0.0 else "unmapped",
                            "" if r.gain_db == 0.0 else f"clip gain {r.gain_db:g} dB: DAWproject clips have no gain")
        return clips

    def info(self, path: Path) -> float:
        from studioflow.audio.files import info
        return info(path).duration_s

    def audio(self, path: Path) -> str:
        if path not in self.files:
            stem, n = path.stem, 1
            name = f"audio/{stem}.wav"
            while name in self.files.values():
                n += 1
                name = f"audio/{stem}-{n}.wav"
            self.files[path] = name
        return self.files[path]

    def points(self, strip: Strip, target: str, env: Any) -> ET.Element:
        linear = target.endswith("level_db") or target == "gain_db"
        unit = "linear" if linear else "normalized"
        el = ET.Element("Points", {"id": self.id("a"), "unit": unit})
        ET.SubElement(el, "Target", {"parameter": self.params[(strip.name, target)]})
        t, v = breakpoints(env, dense=linear)
        values = 10.0 ** (v / 20.0) if linear else pan_to_normalized(v)
        for time, value in zip(t, np.atleast_1d(values)):
            ET.SubElement(el, "RealPoint", {"time": repr(float(time)), "value": repr(float(value)),
                                            "interpolation": "linear"})
        self.report.add(f"{strip.key}.automation.{target}", "converted" if linear else "exact",
                        "linear gain between breakpoints 5 ms apart where it moves" if linear else "")
        return el


def write_dawproject(session: Session, target: Path, report: MappingReport) -> None:
    """Write ``session`` as the DAWproject archive ``target`` (the audio copied in as float WAV at its rate)."""
    writer = _Writer(session, report)
    root = writer.project()
    ET.indent(root, "  ")
    meta = ET.Element("MetaData")
    ET.SubElement(meta, "Title").text = session.name
    ET.SubElement(meta, "Comment").text = f"exported by studioflow from {session.path.name}"
    ET.indent(meta, "  ")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".dawproject-") as scratch, \
            zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(PROJECT, b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root) + b"\n")
        zf.writestr(METADATA, b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(meta) + b"\n")
        for source, name in writer.files.items():
            copy = Path(scratch) / PurePosixPath(name).name
            copy_audio(source, copy, session.sample_rate)
            zf.write(copy, name, compress_type=zipfile.ZIP_STORED)


def _float(el: ET.Element | None, default: float) -> float:
    return float(el.get("value", default)) if el is not None else default


class _Reader:
    def __init__(self, zf: zipfile.ZipFile, source: Path, audio_dir: Path, out_dir: Path,
                 report: MappingReport) -> None:
        try:
            self.root = ET.fromstring(zf.read(PROJECT))
        except (KeyError, ET.ParseError) as e:
            raise SessionError(f"{source}: not a DAWproject archive ({e})") from None
        if self.root.tag != "Project":
            raise SessionError(f"{source}: {PROJECT} holds <{self.root.tag}>, not <Project>")
        self.zf, self.source, self.audio_dir, self.out_dir, self.report = zf, source, audio_dir, out_dir, report
        tempo = self.root.find("Transport/Tempo")
        self.bpm = _float(tempo, 120.0)
        sig = self.root.find("Transport/TimeSignature")
        self.beats = int(sig.get("numerator", "4")) if sig is not None else 4
        self.unit = int(sig.get("denominator", "4")) if sig is not None else 4
        self.has_tempo = tempo is not None
        self.channels = {c.get("id"): c for c in self.root.iter("Channel")}
        self.names: dict[str, str] = {}
        self.extracted: dict[str, str] = {}
        self.rate = 48000

    def seconds(self, value: str | None, unit: str) -> float:
        v = float(value or 0.0)
        return v * 60.0 / self.bpm if unit == "beats" else v

    def session(self) -> dict[str, Any]:
        data: dict[str, Any] = {"session": self.source.stem}
        if self.has_tempo:
            data["tempo"] = self.bpm * self.unit / 4.0
            self.report.add("tempo", "exact")
        data["time_signature"] = f"{self.beats}/{self.unit}"
        self.report.add("time_signature", "exact")
        tracks_el = [(t, ch) for t in self.root.iter("Track") if (ch := t.find("Channel")) is not None]
        for t, ch in tracks_el:
            self.names[ch.get("id", "")] = "master" if ch.get("role") == "master" else _clean(t.get("name", "track"))
        lanes = self.lanes()
        rates = [int(a.get("sampleRate", "0")) for a in self.root.iter("Audio")]
        self.rate = max(rates) if rates else 48000
        data["sample_rate"] = self.rate
        tracks, buses, master = [], [], {}
        for t, ch in tracks_el:
            role = ch.get("role", "regular")
            strip = self.strip(t, ch, lanes.get(t.get("id", ""), []))
            if role == "master":
                master = {k: v for k, v in strip.items() if k in ("gain_db", "automation")}
            elif "regions" in strip:
                tracks.append(strip)
            elif role in ("effect", "submix"):
                buses.append(strip)
            else:
                self.report.add(f"track {t.get('name')}", "unmapped", "a track without audio clips")
        if not tracks:
            raise SessionError(f"{self.source}: no audio track with clips to import")
        markers = [{"name": _clean(m.get("name", "marker")), "start": self.seconds(m.get("time"), self.time_unit)}
                   for m in self.root.iter("Marker")]
        for m in markers:
            self.report.add(f"marker {m['name']}", "exact", "a section")
        if markers:
            data["sections"] = sorted(markers, key=lambda m: m["start"])
        data["tracks"] = tracks
        if buses:
            data["buses"] = buses
        data["master"] = master
        return data

    def lanes(self) -> dict[str, list[ET.Element]]:
        top = self.root.find("Arrangement/Lanes")
        self.time_unit = top.get("timeUnit", "beats") if top is not None else "beats"
        out: dict[str, list[ET.Element]] = {}
        for lane in self.root.iter("Lanes"):
            if lane.get("track"):
                out.setdefault(lane.get("track", ""), []).extend(list(lane))
        return out

    def strip(self, track: ET.Element, ch: ET.Element, content: list[ET.Element]) -> dict[str, Any]:
        key = f"track {track.get('name')}"
        out: dict[str, Any] = {} if ch.get("role") == "master" else {"name": self.names[ch.get("id", "")]}
        volume = ch.find("Volume")
        ids = {}
        if volume is not None:
            ids[volume.get("id")] = "gain_db"
        out["gain_db"] = gain_to_db(_volume(volume))
        self.report.add(f"{key}.gain_db", "exact")
        if ch.get("role") != "master":
            pan = ch.find("Pan")
            if pan is not None:
                ids[pan.get("id")] = "pan"
            out["pan"] = normalized_to_pan(_float(pan, 0.5))
            mute = ch.find("Mute")
            out["mute"] = mute is not None and mute.get("value", "false") == "true"
            out["solo"] = ch.get("solo", "false") == "true"
            dest = ch.get("destination")
            out["output"] = self.names.get(dest, "master") if dest else "master"
            for what in ("pan", "mute", "solo", "output"):
                self.report.add(f"{key}.{what}", "exact")
        sends: list[dict[str, Any]] = []
        for send in ch.findall("Sends/Send"):
            bus = self.names.get(send.get("destination", ""))
            if bus is None or bus == "master":
                self.report.add(f"{key} send {send.get('name')}", "unmapped", "its destination is not a bus")
                continue
            vol = send.find("Volume")
            if vol is not None:
                ids[vol.get("id")] = f"sends[{len(sends)}].level_db"
            item: dict[str, Any] = {"bus": bus, "level_db": gain_to_db(_volume(vol)),
                                    "pre_fader": send.get("type") == "pre"}
            if send.find("Pan") is not None:
                item["pan"] = normalized_to_pan(_float(send.find("Pan"), 0.5))
            self.report.add(f"{key}.sends[{len(sends)}]", "exact")
            sends.append(item)
        if sends:
            out["sends"] = sends
        inserts = []
        for device in ch.findall("Devices/*"):
            insert, note = insert_from(device)
            dkey = f"{key} device {device.get('deviceName', device.tag)}"
            if insert is None:
                self.report.add(dkey, "unmapped", note)
            else:
                inserts.append(insert)
                self.report.add(dkey, "converted", note)
        if inserts:
            out["inserts"] = inserts
        regions, automation = [], {}
        for el in content:
            if el.tag == "Clips":
                for i, clip in enumerate(el.findall("Clip")):
                    region = self.clip(clip, f"{key}.clips[{i}]")
                    if region is not None:
                        regions.append(region)
            elif el.tag == "Points":
                target_el = el.find("Target")
                target = ids.get(target_el.get("parameter", "") if target_el is not None else "")
                if target is None:
                    self.report.add(f"{key} automation", "unmapped", "its parameter is not read")
                    continue
                automation[target] = self.points(el, target, key)
        if regions:
            out["regions"] = regions
        if automation:
            out["automation"] = automation
        return out

    def points(self, el: ET.Element, target: str, key: str) -> list[list[float]]:
        unit = el.get("timeUnit", self.time_unit)
        out = []
        for p in el.findall("RealPoint"):
            v = float(p.get("value", "0"))
            value = normalized_to_pan(v) if target == "pan" else max(gain_to_db(v), -200.0)
            out.append([self.seconds(p.get("time"), unit), value])
        self.report.add(f"{key}.automation.{target}", "exact" if target == "pan" else "converted",
                        "" if target == "pan" else "linear gain points read as dB breakpoints")
        return out

    def clip(self, clip: ET.Element, key: str) -> dict[str, Any] | None:
        audio = clip.find("Audio")
        file = audio.find("File") if audio is not None else None
        if file is None:
            self.report.add(key, "unmapped", "a clip without an audio file (notes, nested clips or warps)")
            return None
        unit = clip.get("contentTimeUnit", self.time_unit)
        fade_unit = clip.get("fadeTimeUnit", self.time_unit)
        region = {"file": self.extract(file), "at": self.seconds(clip.get("time"), self.time_unit),
                  "offset": self.seconds(clip.get("playStart", "0"), unit),
                  "length": self.seconds(clip.get("duration"), self.time_unit),
                  "fade_in": self.seconds(clip.get("fadeInTime", "0"), fade_unit),
                  "fade_out": self.seconds(clip.get("fadeOutTime", "0"), fade_unit)}
        self.report.add(key, "exact")
        return region

    def extract(self, file: ET.Element) -> str:
        name = file.get("path", "")
        if file.get("external", "false") == "true":
            return name
        if name not in self.extracted:
            inner = PurePosixPath(name)
            if inner.is_absolute() or ".." in inner.parts:
                raise SessionError(f"{self.source}: the audio path {name!r} points outside the archive")
            self.audio_dir.mkdir(parents=True, exist_ok=True)
            target = self.audio_dir / inner.name
            from studioflow.audio.atomic import atomic_write
            try:
                with atomic_write(target) as tmp, self.zf.open(name) as src:
                    tmp.write_bytes(src.read())
            except KeyError:
                raise SessionError(f"{self.source}: the archive lacks {name}") from None
            self.extracted[name] = os.path.relpath(target.resolve(), self.out_dir.resolve())
        return self.extracted[name]


def _volume(el: ET.Element | None) -> float:
    """A Volume parameter as a linear gain (it may be written in dB)."""
    if el is None:
        return 1.0
    value = float(el.get("value", "1"))
    return 10.0 ** (value / 20.0) if el.get("unit") == "decibel" else value


def _clean(name: str) -> str:
    text = name.replace("/", "-").replace("\\", "-").strip().lstrip(".") or "unnamed"
    return "".join(ch for ch in text if ch.isprintable())


def read_dawproject(source: Path, audio_dir: Path, out_dir: Path, report: MappingReport) -> dict[str, Any]:
    """Session data from the DAWproject archive ``source``; its audio is unpacked into ``audio_dir``, paths written
    relative to ``out_dir``."""
    try:
        with zipfile.ZipFile(source) as zf:
            return _Reader(zf, source, audio_dir, out_dir, report).session()
    except zipfile.BadZipFile:
        raise SessionError(f"{source}: not a DAWproject archive (not a zip file)") from None
