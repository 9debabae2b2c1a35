"""The mixing engineer: session files, the mix renderer, buses, automation, stems, versions.

>>> from studioflow.mixing import load_session, render
>>> report = render(load_session("song/mix.yaml"), "song/mix.wav")     # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from typing import Any

_API = {
    "load_session": "studioflow.mixing.session:load_session",
    "render": "studioflow.mixing.engine:render",
    "render_version": "studioflow.mixing.versions:render_version",
    "compare": "studioflow.mixing.compare:compare",
}

__all__ = sorted(_API)


def __getattr__(name: str) -> Any:
    try:
        module, attr = _API[name].split(":")
    except KeyError:
        raise AttributeError(f"module 'studioflow.mixing' has no attribute {name!r}") from None
    return getattr(importlib.import_module(module), attr)
