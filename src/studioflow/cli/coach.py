"""``studioflow coach``: the producer's notes on takes of one part (parses, calls ``producer.coach``, prints)."""

from __future__ import annotations

import json
from pathlib import Path

import click

from studioflow.cli.outputs import OVERWRITE_HELP


@click.command("coach")
@click.argument("takes", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option("--guide", type=click.Path(dir_okay=False), default=None,
              help="MIDI file of the melody to sing (its tempo and meter give the bars).")
@click.option("--key", default=None, help="Key to measure against without a guide, e.g. 'A minor', 'F#', 'Bbm'.")
@click.option("--tempo", "tempo_bpm", type=float, default=None, help="Tempo of the click grid, BPM.")
@click.option("--beats-per-bar", type=int, default=None, help="Beats in a bar (default: the guide's meter, or 4).")
@click.option("--report", type=click.Path(dir_okay=False), default=None,
              help="Write the HTML report here (its numbers go beside it as .json).")
@click.option("--plan", type=click.Path(dir_okay=False), default=None,
              help="With several takes: write the comp plan (best take per phrase) here, for `studioflow comp`.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
@click.option("--overwrite", is_flag=True, help=OVERWRITE_HELP)
def coach(takes: tuple[str, ...], guide: str | None, key: str | None, tempo_bpm: float | None,
          beats_per_bar: int | None, report: str | None, plan: str | None, as_json: bool, overwrite: bool) -> None:
    """Coach takes of one part: notes out of tune (vibrato apart from drift), bars rushed or dragged, how tight each
    take is, and with several takes the best take per phrase as a comp plan.

    \b
    Examples:
      studioflow coach song/takes/vocal/take-00*.wav --guide melody.mid --report coach.html --plan comp.yaml
      studioflow coach take.wav --key "A minor" --tempo 96
    """
    from studioflow.cli.outputs import check_file
    from studioflow.cli.progress import progress_bar
    from studioflow.producer.coach import coach as run

    inputs = list(takes) + ([guide] if guide else [])
    for out in (report, None if report is None else Path(report).with_suffix(".json"), plan):
        check_file(out, inputs=inputs, overwrite=overwrite)
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("listening", total=1.0)
        result = run(list(takes), key=key, tempo_bpm=tempo_bpm, guide=guide, beats_per_bar=beats_per_bar,
                     report=report, plan=plan, progress=lambda stage, f: bar.update(task, description=stage,
                                                                                     completed=f))
    if as_json:
        from studioflow.audio.atomic import to_jsonable

        click.echo(json.dumps(to_jsonable(result), indent=2))
        return
    print_coaching(result, report, plan)


def print_coaching(result: dict, report: str | Path | None, plan: str | Path | None) -> None:
    """Print a coaching result: a row per take, each take's remarks, the best take per phrase and what was written."""
    from rich.console import Console
    from rich.table import Table

    from studioflow.producer.arrangement import clock

    console = Console(highlight=False)
    table = Table(title=f"takes against {result['target']}")
    for col in ("take", "file", "sung", "in tune", "mean |cents|", "timing ms", "spread ms", "vibrato"):
        table.add_column(col, justify="right")
    fmt = lambda v, f: "-" if v is None else format(v, f)  # noqa: E731
    for t in result["takes"]:
        s = t["summary"]
        table.add_row(str(t["take"]), Path(t["file"]).name, f"{s['sung']}/{s['notes']}",
                      f"{fmt(s['in_tune_pct'], '.0f')} %", fmt(s["mean_abs_cents"], ".1f"),
                      fmt(s["mean_timing_ms"], "+.1f"), fmt(s["tightness_ms"], ".1f"),
                      "-" if s["vibrato_hz"] is None else f"{s['vibrato_hz']:.1f} Hz +-{s['vibrato_cents']:.0f} c")
    console.print(table)
    for t in result["takes"]:
        console.print(f"[bold]take {t['take']}[/] ({Path(t['file']).name})")
        for r in t["remarks"]:
            console.print(f"  - {r['message']}")
    if "best" in result:
        best = Table(title="best take per phrase (score: lower is better)")
        best.add_column("phrase", justify="right")
        best.add_column("time")
        for t in result["takes"]:
            best.add_column(f"take {t['take']}", justify="right")
        for i, p in enumerate(result["best"], 1):
            best.add_row(str(i), f"{clock(p['start_s'])}-{clock(p['end_s'])}",
                         *[f"[bold green]{v['score']:.1f}[/]" if k == p["best_take"] else f"{v['score']:.1f}"
                           for k, v in p["scores"].items()])
        console.print(best)
        console.print("comp plan: " + ", ".join(f"take {s['take']} {s['from']:g}-{s['to']:g} s"
                                                for s in result["plan"]))
        if plan:
            hint = result.get("comp_hint")
            console.print(f"wrote {plan}" + (f"; build it with: {hint}" if hint else ""))
    elif plan:
        console.print(f"no comp plan: it needs two takes or more with notes in them ({plan} not written)")
    if report:
        console.print(f"wrote {report} and {Path(report).with_suffix('.json')}")
