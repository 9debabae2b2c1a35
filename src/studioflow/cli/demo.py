"""``studioflow demo`` (the demo multitrack) and ``studioflow demo-run`` (the whole demo production)."""

from __future__ import annotations

from pathlib import Path

import click


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
    from studioflow.producer.demo_song import PLANS, synthesize_demo

    check_dir(project_dir)
    paths = synthesize_demo(project_dir / "stems", variation=variation, rate=rate, seconds=seconds)
    Console().print(f"[bold]{PLANS[variation].title}[/]: {len(paths)} stems in {project_dir / 'stems'}: "
                    + ", ".join(paths))


DEMO_NOTES = (                      # (song variation, note, at): routed by the producer
    (0, "lead up 2 dB", None),
    (0, "more reverb on the lead in the chorus", None),
    (0, "the shaker is too loud", None),
    (0, "there's a hum on the lead, and it crackles", "0:12"),
    (0, "it's quieter than the other songs on Spotify", None),
    (0, "the bridge drags", "0:48"),
    (1, "the ballad should stay quieter than the single", None),
)
QUICK_SECONDS = 10.0
EP_TITLE, ARTIST = "Demo EP", "The studioflow Demo Band"
ISRCS = ("GB-SFD-25-00001", "GB-SFD-25-00002")      # well-formed example codes (country, registrant, year, number)
UPC = "5012345678900"                               # an example EAN-13 with a valid check digit
EP_FORMATS = ("wav24", "flac", "mp3", "cd")
BALLAD_LU = -2.0                                     # the ballad stays this far under the single on the EP


@click.command("demo-run")
@click.argument("out_dir", type=click.Path(file_okay=False, path_type=Path))
@click.option("--quick", is_flag=True,
              help=f"The same steps on {QUICK_SECONDS:g}-second versions of the two songs (same sections, same "
                   "notes, same formats): for tests and a quick look.")
def demo_run(out_dir: Path, quick: bool) -> None:
    """Run the whole demo production of a two-song EP: synthesize the demo song and a ballad, analyze and check the
    stems, create the project (EP for Spotify and Apple Music), file notes (routed), start each song from the
    automatic mix, apply the mixing notes with revise, produce masters for both platforms (with a mastering report),
    master the EP with `studioflow album` (CUE sheet, CD image, tags, manifest), check the demo song's translation,
    approve, print the status and where every file is.

    OUT_DIR/project is recreated each run. A failing step is named and the command exits 1.

    \b
    Example:
      studioflow demo-run demo-out
    """
    from rich.console import Console

    from studioflow.cli.outputs import check_dir

    check_dir(out_dir)
    Demo(Console(highlight=False), out_dir, QUICK_SECONDS if quick else None).run()


