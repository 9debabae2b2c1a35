"""``studioflow batch analyze|normalize|master|translation``: one command over a catalog of songs on Dask (the
command parses, calls ``catalog.run.run_batch`` and shows its progress and results)."""

from __future__ import annotations

import json
from typing import Any, Callable

import click

EXAMPLES = """\b
Examples:
  studioflow batch analyze catalog/ -o loudness-log/
  studioflow batch normalize catalog/ extra.flac -o delivered/ --target spotify
  studioflow batch normalize releases.csv -o out/ --lufs -16 --ceiling -1 --json
  studioflow batch master mixes/ -o masters/ --style gentle --format mp3 --scheduler tcp://10.0.0.5:8786
  studioflow batch translation masters/ -o checks/ --system phone --system car

INPUTS are audio files, folders (searched recursively; audio is recognised by its content, not its name) or CSV
manifests with a header row: path (relative to the CSV), and optionally title, isrc and target (a platform name or
LUFS). OUT_DIR is the job: the outputs, catalog.json and catalog.csv (every input with its SHA-256, status, levels
before and after, warnings, outputs and their SHA-256). Running the same command again redoes only what is not
done. A file that cannot be processed fails its own row; the rest carry on."""


def _common(f: Callable) -> Callable:
    """The options every batch command shares."""
    options = [
        click.argument("inputs", nargs=-1, required=True, type=click.Path()),
        click.option("-o", "--output", "out_dir", required=True, type=click.Path(file_okay=False),
                     help="The job folder (made if missing)."),
        click.option("--target", default=None, help="A platform target (see `studioflow targets`); default spotify."),
        click.option("--lufs", type=float, default=None, help="Integrated loudness target in LUFS."),
        click.option("--ceiling", type=float, default=None, help="True-peak ceiling in dBTP."),
        click.option("--scheduler", default=None, help="Run on the Dask cluster whose scheduler is at tcp://HOST:PORT "
                     "(inputs and OUT_DIR on storage every worker sees); default: a local cluster."),
        click.option("--workers", type=click.IntRange(1, 256), default=None,
                     help="Worker processes of the local cluster (default: one per core)."),
        click.option("--json", "as_json", is_flag=True,
                     help="Print one JSON line per event (start, running, each song, end)."),
    ]
    for option in reversed(options):
        f = option(f)
    return f


def _run(command: str, inputs: tuple[str, ...], out_dir: str, target: str | None, lufs: float | None,
         ceiling: float | None, scheduler: str | None, workers: int | None, as_json: bool, options: dict) -> None:
    from studioflow.catalog.run import run_batch

    if as_json:
        from studioflow.audio.atomic import to_jsonable

        def show(event: dict) -> None:
            click.echo(json.dumps(to_jsonable(event)))

        run_batch(command, inputs, out_dir, target=target, lufs=lufs, ceiling_dbtp=ceiling, options=options,
                  scheduler=scheduler, workers=workers, progress=show)
        return
    from rich.console import Console

    console = Console(stderr=True)
    with _bar(console) as bar:
        task = bar.add_task(command, total=None, tally="starting the cluster", speed="", visible=True)

        def show(event: dict) -> None:
            if event["event"] == "start" and event["resumed"]:
                console.print(f"{event['resumed']} of {event['songs']} songs were done by an earlier run: kept")
            tally = (f"{event['done']} done, {event['failed']} failed, {event['running']} running, "
                     f"{event['left']} left")
            speed = f"{event['x_realtime']:g}x realtime" if event.get("x_realtime") else ""
            eta = f"ETA {event['eta_s']:.0f} s" if event.get("eta_s") is not None else ""
            bar.update(task, total=max(event["todo"], 1), completed=event["done"] + event["failed"], tally=tally,
                       speed=" ".join(x for x in (speed, eta) if x))
            if event["event"] == "song" and event["row"]["status"] == "failed":
                console.print(f"[red]failed[/red] {event['row']['path']}: {event['row']['error']}")

        record = run_batch(command, inputs, out_dir, target=target, lufs=lufs, ceiling_dbtp=ceiling,
                           options=options, scheduler=scheduler, workers=workers, progress=show)
    _print_record(record)


def _bar(console: Any) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description:<12}"), BarColumn(), MofNCompleteColumn(),
                    TextColumn("{task.fields[tally]}"), TextColumn("{task.fields[speed]}"), TimeElapsedColumn(),
                    console=console, transient=True, disable=not console.is_terminal)


TABLE_MAX_ROWS = 60


