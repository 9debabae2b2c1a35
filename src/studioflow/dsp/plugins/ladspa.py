"""A small ctypes host for LADSPA plugins (the LADSPA 1.1 SDK header, ``ladspa.h``): a plugin as a processor.

The host dlopens the library, walks ``ladspa_descriptor(i)`` for the plugin asked by label, reads its ports and
range hints, connects audio buffers and control values, and runs it. A mono plugin on multichannel audio runs one
instance per channel. Control changes glide (see ``common.Glides``); a control output named "latency" is reported
as ``latency``.
"""

from __future__ import annotations

import ctypes
import math
import os
from typing import Any

import numpy as np

from studioflow.dsp.plugins.common import Control, NativePlugin, find_file
from studioflow.errors import PluginError

SEARCH_PATH = ["~/.ladspa", "/usr/local/lib/ladspa", "/usr/lib/ladspa", "/usr/lib/x86_64-linux-gnu/ladspa"]

# port descriptor bits and range hint bits (ladspa.h)
PORT_INPUT, PORT_OUTPUT, PORT_CONTROL, PORT_AUDIO = 0x1, 0x2, 0x4, 0x8
HINT_BELOW, HINT_ABOVE, HINT_TOGGLED, HINT_SAMPLE_RATE = 0x1, 0x2, 0x4, 0x8
HINT_LOG, HINT_INTEGER, HINT_DEFAULT_MASK = 0x10, 0x20, 0x3C0
_FIXED_DEFAULTS = {0x200: 0.0, 0x240: 1.0, 0x280: 100.0, 0x2C0: 440.0}
_BLEND = {0x40: 0.0, 0x80: 0.25, 0xC0: 0.5, 0x100: 0.75, 0x140: 1.0}   # minimum, low, middle, high, maximum

_Handle = ctypes.c_void_p


class _RangeHint(ctypes.Structure):
    _fields_ = [("hints", ctypes.c_int), ("lower", ctypes.c_float), ("upper", ctypes.c_float)]


class _Descriptor(ctypes.Structure):
    pass


_Descriptor._fields_ = [
    ("unique_id", ctypes.c_ulong), ("label", ctypes.c_char_p), ("properties", ctypes.c_int),
    ("name", ctypes.c_char_p), ("maker", ctypes.c_char_p), ("copyright", ctypes.c_char_p),
    ("port_count", ctypes.c_ulong), ("port_descriptors", ctypes.POINTER(ctypes.c_int)),
    ("port_names", ctypes.POINTER(ctypes.c_char_p)), ("port_hints", ctypes.POINTER(_RangeHint)),
    ("implementation_data", ctypes.c_void_p),
    ("instantiate", ctypes.CFUNCTYPE(_Handle, ctypes.POINTER(_Descriptor), ctypes.c_ulong)),
    ("connect_port", ctypes.CFUNCTYPE(None, _Handle, ctypes.c_ulong, ctypes.c_void_p)),
    ("activate", ctypes.CFUNCTYPE(None, _Handle)),
    ("run", ctypes.CFUNCTYPE(None, _Handle, ctypes.c_ulong)),
    ("run_adding", ctypes.CFUNCTYPE(None, _Handle, ctypes.c_ulong)),
    ("set_run_adding_gain", ctypes.CFUNCTYPE(None, _Handle, ctypes.c_float)),
    ("deactivate", ctypes.CFUNCTYPE(None, _Handle)),
    ("cleanup", ctypes.CFUNCTYPE(None, _Handle)),
]


def default_value(hint: _RangeHint, rate: int) -> tuple[float | None, float | None, float]:
    """(low, high, default) of a control port from its range hint, with sample-rate scaling (ladspa.h rules)."""
    scale = float(rate) if hint.hints & HINT_SAMPLE_RATE else 1.0
    low = hint.lower * scale if hint.hints & HINT_BELOW else None
    high = hint.upper * scale if hint.hints & HINT_ABOVE else None
    kind = hint.hints & HINT_DEFAULT_MASK
    if kind in _FIXED_DEFAULTS:
        value = _FIXED_DEFAULTS[kind]
    elif kind in _BLEND and low is not None and high is not None:
        t = _BLEND[kind]
        if hint.hints & HINT_LOG and low > 0 and high > 0:
            value = math.exp(math.log(low) * (1 - t) + math.log(high) * t)
        else:
            value = low * (1 - t) + high * t
    else:
        value = low if low is not None and low > 0 else (0.0 if high is None or high >= 0 else high)
    if hint.hints & HINT_INTEGER:
        value = float(round(value))
    return low, high, float(value)


def list_labels(path: str | os.PathLike[str]) -> list[tuple[str, str]]:
    """(label, name) of every plugin in a LADSPA library."""
    _, descriptors = _open(path)
    return [(d.label.decode(), d.name.decode()) for d in descriptors]


