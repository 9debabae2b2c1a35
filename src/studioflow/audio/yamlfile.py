"""Read a YAML file into plain Python values plus the line of every key path (``tracks[2].inserts[0].ratio``), so
errors in sessions, album files and plans can name the file, the line and the key.

Every YAML file people give us is read within bounds (:func:`compose_bounded`): plain tags only (strings, numbers,
booleans, null, dates, lists, mappings: ``!!python/...`` and custom tags are refused before anything is built),
aliases expanding to at most ``MAX_NODES`` values, nesting at most ``MAX_DEPTH`` deep, and no alias inside itself,
so a small file cannot ask for all the memory of the machine (a "billion laughs" alias bomb) or a RecursionError.
"""

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

MAX_NODES = 500_000          # values a file may expand to, aliases counted each time they are used
MAX_DEPTH = 64               # lists and mappings inside each other
PLAIN_TAGS = frozenset(f"tag:yaml.org,2002:{t}" for t in ("str", "int", "float", "bool", "null", "timestamp",
                                                           "seq", "map"))


def compose_bounded(text: str, name: str) -> Any:
    """The YAML node tree of ``text`` (None when empty), checked against the bounds above; SessionError (naming
    ``name`` and the line) for invalid YAML or a file beyond them."""
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark else 1
        raise SessionError(f"{name}:{line} not valid YAML: {e.problem or e}") from None
    except yaml.YAMLError as e:
        raise SessionError(f"{name}: not valid YAML: {' '.join(str(e).split())}") from None
    except RecursionError:
        raise SessionError(f"{name}: nested more than {MAX_DEPTH} levels deep; flatten the file") from None
    if node is not None:
        _Bounds(name).size(node, 1)
    return node


class _Bounds:
    """Walks a node graph once (shared alias targets are sized once), refusing foreign tags, cycles, too deep
    nesting and too large an expansion."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.sizes: dict[int, int] = {}
        self.open: set[int] = set()

    def fail(self, node: Any, message: str) -> SessionError:
        return SessionError(f"{self.name}:{node.start_mark.line + 1} {message}")

    def size(self, node: Any, depth: int) -> int:
        """How many values ``node`` expands to."""
        key = id(node)
        if key in self.sizes:
            return self.sizes[key]
        if node.tag not in PLAIN_TAGS:
            raise self.fail(node, f"the tag {node.tag.replace('tag:yaml.org,2002:', '!!')} is not allowed: "
                                  "only plain values, lists and mappings; remove the tag")
        if depth > MAX_DEPTH:
            raise self.fail(node, f"nested more than {MAX_DEPTH} levels deep; flatten the file")
        if key in self.open:
            raise self.fail(node, "an alias refers to the list or mapping it is in; remove the alias")
        self.open.add(key)
        children = [v for pair in node.value for v in pair] if isinstance(node, MappingNode) else \
            node.value if isinstance(node, SequenceNode) else []
        total = 1 + sum(self.size(child, depth + 1) for child in children)
        self.open.discard(key)
        if total > MAX_NODES:
            raise self.fail(node, f"expands to more than {MAX_NODES:,} values (aliases used over and over); "
                                  "write the values out or use fewer aliases")
        self.sizes[key] = total
        return total


def load_plain(path: Path, kind: str = "YAML file") -> Any:
    """The plain Python data of YAML file ``path``, read within the bounds; SessionError when it is unreadable,
    not UTF-8, not valid YAML or beyond the bounds."""
    node = compose_bounded(_read_text(Path(path), kind), Path(path).name)
    return None if node is None else SafeConstructor().construct_document(node)


def _read_text(path: Path, kind: str) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SessionError(f"{path}: {kind} not found") from None
    except UnicodeDecodeError as e:
        raise SessionError(f"{path}: the {kind} is not UTF-8 text (byte {e.start}); save it as UTF-8") from None
    except OSError as e:
        raise SessionError(f"{path}: cannot read the {kind} ({e.strerror or e})") from None


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
    node = compose_bounded(_read_text(path, kind), path.name)
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
