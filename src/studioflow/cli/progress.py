"""Progress on stderr for long commands: a rich bar on a terminal, nothing when piped or with --json."""

from __future__ import annotations

from typing import Any


def progress_bar(*, quiet: bool = False, label_width: int = 28) -> Any:
    """A transient rich Progress on stderr (label, bar, %, elapsed); disabled when ``quiet`` or stderr is no terminal.

    Use as a context manager; ``add_task(label, total=1.0)`` and ``update(task, description=..., completed=...)``.
    A quiet bar is a ``_Silent`` one, so quiet commands (``--json``) do not import rich at all.
    """
    if quiet:
        return _Silent()
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    return Progress(TextColumn(f"{{task.description:<{label_width}}}"), BarColumn(),
                    TextColumn("{task.percentage:>3.0f}%"), TimeElapsedColumn(), console=console, transient=True,
                    disable=not console.is_terminal)


class _Silent:
    """A progress bar that shows nothing: the ``add_task`` / ``update`` of rich's ``Progress`` as no-ops."""

    def __enter__(self) -> _Silent:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def add_task(self, description: str, **fields: Any) -> int:
        """A task id (always 0)."""
        return 0

    def update(self, task: int, **fields: Any) -> None:
        """Nothing to show."""