def _open(path: str | os.PathLike[str]) -> tuple[ctypes.CDLL, list[_Descriptor]]:
    where = find_file("ladspa", path, "LADSPA_PATH", SEARCH_PATH)
    try:
        lib = ctypes.CDLL(str(where))
    except OSError as exc:
        raise PluginError(f"ladspa: {where} is not a loadable plugin library "
                          f"({str(exc).split(':')[-1].strip()})") from None
    try:
        entry = lib.ladspa_descriptor
    except AttributeError:
        raise PluginError(f"ladspa: {where} is not a LADSPA plugin (no ladspa_descriptor)") from None
    entry.restype = ctypes.POINTER(_Descriptor)
    entry.argtypes = [ctypes.c_ulong]
    descriptors: list[Any] = []
    while True:
        d = entry(len(descriptors))
        if not d:
            break
        descriptors.append(d.contents)
    if not descriptors:
        raise PluginError(f"ladspa: {where} holds no plugins")
    return lib, descriptors


class LadspaPlugin(NativePlugin):
    """A LADSPA plugin from ``path`` (a file, or a bare file name searched in LADSPA_PATH), picked by ``label``.

    Other keyword arguments set its controls by name (case-insensitive, or as slugs: ``gain_db`` for "Gain (dB)").
    """

    name = "ladspa"

    def __init__(self, sample_rate: int, *, path: str, label: str | None = None, **params: float) -> None:
        super().__init__(sample_rate)
        self._lib, descriptors = _open(path)
        self.path = str(path)
        if label is None:
            if len(descriptors) > 1:
                raise PluginError(f"ladspa: {path} holds {len(descriptors)} plugins; pick one with label= "
                                  f"({', '.join(d.label.decode() for d in descriptors)})")
            self._desc = descriptors[0]
        else:
            found = [d for d in descriptors if d.label.decode().lower() == str(label).lower()]
            if not found:
                raise PluginError(f"ladspa: {path} has no plugin labelled {label!r} "
                                  f"({', '.join(d.label.decode() for d in descriptors)})")
            self._desc = found[0]
        self.label = self._desc.label.decode()
        self.plugin_name = self._desc.name.decode()
        self._owner = f"ladspa {self.label}"
        self._read_ports()
        self._set_initial(params)
        self._latency = self._probe_latency()

    def _read_ports(self) -> None:
        d = self._desc
        self.controls: list[Control] = []
        self._audio_in: list[int] = []
        self._audio_out: list[int] = []
        self._control_out: dict[str, int] = {}
        for i in range(d.port_count):
            kind = d.port_descriptors[i]
            name = d.port_names[i].decode(errors="replace")
            if kind & PORT_AUDIO:
                (self._audio_in if kind & PORT_INPUT else self._audio_out).append(i)
            elif kind & PORT_CONTROL and kind & PORT_INPUT:
                low, high, default = default_value(d.port_hints[i], self.sample_rate)
                hints = d.port_hints[i].hints
                self.controls.append(Control(name, i, low, high, default, bool(hints & HINT_TOGGLED),
                                             bool(hints & HINT_INTEGER)))
            elif kind & PORT_CONTROL:
                self._control_out[name.lower()] = i
            else:
                raise PluginError(f"{self._owner}: port {name!r} is neither audio nor control; unsupported")
        n_in, n_out = len(self._audio_in), len(self._audio_out)
        if n_in == 0 or n_in != n_out:
            raise PluginError(f"{self._owner}: has {n_in} audio inputs and {n_out} outputs; only effects with as many "
                              "outputs as inputs are supported")

    # instances ------------------------------------------------------------------------------------------
    def _instantiate(self) -> tuple:
        d = self._desc
        handle = d.instantiate(ctypes.byref(d), self.sample_rate)
        if not handle:
            raise PluginError(f"{self._owner}: the plugin refused to start at {self.sample_rate} Hz")
        controls = (ctypes.c_float * d.port_count)()
        for port, value in self._values.items():
            controls[port] = value
        ins = np.zeros((len(self._audio_in), self.max_frames), dtype=np.float32)
        outs = np.zeros((len(self._audio_out), self.max_frames), dtype=np.float32)
        base = ctypes.addressof(controls)
        for i in range(d.port_count):
            d.connect_port(handle, i, base + 4 * i)
        for k, port in enumerate(self._audio_in):
            d.connect_port(handle, port, ins[k].ctypes.data)
        for k, port in enumerate(self._audio_out):
            d.connect_port(handle, port, outs[k].ctypes.data)
        if d.activate:
            d.activate(handle)
        return handle, ins, outs, controls, None

    def _run_instance(self, instance: tuple, frames: int) -> None:
        self._desc.run(instance[0], frames)

    def _free(self) -> None:
        d = self._desc
        for handle, *_ in self._instances:
            if d.deactivate:
                d.deactivate(handle)
            if d.cleanup:
                d.cleanup(handle)
        self._instances = []

    def _probe_latency(self) -> int:
        """Run one instance on a little silence and read its latency output (0 if it has none)."""
        port = self._control_out.get("latency")
        if port is None:
            return 0
        self._instances = [self._instantiate()]
        self._desc.run(self._instances[0][0], 64)
        value = self._instances[0][3][port]
        self._free()
        return int(round(value))

    @property
    def latency(self) -> int:
        """The plugin's reported latency, in samples."""
        if self._instances and "latency" in self._control_out:
            return int(round(self._instances[0][3][self._control_out["latency"]]))
        return self._latency

    def params(self) -> dict[str, Any]:
        return {"path": self.path, "label": self.label, **self.control_values()}
