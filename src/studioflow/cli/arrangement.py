"""``studioflow arrangement``: tempo, sections and the producer's arrangement remarks (parses, calls, prints)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studioflow.cli.format import terminal
from studioflow.cli.outputs import OVERWRITE_HELP

if TYPE_CHECKING:
    from rich.console import JustifyMethod


@click.command("arrangement")
@click.argument("song_audio", type=click.Path(dir_okay=False))
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False), default=None,
              help="Draw the loudness curve with the sections to this PNG (its numbers go beside it as .json).")
@click.option("--genre", default=None, help="The song's genre, for the length check (pop, rock, hiphop, edm, ...).")
@click.option("--single/--album-track", "single", default=True, show_default=True,
              help="A streaming single (the intro check applies) or an album track.")
@click.option("--overwrite", is_flag=True, help=OVERWRITE_HELP)
def arrangement(song_audio: str, as_json: bool, plot_path: str | None, genre: str | None, single: bool,
                overwrite: bool) -> None:
    """Estimate tempo and beat grid, find the sections and their loudness, and give arrangement remarks.

    \b
    Examples:
      studioflow arrangement mix.wav --genre pop
      studioflow arrangement mix.wav --plot arrangement.png --json
    """
    from studioflow.cli.outputs import check_file
    from studioflow.producer.arrangement import analyze_arrangement, plot_arrangement

    if plot_path is not None:
        check_file(plot_path, inputs=[song_audio], overwrite=overwrite)
        check_file(Path(plot_path).with_suffix(".json"), inputs=[song_audio], overwrite=overwrite)
    result = analyze_arrangement(song_audio, genre=genre, single=single)
    if plot_path is not None:
        plot_arrangement(result, plot_path)
    if as_json:
        from studioflow.audio.atomic import to_jsonable

        click.echo(json.dumps(to_jsonable(result), indent=2))
        return
    _print(result, plot_path)


def _print(result: dict, plot_path: str | None) -> None:
    from rich.table import Table

    from studioflow.producer.arrangement import clock

    console = terminal()
    tempo = result["tempo"]
    bpm = f"{tempo['bpm']:g} BPM (confidence {tempo['confidence']:.2f}, {tempo['beats']} beats)" \
        if tempo["bpm"] else "no steady tempo found"
    loudness = "" if result["integrated_lufs"] is None else f", {result['integrated_lufs']:.1f} LUFS integrated"
    console.print(f"[bold]{Path(result['source']).name}[/]: {result['duration_s']:.1f} s, {bpm}{loudness}")
    table = Table(title="sections")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("", "right"), ("label", "center"), ("start", "right"), ("end", "right"), ("length s", "right"),
        ("LUFS", "right"), ("sameness", "right"))
    for col, justify in columns:
        table.add_column(col, justify=justify)
    for i, s in enumerate(result["sections"], 1):
        table.add_row(str(i), s["label"], clock(s["start_s"]), clock(s["end_s"]), f"{s['duration_s']:.1f}",
                      "-" if s["loudness_lufs"] is None else f"{s['loudness_lufs']:.1f}", f"{s['sameness']:.2f}")
    console.print(table)
    if not result["remarks"]:
        console.print("[green]no arrangement remarks[/]")
    for r in result["remarks"]:
        console.print(f"[yellow]{r['code']}[/]: {r['message']}")
    if plot_path is not None:
        console.print(f"wrote {plot_path}")
