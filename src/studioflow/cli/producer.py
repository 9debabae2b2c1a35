"""Producer commands: new, add-song, approve, produce, note, notes, status (they parse, call the API and print)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from studioflow.cli.format import num, terminal

STAGE_CHOICES = ("tracking", "mixing", "mastering", "ready")
ROLE_CHOICES = ("recording", "mixing", "mastering", "producer")


def _json(obj: Any) -> None:
    from studioflow.audio.atomic import to_jsonable

    click.echo(json.dumps(to_jsonable(obj), indent=2, ensure_ascii=False))


@click.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.option("--title", default=None, help="Release title (default: the folder's name).")
@click.option("--artist", default="", help="Artist name.")
@click.option("--genre", default="", help="Genre (e.g. indie pop).")
@click.option("--reference", "references", multiple=True,
              help="A reference track (repeatable): an audio file in the project, or a name to listen to.")
@click.option("--platform", "platforms", multiple=True,
              help="A target platform (repeatable; see `studioflow targets`). Default: spotify and apple-music.")
@click.option("--format", "release_format", type=click.Choice(["single", "EP", "album"], case_sensitive=False),
              default="single", show_default=True, help="Release format.")
@click.option("--deadline", default=None, help="Delivery date, YYYY-MM-DD.")
@click.option("--vision", default="", help="The vision for the record, in your own words.")
@click.option("--lineup", "lineup", multiple=True, metavar="INSTRUMENT[:PLAYER]",
              help="Who plays what (repeatable), e.g. drums or vocals:Ana; `studioflow plan` turns it into an input "
                   "list.")
@click.option("--json", "as_json", is_flag=True, help="Print the project as JSON.")
def new(project: Path, title: str | None, artist: str, genre: str, references: tuple[str, ...],
        platforms: tuple[str, ...], release_format: str, deadline: str | None, vision: str, lineup: tuple[str, ...],
        as_json: bool) -> None:
    """Create a project folder with project.yaml holding the brief.

    \b
    Example:
      studioflow new my-ep --title "First EP" --artist "The Band" --format EP --platform spotify --platform apple-music
      studioflow new demo --lineup drums --lineup bass --lineup vocals:Ana --lineup "acoustic guitar:Ana"
    """
    from studioflow.producer import history
    from studioflow.producer.project import create_project

    p = create_project(project, title=title or project.name, artist=artist, genre=genre, references=list(references),
                       platforms=list(platforms) or None, release_format=release_format, deadline=deadline,
                       vision=vision, lineup=list(lineup) or None)
    history.append(p.path, "new", brief=p.brief)
    if as_json:
        _json({"project": str(p.path), **p.as_dict()})
        return
    b = p.brief
    terminal(highlight=False).print(f"[bold]{b['title']}[/] by {b['artist'] or '?'} ({b['release_format']}, "
                                    f"for {', '.join(b['platforms'])}) created in {p.path}")


@click.command("add-song")
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.argument("name")
@click.option("--stems", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="A folder of stems to import as takes (copied, never moved).")
@click.option("--json", "as_json", is_flag=True, help="Print the song as JSON.")
def add_song(project: Path, name: str, stems: Path | None, as_json: bool) -> None:
    """Add a song to a project, importing a folder of stems as its first takes.

    \b
    Example:
      studioflow add-song my-ep "Opening Song" --stems ~/bounces/opening
    """
    from studioflow.producer.songs import add_song as run

    r = run(project, name, stems=stems)
    if as_json:
        _json(r)
        return
    terminal(highlight=False).print(f"[bold]{r['name']}[/] added in {r['dir']}"
                     + (f": {len(r['takes'])} takes imported ({', '.join(t['id'] for t in r['takes'])})"
                        if r["takes"] else ""))


@click.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.argument("song")
@click.argument("stage", type=click.Choice(STAGE_CHOICES))
@click.option("--by", default=None, help="Who approves (default: your login name).")
@click.option("--json", "as_json", is_flag=True, help="Print the approval as JSON.")
def approve(project: Path, song: str, stage: str, by: str | None, as_json: bool) -> None:
    """Approve a stage of a song (refused while notes for that stage are open).

    An approval of mixing is of the newest mix, of mastering of the newest masters (their content, by hash): a
    newer mix with other content ends the mixing approval and those after it, such a master the mastering and ready
    approvals; status shows them as no longer approved, and produce and approve revoke them, saying why in
    history.jsonl.

    \b
    Example:
      studioflow approve my-ep "Opening Song" mixing --by producer
    """
    from studioflow.producer.stages import approve as run

    r = run(project, song, stage, by=by)
    if as_json:
        _json(r)
        return
    console = terminal(highlight=False)
    print_revoked(console, r["revoked"])
    files = [f["file"] for f in (r.get("files") or {}).values() if f]
    console.print(f"{r['song']}: [bold green]{stage} approved[/] by {r['by']} at {r['at']}"
                  + (f" ({', '.join(files)})" if files else "") + f" (next: {r['next']})")


def print_revoked(console: Any, revoked: list[dict[str, Any]]) -> None:
    """One line per approval revoked, with why."""
    for g in revoked:
        console.print(f"{g['song']}: [bold yellow]{g['stage']} approval by {g['by']} revoked[/]: {g['why']}")


@click.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.option("--song", default=None, help="Only this song (default: every song).")
@click.option("--until", type=click.Choice(STAGE_CHOICES), default="ready", show_default=True,
              help="Stop after this stage.")
@click.option("--force", is_flag=True, help="Redo every step, even those whose inputs did not change.")
@click.option("--dry-run", is_flag=True, help="Only say what would be redone, and why.")
@click.option("--apply-notes", is_flag=True,
              help="Before mixing, apply each open note routed to the mixing engineer with `studioflow revise`: each "
                   "note becomes the next session version (session-vNNN.yaml, which session.yaml then holds); a "
                   "note applied in full is closed, one refused (in part) stays open with the reason and is not "
                   "tried again.")
@click.option("--include-unapproved", is_flag=True,
              help="Deliver songs whose masters are not approved too (by default only approved songs are).")
@click.option("--json", "as_json", is_flag=True, help="Print the steps as JSON.")
def produce(project: Path, song: str | None, until: str, force: bool, dry_run: bool, apply_notes: bool,
            include_unapproved: bool, as_json: bool) -> None:
    """Run the chain from takes to release: check takes -> comp -> starting session -> (apply mixing notes) -> mix ->
    master per platform -> deliverables (tagged from the brief and the song; only songs whose masters are approved).

    Only steps whose inputs changed (content hashes of audio, sessions and settings) are redone. A song without a
    session starts from the mixing engineer's automatic mix (with the song's tempo and sections when project.yaml
    has them); while nobody has edited that session it follows new takes and comps, and an edited session is never
    rewritten.

    \b
    Examples:
      studioflow produce my-ep --song "Opening Song" --until mastering
      studioflow note my-ep "Opening Song" "vocal up 2 dB in the chorus"
      studioflow produce my-ep --apply-notes
    """
    from studioflow.producer.pipeline import produce as run

    if as_json:
        _json(run(project, song=song, until=until, force=force, dry_run=dry_run, apply_notes=apply_notes,
                  include_unapproved=include_unapproved))
        return
    console = terminal(highlight=False)
    with ProduceProgress(console) as bar:
        result = run(project, song=song, until=until, force=force, dry_run=dry_run, apply_notes=apply_notes,
                     include_unapproved=include_unapproved, progress=bar.event)
    print_revoked(console, result["revoked"])
    n = sum(s["status"] in ("run", "would run") for steps in result["songs"].values() for s in steps)
    console.print(f"{'would redo' if dry_run else 'redone'}: {n} step(s)"
                  + (f"; deliverables listed in {result['manifest']}" if result.get("manifest") else ""))


class ProduceProgress:
    """Rich progress for produce: a bar per running step, a line per finished or up-to-date step."""

    def __init__(self, console: Any) -> None:
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = console
        self.progress = Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.percentage:>3.0f}%"),
                                 TimeElapsedColumn(), console=console, transient=True)
        self.tasks: dict[tuple[str, str], Any] = {}

    def __enter__(self) -> "ProduceProgress":
        self.progress.__enter__()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.progress.__exit__(*exc)

    def event(self, e: dict[str, Any]) -> None:
        key = (e["song"], e["step"])
        if e["event"] == "start":
            self.tasks[key] = self.progress.add_task(f"{e['song']} · {e['step']}", total=1.0)
        elif e["event"] == "progress" and key in self.tasks:
            self.progress.update(self.tasks[key], completed=e["fraction"])
        elif e["event"] == "end":
            self.progress.remove_task(self.tasks.pop(key))
            self.console.print(step_line(e))


def step_line(e: dict[str, Any]) -> str:
    """One line for a finished, skipped or planned step."""
    mark = {"run": "[green]done[/]", "up to date": "[dim]up to date[/]", "skipped": "[yellow]skipped[/]",
            "would run": "[cyan]would run[/]", "failed": "[red]fails[/]"}.get(e["status"], e["status"])
    r = e.get("result") or {}
    detail = ""
    if e["step"] == "check" and "problems" in r:
        detail = f"{r['files']} takes, {r['errors']} errors, {r['warnings']} warnings ({r['report']})"
    elif e["step"] == "session" and r.get("written_by"):
        detail = {"automix": f"the automatic mix ({len(r.get('tracks') or [])} tracks, tempo "
                             f"{num(r.get('tempo_bpm'))} BPM)",
                  "unity": "every track at unity",
                  "you": "edited since it was written (by hand or revise): never rewritten"}.get(r["written_by"], "")
    elif e["step"] == "notes" and ("applied" in r or "refused" in r):
        detail = (f"{len(r['applied'])} note(s) applied"
                  + (f" (now {r['applied'][-1]['session']})" if r["applied"] else "")
                  + (f", {len(r['refused'])} left open for the mixing engineer" if r.get("refused") else "")
                  + "".join(f"\n      #{x['id']} {x['note']!r} left open: {x['why']}" for x in r.get("refused") or []))
    elif e["step"] == "mix" and r.get("mix"):
        detail = f"{r['mix']}: {num(r['lufs'])} LUFS, {num(r['true_peak_dbtp'])} dBTP"
    elif e["step"].startswith("master:") and r.get("master"):
        detail = (f"{r['master']}: {num(r['lufs'])} LUFS (target {num(r['target_lufs'])}), "
                  f"{num(r['true_peak_dbtp'])} dBTP (ceiling {num(r['ceiling_dbtp'])})"
                  + "".join(f"\n      [yellow]warning:[/] {w}" for w in r.get("warnings") or []))
    elif e["step"] == "deliver" and r.get("files"):
        detail = f"{len(r['files'])} files"
    reasons = [w for w in e.get("why") or [] if w != "never run"]
    why = "; ".join(reasons) if e["status"] in ("run", "would run", "skipped", "failed") else ""
    return (f"  {e['song']} · {e['step']}: {mark}" + (f" {detail}" if detail else "")
            + (f" [dim]({why})[/]" if why else ""))


@click.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.argument("song")
@click.argument("text", required=False)
@click.option("--at", default=None, help="Where in the song, m:ss (e.g. 1:23).")
@click.option("--by", default=None, help="Who files the note (when filing) or which role closes it (with --close).")
@click.option("--to", "role", type=click.Choice(ROLE_CHOICES), default=None,
              help="Send the note to this role instead of the router's choice.")
@click.option("--close", "close_id", type=int, default=None, help="Close note ID (resolved by its role).")
@click.option("--resolution", default="", help="With --close: what was done.")
@click.option("--json", "as_json", is_flag=True, help='Print {"role", "reason", "song", "at"} (and the note id).')
def note(project: Path, song: str, text: str | None, at: str | None, by: str | None, role: str | None,
         close_id: int | None, resolution: str, as_json: bool) -> None:
    """File a note on a song (routed to the role that handles it), or close one with --close ID.

    \b
    Examples:
      studioflow note my-ep "Opening Song" "the vocal is buried in the chorus" --at 1:23
      studioflow note my-ep "Opening Song" --close 3 --by mixing --resolution "vocal +1.5 dB in choruses"
    """
    from studioflow.errors import ParameterError
    from studioflow.producer import notes
    from studioflow.producer.routing import ROLE_TITLES

    if close_id is not None:
        if text:
            raise ParameterError("give either a note's TEXT to file or --close ID, not both")
        n = notes.close_note(project, song, close_id, by=by, resolution=resolution)
        if as_json:
            _json({"id": n["id"], "song": n["song"], "role": n["role"], "status": n["status"],
                   "closed_by": n["closed_by"], "at": n["at"]})
            return
        terminal(highlight=False).print(f"note #{n['id']} on {n['song']} closed by {n['closed_by']}")
        return
    if not text:
        raise ParameterError("say what the note is, e.g. studioflow note PROJECT SONG \"the snare is too ringy\"")
    n = notes.file_note(project, song, text, at=at, by=by, role=role)
    if as_json:
        _json({"role": n["role"], "reason": n["reason"], "song": n["song"], "at": n["at"], "id": n["id"]})
        return
    where = f" at {n['at']}" if n["at"] else ""
    terminal(highlight=False).print(f"note #{n['id']} on {n['song']}{where} -> [bold]{ROLE_TITLES[n['role']]}[/]: "
                                    f"{n['reason']}")


@click.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.option("--all", "include_closed", is_flag=True, help="Closed notes too.")
@click.option("--json", "as_json", is_flag=True, help="Print the notes grouped by role as JSON.")
def notes(project: Path, include_closed: bool, as_json: bool) -> None:
    """List the open notes of a project, grouped by the role that handles them.

    \b
    Example:
      studioflow notes my-ep
    """
    from studioflow.producer.notes import project_notes
    from studioflow.producer.routing import ROLE_TITLES

    by_role = project_notes(project, include_closed=include_closed)
    if as_json:
        _json(by_role)
        return
    print_notes(terminal(highlight=False), by_role, ROLE_TITLES)


def print_notes(console: Any, by_role: dict[str, list[dict[str, Any]]], titles: dict[str, str]) -> None:
    """Print notes grouped by role as rich tables."""
    from rich.table import Table

    if not any(by_role.values()):
        console.print("no open notes")
        return
    for role, items in by_role.items():
        if not items:
            continue
        table = Table(title=f"{titles[role]} ({len(items)})", title_justify="left")
        for col in ("id", "song", "at", "note", "why", "status"):
            table.add_column(col, overflow="fold")
        for n in items:
            table.add_row(str(n["id"]), n["song"], n.get("at") or "", n["text"], n.get("reason", ""),
                          n.get("status", "open"))
        console.print(table)


@click.command()
@click.argument("project", type=click.Path(file_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="Print the dashboard's data as JSON.")
def status(project: Path, as_json: bool) -> None:
    """The project dashboard: songs x stages (an approval a newer mix or master ended shows as "no longer approved",
    and why), every song's open notes by role (and which mixing notes --apply-notes would apply), latest mix and
    masters against targets, what to redo.

    \b
    Example:
      studioflow status my-ep --json
    """
    from studioflow.producer.status import project_status

    data = project_status(project)
    if as_json:
        _json(data)
        return
    print_status(terminal(highlight=False), data)


def stage_cell(a: dict[str, Any] | None, current: bool) -> str:
    """A stage's cell: who approved it and when (and which versions), or that the approval no longer holds."""
    if a is None:
        return "[yellow]in progress[/]" if current else "[dim]-[/]"
    versions = " ".join(sorted({f"v{f['version']:03d}" for f in (a.get("files") or {}).values() if f}))
    if not a["holds"]:
        return f"[red]no longer approved[/] ({a['by']}{', ' + versions if versions else ''})"
    return f"[green]✓ {a['by']}[/] {a['at'][:10]}" + (f" {versions}" if versions else "")


