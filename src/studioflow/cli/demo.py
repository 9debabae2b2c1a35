"""``studioflow demo`` (the demo multitrack) and ``studioflow demo-run`` (the whole demo production)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("demo")
@click.argument("project_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--variation", type=click.IntRange(0, 1), default=0, show_default=True,
              help="0: the demo song (120 BPM); 1: a slower second song for the demo EP.")
@click.option("--rate", type=int, default=48000, show_default=True, help="Sample rate of the stems in Hz.")
def demo(project_dir: Path, variation: int, rate: int) -> None:
    """Synthesize the demo song's unmixed stems (WAV, 24-bit) into PROJECT_DIR/stems.

    \b
    Example:
      studioflow demo my-demo && studioflow analyze my-demo/stems/*.wav
    """
    from rich.console import Console

    from studioflow.producer.demo_song import PLANS, synthesize_demo

    paths = synthesize_demo(project_dir / "stems", variation=variation, rate=rate)
    Console().print(f"[bold]{PLANS[variation].title}[/]: {len(paths)} stems in {project_dir / 'stems'}: "
                    + ", ".join(paths))
