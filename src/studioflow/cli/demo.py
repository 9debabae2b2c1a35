"""``studioflow demo`` (the demo multitrack) and ``studioflow demo-run`` (the whole demo production): they parse, call
``studioflow.demo`` and print."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import click

from studioflow.demo.run import QUICK_SECONDS


@click.command("demo")
@click.argument("project_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--variation", type=click.IntRange(0, 1), default=0, show_default=True,
              help="0: the demo song (120 BPM); 1: a slower second song for the demo EP.")
@click.option("--rate", type=int, default=48000, show_default=True,
              help="Sample rate of the stems in Hz (22050 to 192000).")
@click.option("--seconds", type=click.FloatRange(min=4.0), default=None,
              help="Length in seconds of a shorter version of the same form (every section shortened in proportion).")
def demo(project_dir: Path, variation: int, rate: int, seconds: float | None) -> None:
    """Synthesize the demo song's unmixed stems (WAV, 24-bit) into PROJECT_DIR/stems.

    \b
    Examples:
      studioflow demo my-demo && studioflow analyze my-demo/stems/*.wav
      studioflow demo short-demo --seconds 10 --rate 44100
    """
    from rich.console import Console

    from studioflow.cli.outputs import check_dir
    from studioflow.demo.songs import PLANS, synthesize_demo

    check_dir(project_dir)
    paths = synthesize_demo(project_dir / "stems", variation=variation, rate=rate, seconds=seconds)
    Console().print(f"[bold]{PLANS[variation].title}[/]: {len(paths)} stems in {project_dir / 'stems'}: "
                    + ", ".join(paths))


@click.command("demo-run")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--quick", is_flag=True,
              help=f"The same steps on {QUICK_SECONDS:g}-second versions of the two songs (same sections, same "
                   "notes, same formats): for tests and a quick look.")
def demo_run(out_dir: Path, quick: bool) -> None:
    """Run the whole demo production of a two-song EP: synthesize the demo song and a ballad, analyze and check the
    stems, create the project (EP for Spotify and Apple Music), file notes (routed), start each song from the
    automatic mix, apply the mixing notes with revise, produce masters for both platforms (with a mastering report),
    master the EP as `studioflow album` does (CUE sheet, CD image, tags, manifest), check the demo song's
    translation, approve, print the status, coach two planted vocal takes and say where every file is.

    OUT_DIR/project is recreated each run. A failing step is named and the command exits 1.

    \b
    Example:
      studioflow demo-run demo-out
    """
    import time

    from rich.console import Console

    from studioflow.cli.outputs import check_dir
    from studioflow.demo.run import DemoStepError, run_demo

    check_dir(out_dir)
    console = Console(highlight=False)
    started, cpu = time.perf_counter(), time.process_time()
    with _Story(console) as story:
        try:
            result = run_demo(out_dir, quick=quick, progress=story.event)
        except DemoStepError as e:
            story.close()
            console.print(f"[bold red]demo step {e.number} ({e.title}) failed:[/] {type(e.error).__name__}: "
                          f"{e.error}")
            raise SystemExit(1) from e
    console.print(f"[bold green]demo finished[/] in {time.perf_counter() - started:.0f} s "
                  f"(CPU {time.process_time() - cpu:.0f} s)")
    console.print(f"listen, compare and leave notes: studioflow studio {result.project}  "
                  "(then open http://127.0.0.1:8765/)")


class _Story:
    """The demo as it runs: a rule per step, the producer's progress, a bar for a long step's stages, then the step's
    story (its tables and lines) and its time."""

    def __init__(self, console: Any) -> None:
        self.console = console
        self.live: Any = None               # the producer's progress or a stage bar, while one shows
        self.task: Any = None
        self.clock = (0.0, 0.0)

    def __enter__(self) -> _Story:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop the progress display that is showing."""
        if self.live is not None:
            self.live.__exit__(None, None, None)
            self.live = self.task = None

    def event(self, e: dict[str, Any]) -> None:
        """Show one event of ``run_demo``."""
        import time

        from studioflow.cli.producer import ProduceProgress
        from studioflow.cli.progress import progress_bar

        if e["event"] == "step":
            self.console.rule(f"{e['number']}. {e['title']}")
            self.clock = (time.perf_counter(), time.process_time())
        elif e["event"] == "produce":
            if not isinstance(self.live, ProduceProgress):
                self.close()
                self.live = ProduceProgress(self.console).__enter__()
            self.live.event(e["produce"])
        elif e["event"] == "stage":
            if self.task is None:
                self.close()
                self.live = progress_bar(label_width=34).__enter__()
                self.task = self.live.add_task(e["stage"], total=1.0)
            self.live.update(self.task, description=e["stage"], completed=e["fraction"])
        elif e["event"] == "done":
            self.close()
            STORIES[e["name"]](self.console, e["data"])
            self.console.print(f"[dim]({time.perf_counter() - self.clock[0]:.1f} s, "
                               f"CPU {time.process_time() - self.clock[1]:.1f} s)[/]")


# -- each step's story ---------------------------------------------------------------------------------------------
def _songs(console: Any, data: dict[str, Any]) -> None:
    for s in data["songs"]:
        console.print(f"[bold]{s['title']}[/]: {s['tempo_bpm']:g} BPM, {s['bars']} bars "
                      f"({s['bars'] * 240 / s['tempo_bpm']:.0f} s), {len(s['stems'])} unmixed stems in {s['folder']}")


def _analysis(console: Any, data: dict[str, Any]) -> None:
    from studioflow.cli.analyze import print_reports

    print_reports(data["reports"], console)


def _input_check(console: Any, data: dict[str, Any]) -> None:
    """The recording engineer's input check of the stems, one row per file with its problems."""
    from rich.table import Table

    report, by_file = data["report"], data["by_file"]
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


def _project(console: Any, data: dict[str, Any]) -> None:
    for s in data["songs"]:
        song = s["song"]
        console.print(f"song [bold]{song['name']}[/]: {len(song['takes'])} takes (stems copied, never moved), "
                      f"{s['tempo_bpm']:g} BPM, sections " + ", ".join(x["name"] for x in s["sections"]))


def _notes(console: Any, data: dict[str, Any]) -> None:
    from studioflow.producer.routing import ROLE_TITLES

    for n in data["filed"]:
        at = n.get("at")
        console.print(f"  {n['song']}: \"{n['text']}\"{' at ' + at if at else ''} -> "
                      f"[bold]{ROLE_TITLES[n['role']]}[/]: {n['reason']}")


def _automatic_mix(console: Any, data: dict[str, Any]) -> None:
    for name, steps in data["produced"]["songs"].items():
        r = next(s for s in steps if s["step"] == "session")["result"]
        roles = ", ".join(f"{t['name']} ({t['role']} {100 * t['confidence']:.0f}%, {t['gain_db']:+.1f} dB, "
                          f"pan {t['pan']:+.2f})" for t in r.get("tracks", []))
        console.print(f"  {name}: tempo {r.get('tempo_reason')}; {roles}")


def _revisions(console: Any, data: dict[str, Any]) -> None:
    for name, steps in data["produced"]["songs"].items():
        r = next(s for s in steps if s["step"] == "notes")["result"]
        for a in r.get("applied", []):
            console.print(f"  [green]applied[/] #{a['id']} \"{a['note']}\" -> {a['session']}: " + "; ".join(a["edits"]))
        for x in r.get("refused", []):
            console.print(f"  [yellow]left open[/] #{x['id']} \"{x['note']}\": {x['why']}")
        if r.get("diff"):
            console.print(f"  [bold]{name}: session diff[/]")
            for line in r["diff"]:
                console.print(f"    {line}")


def _masters(console: Any, data: dict[str, Any]) -> None:
    from studioflow.cli.producer import step_line

    redone = data["redone"]
    console.print("[bold]again[/]: " + (f"redone {', '.join(redone)}" if redone
                                        else "nothing changed, so nothing is redone"))
    console.print(step_line(data["step"]))
    console.print(f"  mastering report: {data['report']}")


def _ep(console: Any, data: dict[str, Any]) -> None:
    from studioflow.cli.release import print_album
    from studioflow.demo.run import BALLAD_LU

    console.print(f"$ studioflow album {data['album_file']} -o {data['release']}")
    print_album(data["record"], console)
    cue = data["cue"]
    console.print(f"CUE sheet: {len(cue['tracks'])} tracks, catalog {cue['catalog']}, "
                  + ", ".join(f"{t['number']:02d} {t['isrc']} INDEX 01 at {t['index'][1]} frames"
                              for t in cue["tracks"]))
    tags = data["tags"]
    console.print(f"tags of {data['first'].name}: " + ", ".join(
        f"{k}={tags[k]}" for k in ("title", "artist", "album", "track_number", "track_total", "isrc")
        if tags.get(k) is not None))
    closed = data["closed"]
    if closed is not None:
        console.print(f"the mastering engineer closes note #{closed['id']} on {closed['song']} "
                      f"(the ballad sits {BALLAD_LU:+g} LU from the single)")


def _translation(console: Any, data: dict[str, Any]) -> None:
    from studioflow.cli.release import print_translation

    console.print(f"$ studioflow translation {data['master']} --report {data['report']}")
    print_translation(data["result"], Path(data["master"]), console)


def _approvals(console: Any, data: dict[str, Any]) -> None:
    first, *others = data["approved"]
    if data["refused"] is not None:
        console.print(f"refused, as it should be: {data['refused']}")
        console.print(f"the recording engineer closes note #{data['closed']['id']}")
        console.print(f"tracking approved by {first['approval']['by']} at {first['approval']['at']}")
    for a in others:
        console.print(f"{a['song']}: tracking approved by {a['approval']['by']}")


def _status(console: Any, data: dict[str, Any]) -> None:
    from studioflow.cli.producer import print_status

    print_status(console, data["status"])


def _coach(console: Any, data: dict[str, Any]) -> None:
    from studioflow.cli.coach import print_coaching
    from studioflow.cli.recording import print_comp

    console.print(f"$ studioflow coach {' '.join(str(t) for t in data['takes'])} --guide {data['guide']} "
                  f"--report {data['report']} --plan {data['plan']}")
    print_coaching(data["coaching"], data["report"], data["plan"])
    print_comp(data["comp"])


def _where(console: Any, data: dict[str, Any]) -> None:
    for what, path in data["artefacts"]:
        console.print(f"  {what}: {path}")


STORIES: dict[str, Callable[[Any, dict[str, Any]], None]] = {
    "songs": _songs, "analysis": _analysis, "input_check": _input_check, "project": _project, "notes": _notes,
    "automatic_mix": _automatic_mix, "revisions": _revisions, "masters": _masters, "ep": _ep,
    "translation": _translation, "approvals": _approvals, "status": _status, "coach": _coach, "where": _where,
}
