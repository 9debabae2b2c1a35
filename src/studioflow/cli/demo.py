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


DEMO_NOTES = (
    ("the lead is buried in the chorus", "0:40"),
    ("there's a hum on the lead, and it crackles", "0:12"),
    ("it's quieter than the other songs on Spotify", None),
    ("the bridge drags", "0:48"),
)


@click.command("demo-run")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
def demo_run(out_dir: Path) -> None:
    """Run the whole demo production: synthesize the demo song, analyze and check its stems, create a project,
    file notes (routed), produce it to masters for Spotify and Apple Music, approve, and print the status.

    A role whose API has not landed yet is skipped with a line saying so. OUT_DIR/project is recreated each run.

    \b
    Example:
      studioflow demo-run demo-out
    """
    import shutil

    from rich.console import Console

    from studioflow.producer.demo_song import PLANS, synthesize_demo

    console = Console(highlight=False)
    failed = False
    console.rule("1. the demo song")
    stems = synthesize_demo(out_dir / "stems", variation=0)
    console.print(f"[bold]{PLANS[0].title}[/]: {len(stems)} unmixed stems in {out_dir / 'stems'}: {', '.join(stems)}")

    console.rule("2. analysis of the stems")
    _analysis_table(console, list(stems.values()))

    console.rule("3. recording engineer: input check of the stems")
    _input_check(console, list(stems.values()))

    console.rule("4. the project")
    from studioflow.producer.project import create_project
    from studioflow.producer.songs import add_song

    project = out_dir / "project"
    if (project / "project.yaml").exists():
        shutil.rmtree(project)                  # the demo's own output from an earlier run
    create_project(project, title="Demo Single", artist="The studioflow Demo Band", genre="synth pop",
                   platforms=["spotify", "apple-music"], release_format="single",
                   vision="a bright, punchy synth-pop single that sits well next to current playlists")
    song = add_song(project, PLANS[0].title, stems=out_dir / "stems")
    console.print(f"project in {project}: song [bold]{song['name']}[/] with {len(song['takes'])} takes "
                  "(stems copied, never moved)")

    console.rule("5. notes, routed to the role that handles them")
    from studioflow.producer.notes import close_note, file_note
    from studioflow.producer.routing import ROLE_TITLES

    filed = []
    for text, at in DEMO_NOTES:
        n = file_note(project, song["name"], text, at=at, by="artist")
        filed.append(n)
        console.print(f"  \"{text}\"{' at ' + at if at else ''} -> [bold]{ROLE_TITLES[n['role']]}[/]: {n['reason']}")

    console.rule("6. produce: check takes -> comp -> mix -> master for each platform -> deliverables")
    from studioflow.cli.producer import ProduceProgress, print_status, step_line
    from studioflow.producer.pipeline import ProduceError, produce

    try:
        with ProduceProgress(console) as bar:
            produce(project, progress=bar.event)
        console.print("[bold]again[/] (nothing changed, so nothing is redone):")
        for s in produce(project)["songs"][song["name"]]:
            console.print(step_line({**s, "song": song["name"]}))
    except ProduceError as e:
        failed = True
        console.print(f"[red]produce stopped:[/] {e}")

    console.rule("7. approvals")
    from studioflow.producer.stages import ApprovalRefused, approve

    rec = next((n for n in filed if n["role"] == "recording"), None)
    try:
        approve(project, song["name"], "tracking", by="producer")
    except ApprovalRefused as e:
        console.print(f"refused, as it should be: {e}")
        if rec is not None:
            close_note(project, song["name"], rec["id"], by="recording",
                       resolution="hum and clipped run noted; the take is kept for the demo")
            console.print(f"the recording engineer closes note #{rec['id']}")
        a = approve(project, song["name"], "tracking", by="producer")
        console.print(f"tracking approved by {a['by']} at {a['at']}")

    console.rule("8. status")
    from studioflow.producer.status import project_status

    print_status(console, project_status(project))
    if failed:
        raise SystemExit(1)


def _analysis_table(console, paths: list) -> None:
    """The analyze command's own table of the stems (skipped while it is not there)."""
    import importlib.util

    if importlib.util.find_spec("studioflow.cli.analyze") is None:
        console.print("[yellow]skipped:[/] studioflow analyze is not available yet")
        return
    from studioflow.cli.analyze import analyze

    analyze.main(args=[str(p) for p in paths], standalone_mode=False)


def _input_check(console, paths: list) -> None:
    """The recording engineer's input check of the stems, one row per file with its problems."""
    from studioflow.producer.pipeline import api, summarize_problems

    check_takes = api("studioflow.recording.checks", "check_takes")
    if check_takes is None:
        console.print("[yellow]skipped:[/] the recording engineer's input check is not available yet")
        return
    from rich.table import Table

    report = check_takes(paths)
    by_file = summarize_problems(report)
    table = Table(title="input check", title_justify="left")
    for col in ("stem", "peak dBFS", "advice", "problems"):
        table.add_column(col, overflow="fold")
    colour = {"error": "red", "warning": "yellow", "info": "dim"}
    for take in report["takes"]:
        name = Path(take["file"]).parent.name + "/" + Path(take["file"]).name
        kinds = by_file.get(name, {})
        problems = ", ".join(f"[{colour.get(v['severity'], 'white')}]{k}" + (f" x{v['count']}" if v["count"] > 1
                                                                            else "") + "[/]"
                             for k, v in kinds.items())
        table.add_row(take["name"], f"{take['peak_dbfs']:.1f}", take["advice"], problems or "[green]clean[/]")
    console.print(table)
    for p in report["problems"]:
        if p["kind"] in ("hum",):
            console.print(f"  {Path(p['file']).name}: {p['message']}")
    runs = [p for p in report["problems"] if p["kind"] == "clipping"]
    if runs:
        first = runs[0]
        console.print(f"  {Path(first['file']).name}: {len(runs)} clipped runs, the first at "
                      f"{first['time_s']:.2f} s ({first['message']})")
