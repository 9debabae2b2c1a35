"""``studioflow analyze``: loudness, peaks and statistics of audio files, as a table or JSON (and a loudness plot)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studioflow.cli.outputs import OVERWRITE_HELP, shown

if "numpy" not in sys.modules:   # a process of its own: analyze does no linear algebra, so no BLAS threads to start
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

if TYPE_CHECKING:
    from rich.console import Console

#: freed memory this process keeps for reuse: each block's arrays then reuse the last one's pages (~10 % less CPU)
KEEP_FREED_BYTES = 64 << 20


def _fmt(value: object, unit: str = "", digits: int = 1) -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.{digits}f}{(' ' + unit) if unit else ''}"
    return f"{value}{(' ' + unit) if unit else ''}"


def _plot_path(base: Path, index: int, count: int) -> Path:
    """OUT.png for one file, OUT-1.png, OUT-2.png ... for several."""
    return base if count == 1 else base.with_name(f"{base.stem}-{index + 1}{base.suffix}")


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print one JSON list, one object per file.")
@click.option("--plot", "plot_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Write momentary/short-term loudness over time as a PNG "
                   "(OUT-1.png, OUT-2.png... for several files).")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Files measured at the same time (default: one per CPU).")
@click.option("--overwrite", is_flag=True, help=OVERWRITE_HELP)
def analyze(files: tuple[Path, ...], as_json: bool, plot_path: Path | None, jobs: int | None,
            overwrite: bool) -> None:
    """Measure loudness (EBU R128 / BS.1770-4), true peak, loudness range, DC, clipping and correlation of FILES.

    Several files are measured in parallel, one per CPU (--jobs); results come in the order given.

    \b
    Examples:
      studioflow analyze mix.wav
      studioflow analyze stems/*.wav --json > levels.json
      studioflow analyze master.flac --plot master-loudness.png
    """
    from studioflow._kernels.native import keep_freed_memory
    from studioflow.analysis.report import measure_files
    from studioflow.cli.outputs import check_file

    keep_freed_memory(KEEP_FREED_BYTES)

    if plot_path is not None:
        for i in range(len(files)):
            check_file(_plot_path(plot_path, i, len(files)), inputs=files, overwrite=overwrite)
    from studioflow.cli.progress import progress_bar

    with progress_bar(quiet=as_json or len(files) < 2) as bar:
        task = bar.add_task("analyzing", total=len(files))
        finished = []

        def done(i: int, _analysis: object) -> None:
            finished.append(i)
            bar.update(task, description=f"analyzed {files[i].name}", completed=len(finished))

        analyses = measure_files(files, jobs=jobs, done=done)
    if plot_path is not None:
        from studioflow.analysis.plot import plot_loudness

        for i, analysis in enumerate(analyses):
            plot_loudness(analysis.loudness, _plot_path(plot_path, i, len(files)), title=shown(files[i].name))
    reports = [analysis.report for analysis in analyses]
    if as_json:
        click.echo(json.dumps(reports, indent=2))
        return
    from rich.console import Console

    print_reports(reports, Console())


def print_reports(reports: list[dict], console: Console) -> None:
    """Print analysis reports: a detailed table for one file, one row per file for several."""
    from rich.table import Table

    if len(reports) > 1:
        from rich import box

        table = Table(title="Analysis (EBU R128 / BS.1770-4)", title_justify="left", box=box.SIMPLE_HEAD,
                      collapse_padding=True, pad_edge=False)
        names = [Path(r["file"]).name for r in reports]
        table.add_column("file", no_wrap=True, min_width=min(32, max(len(n) for n in names)))
        for name in ("s", "LUFS", "LRA\nLU", "M max\nLUFS", "S max\nLUFS", "dBTP", "PLR\ndB", "DC", "clip", "corr"):
            table.add_column(name, justify="right", no_wrap=True)
        for r in reports:
            dc = max((abs(v) for v in r["dc_offset"]), default=0.0)
            table.add_row(Path(r["file"]).name, _fmt(r["duration_s"]), _fmt(r["integrated_lufs"]),
                          _fmt(r["loudness_range_lu"]), _fmt(r["momentary_max_lufs"]), _fmt(r["short_term_max_lufs"]),
                          _fmt(r["true_peak_dbtp"]), _fmt(r["plr_db"]), f"{dc:.3f}",
                          _fmt(r["clipped_samples"]), _fmt(r["correlation"], digits=2))
        console.print(table)
        return
    for r in reports:
        table = Table(title=r["file"], show_header=False, title_justify="left")
        table.add_column("measure", style="bold")
        table.add_column("value", justify="right")
        rows = [
            ("duration", _fmt(r["duration_s"], "s")),
            ("format", f"{r['sample_rate']} Hz, {r['channels']} ch"),
            ("integrated", _fmt(r["integrated_lufs"], "LUFS")),
            ("loudness range", _fmt(r["loudness_range_lu"], "LU")),
            ("momentary max", _fmt(r["momentary_max_lufs"], "LUFS")),
            ("short-term max", _fmt(r["short_term_max_lufs"], "LUFS")),
            ("true peak", _fmt(r["true_peak_dbtp"], "dBTP")),
            ("sample peak", _fmt(r["sample_peak_dbfs"], "dBFS")),
            ("PLR", _fmt(r["plr_db"], "dB")),
            ("crest factor", _fmt(r["crest_factor_db"], "dB")),
            ("DC offset", ", ".join(f"{v:+.5f}" for v in r["dc_offset"])),
            ("clipped samples", _fmt(r["clipped_samples"])),
            ("correlation", _fmt(r["correlation"], digits=2)),
        ]
        for name, value in rows:
            table.add_row(name, value)
        console.print(table)
