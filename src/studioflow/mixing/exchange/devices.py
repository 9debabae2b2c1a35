"""Our EQ and dynamics inserts as DAWproject's built-in devices (Equalizer, Compressor, NoiseGate, Limiter), and
back. The DAW plays them with its own device, so the settings carry over, not the exact sound: every mapped insert
counts as ``converted``, with the settings the device has no place for named."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from studioflow.mixing.session import InsertSpec

#: our EQ band types -> DAWproject's eqBandType
BAND_TYPES = {"peak": "bell", "lowshelf": "lowShelf", "highshelf": "highShelf", "highpass": "highPass",
              "lowpass": "lowPass", "notch": "notch", "bandpass": "bandPass"}
SINGLE_BANDS = tuple(BAND_TYPES)


def _same(v: float) -> float:
    return v


def _ms_to_s(v: float) -> float:
    return v / 1000.0


def _s_to_ms(v: float) -> float:
    return v * 1000.0


def _neg(v: float) -> float:
    return -v


#: device tag -> (our type, [(our parameter, device element, unit, to device, from device)])
Param = tuple[str, str, str, Callable[[float], float], Callable[[float], float]]
DYNAMICS: dict[str, tuple[str, list[Param]]] = {
    "Compressor": ("compressor", [("threshold_db", "Threshold", "decibel", _same, _same),
                                  ("ratio", "Ratio", "linear", _same, _same),
                                  ("attack_ms", "Attack", "seconds", _ms_to_s, _s_to_ms),
                                  ("release_ms", "Release", "seconds", _ms_to_s, _s_to_ms),
                                  ("makeup_db", "OutputGain", "decibel", _same, _same)]),
    "NoiseGate": ("gate", [("attack_ms", "Attack", "seconds", _ms_to_s, _s_to_ms),
                           ("range_db", "Range", "decibel", _neg, _neg),
                           ("ratio", "Ratio", "linear", _same, _same),
                           ("release_ms", "Release", "seconds", _ms_to_s, _s_to_ms),
                           ("threshold_db", "Threshold", "decibel", _same, _same)]),
    "Limiter": ("limiter", [("release_ms", "Release", "seconds", _ms_to_s, _s_to_ms),
                            ("ceiling_dbtp", "Threshold", "decibel", _same, _same)]),
}
DEFAULTS = {"compressor": {"threshold_db": -20.0, "ratio": 4.0, "attack_ms": 10.0, "release_ms": 100.0,
                           "makeup_db": 0.0},
            "gate": {"attack_ms": 1.0, "range_db": 80.0, "ratio": 100.0, "release_ms": 100.0, "threshold_db": -40.0},
            "limiter": {"release_ms": 100.0, "ceiling_dbtp": -1.0}}
_ORDER = {"Compressor": ["Attack", "AutoMakeup", "InputGain", "OutputGain", "Ratio", "Release", "Threshold"],
          "NoiseGate": ["Attack", "Range", "Ratio", "Release", "Threshold"],
          "Limiter": ["Attack", "InputGain", "OutputGain", "Release", "Threshold"]}


def _bands(insert: InsertSpec) -> list[dict[str, Any]] | None:
    if insert.type == "eq":
        return [dict(b) for b in insert.params.get("bands", [])]
    if insert.type in SINGLE_BANDS:
        return [{"type": insert.type, **insert.params}]
    return None


def device_for(insert: InsertSpec, new_id: Callable[[str], str]) -> tuple[ET.Element | None, str]:
    """The DAWproject device for ``insert`` and a note of what it leaves out; (None, why) when none fits."""
    bands = _bands(insert)
    if bands is not None:
        return _equalizer(bands, new_id)
    for tag, (ours, params) in DYNAMICS.items():
        if insert.type == ours:
            el = ET.Element(tag, {"id": new_id("d"), "deviceName": tag, "deviceRole": "audioFX"})
            values = {**DEFAULTS[ours], **insert.params}
            made = []
            for key, child, unit, to_dev, _ in sorted(params, key=lambda p: _ORDER[tag].index(p[1])):
                made.append(child)
                ET.SubElement(el, child, {"id": new_id("p"), "name": child, "unit": unit,
                                          "value": repr(float(to_dev(float(values[key]))))})
            left = sorted(k for k in insert.params if k not in {p[0] for p in params})
            if tag == "Compressor" and insert.params.get("auto_makeup"):
                ET.SubElement(el, "AutoMakeup", {"id": new_id("p"), "name": "AutoMakeup", "value": "true"})
                el[:] = sorted(el, key=lambda c: _ORDER[tag].index(c.tag))
                left.remove("auto_makeup")
            return el, f"the DAW's own {tag}" + (f"; not carried: {', '.join(left)}" if left else "")
    if insert.type in ("lv2", "ladspa", "vst3"):
        which = insert.params.get("uri") or insert.params.get("path") or insert.params.get("label") or ""
        return None, f"hosted {insert.type} plugin {which}: DAWproject has no element for it"
    return None, f"{insert.type}: DAWproject has no built-in device for it"


def _equalizer(bands: list[dict[str, Any]], new_id: Callable[[str], str]) -> tuple[ET.Element | None, str]:
    el = ET.Element("Equalizer", {"id": new_id("d"), "deviceName": "Equalizer", "deviceRole": "audioFX"})
    left = []
    for band in bands:
        kind = band.get("type", "peak")
        if kind not in BAND_TYPES:
            return None, f"an EQ band of type {kind} has no DAWproject band type"
        attrs = {"type": BAND_TYPES[kind]}
        if kind in ("highpass", "lowpass"):
            attrs["order"] = str(int(band.get("slope", 12)) // 6)
            if band.get("character", "butterworth") != "butterworth":
                left.append(f"{band['character']} character")
        b = ET.SubElement(el, "Band", attrs)
        ET.SubElement(b, "Freq", {"id": new_id("p"), "name": "Freq", "unit": "hertz",
                                  "value": repr(float(band.get("freq", 1000.0)))})
        if "gain_db" in band:
            ET.SubElement(b, "Gain", {"id": new_id("p"), "name": "Gain", "unit": "decibel",
                                      "value": repr(float(band["gain_db"]))})
        if "q" in band:
            ET.SubElement(b, "Q", {"id": new_id("p"), "name": "Q", "unit": "linear", "value": repr(float(band["q"]))})
    return el, "the DAW's own Equalizer" + (f"; not carried: {', '.join(left)}" if left else "")


def _value(parent: ET.Element, tag: str, default: float) -> float:
    """The ``value`` of ``parent``'s child ``tag`` as a number, or ``default`` when there is none."""
    child = parent.find(tag)
    return float(child.get("value", default)) if child is not None else default


