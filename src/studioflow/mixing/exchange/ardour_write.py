"""Write a studioflow session as an Ardour 7 session folder (``NAME/NAME.ardour`` plus its audio).

The audio is copied, as Ardour expects, into ``interchange/NAME/audiofiles`` (32-bit float WAV at the session's
rate). Tracks, regions (position, offset, length, linear fades, gain), faders, pans (mono law compensated, see
``units``), mute, solo, polarity, outputs to buses, sends (aux sends, pre or post fader), automation of gain, pan
and send levels, markers, tempo and time signature are written; static ``gain`` inserts go to Ardour's trim, EQs
to Ardour's a-EQ, compressors to a-Comp, gates to a-Exp
(``ardour_plugins``); other inserts are named in the report as not carried.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import numpy as np

from studioflow.mixing.automation import Envelope
from studioflow.mixing.exchange import ardour_plugins
from studioflow.mixing.exchange.common import breakpoints, copy_audio, render_end_s
from studioflow.mixing.exchange.report import MappingReport
from studioflow.mixing.exchange.units import (
    SUPERCLOCK_HZ,
    ardour_gain_points,
    db_to_gain,
    frames_to_superclock,
    mono_pan_to_ardour,
    pan_to_normalized,
)
from studioflow.mixing.session import MASTER, InsertSpec, Region, Session, Strip

BALANCE_PANNER = ("http://ardour.org/plugin/panner_balance", "Stereo Balance")
MONO_PANNER = ("http://ardour.org/plugin/panner_1in2out", "Mono to Stereo Panner")
ARDOUR_MASTER = "Master"
SESSION_VERSION = "7002"
GAIN_STYLE = "Linear"           # gain automation interpolated linearly between points (5 ms apart where it moves)


class _Writer:
    """Builds the session XML for one session, with fresh object ids."""

    def __init__(self, session: Session, name: str, audio_dir: Path, report: MappingReport) -> None:
        self.s = session
        self.name = name
        self.audio_dir = audio_dir
        self.report = report
        self.next_id = 1000
        self.route_ids = {st.name: self.id() for st in [*session.tracks, *session.buses, session.master]}
        self.sources: dict[Path, tuple[str, list[str]]] = {}
        self.sources_el = ET.Element("Sources")
        self.playlists_el = ET.Element("Playlists")

    def id(self) -> str:
        self.next_id += 1
        return str(self.next_id)

    # times ---------------------------------------------------------------------------------------------------
    def t(self, seconds: float) -> str:
        """A song time (s) as an Ardour audio-time position, on the session's sample grid."""
        frames = round(seconds * self.s.sample_rate)
        return f"a{frames_to_superclock(frames, self.s.sample_rate)}"

    # the document --------------------------------------------------------------------------------------------
    def document(self) -> ET.Element:
        s = self.s
        root = ET.Element("Session", {"version": SESSION_VERSION, "name": self.name, "sample-rate": str(s.sample_rate),
                                      "id-counter": "0", "name-counter": "1", "event-counter": "0",
                                      "vca-counter": "1"})
        ET.SubElement(root, "ProgramVersion", {"created-with": "studioflow", "modified-with": "studioflow"})
        config = ET.SubElement(root, "Config")
        for key, value in (("native-file-data-format", "FormatFloat"), ("native-file-header-format", "WAVE"),
                           ("use-region-fades", "1"), ("use-transport-fades", "1"),
                           ("replicate-missing-region-channels", "1")):
            ET.SubElement(config, "Option", {"name": key, "value": value})
        routes = ET.Element("Routes")
        routes.append(self.route(s.master, 0))
        for order, strip in enumerate([*s.tracks, *s.buses], start=1):
            routes.append(self.route(strip, order))
        ET.SubElement(root, "Metadata")
        root.append(self.sources_el)
        ET.SubElement(root, "Regions")
        ET.SubElement(root, "Selection")
        root.append(self.locations())
        ET.SubElement(root, "Bundles")
        ET.SubElement(root, "VCAManager")
        root.append(routes)
        root.append(self.playlists_el)
        ET.SubElement(root, "UnusedPlaylists")
        ET.SubElement(root, "RouteGroups")
        root.append(self.tempo_map())
        root.set("id-counter", str(self.next_id + 1))
        self.report.add("pan_law_db", "exact" if s.pan_law_db == -3.0 else "converted",
                        f"studioflow {s.pan_law_db:g} dB law vs Ardour's fixed -3 dB quadratic mono panner: "
                        "compensated per strip by the fader (see the pans)")
        return root

    def locations(self) -> ET.Element:
        el = ET.Element("Locations")
        ET.SubElement(el, "Location", {"id": self.id(), "name": "session", "start": self.t(0.0),
                                       "end": self.t(render_end_s(self.s)), "flags": "IsSessionRange",
                                       "locked": "0", "timestamp": "0", "cue": "0"})
        for i, (name, start) in enumerate(self.s.sections):
            ET.SubElement(el, "Location", {"id": self.id(), "name": name, "start": self.t(start),
                                           "end": self.t(start), "flags": "IsMark", "locked": "0",
                                           "timestamp": "0", "cue": "0"})
            self.report.add(f"sections[{i}]", "exact", "a marker")
        return el

    def tempo_map(self) -> ET.Element:
        tl = self.s.timeline
        el = ET.Element("TempoMap", {"superclocks-per-second": str(SUPERCLOCK_HZ)})
        bpm = tl.tempo_bpm if tl.tempo_bpm is not None else 120.0
        tempos = ET.SubElement(el, "Tempos")
        ET.SubElement(tempos, "Tempo", {"npm": repr(bpm), "enpm": repr(bpm), "note-type": str(tl.beat_unit),
                                        "type": "Tempo::Constant", "active": "1", "locked-to-meter": "0",
                                        "continuing": "0", "sclock": "0", "quarters": "0:0", "bbt": "1|1|0",
                                        "omega": "0"})
        meters = ET.SubElement(el, "Meters")
        ET.SubElement(meters, "Meter", {"note-value": str(tl.beat_unit), "divisions-per-bar": str(tl.beats_per_bar),
                                        "sclock": "0", "quarters": "0:0", "bbt": "1|1|0"})
        ET.SubElement(el, "MusicTimes")
        self.report.add("tempo", "exact" if tl.tempo_bpm is not None else "converted",
                        "" if tl.tempo_bpm is not None else "no tempo in the session: Ardour's default 120 BPM")
        self.report.add("time_signature", "exact")
        return el

    # routes --------------------------------------------------------------------------------------------------
    def route(self, strip: Strip, order: int) -> ET.Element:
        rname = ARDOUR_MASTER if strip.kind == "master" else strip.name
        mono = strip.kind == "track" and strip.channels == 1
        key = strip.key
        attrs = {"version": SESSION_VERSION, "id": self.route_ids[strip.name], "name": rname, "default-type": "audio",
                 "strict-io": "1", "active": "1", "denormal-protection": "0", "meter-point": "MeterPostFader",
                 "disk-io-point": "DiskIOPreFader", "meter-type": "MeterPeak"}
        playlist_id = self.id() if strip.kind == "track" else None
        if playlist_id is not None:
            attrs.update({"audio-playlist": playlist_id, "saved-meter-point": "MeterPostFader",
                          "alignment-choice": "Automatic", "mode": "Normal"})
        el = ET.Element("Route", attrs)
        flags = {"track": "AudioTrack,OrderSet", "bus": "AudioBus,OrderSet", "master": "MasterOut,OrderSet"}[strip.kind]
        ET.SubElement(el, "PresentationInfo", {"order": str(order), "flags": flags, "color": "0"})
        ET.SubElement(el, "Controllable", {"name": "solo", "id": self.id(), "flags": "Toggle,RealTime",
                                           "value": str(int(strip.solo)), "self-solo": str(int(strip.solo)),
                                           "soloed-by-upstream": "0", "soloed-by-downstream": "0"})
        ET.SubElement(el, "Controllable", {"name": "solo-iso", "id": self.id(), "flags": "Toggle,RealTime",
                                           "value": "0", "solo-isolated": "0"})
        ET.SubElement(el, "Controllable", {"name": "solo-safe", "id": self.id(), "flags": "Toggle",
                                           "value": str(int(strip.solo_safe)), "solo-safe": str(int(strip.solo_safe))})
        ins = strip.channels
        self.io(el, rname, "Input", [f"{rname}/audio_in {k + 1}" for k in range(ins)], None)
        self.io(el, rname, "Output", [f"{rname}/audio_out {k + 1}" for k in range(2)], self.destination(strip))
        ET.SubElement(el, "MuteMaster", {"mute-point": "PreFader,PostFader,Listen,Main", "muted": str(int(strip.mute))})
        ET.SubElement(el, "Controllable", {"name": "mute", "id": self.id(), "flags": "Toggle,RealTime",
                                           "value": str(int(strip.mute))})
        bits = ("1" if strip.inverted else "0") * ins
        ET.SubElement(el, "Controllable", {"name": "phase", "id": self.id(), "flags": "Toggle",
                                           "value": str((2 ** ins - 1) if strip.inverted else 0),
                                           "phase-invert": bits})
        for item in ("mute", "solo", "polarity"):
            if strip.kind != "master":
                self.report.add(f"{key}.{item}", "exact")
        comp_db = self.pannable(el, strip, mono) if strip.kind != "master" else 0.0
        if strip.kind == "track":
            ET.SubElement(el, "Processor", {"id": self.id(), "name": f"player:{rname}", "active": "1",
                                            "type": "diskreader"})
        if strip.kind == "bus":
            ET.SubElement(el, "Processor", {"id": self.id(), "name": "Return", "active": "1", "type": "intreturn"})
        ET.SubElement(el, "Processor", {"id": self.id(), "name": "Polarity", "active": "1", "type": "polarity"})
        el.append(self.trim(strip))
        for insert in strip.inserts:
            if insert.type != "gain":
                self.plugin(el, insert, strip.channels == 2)
        for target in strip.automation:
            if target.startswith("inserts["):
                self.report.add(f"{key}.automation.{target}", "unmapped", "automation of an insert not carried")
        for k, send in enumerate(strip.sends):
            if send.pre_fader:
                el.append(self.send(strip, k, mono, comp_db))
        el.append(self.amp(strip, mono, comp_db))
        for k, send in enumerate(strip.sends):
            if not send.pre_fader:
                el.append(self.send(strip, k, mono, comp_db))
        outs = ET.SubElement(el, "Processor", {"id": self.id(), "name": rname, "active": "1", "own-input": "1",
                                               "own-output": "0", "output": rname, "type": "main-outs",
                                               "role": "Main"})
        uri, kind = MONO_PANNER if mono else BALANCE_PANNER
        shell = ET.SubElement(outs, "PannerShell", {"bypassed": "0", "user-panner": "" if mono else uri,
                                                     "linked-to-route": "1"})
        ET.SubElement(shell, "Panner", {"uri": uri, "type": kind})
        if strip.kind == "track":
            self.playlist(strip, playlist_id, rname)
        return el

    def trim(self, strip: Strip) -> ET.Element:
        """Ardour's trim (+-20 dB before the plugins) carries our static ``gain`` inserts; other inserts are named
        in the report."""
        trim_db = 0.0
        automated = {int(m.group(1)) for target in strip.automation
                     if (m := re.fullmatch(r"inserts\[(\d+)\]\..*", target))}
        others = [i for i in strip.inserts if i.type != "gain"]
        for k, insert in enumerate(strip.inserts):
            if insert.type == "gain" and k not in automated and abs(trim_db + insert.params.get("gain_db", 0.0)) <= 20:
                trim_db += float(insert.params.get("gain_db", 0.0))
                self.report.add(insert.key, "converted" if others else "exact",
                                "Ardour's trim" + (" (its place among the other inserts is lost)" if others else ""))
            elif insert.type == "gain":
                self.report.add(insert.key, "unmapped", "an automated gain insert, or beyond the trim's 20 dB")
        el = ET.Element("Processor", {"id": self.id(), "name": "Trim", "active": "1", "type": "trim"})
        ET.SubElement(el, "Controllable", {"name": "trimcontrol", "id": self.id(), "flags": "GainLike",
                                           "value": repr(db_to_gain(trim_db))})
        return el

    def plugin(self, route: ET.Element, insert: InsertSpec, stereo: bool) -> None:
        """An insert as an Ardour built-in plugin where one fits (EQ bells as a-EQ, the compressor as a-Comp, the
        gate as a-Exp), else named in the report."""
        if insert.type in ardour_plugins.DYNAMICS:
            ports, note = ardour_plugins.dynamics_ports(insert)
            uri, name = ardour_plugins.DYNAMICS[insert.type][:2]
            uri += "#stereo" if stereo else ""
        else:
            ports, note = ardour_plugins.ports_for(insert)
            uri, name = ardour_plugins.URI, "ACE EQ"
        if ports is None:
            self.report.add(insert.key, "unmapped", f"{note}; print it into the audio or add a plugin in Ardour")
            return
        route.append(ardour_plugins.processor(ports, self.id, uri, name))
        self.report.add(insert.key, "converted", note)

    def destination(self, strip: Strip) -> list[str] | None:
        if strip.output is None:
            return None
        target = ARDOUR_MASTER if strip.output == MASTER else strip.output
        self.report.add(f"{strip.key}.output", "exact")
        return [f"{target}/audio_in 1", f"{target}/audio_in 2"]

    def io(self, parent: ET.Element, name: str, direction: str, ports: list[str], to: list[str] | None) -> None:
        io = ET.SubElement(parent, "IO", {"name": name, "id": self.id(), "direction": direction,
                                          "default-type": "audio"})
        for k, port in enumerate(ports):
            p = ET.SubElement(io, "Port", {"type": "audio", "name": port})
            if to is not None:
                ET.SubElement(p, "Connection", {"other": to[k]})

    def pannable(self, parent: ET.Element, strip: Strip, mono: bool) -> float:
        """The strip's pan as Ardour's azimuth (with its automation); return the fader correction (dB)."""
        el = ET.SubElement(parent, "Pannable")
        if mono:
            az, comp = mono_pan_to_ardour(strip.pan, self.s.pan_law_db)
            azimuth, comp_db = float(az), float(comp)
        else:
            azimuth, comp_db = pan_to_normalized(strip.pan), 0.0
        ET.SubElement(el, "Controllable", {"name": "pan-azimuth", "id": self.id(), "flags": "", "value": repr(azimuth)})
        ET.SubElement(el, "Controllable", {"name": "pan-width", "id": self.id(), "flags": "", "value": "1" if not mono
                                           else "0"})
        note = "" if not mono else f"mono, {self.s.pan_law_db:g} dB law: azimuth {azimuth:.4f} and {comp_db:+.3f} dB " \
                                   "on the fader give the same left and right gains"
        self.report.add(f"{strip.key}.pan", "exact", note)
        env = strip.automation.get("pan")
        if env is not None:
            t, v = breakpoints(env, dense=mono)
            points = np.asarray(mono_pan_to_ardour(v, self.s.pan_law_db)[0]) if mono else pan_to_normalized(v)
            auto = ET.SubElement(el, "Automation")
            auto.append(self.alist("pan-azimuth", "Linear", t, np.atleast_1d(points)))
            self.report.add(f"{strip.key}.automation.pan", "converted" if mono else "exact",
                            "mono: sampled every 5 ms, the law's correction written into the gain automation"
                            if mono else "")
        return comp_db

    def alist(self, what: str, style: str, times: np.ndarray, values: np.ndarray) -> ET.Element:
        el = ET.Element("AutomationList", {"automation-id": what, "id": self.id(), "interpolation-style": style,
                                           "time-domain": "AudioTime", "state": "Play"})
        events = ET.SubElement(el, "events")
        events.text = "".join(f"{self.t(float(t))} {float(v)!r}\n" for t, v in zip(times, values))
        return el

    def amp(self, strip: Strip, mono: bool, comp_db: float) -> ET.Element:
        el = ET.Element("Processor", {"id": self.id(), "name": "Amp", "active": "1", "type": "amp"})
        gain_env = strip.automation.get("gain_db")
        pan_env = strip.automation.get("pan") if mono else None
        if gain_env is not None or pan_env is not None:
            grid = [breakpoints(e, dense=True)[0] for e in (gain_env, pan_env) if e is not None]
            t = np.unique(np.concatenate(grid))
            auto = ET.SubElement(el, "Automation")
            auto.append(self.alist("gain", GAIN_STYLE, *ardour_gain_points(
                lambda x: self.linear_gain(strip, x, gain_env, pan_env, comp_db), t, self.s.sample_rate)))
            if gain_env is not None:
                self.report.add(f"{strip.key}.automation.gain_db", "converted",
                                "breakpoints every 5 ms where it moves (Ardour interpolates the fader, not dB)")
        ET.SubElement(el, "Controllable", {"name": "gaincontrol", "id": self.id(), "flags": "GainLike",
                                           "value": repr(db_to_gain(strip.gain_db + comp_db))})
        self.report.add(f"{strip.key}.gain_db", "exact")
        return el

    def linear_gain(self, strip: Strip, t: np.ndarray, gain_env: Envelope | None, pan_env: Envelope | None,
                    comp_db: float) -> np.ndarray:
        """The fader's linear gain at times ``t``, with the mono pan law's correction."""
        gain = gain_env.at_seconds(t) if gain_env is not None else np.full(t.shape, strip.gain_db)
        comp = mono_pan_to_ardour(pan_env.at_seconds(t), self.s.pan_law_db)[1] if pan_env is not None else comp_db
        return 10.0 ** ((gain + comp) / 20.0)

    def send(self, strip: Strip, k: int, mono: bool, comp_db: float) -> ET.Element:
        send = strip.sends[k]
        own_pan = send.pan is not None
        correction = 0.0
        if mono and send.pan is not None:
            az, comp = mono_pan_to_ardour(send.pan, self.s.pan_law_db)
            azimuth, correction = float(az), float(comp)
        elif send.pan is not None:
            azimuth = pan_to_normalized(send.pan)
        elif mono and send.pre_fader:
            correction = comp_db                     # the send's panner is linked to the track's: same azimuth
        el = ET.Element("Processor", {"id": self.id(), "name": send.bus, "active": "1", "own-input": "1",
                                      "own-output": "1", "type": "intsend", "role": "Aux", "bitslot": str(k + 1),
                                      "selfdestruct": "0", "target": self.route_ids[send.bus], "allow-feedback": "0"})
        env = strip.automation.get(f"sends[{k}].level_db")
        if env is not None:
            t = breakpoints(env, dense=True)[0]
            auto = ET.SubElement(el, "Automation")
            auto.append(self.alist("send", GAIN_STYLE, *ardour_gain_points(
                lambda x: 10.0 ** ((env.at_seconds(x) + correction) / 20.0), t, self.s.sample_rate)))
            self.report.add(f"{send.key}.automation", "converted", "breakpoints every 5 ms where it moves")
        uri, kind = MONO_PANNER if mono else BALANCE_PANNER
        shell = ET.SubElement(el, "PannerShell", {"bypassed": "0", "user-panner": "" if mono else uri,
                                                  "linked-to-route": "0" if own_pan else "1"})
        ET.SubElement(shell, "Panner", {"uri": uri, "type": kind})
        if own_pan:
            pannable = ET.SubElement(el, "Pannable")
            ET.SubElement(pannable, "Controllable", {"name": "pan-azimuth", "id": self.id(), "flags": "",
                                                     "value": repr(azimuth)})
        ET.SubElement(el, "Controllable", {"name": "gaincontrol", "id": self.id(), "flags": "GainLike,InlineControl",
                                           "value": repr(db_to_gain(send.level_db + correction))})
        moving_pan = mono and send.pre_fader and not own_pan and "pan" in strip.automation
        self.report.add(send.key, "converted" if moving_pan else "exact",
                        "pre-fader send of a mono track with moving pan: the law's correction is static"
                        if moving_pan else f"aux send, {'pre' if send.pre_fader else 'post'}-fader")
        return el

    # regions -------------------------------------------------------------------------------------------------
    def source_ids(self, region: Region) -> list[str]:
        if region.file not in self.sources:
            stem = region.file.stem
            name, n = f"{stem}.wav", 1
            while any(name == v[0] for v in self.sources.values()):
                n += 1
                name = f"{stem}-{n}.wav"
            channels = copy_audio(region.file, self.audio_dir / name, self.s.sample_rate)
            ids = []
            for c in range(channels):
                ids.append(self.id())
                ET.SubElement(self.sources_el, "Source", {"name": name, "type": "audio", "flags": "",
                                                          "id": ids[-1], "captured-for": "", "origin": "",
                                                          "gain": "1", "channel": str(c)})
            self.sources[region.file] = (name, ids)
        return self.sources[region.file][1]

    def playlist(self, strip: Strip, playlist_id: str | None, rname: str) -> None:
        assert playlist_id is not None
        pl = ET.SubElement(self.playlists_el, "Playlist", {"id": playlist_id, "name": rname, "type": "audio",
                                                           "orig-track-id": self.route_ids[strip.name],
                                                           "shared-with-ids": "", "frozen": "0",
                                                           "combine-ops": "0"})
        for i, region in enumerate(strip.regions):
            pl.append(self.region(region, f"{rname}.{i + 1}"))
            self.report.add(region.key, "exact", "position, offset, length, linear fades and gain")

    def region(self, r: Region, name: str) -> ET.Element:
        ids = self.source_ids(r)
        length = self.t(r.length_s)
        attrs = {"name": name, "muted": "0", "opaque": "0", "locked": "0", "video-locked": "0", "automatic": "0",
                 "whole-file": "0", "import": "0", "external": "0", "sync-marked": "0", "left-of-split": "0",
                 "right-of-split": "0", "hidden": "0", "position-locked": "0", "valid-transients": "0",
                 "start": self.t(r.offset_s), "length": f"{length}@{self.t(r.at_s)}", "sync-position": "a0",
                 "ancestral-start": "a0", "ancestral-length": "a0@a0", "stretch": "1", "shift": "1",
                 "layering-index": "0", "envelope-active": "0", "default-fade-in": "0", "default-fade-out": "0",
                 "fade-in-active": str(int(r.fade_in_s > 0)), "fade-out-active": str(int(r.fade_out_s > 0)),
                 "scale-amplitude": repr(db_to_gain(r.gain_db)), "id": self.id(), "type": "audio",
                 "first-edit": "nothing", "channels": str(len(ids))}
        for c, sid in enumerate(ids):
            attrs[f"source-{c}"] = sid
            attrs[f"master-source-{c}"] = sid
        el = ET.Element("Region", attrs)
        ET.SubElement(el, "Envelope", {"default": "yes"})
        for tag, what, fade, values in (("FadeIn", "fadein", r.fade_in_s, (0.0, 1.0)),
                                        ("FadeOut", "fadeout", r.fade_out_s, (1.0, 0.0))):
            if fade > 0:
                holder = ET.SubElement(el, tag)
                holder.append(self.alist(what, "Linear", np.array([0.0, fade]), np.array(values)))
                holder[0].set("state", "Off")
        return el


def write_ardour(session: Session, folder: Path, report: MappingReport, name: str) -> None:
    """Write ``session`` into the empty folder ``folder`` as the Ardour session (and snapshot) ``name``."""
    audio_dir = folder / "interchange" / name / "audiofiles"
    for sub in ("analysis", "dead", "export", "externals", "peaks", "plugins", "interchange/" + name + "/midifiles"):
        (folder / sub).mkdir(parents=True, exist_ok=True)
    audio_dir.mkdir(parents=True, exist_ok=True)
    writer = _Writer(session, name, audio_dir, report)
    root = writer.document()
    ET.indent(root, "  ")
    (folder / f"{name}.ardour").write_bytes(b'<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root)
                                            + b"\n")
