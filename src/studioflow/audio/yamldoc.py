"""YAML files people edit, changed by a program and written back as they were: comments, key order, quoting, flow or
block style and indentation kept (ruamel.yaml round trip); only what changed is new, new lists of numbers are written
in flow style (``[0.0, -3.0]``), and a changed key can carry a comment saying why.

>>> doc = load_document(Path("session.yaml"))            # doctest: +SKIP
>>> doc["tracks"][0]["gain_db"] = -1.0                   # doctest: +SKIP
>>> annotate(doc["tracks"][0], "gain_db", "v002: vocal up 2 dB")   # doctest: +SKIP
>>> text = dump_document(doc)                            # doctest: +SKIP
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.error import CommentMark, YAMLError
from ruamel.yaml.tokens import CommentToken

from studioflow.audio.yamlfile import compose_bounded
from studioflow.errors import SessionError

WIDTH = 110


def load_document(path: Path, kind: str = "YAML file") -> CommentedMap:
    """The file at ``path`` as an editable document (a dict that remembers its comments and layout)."""
    try:
        text = path.read_text(encoding="utf-8")
        compose_bounded(text, path.name)         # plain tags, bounded aliases and nesting, before ruamel builds it
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        doc = yaml.load(text)
    except (OSError, UnicodeDecodeError, YAMLError) as e:
        raise SessionError(f"{path}: cannot read this {kind}: {str(e).splitlines()[0]}") from None
    if not isinstance(doc, CommentedMap):
        raise SessionError(f"{path}: this {kind} is not a mapping of keys")
    doc.__dict__["_layout"] = guess_layout(text)
    _remember_last_keys(doc)
    return doc


def _remember_last_keys(node: Any) -> None:
    """Note each mapping's last key as read, so comments that closed it still close it after keys are added."""
    if isinstance(node, CommentedMap):
        node.__dict__["_read_last"] = next(reversed(node), None)
    for child in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
        _remember_last_keys(child)


def _keep_closing_comments(mapping: CommentedMap) -> None:
    """Move the full-line comments after a mapping's last key as read to after its last key now."""
    was, now = mapping.__dict__.get("_read_last"), next(reversed(mapping), None)
    if was is None or now is None or was == now or was not in mapping:
        return
    entry = mapping.ca.items.get(was)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        return
    first, sep, rest = token.value.partition("\n")
    if not first.lstrip(" ").startswith("#"):
        first, rest = "", token.value.lstrip("\n")
    if not rest.strip():
        return
    if first:
        token.value = first + "\n"
    else:
        entry[2] = None
    _follow(mapping, now, rest)
    mapping.__dict__["_read_last"] = now


def guess_layout(text: str) -> tuple[int, int]:
    """(mapping indent, dash offset) of a YAML text: how far a nested key and a list's dash sit in from their parent
    key (the first example of each; 2 and 0, PyYAML's own, when the text has none)."""
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    mapping = dash = None
    for above, below in zip(lines, lines[1:]):
        if not re.match(r"\s*(?:- )?[^\s#\-][^#]*:\s*(?:#.*)?$", above):
            continue
        parent = len(above) - len(above.lstrip()) + (2 if above.lstrip().startswith("- ") else 0)
        child = len(below) - len(below.lstrip())
        if child <= parent and not below.lstrip().startswith("- "):
            continue
        if below.lstrip().startswith("- ") and dash is None:
            dash = max(0, child - parent)
        elif not below.lstrip().startswith("- ") and mapping is None:
            mapping = child - parent
    return mapping or 2, dash or 0


def dump_document(doc: CommentedMap) -> str:
    """The document as YAML text, in the layout it was read with; new lists and small mappings in flow style.

    The text is read back before it is returned: if it does not hold the same data (ruamel.yaml's emitter can drop a
    line break after a commented flow mapping in a list), those mappings are written in block style and it is tried
    again; a text that still differs raises ``SessionError`` rather than being written."""
    text = _dump(doc)
    if _same(text, doc):
        return text
    for seq in _sequences(doc):
        for i in range(len(seq)):
            if seq.ca.items.get(i):
                unflow(seq, i)
    text = _dump(doc)
    if not _same(text, doc):
        raise SessionError("the edited document could not be written back as YAML that holds the same data")
    return text


def _dump(doc: CommentedMap) -> str:
    indent, dash = doc.__dict__.get("_layout", (2, 0))
    yaml = YAML(typ="rt")
    yaml.width = WIDTH
    yaml.preserve_quotes = True
    yaml.indent(mapping=indent, sequence=dash + 2, offset=dash)
    out = io.StringIO()
    yaml.dump(_styled(doc), out)
    return out.getvalue()