def insert_from(device: ET.Element) -> tuple[dict[str, Any] | None, str]:
    """Our insert (plain session data) for a DAWproject device, and a note; (None, why) when it is not one of
    the built-in devices we read."""
    if device.tag == "Equalizer":
        bands = []
        back = {v: k for k, v in BAND_TYPES.items()}
        for b in device.findall("Band"):
            kind = back.get(b.get("type", ""))
            if kind is None:
                return None, f"EQ band type {b.get('type')} is not read"
            band: dict[str, Any] = {"type": kind, "freq": _value(b, "Freq", 1000.0)}
            if b.find("Gain") is not None and kind in ("peak", "lowshelf", "highshelf"):
                band["gain_db"] = _value(b, "Gain", 0.0)
            if b.find("Q") is not None:
                band["q"] = _value(b, "Q", 1.0)
            if b.get("order") is not None and kind in ("highpass", "lowpass"):
                band["slope"] = 6 * int(b.get("order", "2"))
            bands.append(band)
        return {"type": "eq", "bands": bands}, "from the DAW's Equalizer"
    if device.tag in DYNAMICS:
        ours, params = DYNAMICS[device.tag]
        out: dict[str, Any] = {"type": ours}
        for key, child, _, _, from_dev in params:
            el = device.find(child)
            if el is not None:
                out[key] = round(from_dev(float(el.get("value", "0"))), 9)
        auto = device.find("AutoMakeup")
        if auto is not None and auto.get("value") == "true":
            out["auto_makeup"] = True
        return out, f"from the DAW's {device.tag}"
    return None, f"{device.tag} {device.get('deviceName', '')} {device.get('deviceID', '')}".strip() + " is not read"
