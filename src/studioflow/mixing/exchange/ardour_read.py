"""Read an Ardour 7 session (its folder or its ``.ardour`` file) as studioflow session data.

The same mapping as ``ardour_write`` read back: tracks and their playlists' regions, faders (Ardour's smoothing of
gain automation replayed, so the envelope is what Ardour plays), pans (the mono law inverted), mute, solo,
polarity, outputs, aux sends, markers, tempo and time signature. Plugins, MIDI tracks and what else cannot be read
are named in the report.
"""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np

from studioflow.errors import SessionError
from studioflow.mixing.exchange import ardour_plugins
from studioflow.mixing.exchange.common import DENSE_STEP_S
from studioflow.mixing.exchange.report import MappingReport
from studioflow.mixing.exchange.units import (
    ARDOUR_TICKS_PER_BEAT,
    SUPERCLOCK_HZ,
    ardour_fader_gain,
    ardour_fader_position,
    ardour_gain_lag_s,
    ardour_to_mono_pan,
    gain_to_db,
    normalized_to_pan,
)

PLAYING = ("Play", "Touch", "Latch")


class _Reader:
    def __init__(self, path: Path, out_dir: Path, report: MappingReport) -> None:
        self.file = path
        self.folder = path.parent
        self.out_dir = out_dir
        self.report = report
        try:
            self.root = ET.parse(path).getroot()
        except (ET.ParseError, OSError) as e:
            raise SessionError(f"{path}: not a readable Ardour session ({e})") from None
        if self.root.tag != "Session":
            raise SessionError(f"{path}: not an Ardour session (the root element is <{self.root.tag}>)")
        self.rate = int(self.root.get("sample-rate", "48000"))
        self.bpm, self.note_type, self.beats, self.unit = self.tempo()
        self.routes = {r.get("id"): r for r in self.root.iter("Route")}
        self.names = {rid: self.clean(r.get("name", "")) for rid, r in self.routes.items()}

    # values --------------------------------------------------------------------------------------------------
    def seconds(self, text: str | None) -> float:
        """An Ardour time: ``a<superclock>``, ``b<ticks>`` or plain samples; ``X@Y`` counts its first part."""
        text = (text or "0").split("@")[0]
        if text.startswith("a"):
            return int(text[1:]) / SUPERCLOCK_HZ
        if text.startswith("b"):
            quarters = int(text[1:]) / ARDOUR_TICKS_PER_BEAT
            return quarters * 60.0 / self.bpm * self.note_type / 4.0
        return int(float(text)) / self.rate

    def tempo(self) -> tuple[float, int, int, int]:
        tempo = self.root.find("TempoMap/Tempos/Tempo")
        meter = self.root.find("TempoMap/Meters/Meter")
        bpm = float(tempo.get("npm", "120")) if tempo is not None else 120.0
        note = int(float(tempo.get("note-type", "4"))) if tempo is not None else 4
        beats = int(float(meter.get("divisions-per-bar", "4"))) if meter is not None else 4
        unit = int(float(meter.get("note-value", "4"))) if meter is not None else 4
        return bpm, note, beats, unit

    @staticmethod
    def clean(name: str) -> str:
        """An Ardour name as a studioflow name (no slashes, no leading dot)."""
        text = re.sub(r"[/\\]", "-", name).strip().lstrip(".") or "unnamed"
        return "".join(ch for ch in text if ch.isprintable())

    def events(self, alist: ET.Element | None) -> list[tuple[float, float]]:
        if alist is None or alist.get("state", "Off") not in PLAYING:
            return []
        ev = alist.find("events")
        points = []
        for line in (ev.text or "").splitlines() if ev is not None else []:
            parts = line.split()
            if len(parts) == 2:
                points.append((self.seconds(parts[0]), float(parts[1])))
        return points

    # the session ---------------------------------------------------------------------------------------------
    def session(self) -> dict[str, Any]:
        data: dict[str, Any] = {"session": self.clean(self.root.get("name", self.file.stem)),
                                "sample_rate": self.rate, "tempo": self.bpm * self.note_type / self.unit,
                                "time_signature": f"{self.beats}/{self.unit}", "pan_law_db": -3.0}
        self.report.add("tempo", "exact")
        self.report.add("time_signature", "exact")
        sections = []
        for loc in self.root.iter("Location"):
            if "IsMark" in loc.get("flags", "").split(","):
                sections.append({"name": self.clean(loc.get("name", "marker")),
                                 "start": round(self.seconds(loc.get("start")), 9)})
                self.report.add(f"marker {loc.get('name')}", "exact", "a section")
        if sections:
            data["sections"] = sorted(sections, key=lambda s: s["start"])
        tracks, buses, master = [], [], {}
        for route in self.routes.values():
            kind = self.kind(route)
            if "MasterOut" in kind:
                master = self.strip(route, "master")
            elif "AudioTrack" in kind:
                track = self.strip(route, "track")
                if track.get("regions"):
                    tracks.append(track)
                else:
                    self.report.add(f"track {route.get('name')}", "unmapped", "a track without regions")
            elif "AudioBus" in kind:
                buses.append(self.strip(route, "bus"))
            else:
                self.report.add(f"route {route.get('name')}", "unmapped", f"{','.join(kind)} routes are not read")
        if not tracks:
            raise SessionError(f"{self.file}: no audio track with regions to import")
        data["tracks"] = tracks
        if buses:
            data["buses"] = buses
        data["master"] = master
        return data

    @staticmethod
    def kind(route: ET.Element) -> list[str]:
        """The route's presentation flags (``AudioTrack``, ``AudioBus``, ``MasterOut``, ...)."""
        info = route.find("PresentationInfo")
        return (info.get("flags", "") if info is not None else "").split(",")

    def strip(self, route: ET.Element, kind: str) -> dict[str, Any]:
        name = route.get("name", "")
        key = f"{kind} {name}"
        out: dict[str, Any] = {} if kind == "master" else {"name": self.names[route.get("id")]}
        inputs = route.find("IO[@direction='Input']")
        channels = len(inputs.findall("Port")) if inputs is not None else 2
        mono = kind == "track" and channels == 1
        procs = route.findall("Processor")
        amp = next((p for p in procs if p.get("type") == "amp"), None)
        gain_el = amp.find("Controllable[@name='gaincontrol']") if amp is not None else None
        gain = float(gain_el.get("value", "1")) if gain_el is not None else 1.0
        gain_list = amp.find("Automation/AutomationList[@automation-id='gain']") if amp is not None else None
        gain_points = self.events(gain_list)
        gain_style = gain_list.get("interpolation-style", "Linear") if gain_list is not None else "Linear"
        correction, pan_points = 0.0, []
        if kind != "master":
            az_el = route.find("Pannable/Controllable[@name='pan-azimuth']")
            azimuth = float(az_el.get("value", "0.5")) if az_el is not None else 0.5
            pan_points = self.events(route.find("Pannable/Automation/AutomationList[@automation-id='pan-azimuth']"))
            if mono:
                pan, corr = ardour_to_mono_pan(azimuth, -3.0)
                out["pan"], correction = round(float(pan), 9), float(corr)
                self.report.add(f"{key}.pan", "exact", "mono: the -3 dB law's difference put on the fader")
            else:
                out["pan"] = round(normalized_to_pan(azimuth), 9)
                shell = route.find("Processor[@type='main-outs']/PannerShell")
                panner = shell.find("Panner") if shell is not None else None
                uri = (shell.get("user-panner", "") if shell is not None else "") or (
                    panner.get("uri", "") if panner is not None else "")
                balance = uri.endswith("panner_balance") or azimuth == 0.5
                self.report.add(f"{key}.pan", "exact" if balance else "converted",
                                "" if balance else f"Ardour's {uri or 'default'} stereo panner read as a balance")
            self.flags(route, out, key, channels)
            self.output(route, out, key)
        out["gain_db"] = round(gain_to_db(gain) + correction, 9)
        self.report.add(f"{key}.gain_db", "exact")
        automation = self.automation(gain_points, gain_style, pan_points, mono, key)
        if "gain_db" in automation and correction:        # the envelope replaces the fader: it takes the law too
            automation["gain_db"] = [[t, v + correction] for t, v in automation["gain_db"]]
        sends = self.sends(route, procs, amp, mono, key, automation)
        if sends:
            out["sends"] = sends
        if automation:
            out["automation"] = automation
        inserts = []
        trim = next((p for p in procs if p.get("type") == "trim"), None)
        trim_el = trim.find("Controllable[@name='trimcontrol']") if trim is not None else None
        if trim_el is not None and float(trim_el.get("value", "1")) != 1.0:
            inserts.append({"type": "gain", "gain_db": round(gain_to_db(float(trim_el.get("value", "1"))), 9)})
            self.report.add(f"{key}.trim", "exact", "a gain insert")
        dynamics = {spec[0]: kind for kind, spec in ardour_plugins.DYNAMICS.items()}
        for p in procs:
            uri = p.get("unique-id", "").split("#")[0]
            if p.get("type") == "lv2" and uri == ardour_plugins.URI and p.get("active", "1") == "1":
                inserts.append(ardour_plugins.insert_from(p))
                self.report.add(f"{key} plugin {p.get('name')}", "converted", "a-EQ read as our eq")
            elif p.get("type") == "lv2" and uri in dynamics and p.get("active", "1") == "1":
                inserts.append(ardour_plugins.dynamics_from(p, dynamics[uri]))
                self.report.add(f"{key} plugin {p.get('name')}", "converted", f"read as our {dynamics[uri]}")
            elif p.get("type") in ("lv2", "ladspa", "lua", "vst", "vst3", "luaproc", "au"):
                self.report.add(f"{key} plugin {p.get('name')}", "unmapped",
                                f"{p.get('type')} plugin {p.get('unique-id', '')} is not read")
        if inserts:
            out["inserts"] = inserts
        if kind == "track":
            out["regions"] = self.regions(route, key)
        return out

    def flags(self, route: ET.Element, out: dict[str, Any], key: str, channels: int) -> None:
        mute = route.find("Controllable[@name='mute']")
        out["mute"] = mute is not None and float(mute.get("value", "0")) > 0
        solo = route.find("Controllable[@name='solo']")
        out["solo"] = solo is not None and solo.get("self-solo", "0") == "1"
        phase = route.find("Controllable[@name='phase']")
        bits = phase.get("phase-invert", "0") if phase is not None else "0"
        out["polarity"] = "inverted" if "1" in bits else "normal"
        for item in ("mute", "solo"):
            self.report.add(f"{key}.{item}", "exact")
        self.report.add(f"{key}.polarity", "exact" if len(set(bits)) == 1 else "converted",
                        "" if len(set(bits)) == 1 else f"per-channel polarity {bits} read as inverted")
        safe = route.find("Controllable[@name='solo-safe']")
        if safe is not None and safe.get("solo-safe", "0") == "1" and "AudioBus" in self.kind(route):
            out["solo_safe"] = True

    def output(self, route: ET.Element, out: dict[str, Any], key: str) -> None:
        io = route.find("IO[@direction='Output']")
        targets = {c.get("other", "").rsplit("/", 1)[0] for c in io.iter("Connection")} if io is not None else set()
        by_name = {r.get("name"): r for r in self.routes.values()}
        for target in sorted(targets):
            r = by_name.get(target)
            if r is None:
                continue
            flags = self.kind(r)
            if "MasterOut" in flags:
                out["output"] = "master"
            elif "AudioBus" in flags:
                out["output"] = self.names[r.get("id")]
            self.report.add(f"{key}.output", "exact" if len(targets) == 1 else "converted",
                            "" if len(targets) == 1 else f"outputs to {sorted(targets)}: the first bus kept")
            return
        out["output"] = "master"
        self.report.add(f"{key}.output", "converted", "no connection read: sent to the master")

    def automation(self, gain_points: list[tuple[float, float]], gain_style: str,
                   pan_points: list[tuple[float, float]], mono: bool, key: str) -> dict[str, Any]:
        auto: dict[str, Any] = {}
        if pan_points:
            t = np.array([p[0] for p in pan_points])
            az = np.array([p[1] for p in pan_points])
            if mono:
                pan = ardour_to_mono_pan(az, -3.0)[0]
            else:
                pan = 2.0 * az - 1.0
            auto["pan"] = [[round(float(a), 9), round(float(b), 9)] for a, b in zip(t, np.clip(pan, -1, 1))]
            self.report.add(f"{key}.automation.pan", "exact" if not mono else "converted",
                            "" if not mono else "mono: the law's correction left out of the gain automation")
        if gain_points:
            auto["gain_db"] = self.smoothed(gain_points, gain_style)
            self.report.add(f"{key}.automation.gain_db", "converted",
                            "Ardour's 25 Hz fader smoothing replayed, read every 5 ms")
        return auto

    def smoothed(self, points: list[tuple[float, float]], style: str) -> list[list[float]]:
        """Gain automation points (s, linear) as the dB envelope Ardour plays: interpolated as the list's ``style``
        says (``Exponential``: along the fader's travel; else linearly), through its one-pole fader smoothing, read
        every ``DENSE_STEP_S``."""
        from scipy.signal import lfilter

        t = np.array([p[0] for p in points])
        g = np.array([p[1] for p in points])
        tau = ardour_gain_lag_s(self.rate)
        end = t[-1] + 12.0 * tau
        frames = np.arange(int(t[0] * self.rate), int(np.ceil(end * self.rate)) + 1)
        if style == "Exponential":
            x = ardour_fader_gain(np.interp(frames / self.rate, t, ardour_fader_position(g)))
        else:
            x = np.interp(frames / self.rate, t, g)
        a = 156.825 / self.rate
        y, _ = lfilter([a], [1.0, a - 1.0], x, zi=[(1.0 - a) * x[0]])
        grid = np.unique(np.round(np.concatenate([np.arange(t[0], end, DENSE_STEP_S), t]), 7))
        values = np.interp(grid, frames / self.rate, y)
        db = [gain_to_db(float(v)) for v in values]
        return [[float(a_), round(max(d, -200.0), 9)] for a_, d in zip(grid, db)]

    def sends(self, route: ET.Element, procs: list[ET.Element], amp: ET.Element | None, mono: bool, key: str,
              automation: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        amp_at = procs.index(amp) if amp is not None else len(procs)
        for i, p in enumerate(procs):
            if p.get("type") == "intsend":
                found.append((int(p.get("bitslot", "0") or 0), i, p))
        out: list[dict[str, Any]] = []
        for _, i, p in sorted(found, key=lambda f: f[:2]):       # in send-number order, as they were made
            target = p.get("target")
            if target not in self.routes:
                self.report.add(f"{key} send {p.get('name')}", "unmapped", "its bus is not in the session")
                continue
            level_el = p.find("Controllable[@name='gaincontrol']")
            level = float(level_el.get("value", "1")) if level_el is not None else 1.0
            send: dict[str, Any] = {"bus": self.names[target], "pre_fader": i < amp_at}
            correction = 0.0
            shell = p.find("PannerShell")
            if shell is not None and shell.get("linked-to-route", "1") == "0":
                az_el = p.find("Pannable/Controllable[@name='pan-azimuth']")
                az = float(az_el.get("value", "0.5")) if az_el is not None else 0.5
                if mono:
                    pan, corr = ardour_to_mono_pan(az, -3.0)
                    send["pan"], correction = round(float(pan), 9), float(corr)
                else:
                    send["pan"] = round(normalized_to_pan(az), 9)
            elif mono and i < amp_at:
                az_el = route.find("Pannable/Controllable[@name='pan-azimuth']")
                az = float(az_el.get("value", "0.5")) if az_el is not None else 0.5
                correction = float(ardour_to_mono_pan(az, -3.0)[1])
            send["level_db"] = round(gain_to_db(level) + correction, 9)
            send_list = p.find("Automation/AutomationList[@automation-id='send']")
            points = self.events(send_list)
            if points:
                auto = self.smoothed(points, send_list.get("interpolation-style", "Linear")
                                     if send_list is not None else "Linear")
                automation[f"sends[{len(out)}].level_db"] = [[a, b + correction] for a, b in auto]
                self.report.add(f"{key}.sends[{len(out)}].automation", "converted", "read every 5 ms")
            self.report.add(f"{key}.sends[{len(out)}]", "exact")
            out.append(send)
        return out

    # regions -------------------------------------------------------------------------------------------------
    def source_file(self, source_id: str) -> tuple[Path, int]:
        src = self.root.find(f"Sources/Source[@id='{source_id}']")
        if src is None:
            raise SessionError(f"{self.file}: region source {source_id} is not in <Sources>")
        name = src.get("name", "")
        path = Path(name)
        if not path.is_absolute():
            found = sorted(self.folder.glob(f"interchange/*/audiofiles/{name}"))
            path = found[0] if found else self.folder / "externals" / name
        if not path.exists():
            raise SessionError(f"{self.file}: the audio file {name} is missing (looked in interchange/*/audiofiles)")
        return path, int(src.get("channel", "0"))

    def regions(self, route: ET.Element, key: str) -> list[dict[str, Any]]:
        pid = route.get("audio-playlist")
        playlist = self.root.find(f"Playlists/Playlist[@id='{pid}']")
        if playlist is None:
            playlist = self.root.find(f"Playlists/Playlist[@orig-track-id='{route.get('id')}']")
        out = []
        for i, reg in enumerate(playlist.findall("Region") if playlist is not None else []):
            rkey = f"{key}.regions[{i}]"
            if reg.get("muted", "0") == "1":
                self.report.add(rkey, "unmapped", "a muted region is left out")
                continue
            files = [self.source_file(reg.get(f"source-{c}", "")) for c in range(int(reg.get("channels", "1")))]
            path, first = files[0]
            if len({f[0] for f in files}) > 1 or [f[1] for f in files] != list(range(first, first + len(files))):
                self.report.add(rkey, "unmapped", "channels from different files")
                continue
            length = self.seconds(reg.get("length"))
            length_attr = reg.get("length", "")
            at = self.seconds(length_attr.split("@")[1]) if "@" in length_attr else self.seconds(reg.get("position"))
            region = {"file": self.relative(path), "at": round(at, 9),
                      "offset": round(self.seconds(reg.get("start")), 9), "length": round(length, 9),
                      "gain_db": round(gain_to_db(float(reg.get("scale-amplitude", "1"))), 9)}
            status, notes = "exact", []
            for name, tag in (("fade_in", "FadeIn"), ("fade_out", "FadeOut")):
                if reg.get(f"{name.replace('_', '-')}-active", "0") != "1":
                    continue
                points = self.fade_points(reg.find(f"{tag}/AutomationList"))
                if len(points) >= 2:
                    region[name] = round(points[-1][0] - points[0][0], 9)
                    if len(points) > 2:
                        status = "converted"
                        notes.append(f"{name} shape read as linear")
            if len(files) == 1 and first > 0:
                status, notes = "converted", notes + [f"channel {first + 1} of {path.name}: the whole file played"]
            self.report.add(rkey, status, "; ".join(notes))
            out.append(region)
        return out

    def fade_points(self, alist: ET.Element | None) -> list[tuple[float, float]]:
        ev = alist.find("events") if alist is not None else None
        return [(self.seconds(a), float(b)) for a, b in (line.split() for line in (ev.text or "").splitlines()
                                                         if len(line.split()) == 2)] if ev is not None else []

    def relative(self, path: Path) -> str:
        try:
            return os.path.relpath(path.resolve(), self.out_dir.resolve())
        except ValueError:
            return str(path.resolve())


def read_ardour(source: Path, out_dir: Path, report: MappingReport) -> dict[str, Any]:
    """Session data from the Ardour session ``source`` (a folder holding ``NAME.ardour``, or that file); file paths
    relative to ``out_dir``, where the session file will be written."""
    path = source
    if source.is_dir():
        candidates = [source / f"{source.name}.ardour"] + sorted(source.glob("*.ardour"))
        path = next((c for c in candidates if c.is_file()), source / f"{source.name}.ardour")
    if not path.is_file():
        raise SessionError(f"{source}: no .ardour session file there")
    return _Reader(path, out_dir, report).session()