def _print_record(record: dict) -> None:
    from rich.console import Console
    from rich.table import Table

    out = Console()
    rows = record["items"]
    shown = rows if len(rows) <= TABLE_MAX_ROWS else [r for r in rows if r["status"] != "done"]
    if shown:
        table = Table(title=f"batch {record['command']}: {record['folder']}")
        for col in ("#", "song", "status", "LUFS in", "dBTP in", "LUFS out", "dBTP out", "gain dB", "limited",
                    "note"):
            table.add_column(col, justify="left" if col in ("song", "status", "note") else "right")
        for r in shown:
            before, after = r.get("before") or {}, r.get("after") or {}
            note = r.get("error") or "; ".join(r.get("warnings") or []) or ("kept from an earlier run"
                                                                             if r.get("resumed") else "")
            table.add_row(str(r["n"]), r.get("title") or r["name"], r["status"], _num(before.get("integrated_lufs")),
                          _num(before.get("true_peak_dbtp")), _num(after.get("integrated_lufs")),
                          _num(after.get("true_peak_dbtp")), _num(r.get("gain_db")),
                          "" if r.get("limited") is None else ("yes" if r["limited"] else "no"), note[:80])
        out.print(table)
    s = record["summary"]
    out.print(f"{s['songs']} songs: {s['done']} done ({s['resumed']} from an earlier run), {s['failed']} failed; "
              f"manifest {record['folder']}/catalog.csv and catalog.json")


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


@click.group(epilog=EXAMPLES)
def batch() -> None:
    """Measure, normalize, master or check a whole catalog of songs on a Dask cluster, resumably."""


@batch.command(epilog=EXAMPLES)
@_common
def analyze(inputs: tuple[str, ...], out_dir: str, target: str | None, lufs: float | None, ceiling: float | None,
            scheduler: str | None, workers: int | None, as_json: bool) -> None:
    """Measure every song (integrated loudness, LRA, true peak, PLR, clipping) against the target: a loudness log,
    no audio written."""
    _run("analyze", inputs, out_dir, target, lufs, ceiling, scheduler, workers, as_json, {})


@batch.command(epilog=EXAMPLES)
@_common
def normalize(inputs: tuple[str, ...], out_dir: str, target: str | None, lufs: float | None, ceiling: float | None,
              scheduler: str | None, workers: int | None, as_json: bool) -> None:
    """Bring every song to the target loudness with true-peak-safe gain: the limiter runs only on songs the gain
    would push over the ceiling. Writes OUT_DIR/NAME.wav (24-bit, the song's rate)."""
    _run("normalize", inputs, out_dir, target, lufs, ceiling, scheduler, workers, as_json, {})


@batch.command(epilog=EXAMPLES)
@_common
@click.option("--style", default=None, help="As `studioflow master --style`, e.g. 'gentle' or 'loud,edm'.")
@click.option("--max-limiting", "max_limiting_db", type=float, default=None,
              help="Never limit more than this many dB (a song may then stay below the target).")
@click.option("--format", "formats", multiple=True, type=click.Choice(("wav16", "flac", "mp3", "aac")),
              help="Extra delivery formats (repeatable) beside each 24-bit master.")
def master(inputs: tuple[str, ...], out_dir: str, target: str | None, lufs: float | None, ceiling: float | None,
           scheduler: str | None, workers: int | None, as_json: bool, style: str | None,
           max_limiting_db: float | None, formats: tuple[str, ...]) -> None:
    """Master every song as `studioflow master` does (a manifest's title and ISRC become tags): OUT_DIR/NAME.wav,
    NAME.json and the extra formats."""
    _run("master", inputs, out_dir, target, lufs, ceiling, scheduler, workers, as_json,
         {"style": style, "max_limiting_db": max_limiting_db, "formats": list(formats)})


@batch.command(epilog=EXAMPLES)
@_common
@click.option("--system", "systems", multiple=True, type=click.Choice(("earbuds", "phone", "laptop", "car", "club")),
              help="Only these playback systems (repeatable); default all.")
@click.option("--codec", type=click.Choice(("mp3", "aac")), default="mp3", show_default=True,
              help="Lossy codec of the round trip.")
@click.option("--kbps", type=click.IntRange(32, 320), default=128, show_default=True, help="Codec bitrate.")
def translation(inputs: tuple[str, ...], out_dir: str, target: str | None, lufs: float | None,
                ceiling: float | None, scheduler: str | None, workers: int | None, as_json: bool,
                systems: tuple[str, ...], codec: str, kbps: int) -> None:
    """Check how every song translates (as `studioflow translation`): OUT_DIR/NAME.translation.json, findings in the
    manifest's warnings."""
    _run("translation", inputs, out_dir, target, lufs, ceiling, scheduler, workers, as_json,
         {"systems": list(systems), "codec": codec, "kbps": kbps})
