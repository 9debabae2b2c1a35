"""VST3 (and Audio Unit on macOS) plugins through pedalboard's host, imported only when such a plugin is loaded.

pedalboard is GPLv3, so it is the optional extra ``studioflow[plugins]``; studioflow's core stays MIT.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import numpy as np

from studioflow.dsp.base import Processor
from studioflow.dsp.plugins.common import find_param
from studioflow.errors import PluginError

INSTALL_HINT = "install the optional extra: pip install 'studioflow[plugins]' (pedalboard, GPLv3)"


def _load_plugin(path: Path, plugin_name: str | None) -> Any:
    try:
        from pedalboard import load_plugin
    except ImportError:
        raise PluginError(f"vst3: hosting {path.name} needs pedalboard; {INSTALL_HINT}") from None
    try:
        return load_plugin(str(path), plugin_name=plugin_name)
    except Exception as exc:  # pedalboard raises ImportError/ValueError/RuntimeError with multi-line texts
        reason = " ".join(str(exc).split())[:200]
        raise PluginError(f"vst3: {path} could not be loaded as a plugin ({reason})") from None


class Vst3Plugin(Processor):
    """A VST3 (or AU) plugin at ``path``; ``plugin_name`` picks one from a shell plugin; other keywords set parameters.

    Parameter names are pedalboard's (the plugin's names as Python identifiers), matched case-insensitively.
    pedalboard compensates the plugin's latency itself, so ``latency`` is 0.
    """

    name = "vst3"

    def __init__(self, sample_rate: int, *, path: str | os.PathLike[str], plugin_name: str | None = None,
                 **params: Any) -> None:
        super().__init__(sample_rate)
        self.path = Path(path).expanduser()
        if not self.path.exists():
            raise PluginError(f"vst3: plugin file not found: {path}")
        self._plugin = _load_plugin(self.path, plugin_name)
        self._names = list(self._plugin.parameters.keys())
        self.automatable = tuple(self._names)
        for key, value in params.items():
            self.set_param(key, value)

    def set_param(self, name: str, value: Any) -> None:
        """Set a parameter by name, in the plugin's own units (the plugin smooths it, as in a DAW)."""
        key = self._names[find_param(f"vst3 {self.path.name}", self._names, name)]
        try:
            setattr(self._plugin, key, value)
        except (ValueError, TypeError) as exc:
            raise PluginError(f"vst3 {self.path.name}: parameter {key!r}: {' '.join(str(exc).split())}") from None

    def _prepare(self, channels: int) -> None:
        self._plugin.reset()

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        out = self._plugin.process(block, float(self.sample_rate), reset=False)
        if out.shape != block.shape:
            raise PluginError(f"vst3 {self.path.name}: returned {out.shape[0]} channels for {block.shape[0]}")
        return np.ascontiguousarray(out, dtype=np.float32)

    def params(self) -> dict[str, Any]:
        return {"path": str(self.path), **{k: getattr(self._plugin, k) for k in self._names}}
