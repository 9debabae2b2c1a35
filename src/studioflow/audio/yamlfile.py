"""Read a YAML file into plain Python values plus the line of every key path (``tracks[2].inserts[0].ratio``), so
errors in sessions, album files and plans can name the file, the line and the key."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from studioflow.errors import SessionError

#: a hook that may read a scalar node its own way; it returns ``NOT_HANDLED`` to leave the node to YAML's rules
ScalarHook = Callable[[ScalarNode], Any]
NOT_HANDLED = object()


class Located:
    """Plain data from a YAML file with ``line(path)`` and ``fail(path, message)`` that name file, line and key."""

    def __init__(self, path: Path, data: Any, lines: dict[str, int]) -> None:
        self.path = path
        self.data = data
        self.lines = lines

    def line(self, key_path: str) -> int:
        """The line of ``key_path``, or of its nearest parent that has one."""
        p = key_path
        while p:
            if p in self.lines:
                return self.lines[p]
            cut = max(p.rfind("."), p.rfind("["))
            p = p[:cut] if cut > 0 else ""
        return self.lines.get("", 1)

    def where(self, key_path: str) -> str:
        """``session.yaml:14 tracks[2].inserts[0].ratio``."""
        return f"{self.path.name}:{self.line(key_path)} {key_path}".rstrip()

    def fail(self, key_path: str, message: str) -> SessionError:
        """A SessionError naming the file, the line and the key path."""
        return SessionError(f"{self.where(key_path)}: {message}")


def load_located(path: Path, *, kind: str = "YAML file", scalar: ScalarHook | None = None) -> Located:
    """Parse ``path`` as YAML; raise SessionError (with the line) if it is unreadable or not valid YAML.
    ``kind`` names the file in messages ("session file", "album file"); ``scalar`` may read scalars its own way."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"{path}: {kind} not found") from None
    except (OSError, UnicodeDecodeError) as e:
        raise SessionError(f"{path}: cannot read the {kind} ({e})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise SessionError(f"{path.name}:{line} not valid YAML: {e.problem or e}") from None
    lines: dict[str, int] = {}
    if node is None:
        return Located(path, {}, lines)
    return Located(path, _plain(node, "", lines, path, scalar), lines)


def _plain(node: Any, key_path: str, lines: dict[str, int], file: Path, hook: ScalarHook | None) -> Any:
    lines[key_path] = node.start_mark.line + 1
    if isinstance(node, MappingNode):
        out: dict[str, Any] = {}
        for knode, vnode in node.value:
            key = _scalar(knode, hook)
            here = f"{file.name}:{knode.start_mark.line + 1}"
            if not isinstance(key, str):
                raise SessionError(f"{here} {key_path or '(top)'}: keys must be names; got {key!r}")
            if key in out:
                raise SessionError(f"{here} {_join(key_path, key)}: key given twice")
            out[key] = _plain(vnode, _join(key_path, key), lines, file, hook)
            lines[_join(key_path, key)] = knode.start_mark.line + 1
        return out
    if isinstance(node, SequenceNode):
        return [_plain(v, f"{key_path}[{i}]", lines, file, hook) for i, v in enumerate(node.value)]
    return _scalar(node, hook)


def _scalar(node: ScalarNode, hook: ScalarHook | None) -> Any:
    if hook is not None:
        value = hook(node)
        if value is not NOT_HANDLED:
            return value
    return SafeConstructor().construct_object(node, deep=True)


def _join(parent: str, key: str) -> str:
    return f"{parent}.{key}" if parent else key