def print_status(console: Any, data: dict[str, Any]) -> None:
    """Print the dashboard as rich tables."""
    from rich.table import Table

    from studioflow.producer.routing import ROLE_TITLES

    b = data["brief"]
    console.print(f"[bold]{b['title']}[/] by {b.get('artist') or '?'} · {b['release_format']} · "
                  f"{', '.join(b['platforms'])}" + (f" · due {b['deadline']}" if b.get("deadline") else ""))
    stages = Table(title="Stages", title_justify="left")
    stages.add_column("song")
    for s in STAGE_CHOICES:
        stages.add_column(s)
    stages.add_column("open notes (rec/mix/mst/prod)")
    for song in data["songs"]:
        cells = [stage_cell(song["approvals"][s], song["stage"] == s) for s in STAGE_CHOICES]
        c = song["open_notes"]
        stages.add_row(song["name"], *cells, f"{c['recording']}/{c['mixing']}/{c['mastering']}/{c['producer']}")
    console.print(stages)
    for song in data["songs"]:
        for s, a in song["approvals"].items():
            if a and not a["holds"]:
                console.print(f"  {song['name']} · {s}: {a['why']}")
    print_notes(console, {role: [{**n, "song": song["name"], "status": n["next"]} for song in data["songs"]
                                 for n in song["notes"][role]] for role in ROLE_CHOICES}, ROLE_TITLES)

    levels = Table(title="Latest mix and masters (LUFS, dBTP against the targets)", title_justify="left")
    for col in ("song", "version", "file", "LUFS", "target", "dBTP", "ceiling", "ok"):
        levels.add_column(col)
    for song in data["songs"]:
        m = song["mix"]
        levels.add_row(song["name"], f"mix v{m['version']}" if m else "no mix", m["file"] if m else "",
                       num(m and m["lufs"]), "", num(m and m["true_peak_dbtp"]), "", "")
        for target, r in song["masters"].items():
            if r is None:
                continue
            ok = "" if r["file"] is None else (
                "[green]yes[/]" if r["lufs_ok"] and r["peak_ok"] else "[red]no[/]")
            levels.add_row("", f"{target} v{r['version']}" if r["file"] else f"{target}: none",
                           r["file"] or "", num(r["lufs"]), num(r["target_lufs"]), num(r["true_peak_dbtp"]),
                           num(r["ceiling_dbtp"]), ok)
    console.print(levels)
    for song in data["songs"]:
        for target, r in song["masters"].items():
            for w in (r or {}).get("warnings") or []:
                console.print(f"  [yellow]warning[/] {song['name']} · {target} master: {w}")
    redo = [(song["name"], s) for song in data["songs"] for s in song["would_redo"]]
    if redo:
        console.print("[bold]produce would redo:[/]")
        for name, s in redo:
            console.print(f"  {name} · {s['step']} ({'; '.join(s['why'])})")
    else:
        console.print("produce would redo nothing: everything is up to date")
