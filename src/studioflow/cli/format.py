"""How the terminal shows things: numbers with their units and the rich consoles every command prints to."""

from __future__ import annotations

from typing import Any


def num(value: object, digits: int = 1, unit: str = "", *, signed: bool = False) -> str:
    """A measured value for a table or a line: ``-`` when missing (None or NaN), floats to ``digits`` decimals
    (with a sign when ``signed``), then the unit after a space."""
    if value is None or (isinstance(value, float) and value != value):
        return "-"
    text = f"{value:{'+' if signed else ''}.{digits}f}" if isinstance(value, float) else str(value)
    return f"{text} {unit}" if unit else text


def terminal(*, stderr: bool = False, highlight: bool = True) -> Any:
    """A rich console on stdout (results) or stderr (progress and warnings beside a --json result)."""
    from rich.console import Console

    return Console(stderr=stderr, highlight=highlight)