def _same(text: str, doc: CommentedMap) -> bool:
    try:
        return YAML(typ="safe").load(text) == _plain(doc)
    except YAMLError:
        return False


def _plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_plain(v) for v in node]
    return node


def _sequences(node: Any) -> list[CommentedSeq]:
    """Every list in the document, outermost first."""
    found = [node] if isinstance(node, CommentedSeq) else []
    for child in node.values() if isinstance(node, dict) else node if isinstance(node, list) else ():
        found += _sequences(child)
    return found


def _styled(node: Any) -> Any:
    """``node`` with plain lists and dicts a program added turned into commented ones: lists of scalars and small
    mappings of scalars in flow style, everything else in block style; nodes read from the file are left alone."""
    if isinstance(node, CommentedMap):
        for k in list(node):
            node[k] = _styled(node[k])
        _keep_closing_comments(node)
        return node
    if isinstance(node, CommentedSeq):
        for i, v in enumerate(node):
            node[i] = _styled(v)
        return node
    if isinstance(node, dict):
        new = CommentedMap((k, _styled(v)) for k, v in node.items())
        if all(_scalar(v) for v in node.values()) and len(node) <= 6:
            new.fa.set_flow_style()
        return new
    if isinstance(node, list):
        new_seq = CommentedSeq(_styled(v) for v in node)
        if all(_scalar(v) for v in node):
            new_seq.fa.set_flow_style()
        return new_seq
    return node


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, (str, int, float, bool))


def unflow(seq: Any, index: int) -> None:
    """Write the mapping at ``seq[index]`` in block style (so its keys can carry comments), its line's comment moved
    to its first key and the full-line comments after it to after its last key, where they were."""
    item = seq[index] if isinstance(seq, CommentedSeq) and index < len(seq) else None
    if not isinstance(item, CommentedMap) or not item.fa.flow_style() or not item:
        return
    item.fa.set_block_style()
    entry = seq.ca.items.pop(index, None)
    token = entry[0] if entry else None
    if token is None:
        return
    first, _, rest = token.value.partition("\n")
    if first.strip().startswith("#"):
        annotate(item, next(iter(item)), first.strip()[1:].strip())
    if rest.strip():
        _follow(item, list(item)[-1], rest)


def _follow(mapping: CommentedMap, key: str, lines: str) -> None:
    """Full-line comments ``lines`` written after ``key``'s value (and its end-of-line comment, if any)."""
    value = mapping[key]
    block = isinstance(value, (CommentedMap, CommentedSeq)) and bool(value) and not value.fa.flow_style()
    if block and isinstance(value, CommentedMap):
        _follow(value, next(reversed(value)), lines)
        return
    if block and isinstance(value[-1], CommentedMap) and value[-1] and not value[-1].fa.flow_style():
        _follow(value[-1], next(reversed(value[-1])), lines)
        return
    if block:
        value.ca.items.setdefault(len(value) - 1, [None, None])[0] = CommentToken(
            "\n" + lines, start_mark=CommentMark(0), end_mark=None)
        return
    entry = mapping.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None:
        mapping.ca.items.setdefault(key, [None, None, None, None])[2] = CommentToken(
            "\n" + lines, start_mark=CommentMark(0), end_mark=None)
    else:
        token.value = token.value.rstrip("\n") + "\n" + lines


def annotate(mapping: Any, key: str, text: str) -> None:
    """Put ``# text`` at the end of ``key``'s line in ``mapping`` (after a comment already there); a mapping in flow
    style cannot hold a comment inside and is left alone (see ``unflow``)."""
    if not isinstance(mapping, CommentedMap) or key not in mapping or mapping.fa.flow_style():
        return
    entry = mapping.ca.items.get(key)
    token = entry[2] if entry and len(entry) > 2 else None
    if token is None or not token.value.lstrip(" ").startswith("#"):
        following = token.value.lstrip("\n") if token is not None else ""
        # set the token directly: ruamel's yaml_add_eol_comment fails on a key whose value has comments before it
        mapping.ca.items.setdefault(key, [None, None, None, None])[2] = CommentToken(
            f"# {text}\n", start_mark=CommentMark(0), end_mark=None)
        if following:                  # full-line comments after the key travel with its end-of-line comment
            _follow(mapping, key, following)
        return
    first, sep, rest = token.value.partition("\n")
    token.value = f"{first.rstrip()} | {text}{sep}{rest}"
