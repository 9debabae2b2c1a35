"""``studioflow plan``: the session plan of a project (input list, format and headroom, what to record together),
fitted to the project's room measurement when there is one."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the plan as JSON.")
def plan(project: Path, as_json: bool) -> None:
    """Plan the recording session of PROJECT from its brief's line-up (``lineup:`` in project.yaml).

    The newest room measurement in PROJECT/room/ (from `studioflow room measure --folder PROJECT/room`) changes
    the advice.

    \b
    Example:
      studioflow plan myproject
    """
    from studioflow.recording.plan import plan_project

    result = plan_project(project)
    if as_json:
        from studioflow.audio.atomic import json_text

        click.echo(json_text(result))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Input list: {', '.join(result['lineup'])}")
    for col in ("ch", "source", "mic", "placement", "pad / phase / notes"):
        table.add_column(col, justify="right" if col == "ch" else "left")
    for row in result["inputs"]:
        who = f" ({row['player']})" if row["player"] else ""
        notes = "; ".join(x for x in (row["pad"], row["phase"], row["notes"]) if x)
        table.add_row(str(row["channel"]), row["source"] + who, row["mic"], row["placement"], notes)
    console.print(table)
    fmt, head = result["format"], result["headroom"]
    console.print(f"Format: {fmt['bits']}-bit, {fmt['sample_rate_hz']} Hz, {fmt['file']}.")
    console.print(f"Headroom: peaks {head['peaks_dbfs'][0]}..{head['peaks_dbfs'][1]} dBFS, average near "
                  f"{head['average_dbfs']} dBFS. {head['why']}")
    for group in result["groups"]:
        console.print(f"Together - {group['name']}: {', '.join(group['instruments'])}. {group['why']}")
    room = result["room"]
    console.print(f"Room: {room['liveness']} ({room['file']})" if room else "Room: not measured")
    for line in result["advice"]:
        console.print(f"- {line}")
    console.print("Sources: " + "; ".join(f"[{k}] {v}" for k, v in result["sources"].items()), markup=False)
