"""A readable diff of two sessions: one line per changed value, by strip (``track vocal: gain_db -3 -> -1``), with
automation shown as its breakpoints in minutes:seconds."""

from __future__ import annotations

from typing import Any


def _mmss(t: Any) -> str:
    if isinstance(t, (int, float)):
        return f"{int(t // 60)}:{t % 60:05.2f}"
    return str(t)


def _show(path: str, value: Any) -> str:
    if path.split(".")[-1].startswith("automation") or ".automation." in f".{path}.":
        if isinstance(value, list) and all(isinstance(p, list) for p in value):
            return " ".join(f"[{_mmss(p[0])} {p[1]:g}]" if isinstance(p[1], (int, float)) else str(p) for p in value)
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_show('', v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_show("", v) for v in value) + "]"
    return str(value)


def _walk(label: str, path: str, a: Any, b: Any, out: list[str]) -> None:
    if a == b:
        return
    if path == "automation":           # show each automated parameter's breakpoints
        a, b = a or {}, b or {}
    if isinstance(a, dict) and isinstance(b, dict):
        for k in [*a, *(k for k in b if k not in a)]:
            _walk(label, f"{path}.{k}" if path else str(k), a.get(k), b.get(k), out)
        return
    auto = path.startswith("automation.")
    if isinstance(a, list) and isinstance(b, list) and not auto:
        for i in range(max(len(a), len(b))):
            x = a[i] if i < len(a) else None
            y = b[i] if i < len(b) else None
            _walk(label, f"{path}[{i}]", x, y, out)
        return
    if a is None:
        out.append(f"{label}: {path} added: {_show(path, b)}")
    elif b is None:
        out.append(f"{label}: {path} removed (was {_show(path, a)})")
    else:
        out.append(f"{label}: {path}: {_show(path, a)} -> {_show(path, b)}")


def session_diff(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """Lines describing every change from ``old`` to ``new`` (plain session data)."""
    out: list[str] = []
    for section, kind in (("tracks", "track"), ("buses", "bus")):
        before = {str(s.get("name")): s for s in old.get(section) or [] if isinstance(s, dict)}
        after = {str(s.get("name")): s for s in new.get(section) or [] if isinstance(s, dict)}
        for name in after:
            if name not in before:
                out.append(f"{kind} {name}: added {_show('', after[name])}")
            else:
                _walk(f"{kind} {name}", "", before[name], after[name], out)
        out += [f"{kind} {name}: removed" for name in before if name not in after]
    _walk("master", "", old.get("master") or {}, new.get("master") or {}, out)
    for key in [k for k in new if k not in ("tracks", "buses", "master")]:
        _walk("session", key, old.get(key), new.get(key), out)
    return out
