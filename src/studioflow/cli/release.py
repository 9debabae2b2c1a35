"""The mastering engineer's release commands: ``studioflow album`` and ``studioflow translation`` (they parse, call
the API and print)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import click

from studioflow.cli.format import num, terminal
from studioflow.cli.outputs import OVERWRITE_HELP
from studioflow.cli.progress import progress_bar

ALBUM_FORMATS = ("wav24", "wav16", "flac", "mp3", "aac", "cd")


ALBUM_EXAMPLES = """\b
Examples:
  studioflow album --template > ALBUM.yaml
  studioflow album ALBUM.yaml -o release/
  studioflow album ALBUM.yaml -o release/ --format wav24 --format cd --json
  studioflow album my-ep -o release/          # the project's approved mixes, in the brief's order
"""
TRANSLATION_EXAMPLES = """\b
Examples:
  studioflow translation song-master.wav
  studioflow translation song-master.wav --report translation.html --codec aac --kbps 128 --json
"""


@click.command(epilog=ALBUM_EXAMPLES)
@click.argument("album_file", required=False, type=click.Path())
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False),
              help="Folder for the release package (made if missing).")
@click.option("--template", is_flag=True, help="Print a commented ALBUM.yaml with every key, and stop.")
@click.option("--include-unapproved", is_flag=True,
              help="With a project: also songs whose mix is not approved (their newest mix).")
@click.option("--format", "formats", multiple=True, type=click.Choice(ALBUM_FORMATS),
              help="Deliver these formats instead of the album file's (repeatable): wav24, wav16 (44.1 kHz dithered), "
                   "flac, mp3, aac, cd (CD image + CUE sheet).")
@click.option("--no-report", is_flag=True, help="Skip album.html.")
@click.option("--overwrite", is_flag=True, help="Replace a release already in OUT_DIR (else it is an error).")
@click.option("--json", "as_json", is_flag=True, help="Print the album record as JSON.")
def album(album_file: str | None, out_dir: str | None, template: bool, include_unapproved: bool,
          formats: tuple[str, ...], no_report: bool, overwrite: bool, as_json: bool) -> None:
    """Master the songs of ALBUM_FILE (an ALBUM.yaml, see --template, or a project folder: its approved mixes in
    the brief's order, the ALBUM.yaml used written into OUT_DIR) as a set and build the release package in
    OUT_DIR: tagged per-track masters (24-bit BWF, 16-bit, FLAC, MP3, AAC), the CD image with its CUE sheet and
    DDP fileset, album.json, album.html and manifest.json (SHA-256 of every file).

    """

    from studioflow.cli.outputs import check_dir

    if template:
        from studioflow.mastering.albumfile import TEMPLATE

        click.echo(TEMPLATE, nl=False)
        return
    if album_file is None or out_dir is None:
        raise click.UsageError("give ALBUM_FILE (or a project folder) and -o OUT_DIR, or --template")
    check_dir(out_dir)
    options: dict[str, Any] = {"formats": formats or None, "report": not no_report, "overwrite": overwrite}
    from studioflow.audio.debris import Journal

    release = Path(os.path.abspath(out_dir))
    with progress_bar(label_width=34) as progress, Journal(release.parent) as journal:
        journal.note(release)       # an interrupted album leaves no partial release (a new release folder goes too)
        task = progress.add_task("album", total=1.0)
        options["progress"] = lambda stage, f: progress.update(task, description=stage, completed=f)
        given = Path(album_file)
        if given.is_dir() or given.name == "project.yaml":      # a project, named by its folder or its file
            from studioflow.producer.release import make_project_album

            record = make_project_album(given if given.is_dir() else given.parent, out_dir,
                                        include_unapproved=include_unapproved, **options)
        else:
            from studioflow.mastering.album import make_album

            record = make_album(album_file, out_dir, **options)
    if as_json:
        from studioflow.audio.atomic import to_jsonable

        click.echo(json.dumps(to_jsonable(record), indent=2))
        return
    print_album(record, terminal())


def print_album(record: dict, out: Any) -> None:
    """Print an album record: the songs' loudness before and after, what was left out, the CD image, the manifest."""
    from rich.table import Table

    t = record["target"]
    table = Table(title=f"{record['artist']} - {record['title']}  (loudest song on {t['lufs']:g} LUFS, "
                        f"{t['ceiling_dbtp']:g} dBTP)")
    for col in ("#", "title", "intended LU", "LUFS mix", "LUFS master", "LU master", "dBTP master",
                "tone dist. before", "after"):
        table.add_column(col, justify="left" if col == "title" else "right")
    for s in record["songs"]:
        b, a = s["before"], s["after"]
        table.add_row(str(s["number"]), s["title"], num(s["intended_relative_lu"], 2), num(b["integrated_lufs"], 2),
                      num(a["integrated_lufs"], 2), num(a["relative_lu"], 2), num(a.get("true_peak_8x_dbtp"), 2),
                      num(b["distance_to_album_db"], 2), num(a["distance_to_album_db"], 2))
    out.print(table)
    for s in record["songs"]:
        out.print(f"{s['number']}. {s['title']}: {s['loudness_note']}")
    for why in record.get("left_out", []):
        out.print(f"[yellow]left out:[/yellow] {why}")
    if record.get("album_file"):
        out.print(f"album file used: {record['album_file']}")
    if record.get("cd"):
        out.print(f"CD image {record['cd']['image']} with {record['cd']['sheet']} and the DDP fileset "
                  f"{record['cd']['ddp']}/")
    out.print(f"manifest: {record['manifest']}")


@click.command(epilog=TRANSLATION_EXAMPLES)
@click.argument("master", type=click.Path(dir_okay=False))
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Write a stand-alone HTML report with plots here.")
@click.option("--system", "systems", multiple=True,
              type=click.Choice(("earbuds", "phone", "laptop", "car", "club")),
              help="Only these playback systems (repeatable); default all.")
@click.option("--codec", type=click.Choice(("mp3", "aac")), default="mp3", show_default=True,
              help="Lossy codec of the round trip.")
@click.option("--kbps", type=click.IntRange(32, 320), default=128, show_default=True, help="Codec bitrate.")
@click.option("--overwrite", is_flag=True, help=OVERWRITE_HELP)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def translation(master: str, report_path: str | None, systems: tuple[str, ...], codec: str, kbps: int,
                overwrite: bool, as_json: bool) -> None:
    """How MASTER will sound on earbuds, a phone, a laptop, a car and a club PA, folded to mono and after a lossy
    codec: loudness, what is lost (in words), mono cancellation per band, the codec's added true peak. With
    --report, the numbers are also written as JSON beside the report.

    """

    from studioflow.audio.atomic import to_jsonable
    from studioflow.cli.outputs import check_file
    from studioflow.mastering.translation_check import check_translation

    if report_path:
        check_file(report_path, inputs=[master], overwrite=overwrite)
        check_file(Path(report_path).with_suffix(".json"), inputs=[master], overwrite=overwrite)
    with progress_bar(label_width=34) as progress:
        task = progress.add_task("translation", total=1.0)
        result = check_translation(master, systems=systems or None, codec=codec, kbps=kbps,
                                   progress=lambda stage, f: progress.update(task, description=stage, completed=f))
    path = Path(master)
    if report_path:
        from studioflow.mastering.translation_report import write_translation_report

        write_translation_report(result, report_path)
    if as_json:
        click.echo(json.dumps(to_jsonable(result), indent=2))
        return
    print_translation(result, path, terminal())


def print_translation(result: dict, master: Path, out: Any) -> None:
    """Print a translation check of ``master``: its loudness, then each system's change and findings in words."""
    out.print(f"[bold]{master.name}[/bold]: {num(result['integrated_lufs'], 2)} LUFS, "
              f"{num(result['true_peak_dbtp'], 2)} dBTP")
    for c in result["checks"]:
        out.print(f"[bold]{c['label']}[/bold] ({num(c['integrated_lufs'], 2)} LUFS, "
                  f"{num(c['loudness_change_lu'], 2)} LU)")
        for w in c["findings"] or ["translates as it is"]:
            out.print(f"  - {w}")
    out.print(f"[dim]{result['note']}[/dim]")
