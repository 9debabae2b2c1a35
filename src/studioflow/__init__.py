"""studioflow: a studio in Python, from raw takes to release-ready masters.

The public API is loaded lazily so that ``import studioflow`` (and the CLI's start-up) stays light:

>>> import studioflow
>>> audio, rate = studioflow.read("take.wav")          # doctest: +SKIP
>>> report = studioflow.analyze("mix.wav")             # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.1.0"

# public name -> "module:attribute"; resolved on first use
_API = {
    "read": "studioflow.audio.files:read",
    "write": "studioflow.audio.files:write",
    "info": "studioflow.audio.files:info",
    "blocks": "studioflow.audio.stream:blocks",
    "BlockReader": "studioflow.audio.stream:BlockReader",
    "BlockWriter": "studioflow.audio.stream:BlockWriter",
    "resample": "studioflow.audio.resample:resample",
    "analyze": "studioflow.analysis.report:analyze",
    "LoudnessMeter": "studioflow.analysis.loudness:LoudnessMeter",
    "create_processor": "studioflow.dsp.registry:create",
    "Chain": "studioflow.dsp.base:Chain",
    "StudioflowError": "studioflow.errors:StudioflowError",
}

__all__ = sorted(_API) + ["__version__"]


def __getattr__(name: str) -> Any:
    try:
        target = _API[name]
    except KeyError:
        raise AttributeError(f"module 'studioflow' has no attribute {name!r}") from None
    module, attr = target.split(":")
    value = getattr(importlib.import_module(module), attr)
    globals()[name] = value
    return value
