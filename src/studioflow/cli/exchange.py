"""DAW exchange commands: ``studioflow export`` (to Ardour or DAWproject) and ``studioflow import``."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click


def _show(result: dict[str, Any], as_json: bool, title: str) -> None:
    """The mapping report: JSON, or a summary table and the settings that did not map exactly."""
    if as_json:
        click.echo(json.dumps(result, indent=2))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=title)
    for column in ("settings", "exact", "converted", "unmapped", "exact share"):
        table.add_column(column, justify="right")
    table.add_row(str(result["settings"]), str(result["exact"]), str(result["converted"]), str(result["unmapped"]),
                  f"{100 * result['exact_fraction']:.1f} %")
    console.print(table)
    notes = [i for i in result["items"] if i["status"] != "exact"]
    if notes:
        detail = Table(title="Not mapped exactly")
        for column in ("setting", "status", "why"):
            detail.add_column(column)
        for item in notes:
            detail.add_row(item["key"], item["status"], item["note"])
        console.print(detail)


@click.command("export")
@click.argument("session_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.option("--to", "to", type=click.Choice(["ardour", "dawproject"]), required=True,
              help="ardour: an Ardour 7 session folder; dawproject: a .dawproject archive.")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True,
              help="The session folder (ardour) or NAME.dawproject to write; it must not exist yet.")
@click.option("--json", "as_json", is_flag=True, help="Print the mapping report as JSON.")
def export(session_file: Path, to: str, output: Path, as_json: bool) -> None:
    """Export a mix session to a DAW, with the audio copied in and OUT.exchange.json (what mapped) beside it.

    \b
    Examples:
      studioflow export song/mix.yaml --to ardour -o song/mix-ardour
      ardour7-export -b float -o mix.wav song/mix-ardour mix-ardour     # Ardour renders it
      studioflow export song/mix.yaml --to dawproject -o song/mix.dawproject
    """
    from studioflow.mixing.exchange import export_session

    _show(export_session(session_file, to, output), as_json, f"{session_file.name} -> {output.name} ({to})")


@click.command("import")
@click.argument("source", type=click.Path(exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The session file to write (a DAWproject's audio goes to OUT-audio/ beside it).")
@click.option("--json", "as_json", is_flag=True, help="Print the mapping report as JSON.")
def import_(source: Path, output: Path, as_json: bool) -> None:
    """Import an Ardour session (folder or .ardour file) or a .dawproject archive as a studioflow session file.

    \b
    Examples:
      studioflow import song/mix-ardour -o song/from-ardour.yaml && studioflow mix song/from-ardour.yaml -o m.wav
      studioflow import band.dawproject -o song/band.yaml
    """
    from studioflow.mixing.exchange import import_session

    _show(import_session(source, output), as_json, f"{source.name} -> {output.name}")
