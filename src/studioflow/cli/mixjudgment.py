"""The mixing engineer's judgment: ``studioflow automix`` (a first mix from stems) and ``studioflow revise``
(mix notes turned into session edits)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from studioflow.cli.format import num, terminal
from studioflow.cli.outputs import OVERWRITE_HELP


@click.command()
@click.argument("stems_dir", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="The session file to write (YAML).")
@click.option("--genre", help="The song's genre in your words (\"jazz pop\", \"synthwave\"): shifts the balance "
                             "and the reverb; unknown genres are said so.")
@click.option("--reference", type=click.Path(dir_okay=False, exists=True, path_type=Path),
              help="Match this track's broad tonal tilt with a tilt EQ on the master.")
@click.option("--tempo", type=float, help="The song's tempo in BPM (default: estimated from the drums).")
@click.option("--explain", is_flag=True, help="Print why each decision was made.")
@click.option("--overwrite", is_flag=True, help=OVERWRITE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def automix(stems_dir: Path, output: Path, genre: str | None, reference: Path | None, tempo: float | None,
            explain: bool, overwrite: bool, as_json: bool) -> None:
    """Write a first mix session from a folder of stems: roles, balance, EQ, compression, panning, sends.

    Each track keeps its stem's file name; the session carries the reason for each decision as comments, and
    renders with `studioflow mix`.

    \b
    Examples:
      studioflow automix song/stems -o song/mix.yaml --explain
      studioflow automix stems/ -o mix.yaml --genre "indie rock" --reference ref.wav && studioflow mix mix.yaml
    """
    from studioflow.cli.outputs import check_file
    from studioflow.mixing.automix import automix as run


    check_file(output, inputs=[stems_dir, *([reference] if reference else [])], overwrite=overwrite)
    err = terminal(stderr=True)
    with err.status(f"automix: listening to the stems in {stems_dir}") if err.is_terminal and not as_json \
            else _nothing():
        report = run(stems_dir, output, tempo=tempo, genre=genre, reference=reference)
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
        return
    from rich.table import Table

    console = terminal()
    table = Table("track", "role", "confidence", "from", "fader", "pan", "inserts")
    for t in report["tracks"]:
        table.add_row(t["name"], t["role"].replace("_", " "), f"{100 * t['confidence']:.0f}%", t["recognised_from"],
                      f"{t['gain_db']:+.1f} dB", f"{t['pan']:+.2f}", ", ".join(i["type"] for i in t["inserts"]))
    console.print(table)
    image = report["image_balance"]
    console.print(f"genre: {report['genre_reason']}")
    db = {k: num(image[f"{k}_db"], 1, "dB", signed=True) for k in ("overall", "low", "mid", "high")}
    console.print(f"tempo: {report['tempo_reason']}; left/right balance {db['overall']} "
                  f"(low {db['low']}, mid {db['mid']}, high {db['high']})")
    if report["reference"]:
        console.print(f"reference: {report['reference']['reason']}")
    if explain:
        for t in report["tracks"]:
            console.print(f"[bold]{t['name']}[/]")
            for line in t["explain"]:
                console.print(f"  {line}")
        for b in report["buses"]:
            console.print(f"[bold]bus {b['name']}[/]: {b['reason']}")
    console.print(f"wrote {report['session']}")


def _nothing() -> Any:
    import contextlib

    return contextlib.nullcontext()




@click.command()
@click.argument("session_file", type=click.Path(dir_okay=False, exists=True, path_type=Path))
@click.argument("notes")
@click.option("--dry-run", is_flag=True, help="Show the edits and the diff without writing anything.")
@click.option("--render", "do_render", is_flag=True, help="Render the new version into the song's mixes/.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def revise(session_file: Path, notes: str, dry_run: bool, do_render: bool, as_json: bool) -> None:
    """Turn mix notes into session edits and write the session's next version (never overwriting).

    Notes are written as people write them; several in one message. Amounts: "a touch" (1 dB), "a bit" (2 dB),
    "a lot" (5 dB) or "2 dB"; scope: "in the chorus", "in the verses", "from 1:20 to 1:45". A note that cannot be
    read with confidence is listed as not applied, with why.

    \b
    Examples:
      studioflow revise mix.yaml "vocal up 2 dB; the bass a bit quieter"
      studioflow revise mix.yaml "less boomy kick and more reverb on the vocal in the chorus" --dry-run
    """
    from studioflow.mixing.revise import revise as run

    result = run(session_file, notes, dry_run=dry_run, render=do_render)
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    _print_revision(result, dry_run)


def _print_revision(result: dict[str, Any], dry_run: bool) -> None:
    from rich.markup import escape

    console = terminal()
    for a in result["applied"]:
        console.print(f"[green]applied[/]  {escape(a['note'])}  ->  {escape(a['edit'])}")
    for n in result["not_applied"]:
        console.print(f"[yellow]not applied[/]  {escape(n['note'])}: {escape(n['why'])}")
    if result["diff"]:
        console.print("[bold]changes[/]")
        for line in result["diff"]:
            console.print(f"  {escape(line)}")
    if dry_run:
        console.print("dry run: nothing written")
    elif result["new_session"]:
        console.print(f"wrote {result['new_session']}")
    else:
        console.print("nothing applied: no new version written")
    if result.get("render"):
        console.print(f"rendered {result['render']['mix']}")
    for warning in result.get("warnings", []):
        console.print(f"[yellow]warning[/]  {escape(warning)}")
