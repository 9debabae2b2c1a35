"""Mastering commands: ``studioflow master`` and ``studioflow targets`` (they parse, call the API and print)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

from studioflow.cli.format import num, terminal
from studioflow.cli.progress import progress_bar

if TYPE_CHECKING:
    from rich.console import JustifyMethod

FORMAT_CHOICES = ("wav24", "wav16", "flac", "mp3", "aac")


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Print the targets as JSON.")
def targets(as_json: bool) -> None:
    """Show the loudness targets of the platforms (integrated LUFS, true-peak ceiling dBTP, source, note).

    \b
    Example:
      studioflow targets --json
    """
    from studioflow.mastering.targets import TARGETS

    if as_json:
        click.echo(json.dumps([t.as_dict() for t in TARGETS.values()], indent=2))
        return
    from rich.table import Table

    table = Table(title="Mastering targets")
    columns: tuple[tuple[str, JustifyMethod], ...] = (
        ("name", "left"), ("LUFS", "right"), ("ceiling dBTP", "right"), ("note", "left"), ("source", "left"))
    for col, justify in columns:
        table.add_column(col, justify=justify)
    for t in TARGETS.values():
        table.add_row(t.name, f"{t.lufs:g}", f"{t.ceiling_dbtp:g}", t.note, t.source)
    terminal().print(table)


@click.command()
@click.argument("mix", type=click.Path(dir_okay=False))
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False),
              help="The master (24-bit WAV at the mix's rate); other formats are written beside it.")
@click.option("--target", default=None, help="A platform target (see `studioflow targets`); default spotify.")
@click.option("--lufs", type=float, default=None, help="Integrated loudness target in LUFS (overrides --target's).")
@click.option("--ceiling", type=float, default=None, help="True-peak ceiling in dBTP (overrides --target's).")
@click.option("--reference", "references", type=click.Path(dir_okay=False), multiple=True,
              help="Match this track's loudness, tonal balance, dynamics and stereo width (repeatable: several "
              "references are matched as one).")
@click.option("--reference-weight", "weights", type=float, multiple=True,
              help="The weight of each --reference, in their order (default: equal).")
@click.option("--match", "match_pct", type=click.FloatRange(0, 100), default=None,
              help="How much of the reference to match, 0-100% (default 100), every dimension.")
@click.option("--match-tone", type=click.FloatRange(0, 100), default=None, help="... of its tonal balance (%).")
@click.option("--match-dynamics", type=click.FloatRange(0, 100), default=None, help="... of its dynamics (%).")
@click.option("--match-width", type=click.FloatRange(0, 100), default=None, help="... of its stereo width (%).")
@click.option("--match-loudness", type=click.FloatRange(0, 100), default=None, help="... of its loudness (%).")
@click.option("--preset", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Match a preset saved with --save-preset instead of reference files.")
@click.option("--save-preset", type=click.Path(dir_okay=False), default=None,
              help="Save this match (the references' measurements and the amounts) as a YAML preset.")
@click.option("--style", default=None,
              help="gentle|balanced|loud and/or a curve neutral|pop|rock|hiphop|edm|acoustic, e.g. 'loud,edm'.")
@click.option("--max-limiting", "max_limiting_db", type=float, default=None,
              help="Never limit more than this many dB: the master may then stay below the target.")
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMAT_CHOICES),
              help="Extra delivery formats (repeatable): wav16 (44.1 kHz, dithered), flac, mp3 (320), aac (256).")
@click.option("--dither", type=click.Choice(("shaped", "tpdf")), default="shaped", show_default=True,
              help="Dither of the 16-bit file: Wannamaker noise-shaped or flat TPDF (the very last step).")
@click.option("--report", "report_path", type=click.Path(dir_okay=False), default=None,
              help="Write a stand-alone HTML report here.")
@click.option("--overwrite", is_flag=True, help="Replace an earlier master at OUT and its report (else that is an "
              "error; never the mix itself).")
@click.option("--title", default=None, help="Tag: the song's title.")
@click.option("--artist", default=None, help="Tag: the artist (also the album artist).")
@click.option("--album", default=None, help="Tag: the album (release) title.")
@click.option("--isrc", default=None, help="Tag: the recording's ISRC, CC-XXX-YY-NNNNN (also in the BWF's axml).")
@click.option("--upc", default=None, help="Tag: the release's UPC (12 digits) or EAN (13 digits).")
@click.option("--year", type=int, default=None, help="Tag: the release year.")
@click.option("--cover", type=click.Path(dir_okay=False, exists=True), default=None,
              help="Tag: the front cover, a JPEG or PNG.")
@click.option("--json", "as_json", is_flag=True, help="Print the result record as JSON.")
def master(mix: str, out: str, target: str | None, lufs: float | None, ceiling: float | None,
           references: tuple[str, ...], weights: tuple[float, ...], match_pct: float | None,
           match_tone: float | None, match_dynamics: float | None, match_width: float | None,
           match_loudness: float | None, preset: str | None, save_preset: str | None, style: str | None,
           max_limiting_db: float | None, formats: tuple[str, ...], dither: str, report_path: str | None,
           overwrite: bool, title: str | None, artist: str | None, album: str | None, isrc: str | None,
           upc: str | None, year: int | None, cover: str | None, as_json: bool) -> None:
    """Master a mix for a platform or to a reference; writes OUT, OUT.json and the delivery files.

    \b
    Examples:
      studioflow master mix.wav -o song-master.wav --target spotify --report song.html
      studioflow master mix.wav -o song.wav --reference ref.wav --format mp3 --format wav16
      studioflow master mix.wav -o song.wav --reference a.wav --reference b.flac --reference-weight 2 \
        --reference-weight 1 --match 80 --match-width 0 --save-preset album-match.yaml
      studioflow master next.wav -o next-master.wav --preset album-match.yaml
      studioflow master mix.wav -o song.wav --target cd --style loud,rock --max-limiting 6
      studioflow master mix.wav -o song.wav --format flac --format mp3 --title "Song" --artist "Band" \\
        --album "First EP" --isrc GB-ABC-25-00001 --year 2025 --cover cover.png
    """

    from studioflow.audio.debris import Journal
    from studioflow.cli.outputs import check_file
    from studioflow.mastering.api import master as run_master
    from studioflow.mastering.delivery import output_path

    inputs = [p for p in (mix, *references, preset, cover) if p is not None]
    outputs = dict.fromkeys([Path(out), Path(out).with_suffix(".json"), *(output_path(Path(out), f) for f in formats),
                             *([Path(report_path)] if report_path else []),
                             *([Path(save_preset)] if save_preset else [])])
    for path in outputs:
        check_file(path, inputs=inputs, overwrite=overwrite)
    with progress_bar(label_width=34) as progress:
        task = progress.add_task("mastering", total=1.0)

        def report(stage: str, fraction: float) -> None:
            progress.update(task, description=stage, completed=fraction)

        with Journal(Path(out).parent):      # all the deliveries land, or none (even after kill -9)
            per = {"tone": match_tone, "dynamics": match_dynamics, "width": match_width, "loudness": match_loudness}
            match = {k: v / 100 for k, v in per.items() if v is not None}
            if match_pct is not None:
                match = {k: match.get(k, match_pct / 100) for k in per}
            record = run_master(mix, out, target=target, lufs=lufs, ceiling_dbtp=ceiling,
                                reference=list(references) or None, reference_weights=list(weights) or None,
                                match=match or None, preset=preset, save_preset=save_preset, style=style,
                                max_limiting_db=max_limiting_db, formats=("wav24", *formats),
                                report=report_path, dither=dither, progress=report,
                                tags=_tags(title, artist, album, isrc, upc, year, cover))
    if as_json:
        from studioflow.audio.atomic import to_jsonable

        click.echo(json.dumps(to_jsonable(record), indent=2))
        return
    _print_summary(record)


def _tags(title: str | None, artist: str | None, album: str | None, isrc: str | None, upc: str | None,
          year: int | None, cover: str | None) -> dict | None:
    """The tags of ``master``'s options (None when none is given); the artist is also the album artist."""
    tags = {"title": title, "artist": artist, "album": album, "album_artist": artist, "isrc": isrc, "upc": upc,
            "year": year, "cover_path": cover}
    return tags if any(v is not None for v in tags.values()) else None


