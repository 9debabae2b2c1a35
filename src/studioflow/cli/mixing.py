"""The mixing engineer's commands: ``studioflow mix`` (render, stems, versions, compare)."""

from __future__ import annotations

import contextlib
import json
import os
from pathlib import Path
from typing import Any

import click

from studioflow.cli.format import num, terminal
from studioflow.cli.outputs import OVERWRITE_HELP
from studioflow.errors import SessionError


def _time(session: Any, value: str | None, option: str) -> float | None:
    if value is None:
        return None
    from studioflow.mixing.timeline import TimeError
    try:
        number: Any = float(value)
    except ValueError:
        number = value
    try:
        return session.timeline.seconds(number)
    except TimeError as e:
        raise SessionError(f"{option}: {e}") from None


@click.command()
@click.argument("session_file", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("-o", "--output", type=click.Path(dir_okay=False, path_type=Path),
              help="Write the mix here (default: the next version in the song folder's mixes/).")
@click.option("--stems", "stems_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Also write one file per track and bus, as heard in the mix.")
@click.option("--from", "start", help="Start at this time (seconds or bar:beat).")
@click.option("--to", "end", help="Stop at this time (seconds or bar:beat).")
@click.option("--format", "fmt", type=click.Choice(["float", "wav24", "flac"]), default="float", show_default=True,
              help="32-bit float WAV, 24-bit WAV or 24-bit FLAC.")
@click.option("--tail", "tail_s", type=click.FloatRange(min=0),
              help="Seconds to render after the last region (default: the inserts' tails).")
@click.option("--block", "block_frames", type=click.IntRange(min=1), default=32768, show_default=True,
              help="Render block size in frames (the result does not depend on it; larger is faster).")
@click.option("--compare", "versions", nargs=2, help="Compare two versions (like v3 v5) instead of rendering.")
@click.option("--overwrite", is_flag=True, help=OVERWRITE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def mix(session_file: Path | None, output: Path | None, stems_dir: Path | None, start: str | None, end: str | None,
        fmt: str, tail_s: float | None, block_frames: int, versions: tuple[str, str] | None, overwrite: bool,
        as_json: bool) -> None:
    """Render a mix session to a stereo mix (and stems), with MIX.json beside it.

    Without -o, renders the next version into the song folder's mixes/ (NAME-vNNN.wav with a copy of the session).

    \b
    Examples:
      studioflow mix song/mix.yaml -o mix.wav --stems stems/
      studioflow mix song/mix.yaml --from 17:1 --to 25:1 --format wav24
      studioflow mix --compare v3 v5          # inside a song folder
    """
    from studioflow.mixing.versions import find_session

    if versions:
        from studioflow.mixing.compare import compare
        folder = session_file.parent if session_file is not None else Path.cwd()
        _print_compare(compare(folder, *versions), as_json)
        return
    from studioflow.mixing.engine import render
    from studioflow.mixing.session import load_session
    from studioflow.mixing.versions import render_version

    session = load_session(session_file if session_file is not None else find_session(Path.cwd()))
    _check_outputs(session, output, stems_dir, fmt, overwrite)
    options: dict[str, Any] = dict(block_frames=block_frames, start_s=_time(session, start, "--from"),
                                   end_s=_time(session, end, "--to"), tail_s=tail_s, format=fmt, stems_dir=stems_dir)
    from studioflow.cli.progress import progress_bar
    with progress_bar(quiet=as_json) as bar, _journals(output, stems_dir):
        task = bar.add_task(f"mixing {session.name}", total=1)
        options["progress"] = lambda done, total: bar.update(task, completed=done, total=total)
        report = render(session, output, **options) if output is not None else render_version(session, **options)
    _print_report(report, as_json)


def _check_outputs(session: Any, output: Path | None, stems_dir: Path | None, fmt: str, overwrite: bool) -> None:
    """The output policy for the mix, its JSON and its stems: none may be a source of the session or the session."""
    from studioflow.cli.outputs import check_dir, check_file
    from studioflow.mixing.engine import FORMATS

    inputs = [session.path, *(r.file for t in session.tracks for r in t.regions)]
    if output is not None:
        check_file(output, inputs=inputs, overwrite=overwrite)
        check_file(output.with_suffix(".json"), inputs=inputs, overwrite=overwrite)
    if stems_dir is not None:
        check_dir(stems_dir)
        suffix = "." + FORMATS[fmt][0]
        for strip in [*session.tracks, *session.buses] if stems_dir.is_dir() else []:
            check_file(stems_dir / f"{strip.name}{suffix}", inputs=inputs, overwrite=overwrite)


def _journals(output: Path | None, stems_dir: Path | None) -> contextlib.ExitStack:
    """Journals over the folders the mix and its stems land in: an interrupted render leaves none of its files."""
    from studioflow.audio.debris import Journal

    stack = contextlib.ExitStack()
    folders = {Path(os.path.abspath(p)).parent for p in (output, stems_dir) if p is not None}
    for folder in folders:
        stack.enter_context(Journal(folder))
    return stack


def _print_report(report: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(report, indent=2, default=str))
        return
    from rich.table import Table
    console = terminal()
    a = report["analysis"]
    console.print(f"[bold]{report['mix']}[/]  {report['duration_s']:.1f} s  "
                  f"{num(a['integrated_lufs'], 1, 'LUFS', signed=True)}  "
                  f"{num(a['true_peak_dbtp'], 1, 'dBTP', signed=True)}  "
                  f"correlation {num(a['correlation'], 1, signed=True)}  (tail {report['tail_s']:.2f} s)")
    table = Table("strip", "peak pre-fader", "peak", "loudness", "vs mix")
    for s in report["strips"]:
        table.add_row(f"{s['name']}{' (silent)' if s['silent'] else ''}",
                      *(num(s[key], 1, unit, signed=True) for key, unit in (
                          ("peak_pre_fader_dbfs", "dBFS"), ("peak_dbfs", "dBFS"), ("loudness_lufs", "LUFS"),
                          ("contribution_lu", "LU"))))
    console.print(table)
    for line in report["log"]:
        console.print(f"[dim]{line}[/]")
    for w in report["warnings"]:
        console.print(f"[yellow]warning:[/] {w}")


def _print_compare(result: dict[str, Any], as_json: bool) -> None:
    if as_json:
        click.echo(json.dumps(result, indent=2, default=str))
        return
    click.echo(f"{Path(result['a']).name} -> {Path(result['b']).name}: loudness "
               f"{num(result['loudness_difference_lu'], 1, 'LU', signed=True)} (matched below)")
    for band in result["bands"] or []:
        click.echo(f"  {band['band_hz']:>8.0f} Hz  {band['difference_db']:+.1f} dB")
    for line in result["changes"] or ["no session changes"]:
        click.echo(f"  {line}")


