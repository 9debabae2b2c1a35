"""Our inserts as Ardour's built-in plugins, and back: EQ bells as a-EQ, the compressor as a-Comp, the gate as
a-Exp.

a-EQ (``urn:ardour:a-eq``: a low shelf, four bells, a high shelf).

A bell's width is an octave bandwidth there: ``Q = sqrt(2^N) / (2^N - 1)``, so ``N = 2 / ln 2 * asinh(1 / 2Q)``.
Its filters are bilinear biquads where ours are matched to the analog response, so the two agree to a few hundredths
of a dB well below Nyquist and part near it: a mapped EQ counts as ``converted``. a-EQ's shelves have another knee
than ours (0.7 dB apart at q 0.7071, measured), so an EQ with shelves, other band types or more than four bells is
not carried; a-EQ shelves are still read on import.

a-Comp (``urn:ardour:a-comp``, ``#stereo``): threshold, ratio, knee (0..8 dB), attack, release (ms) and makeup carry
over; its detector is its own, so the static curve agrees and the envelope differs: ``converted``, with what it has
no place for (detection mode, lookahead, mix, sidechain filter, ...) named. a-Exp (``urn:ardour:a-exp``) takes the
gate's threshold, ratio, attack and release; it has no range, hold or hysteresis.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from collections.abc import Callable
from typing import Any

from studioflow.mixing.session import InsertSpec

URI = "urn:ardour:a-eq"
COMP_URI = "urn:ardour:a-comp"
EXP_URI = "urn:ardour:a-exp"
BELLS = 4
_IDLE = {"freql": 160.0, "gl": 0.0, "freqh": 9000.0, "gh": 0.0, "master": 0.0, "enable": 1.0}


def q_to_octaves(q: float) -> float:
    """A bell's Q as its bandwidth in octaves."""
    return 2.0 / math.log(2.0) * math.asinh(1.0 / (2.0 * q))


def octaves_to_q(octaves: float) -> float:
    """A bandwidth in octaves as a bell's Q."""
    return math.sqrt(2.0 ** octaves) / (2.0 ** octaves - 1.0)


def ports_for(insert: InsertSpec) -> tuple[dict[str, float] | None, str]:
    """a-EQ's port values for ``insert`` (an ``eq``, ``peak``, ``lowshelf`` or ``highshelf`` insert), or (None, why)."""
    if insert.type == "eq":
        bands = [dict(b) for b in insert.params.get("bands", [])]
    elif insert.type == "peak":
        bands = [{"type": insert.type, **insert.params}]
    elif insert.type in ("lv2", "ladspa", "vst3"):
        which = insert.params.get("uri") or insert.params.get("path") or insert.params.get("label") or ""
        return None, f"hosted {insert.type} plugin {which}: not carried (add it in Ardour by that id)"
    else:
        return None, f"{insert.type}: no Ardour built-in with the same response"
    ports = {**_IDLE, "filtogl": 0.0, "filtogh": 0.0}
    bells = [b for b in bands if b.get("type", "peak") == "peak"]
    others = sorted({b.get("type", "peak") for b in bands} - {"peak"})
    if others:
        return None, f"eq with {', '.join(others)} bands: a-EQ has bells only with our response"
    if len(bells) > BELLS:
        return None, f"eq: {len(bells)} bells; a-EQ has {BELLS}"
    for k in range(1, BELLS + 1):
        b = bells[k - 1] if k <= len(bells) else None
        ports[f"freq{k}"] = float(b.get("freq", 1000.0)) if b else 1000.0
        ports[f"g{k}"] = float(b.get("gain_db", 0.0)) if b else 0.0
        ports[f"bw{k}"] = q_to_octaves(float(b.get("q", 1.0))) if b else 1.0
        ports[f"filtog{k}"] = 1.0 if b else 0.0
    return ports, "Ardour's a-EQ (bilinear filters; response checked against ours)"