def _print_summary(record: dict) -> None:
    from rich.table import Table

    out = terminal()
    a_in, a_out = record["analysis"]["input"], record["analysis"]["output"]
    table = Table(title=f"master: {record['output']}  (target {record['target']['name']}: "
                        f"{record['target']['lufs']:g} LUFS, {record['target']['ceiling_dbtp']:g} dBTP)")
    table.add_column("")
    table.add_column("mix", justify="right")
    table.add_column("master", justify="right")
    for label, key in (("integrated LUFS", "integrated_lufs"), ("LRA LU", "lra_lu"),
                       ("true peak dBTP", "true_peak_dbtp"), ("PLR dB", "plr_db")):
        table.add_row(label, num(a_in.get(key), 2), num(a_out.get(key), 2))
    dist = record.get("spectral_distance_db")
    if dist:
        table.add_row(f"distance to {dist['to']} dB", num(dist["before"], 2), num(dist["after"], 2))
    out.print(table)
    for s in record["stages"]:
        out.print(f"[bold]{s['name']}[/bold] ({'on' if s['enabled'] else 'off'}): {s['reason']}")
    changed = record.get("what_changed") or {}
    if changed:
        bands = Table(title="what changed per octave (dB)")
        bands.add_column("")
        for f in changed["octaves_hz"]:
            bands.add_column(f"{f / 1000:g}k" if f >= 1000 else f"{f:g}", justify="right")
        for label, key in (("tonal EQ", "eq_db"), ("whole master", "master_db"), ("from target", "from_target_db")):
            if key in changed:
                bands.add_row(label, *(num(x, 1) for x in changed[key]))
        out.print(bands)
    lim = record.get("limiting") or {}
    if lim:
        line = (f"limiting: up to {lim['max_gain_reduction_db']:.1f} dB (PLR cost {num(lim['plr_cost_db'], 2)} dB, "
                f"LRA cost {num(lim['lra_cost_lu'], 2)} LU)")
        if lim.get("capped"):
            line += (f"; capped by --max-limiting {lim['max_limiting_db']:g} dB: target missed by "
                     f"{num(lim['target_missed_by_lu'], 2)} LU")
        elif lim.get("heavy"):
            line = "[bold red]HEAVY[/bold red] " + line
        out.print(line)
    for d in record["deliveries"]:
        out.print(f"wrote {d['path']} ({d['format']}, {num(d.get('integrated_lufs'), 2)} LUFS, "
                  f"{num(d.get('true_peak_dbtp'), 2)} dBTP){' - ' + d['note'] if d.get('note') else ''}")
    for w in record["warnings"]:
        out.print(f"[yellow]warning:[/yellow] {w}")
