"""Progress on stderr for long commands: a rich bar on a terminal, nothing when piped or with --json."""

from __future__ import annotations

from typing import Any


def progress_bar(*, quiet: bool = False, label_width: int = 28) -> Any:
    """A transient rich Progress on stderr (label, bar, %, elapsed); disabled when ``quiet`` or stderr is no terminal.

    Use as a context manager; ``add_task(label, total=1.0)`` and ``update(task, description=..., completed=...)``.
    """
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(TextColumn(f"{{task.description:<{label_width}}}"), BarColumn(),
                    TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(), console=console, transient=True,
                    disable=quiet or not console.is_terminal)
