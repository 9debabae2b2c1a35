"""The recording engineer's room commands: ``room measure`` (a sweep through the interface) and ``room analyze``
(impulse response files): ISO 3382-2 figures per octave, room modes, early reflections and advice."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from studioflow.cli.progress import progress_bar


def _show(result: dict[str, Any], as_json: bool) -> None:
    """The result as JSON, or as tables and advice for people."""
    if as_json:
        from studioflow.audio.atomic import json_text

        click.echo(json_text(result))
        return
    from rich.console import Console
    from rich.table import Table

    console = Console()
    table = Table(title=f"Room: {result['positions']} position(s), {result['liveness']}")
    for col in ("band Hz", "EDT s", "T20 s", "T30 s", "C50 dB", "C80 dB"):
        table.add_column(col, justify="right")
    for b in result["bands"]:
        table.add_row(f"{b['band_hz']:g}", *("-" if b[k] is None else f"{b[k]:g}"
                                              for k in ("edt_s", "t20_s", "t30_s", "c50_db", "c80_db")))
    console.print(table)
    if result["modes"]:
        modes = Table(title="Room modes")
        for col in ("Hz", "stands out dB", "rings s", "half wavelength m"):
            modes.add_column(col, justify="right")
        for m in result["modes"]:
            modes.add_row(f"{m['freq_hz']:.1f}", f"{m['level_db']:.1f}",
                          "-" if m["decay_s"] is None else f"{m['decay_s']:.2f}", f"{m['half_wavelength_m']:.2f}")
        console.print(modes)
    for i, rs in enumerate(result["reflections"]):
        for r in rs:
            console.print(f"position {i + 1}: reflection {r['delay_ms']:.2f} ms after the direct sound, "
                          f"{r['path_m']:.2f} m more path, {r['level_db']:.1f} dB")
    for line in result["advice"]:
        console.print(f"- {line}")
    console.print(f"Wrote {result['json']}" + (f" and {result['report']}" if result.get("report") else ""))


@click.group()
def room() -> None:
    """Measure the room: a sweep through the interface, or impulse responses from files.

    \b
    Examples:
      studioflow room measure --output 1 --input 1 --input 2 --positions 3 --folder myproject/room
      studioflow room analyze room/room-ir-v001.wav
    """


@room.command()
@click.option("--output", type=int, required=True, help="Output channel (1-based) that feeds the speaker.")
@click.option("--input", "inputs", type=int, multiple=True, required=True,
              help="Input channel (1-based) of a measurement mic; repeat for several mics (positions).")
@click.option("--device", help="Interface index or part of its name (see `studioflow devices`).")
@click.option("--rate", default=48000, show_default=True, help="Sample rate, Hz.")
@click.option("--positions", default=1, show_default=True, help="Sweeps to play; move the mics between them.")
@click.option("--sweep", "sweep_s", default=3.0, show_default=True, help="Sweep length, seconds.")
@click.option("--level", "level_dbfs", default=-12.0, show_default=True, help="Sweep peak level, dBFS.")
@click.option("--length", "ir_s", default=2.0, show_default=True, help="Impulse response length, seconds.")
@click.option("--attempts", default=3, show_default=True,
              help="Play a sweep again (up to this many times) when the interface reports dropouts.")
@click.option("--folder", "out_dir", default="room", show_default=True, type=click.Path(file_okay=False),
              help="Where the responses and results go (a project's room/ folder feeds `studioflow plan`).")
@click.option("--no-report", is_flag=True, help="Do not write the HTML report.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def measure(output: int, inputs: tuple[int, ...], device: str | None, rate: int, positions: int, sweep_s: float,
            level_dbfs: float, ir_s: float, attempts: int, out_dir: str, no_report: bool, as_json: bool) -> None:
    """Play an exponential sine sweep on OUTPUT, record the mics, and measure the room from the impulse responses.

    Writes room-ir-vNNN.wav (a channel per position), room-vNNN.json and room-vNNN.html into --folder.

    \b
    Example:
      studioflow room measure --output 1 --input 1 --positions 3 --folder myproject/room
    """
    from studioflow.cli.outputs import check_dir
    from studioflow.recording.room.measure import measure_room

    check_dir(out_dir)

    def between(position: int) -> None:
        click.prompt(f"Move the mic(s) to position {position} and press Enter", default="", show_default=False,
                     err=True)

    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("measuring", total=1.0)
        result = measure_room(output=output, inputs=list(inputs), device=device, rate=rate, sweep_s=sweep_s,
                              level_dbfs=level_dbfs, ir_s=ir_s, positions=positions, out_dir=out_dir,
                              between=between, attempts=attempts, report=not no_report,
                              progress=lambda f: bar.update(task, completed=f))
    _show(result, as_json)


@room.command()
@click.argument("irs", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--folder", "out_dir", type=click.Path(file_okay=False),
              help="Where room-vNNN.json/.html go (default: the first file's folder).")
@click.option("--no-report", is_flag=True, help="Do not write the HTML report.")
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def analyze(irs: tuple[Path, ...], out_dir: str | None, no_report: bool, as_json: bool) -> None:
    """Measure the room from impulse response files (every channel one position, averaged).

    \b
    Example:
      studioflow room analyze room/room-ir-v001.wav --folder myproject/room
    """
    from studioflow.cli.outputs import check_dir
    from studioflow.recording.room.analyze import analyze_files

    check_dir(out_dir if out_dir is not None else str(irs[0].parent))
    with progress_bar(quiet=as_json) as bar:
        task = bar.add_task("analyzing", total=1.0)
        result = analyze_files(list(irs), out_dir=out_dir, report=not no_report,
                               progress=lambda f: bar.update(task, completed=f))
    _show(result, as_json)