class Demo:
    """The demo production, one titled section per step; the first failing step ends it with exit code 1."""

    def __init__(self, console, out_dir: Path, seconds: float | None) -> None:  # type: ignore[no-untyped-def]
        self.console, self.out, self.seconds = console, Path(out_dir), seconds
        self.project = self.out / "project"
        self.songs: dict[int, dict] = {}          # variation -> song entry
        self.stems: dict[int, dict] = {}          # variation -> {track: path}
        self.filed: list[dict] = []
        self.artefacts: list[tuple[str, Path]] = []

    def run(self) -> None:
        import time

        steps = [
            ("the demo songs", self.synthesize),
            ("analysis of the demo song's stems", self.analysis),
            ("recording engineer: input check of the demo song's stems", self.input_check),
            ("the project: an EP for Spotify and Apple Music", self.make_project),
            ("notes, routed to the role that handles them", self.notes),
            ("mixing engineer: each song starts from the automatic mix", self.automatic_mix),
            ("mixing engineer: the mixing notes applied with revise", self.revisions),
            ("produce: masters for each platform and the deliverables", self.masters),
            ("mastering engineer: the EP (album mastering, CUE sheet, CD image, tags, manifest)", self.ep),
            ("mastering engineer: translation of the demo song's master", self.translation),
            ("approvals", self.approvals),
            ("status", self.status),
            ("where everything is", self.where),
        ]
        started, cpu = time.perf_counter(), time.process_time()
        for n, (title, body) in enumerate(steps, 1):
            self.console.rule(f"{n}. {title}")
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                body()
            except Exception as e:  # any failure ends the demo: say which step, then exit non-zero
                self.console.print(f"[bold red]demo step {n} ({title}) failed:[/] {type(e).__name__}: {e}")
                raise SystemExit(1) from e
            self.console.print(f"[dim]({time.perf_counter() - t0:.1f} s, CPU {time.process_time() - c0:.1f} s)[/]")
        self.console.print(f"[bold green]demo finished[/] in {time.perf_counter() - started:.0f} s "
                           f"(CPU {time.process_time() - cpu:.0f} s)")

    # -- steps ---------------------------------------------------------------------------------------------------
    def synthesize(self) -> None:
        from studioflow.producer.demo_song import PLANS, plan_for, synthesize_demo
        from studioflow.producer.project import slug

        for v in PLANS:
            plan = plan_for(v, self.seconds)
            self.stems[v] = synthesize_demo(self.out / "stems" / slug(plan.title), variation=v, seconds=self.seconds)
            bars = sum(b for _, b in plan.sections)
            self.console.print(f"[bold]{plan.title}[/]: {plan.tempo_bpm:g} BPM, {bars} bars "
                               f"({bars * 240 / plan.tempo_bpm:.0f} s), {len(self.stems[v])} unmixed stems "
                               f"in {self.out / 'stems' / slug(plan.title)}")

    def analysis(self) -> None:
        _analysis_table(self.console, list(self.stems[0].values()))

    def input_check(self) -> None:
        _input_check(self.console, list(self.stems[0].values()))

    def make_project(self) -> None:
        import shutil

        from studioflow.producer.demo_song import PLANS, song_sections
        from studioflow.producer.project import create_project, set_song_details
        from studioflow.producer.songs import add_song

        if (self.project / "project.yaml").exists():
            shutil.rmtree(self.project)            # the demo's own output from an earlier run
        create_project(self.project, title=EP_TITLE, artist=ARTIST, genre="synth pop",
                       platforms=["spotify", "apple-music"], release_format="EP",
                       vision="a bright, punchy synth-pop single and a quieter ballad that belong on one record")
        for v, plan in PLANS.items():
            song = add_song(self.project, plan.title, stems=next(iter(self.stems[v].values())).parent)
            sections = [{"name": s["name"], "start_s": s["start_s"]} for s in song_sections(v, self.seconds)]
            set_song_details(self.project, plan.title, tempo_bpm=plan.tempo_bpm, sections=sections,
                             genre="ballad" if v == 1 else None)
            self.songs[v] = song
            self.console.print(f"song [bold]{song['name']}[/]: {len(song['takes'])} takes (stems copied, never "
                               f"moved), {plan.tempo_bpm:g} BPM, sections "
                               + ", ".join(s["name"] for s in sections))
        self.artefacts.append(("project", self.project / "project.yaml"))

    def notes(self) -> None:
        from studioflow.producer.notes import file_note
        from studioflow.producer.routing import ROLE_TITLES

        for v, text, at in DEMO_NOTES:
            n = file_note(self.project, self.songs[v]["name"], text, at=at, by="artist")
            self.filed.append(n)
            self.console.print(f"  {n['song']}: \"{text}\"{' at ' + at if at else ''} -> "
                               f"[bold]{ROLE_TITLES[n['role']]}[/]: {n['reason']}")

    def _produce(self, **options) -> dict:  # type: ignore[no-untyped-def]
        from studioflow.cli.producer import ProduceProgress
        from studioflow.producer.pipeline import produce

        with ProduceProgress(self.console) as bar:
            return produce(self.project, progress=bar.event, **options)

    def automatic_mix(self) -> None:
        result = self._produce(until="mixing")
        for name, steps in result["songs"].items():
            r = next(s for s in steps if s["step"] == "session")["result"]
            roles = ", ".join(f"{t['name']} ({t['role']} {100 * t['confidence']:.0f}%, {t['gain_db']:+.1f} dB, "
                              f"pan {t['pan']:+.2f})" for t in r.get("tracks", []))
            self.console.print(f"  {name}: tempo {r.get('tempo_reason')}; {roles}")

    def revisions(self) -> None:
        from studioflow.producer.songs import SESSION_FILE

        result = self._produce(until="mixing", apply_notes=True)
        for name, steps in result["songs"].items():
            r = next(s for s in steps if s["step"] == "notes")["result"]
            for a in r.get("applied", []):
                self.console.print(f"  [green]applied[/] #{a['id']} \"{a['note']}\" -> {a['session']}: "
                                   + "; ".join(a["edits"]))
            for x in r.get("refused", []):
                self.console.print(f"  [yellow]left open[/] #{x['id']} \"{x['note']}\": {x['why']}")
            if r.get("diff"):
                self.console.print(f"  [bold]{name}: session diff[/]")
                for line in r["diff"]:
                    self.console.print(f"    {line}")
        song_dir = self.project / "songs" / self.songs[0]["folder"]
        if not (song_dir / "session-v002.yaml").exists():
            raise RuntimeError(f"{song_dir}: the revision notes made no new session version")
        self.artefacts.append(("demo song's session (revised) and its versions", song_dir / SESSION_FILE))

    def masters(self) -> None:
        import json

        from studioflow.cli.producer import step_line
        from studioflow.mastering.report import write_report

        from studioflow.producer.pipeline import produce

        self._produce()
        again = produce(self.project)
        redone = [f"{n}:{s['step']}" for n, ss in again["songs"].items() for s in ss if s["status"] != "up to date"]
        self.console.print("[bold]again[/]: " + (f"redone {', '.join(redone)}" if redone
                                                 else "nothing changed, so nothing is redone"))
        song_dir = self.project / "songs" / self.songs[0]["folder"]
        step = next(s for s in again["songs"][self.songs[0]["name"]] if s["step"] == "master:spotify")
        master = song_dir / step["result"]["master"]
        report = write_report(json.loads(master.with_suffix(".json").read_text()), master.with_suffix(".html"))
        self.console.print(step_line({**step, "song": self.songs[0]["name"]}))
        self.console.print(f"  mastering report: {report}")
        self.master = master
        for v, song in self.songs.items():
            self.artefacts.append((f"{song['name']}: mixes", self.project / "songs" / song["folder"] / "mixes"))
            self.artefacts.append((f"{song['name']}: masters", self.project / "songs" / song["folder"] / "masters"))
        self.artefacts += [("mastering report (demo song, Spotify)", report),
                           ("deliverables per platform", self.project / "deliverables")]

    def ep(self) -> None:
        import yaml

        from studioflow.audio.atomic import write_text
        from studioflow.audio.tags import read_tags
        from studioflow.cli.release import album
        from studioflow.mastering.album import CUE_SHEET
        from studioflow.mastering.cue import parse_cue
        from studioflow.producer.notes import close_note
        from studioflow.producer.status import latest_mix

        tracks = []
        for v, song in self.songs.items():
            song_dir = self.project / "songs" / song["folder"]
            mix = latest_mix(song_dir)
            if mix is None:
                raise RuntimeError(f"{song_dir}: no mix for the EP")
            tracks.append({"mix": f"songs/{song['folder']}/{mix['file']}", "title": song["name"], "isrc": ISRCS[v],
                           **({"gap_s": 2.0} if v else {}), "overrides": {"relative_lu": BALLAD_LU if v else 0.0}})
        plan = {"title": EP_TITLE, "artist": ARTIST, "catalog": UPC, "year": 2025, "target": "spotify",
                "formats": list(EP_FORMATS), "gap_s": 2.0, "tracks": tracks}
        album_file = write_text(self.project / "ALBUM.yaml", "# the EP, written by studioflow demo-run\n"
                                + yaml.safe_dump(plan, sort_keys=False))
        release = self.project / "release"
        self.console.print(f"$ studioflow album {album_file} -o {release}")
        album.main(args=[str(album_file), "-o", str(release)], standalone_mode=False)
        cue = parse_cue((release / CUE_SHEET).read_text(encoding="utf-8"))
        self.console.print(f"CUE sheet: {len(cue['tracks'])} tracks, catalog {cue['catalog']}, "
                           + ", ".join(f"{t['number']:02d} {t['isrc']} INDEX 01 at {t['index'][1]} frames"
                                       for t in cue["tracks"]))
        first = sorted(release.glob("01 - *.flac"))[0]
        tags = read_tags(first)
        self.console.print(f"tags of {first.name}: " + ", ".join(f"{k}={tags[k]}" for k in
                                                                 ("title", "artist", "album", "track_number",
                                                                  "track_total", "isrc") if tags.get(k) is not None))
        ballad = next((n for n in self.filed if "quieter than the single" in n["text"]), None)
        if ballad is not None and ballad["role"] == "mastering":
            close_note(self.project, ballad["song"], ballad["id"], by="mastering",
                       resolution=f"ALBUM.yaml sets the ballad {BALLAD_LU:+g} LU from the single")
            self.console.print(f"the mastering engineer closes note #{ballad['id']} on {ballad['song']} "
                               f"(the ballad sits {BALLAD_LU:+g} LU from the single)")
        self.artefacts += [("EP plan", album_file), ("EP release (masters, CD image + CUE, manifest)", release)]

    def translation(self) -> None:
        from studioflow.cli.release import translation

        report = self.project / "songs" / self.songs[0]["folder"] / "reports" / "translation.html"
        self.console.print(f"$ studioflow translation {self.master} --report {report}")
        translation.main(args=[str(self.master), "--report", str(report)], standalone_mode=False)
        self.artefacts.append(("translation report (demo song, Spotify master)", report))

    def approvals(self) -> None:
        from studioflow.producer.notes import close_note
        from studioflow.producer.stages import ApprovalRefused, approve

        song = self.songs[0]["name"]
        rec = next((n for n in self.filed if n["role"] == "recording"), None)
        try:
            approve(self.project, song, "tracking", by="producer")
        except ApprovalRefused as e:
            self.console.print(f"refused, as it should be: {e}")
            if rec is None:
                raise
            close_note(self.project, song, rec["id"], by="recording",
                       resolution="hum and clipped run noted; the take is kept for the demo")
            self.console.print(f"the recording engineer closes note #{rec['id']}")
            a = approve(self.project, song, "tracking", by="producer")
            self.console.print(f"tracking approved by {a['by']} at {a['at']}")
        for v, entry in self.songs.items():
            if v:
                a = approve(self.project, entry["name"], "tracking", by="producer")
                self.console.print(f"{entry['name']}: tracking approved by {a['by']}")

    def status(self) -> None:
        from studioflow.audio.atomic import write_json
        from studioflow.cli.producer import print_status
        from studioflow.producer.status import project_status

        data = project_status(self.project)
        print_status(self.console, data)
        (self.project / "reports").mkdir(exist_ok=True)
        path = write_json(self.project / "reports" / "status.json", data)
        self.artefacts.append(("status (JSON)", path))

    def where(self) -> None:
        for what, path in self.artefacts:
            if not Path(path).exists():
                raise RuntimeError(f"{path}: the {what} is missing")
            self.console.print(f"  {what}: {path}")


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