#: our dynamics insert -> (URI, plugin name, {our parameter: (port, lowest, highest)}, our defaults, parameters
#: the plugin has no place for with their defaults)
DYNAMICS: dict[str, tuple[str, str, dict[str, tuple[str, float, float]], dict[str, Any], dict[str, Any]]] = {
    "compressor": (COMP_URI, "ACE Compressor",
                   {"attack_ms": ("att", 0.1, 100.0), "release_ms": ("rel", 1.0, 2000.0), "knee_db": ("kn", 0.0, 8.0),
                    "ratio": ("rat", 1.0, 20.0), "threshold_db": ("thr", -60.0, 0.0),
                    "makeup_db": ("mak", 0.0, 30.0)},
                   {"threshold_db": -20.0, "ratio": 4.0, "knee_db": 6.0, "attack_ms": 10.0, "release_ms": 100.0,
                    "makeup_db": 0.0},
                   {"auto_release": False, "detection": "peak", "stereo_link": 1.0, "sidechain_hpf_hz": 0.0,
                    "lookahead_ms": 0.0, "auto_makeup": False, "mix": 1.0, "max_reduction_db": 120.0}),
    "gate": (EXP_URI, "ACE Expander",
             {"attack_ms": ("att", 0.1, 100.0), "release_ms": ("rel", 1.0, 2000.0), "ratio": ("rat", 1.0, 100.0),
              "threshold_db": ("thr", -60.0, 0.0)},
             {"threshold_db": -40.0, "ratio": 100.0, "attack_ms": 1.0, "release_ms": 100.0},
             {"range_db": 80.0, "hold_ms": 20.0, "hysteresis_db": 3.0}),
}


def dynamics_ports(insert: InsertSpec) -> tuple[dict[str, float] | None, str]:
    """a-Comp's or a-Exp's port values for a ``compressor`` or ``gate`` insert, or (None, why)."""
    _, name, mapping, defaults, ignored = DYNAMICS[insert.type]
    values = {**defaults, **insert.params}
    ports: dict[str, float] = {"sidech": 0.0, "enable": 1.0, "kn": 0.0, "mak": 0.0}
    for ours, (port, low, high) in mapping.items():
        v = float(values[ours])
        if not low <= v <= high:
            return None, f"{insert.type}: {ours} {v:g} is outside {name}'s {low:g}..{high:g}"
        ports[port] = v
    left = [k for k, default in ignored.items() if k in insert.params and insert.params[k] != default]
    note = f"Ardour's {name} (its own detector: the static curve agrees)"
    if insert.type == "gate":
        left = sorted(set(left) | {"range_db", "hold_ms", "hysteresis_db"})
    return ports, note + (f"; not carried: {', '.join(left)}" if left else "")


def dynamics_from(el: ET.Element, kind: str) -> dict[str, Any]:
    """Our ``compressor`` or ``gate`` insert (plain session data) from an a-Comp or a-Exp processor's ports."""
    ports = {p.get("symbol", ""): float(p.get("value", "0")) for p in el.iter("Port")}
    out: dict[str, Any] = {"type": kind}
    for ours, (port, _, _) in DYNAMICS[kind][2].items():
        if port in ports:
            out[ours] = ports[port]
    return out


def processor(ports: dict[str, float], new_id: Callable[[], str], uri: str = URI,
              name: str = "ACE EQ") -> ET.Element:
    """An Ardour LV2 plugin processor element (a-EQ unless ``uri`` says otherwise) with ``ports`` set."""
    el = ET.Element("Processor", {"id": new_id(), "name": name, "active": "1", "type": "lv2", "unique-id": uri,
                                  "count": "1", "custom": "0"})
    state = ET.SubElement(el, "lv2", {"last-preset-uri": "", "last-preset-label": "",
                                      "parameter-changed-since-last-preset": "0"})
    for symbol, value in ports.items():
        ET.SubElement(state, "Port", {"symbol": symbol, "value": repr(float(value))})
    return el


def insert_from(el: ET.Element) -> dict[str, Any]:
    """Our ``eq`` insert (plain session data) from an a-EQ processor's saved ports."""
    ports = {p.get("symbol", ""): float(p.get("value", "0")) for p in el.iter("Port")}
    bands: list[dict[str, Any]] = []
    if ports.get("filtogl", 0.0) >= 0.5:
        bands.append({"type": "lowshelf", "freq": ports.get("freql", 160.0), "gain_db": ports.get("gl", 0.0)})
    for k in range(1, BELLS + 1):
        if ports.get(f"filtog{k}", 0.0) >= 0.5:
            bands.append({"type": "peak", "freq": ports.get(f"freq{k}", 1000.0), "gain_db": ports.get(f"g{k}", 0.0),
                          "q": round(octaves_to_q(ports.get(f"bw{k}", 1.0)), 9)})
    if ports.get("filtogh", 0.0) >= 0.5:
        bands.append({"type": "highshelf", "freq": ports.get("freqh", 9000.0), "gain_db": ports.get("gh", 0.0)})
    return {"type": "eq", "bands": bands}
