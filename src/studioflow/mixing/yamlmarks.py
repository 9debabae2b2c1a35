"""Session YAML with line numbers: the generic reader lives on the audio floor (``audio.yamlfile``); this adds the
session's one rule, that a plain ``17:1`` is a bar:beat position, never YAML 1.1's base-60 integer 1021."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from yaml.nodes import ScalarNode

from studioflow.audio.yamlfile import NOT_HANDLED, Located
from studioflow.audio.yamlfile import load_located as _load
from studioflow.mixing.timeline import is_bar_beat

__all__ = ["Located", "load_located"]


def _bar_beat(node: ScalarNode) -> Any:
    if node.tag.endswith(":int") and node.style is None and is_bar_beat(node.value):
        return node.value
    return NOT_HANDLED


def load_located(path: Path) -> Located:
    """Parse the session file ``path`` (SessionError with the line if it is unreadable or not valid YAML)."""
    return _load(path, kind="session file", scalar=_bar_beat)
