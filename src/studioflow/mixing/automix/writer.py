"""Write an automix session as YAML people can read: every decision carries its reason as a comment above it.

Values are written in YAML flow style one key a line, so the file loads with ``mixing.session.load_session`` and
edits cleanly by hand; comments are wrapped to ``WIDTH`` columns.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import Any

import yaml

WIDTH = 116


@dataclass
class StripText:
    """A strip's data (plain session keys) and its comments: key "" above the strip, "inserts[N]" above an insert,
    any other key above that key."""

    data: dict[str, Any]
    comments: dict[str, list[str]] = field(default_factory=dict)

    def note(self, key: str, text: str) -> None:
        """Add a comment line above ``key``."""
        if text:
            self.comments.setdefault(key, []).append(text)


def flow(value: Any) -> str:
    """One value in YAML flow style on one line (numpy numbers written as plain numbers)."""
    from studioflow.audio.atomic import to_jsonable

    text = yaml.safe_dump(to_jsonable(value), default_flow_style=True, width=10 ** 6, sort_keys=False).strip()
    if text.endswith("\n..."):
        text = text[:-4].strip()
    return text


def _comment(lines: list[str], indent: str) -> list[str]:
    out = []
    for line in lines:
        out += textwrap.wrap(line, WIDTH - len(indent) - 2, initial_indent=f"{indent}# ",
                             subsequent_indent=f"{indent}#   ") or [f"{indent}#"]
    return out


def _strip(strip: StripText, indent: str, item: bool) -> list[str]:
    lines = _comment(strip.comments.get("", []), indent) if item else []
    first = True
    for key, value in strip.data.items():
        lead = indent + ("- " if item and first else "  " if item else "")
        inner = indent + ("  " if item else "")
        if not first or not item:
            lines += _comment(strip.comments.get(key, []), inner)
        if key == "inserts" and value:
            lines.append(f"{lead}inserts:")
            for i, ins in enumerate(value):
                lines += _comment(strip.comments.get(f"inserts[{i}]", []), inner + "  ")
                lines.append(f"{inner}  - {flow(ins)}")
        elif key == "sends" and value:
            lines.append(f"{lead}sends:")
            for i, send in enumerate(value):
                lines += _comment(strip.comments.get(f"sends[{i}]", []), inner + "  ")
                lines.append(f"{inner}  - {flow(send)}")
        else:
            lines.append(f"{lead}{key}: {flow(value)}")
        first = False
    return lines


def session_text(header: list[str], top: dict[str, Any], tracks: list[StripText], buses: list[StripText],
                 master: StripText) -> str:
    """The session file's text."""
    lines = _comment(header, "")
    for key, value in top.items():
        if key == "sections" and value:
            lines.append("sections:")
            lines += [f"  - {flow(s)}" for s in value]
        elif value is not None:
            lines.append(f"{key}: {flow(value)}")
    for title, strips in (("tracks", tracks), ("buses", buses)):
        if strips:
            lines.append(f"{title}:")
            for s in strips:
                lines += _strip(s, "  ", item=True)
    lines += _comment(master.comments.get("", []), "")
    lines.append("master:")
    lines += _strip(master, "  ", item=False) if master.data else ["  gain_db: 0.0"]
    return "\n".join(lines) + "\n"
