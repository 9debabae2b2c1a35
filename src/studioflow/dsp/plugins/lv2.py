"""A small ctypes host for LV2 plugins through liblilv (liblilv-0.so.0): a plugin found by URI as a processor.

lilv reads the plugin's Turtle description (ports, ranges, features); the host offers the urid:map feature, connects
audio buffers, control values and empty atom sequences for event ports, and runs the plugin through its
``LV2_Descriptor`` (lilv's own instance calls are inline functions, so they are not in the library). Audio mapping,
parameter names and gliding controls are the LADSPA host's (``common``); ``lv2:symbol`` names work too.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import math
from typing import Any

import numpy as np

from studioflow.dsp.plugins.common import Control, NativePlugin
from studioflow.errors import PluginError

ATOM_CAPACITY = 8192
LV2 = "http://lv2plug.in/ns/lv2core#"
ATOM = "http://lv2plug.in/ns/ext/atom#"
URID_MAP = "http://lv2plug.in/ns/ext/urid#map"
SUPPORTED_FEATURES = {URID_MAP, "http://lv2plug.in/ns/lv2core#isLive", "http://lv2plug.in/ns/lv2core#hardRTCapable"}

_p = ctypes.c_void_p
_MapFunc = ctypes.CFUNCTYPE(ctypes.c_uint32, _p, ctypes.c_char_p)


class _UridMap(ctypes.Structure):
    _fields_ = [("handle", _p), ("map", _MapFunc)]


class _Feature(ctypes.Structure):
    _fields_ = [("uri", ctypes.c_char_p), ("data", _p)]


class _Descriptor(ctypes.Structure):
    _fields_ = [("uri", ctypes.c_char_p), ("instantiate", _p),
                ("connect_port", ctypes.CFUNCTYPE(None, _p, ctypes.c_uint32, _p)),
                ("activate", ctypes.CFUNCTYPE(None, _p)), ("run", ctypes.CFUNCTYPE(None, _p, ctypes.c_uint32)),
                ("deactivate", ctypes.CFUNCTYPE(None, _p)), ("cleanup", _p), ("extension_data", _p)]


class _Instance(ctypes.Structure):   # struct LilvInstanceImpl
    _fields_ = [("descriptor", ctypes.POINTER(_Descriptor)), ("handle", _p), ("pimpl", _p)]


class _World:
    """One lilv world per process, every installed bundle loaded once, and the URID table the plugins share."""

    _shared: "_World | None" = None

    def __init__(self) -> None:
        name = ctypes.util.find_library("lilv-0") or "liblilv-0.so.0"
        try:
            lib = ctypes.CDLL(name)
        except OSError:
            raise PluginError("lv2: liblilv is not installed (Debian: apt-get install liblilv-0-0)") from None
        sigs = {
            "lilv_world_new": (_p, []), "lilv_world_load_all": (None, [_p]),
            "lilv_world_get_all_plugins": (_p, [_p]), "lilv_new_uri": (_p, [_p, ctypes.c_char_p]),
            "lilv_node_free": (None, [_p]), "lilv_node_as_string": (ctypes.c_char_p, [_p]),
            "lilv_plugins_get_by_uri": (_p, [_p, _p]), "lilv_plugin_get_num_ports": (ctypes.c_uint32, [_p]),
            "lilv_plugin_get_port_by_index": (_p, [_p, ctypes.c_uint32]),
            "lilv_port_is_a": (ctypes.c_bool, [_p, _p, _p]),
            "lilv_port_get_symbol": (_p, [_p, _p]), "lilv_port_get_name": (_p, [_p, _p]),
            "lilv_port_has_property": (ctypes.c_bool, [_p, _p, _p]),
            "lilv_plugin_get_port_ranges_float": (None, [_p, _p, _p, _p]),
            "lilv_plugin_get_required_features": (_p, [_p]), "lilv_nodes_begin": (_p, [_p]),
            "lilv_nodes_next": (_p, [_p, _p]), "lilv_nodes_is_end": (ctypes.c_bool, [_p, _p]),
            "lilv_nodes_get": (_p, [_p, _p]), "lilv_nodes_free": (None, [_p]),
            "lilv_plugin_instantiate": (ctypes.POINTER(_Instance), [_p, ctypes.c_double, _p]),
            "lilv_instance_free": (None, [_p]),
            "lilv_plugin_has_latency": (ctypes.c_bool, [_p]),
            "lilv_plugin_get_latency_port_index": (ctypes.c_uint32, [_p]),
            "lilv_plugin_get_name": (_p, [_p]),
        }
        for fn, (res, args) in sigs.items():
            f = getattr(lib, fn)
            f.restype, f.argtypes = res, args
        self.lib = lib
        self.world = lib.lilv_world_new()
        lib.lilv_world_load_all(self.world)
        self.plugins = lib.lilv_world_get_all_plugins(self.world)
        self._nodes: dict[str, int] = {}
        self._urids: dict[str, int] = {}
        self._map_func = _MapFunc(lambda handle, uri: self.urid(uri.decode()))
        self._map = _UridMap(None, self._map_func)
        self._map_feature = _Feature(URID_MAP.encode(), ctypes.cast(ctypes.pointer(self._map), _p))
        # None is the NULL that ends the list; typeshed's ctypes array constructor does not allow it
        self.features = (ctypes.POINTER(_Feature) * 2)(ctypes.pointer(self._map_feature), None)  # type: ignore[misc]

    @classmethod
    def get(cls) -> "_World":
        if cls._shared is None:
            cls._shared = cls()
        return cls._shared

    def node(self, uri: str) -> int:
        """A lilv URI node, kept for the life of the world."""
        if uri not in self._nodes:
            self._nodes[uri] = self.lib.lilv_new_uri(self.world, uri.encode())
        return self._nodes[uri]

    def urid(self, uri: str) -> int:
        """The integer this host maps ``uri`` to (urid:map)."""
        return self._urids.setdefault(uri, len(self._urids) + 1)

    def string(self, node: int) -> str:
        return self.lib.lilv_node_as_string(node).decode(errors="replace")


class Lv2Plugin(NativePlugin):
    """An installed LV2 plugin by ``uri``; other keyword arguments set its controls by name or symbol."""

    name = "lv2"

    def __init__(self, sample_rate: int, *, uri: str, **params: float) -> None:
        super().__init__(sample_rate)
        self._world = w = _World.get()
        lib = w.lib
        self.uri = str(uri)
        self._plugin = lib.lilv_plugins_get_by_uri(w.plugins, w.node(self.uri))
        if not self._plugin:
            raise PluginError(f"lv2: no installed plugin has the URI {self.uri} (see lv2ls)")
        self._owner = f"lv2 {self.uri.rsplit('/', 1)[-1]}"
        self._check_features()
        self._read_ports()
        self._set_initial(params)

    def _check_features(self) -> None:
        lib = self._world.lib
        nodes = lib.lilv_plugin_get_required_features(self._plugin)
        missing = []
        it = lib.lilv_nodes_begin(nodes)
        while nodes and not lib.lilv_nodes_is_end(nodes, it):
            uri = self._world.string(lib.lilv_nodes_get(nodes, it))
            if uri not in SUPPORTED_FEATURES:
                missing.append(uri)
            it = lib.lilv_nodes_next(nodes, it)
        if nodes:
            lib.lilv_nodes_free(nodes)
        if missing:
            raise PluginError(f"{self._owner}: needs host features this host lacks: {', '.join(missing)}")

    def _read_ports(self) -> None:
        w, lib, plug = self._world, self._world.lib, self._plugin
        n = lib.lilv_plugin_get_num_ports(plug)
        lows, highs, defaults = (np.full(n, np.nan, dtype=np.float32) for _ in range(3))
        lib.lilv_plugin_get_port_ranges_float(plug, lows.ctypes.data, highs.ctypes.data, defaults.ctypes.data)
        self._n_ports = n
        self.controls: list[Control] = []
        self._symbols: list[str] = []
        self._audio_in: list[int] = []
        self._audio_out: list[int] = []
        self._atom_in: list[int] = []
        self._atom_out: list[int] = []
        self._latency_port = lib.lilv_plugin_get_latency_port_index(plug) if lib.lilv_plugin_has_latency(plug) else None
        for i in range(n):
            port = lib.lilv_plugin_get_port_by_index(plug, i)

            def is_a(cls: str) -> bool:
                return lib.lilv_port_is_a(plug, port, w.node(cls))

            symbol = w.string(lib.lilv_port_get_symbol(plug, port))
            name_node = lib.lilv_port_get_name(plug, port)
            name = w.string(name_node) if name_node else symbol
            if name_node:
                lib.lilv_node_free(name_node)
            optional = lib.lilv_port_has_property(plug, port, w.node(LV2 + "connectionOptional"))
            if is_a(LV2 + "AudioPort"):
                (self._audio_in if is_a(LV2 + "InputPort") else self._audio_out).append(i)
            elif is_a(LV2 + "ControlPort"):
                if is_a(LV2 + "InputPort"):
                    lo, hi, de = (None if math.isnan(v) else float(v) for v in (lows[i], highs[i], defaults[i]))
                    de = de if de is not None else (lo if lo is not None else 0.0)
                    toggled = lib.lilv_port_has_property(plug, port, w.node(LV2 + "toggled"))
                    integer = lib.lilv_port_has_property(plug, port, w.node(LV2 + "integer"))
                    self.controls.append(Control(name, i, lo, hi, de, toggled, integer))
                    self._symbols.append(symbol)
            elif is_a(ATOM + "AtomPort"):
                (self._atom_in if is_a(LV2 + "InputPort") else self._atom_out).append(i)
            elif not optional:
                raise PluginError(f"{self._owner}: port {symbol!r} is of a kind this host cannot connect (not audio, "
                                  "control or atom)")
        n_in, n_out = len(self._audio_in), len(self._audio_out)
        if n_in == 0 or n_in != n_out:
            raise PluginError(f"{self._owner}: has {n_in} audio inputs and {n_out} outputs; only effects with as many "
                              "outputs as inputs are supported")

    def _find(self, key: str) -> int:
        if key in self._symbols:
            return self._symbols.index(key)
        return super()._find(key)

    # instances ------------------------------------------------------------------------------------------
    def _instantiate(self) -> tuple:
        w = self._world
        inst = w.lib.lilv_plugin_instantiate(self._plugin, float(self.sample_rate), w.features)
        if not inst:
            raise PluginError(f"{self._owner}: the plugin refused to start at {self.sample_rate} Hz")
        desc = inst.contents.descriptor.contents
        handle = inst.contents.handle
        controls = (ctypes.c_float * self._n_ports)()
        for port, value in self._values.items():
            controls[port] = value
        base = ctypes.addressof(controls)
        for i in range(self._n_ports):
            desc.connect_port(handle, i, base + 4 * i)
        ins = np.zeros((len(self._audio_in), self.max_frames), dtype=np.float32)
        outs = np.zeros((len(self._audio_out), self.max_frames), dtype=np.float32)
        for k, port in enumerate(self._audio_in):
            desc.connect_port(handle, port, ins[k].ctypes.data)
        for k, port in enumerate(self._audio_out):
            desc.connect_port(handle, port, outs[k].ctypes.data)
        atoms = []
        for port in self._atom_in + self._atom_out:
            buf = np.zeros(ATOM_CAPACITY // 4, dtype=np.uint32)
            desc.connect_port(handle, port, buf.ctypes.data)
            atoms.append((port in self._atom_in, buf))
        if desc.activate:
            desc.activate(handle)
        return inst, ins, outs, controls, atoms

    def _run_instance(self, instance: tuple, frames: int) -> None:
        inst, atoms = instance[0], instance[4]
        seq, chunk = self._world.urid(ATOM + "Sequence"), self._world.urid(ATOM + "Chunk")
        for is_input, buf in atoms:   # LV2_Atom_Sequence header: size, type, then unit, pad
            buf[:4] = (8, seq, 0, 0) if is_input else (ATOM_CAPACITY - 8, chunk, 0, 0)
        inst.contents.descriptor.contents.run(inst.contents.handle, frames)

    def _free(self) -> None:
        for inst, *_ in self._instances:
            desc = inst.contents.descriptor.contents
            if desc.deactivate:
                desc.deactivate(inst.contents.handle)
            self._world.lib.lilv_instance_free(inst)
        self._instances = []

    @property
    def latency(self) -> int:
        """The plugin's reported latency (its lv2:reportsLatency port), in samples."""
        if self._latency_port is None:
            return 0
        if not self._instances:
            self._instances = [self._instantiate()]
            self._run_instance(self._instances[0], 64)
            value = self._instances[0][3][self._latency_port]
            self._free()
            return int(round(value))
        return int(round(self._instances[0][3][self._latency_port]))

    def params(self) -> dict[str, Any]:
        return {"uri": self.uri, **self.control_values()}
