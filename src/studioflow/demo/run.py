"""``run_demo(out_dir)``: the whole demo production of a two-song EP, step by step, through the roles' Python API.

The steps synthesize the demo song and a ballad, analyze and check the stems, create the project (an EP for Spotify
and Apple Music), file notes (routed), start each song from the automatic mix, apply the mixing notes with revise,
produce masters, master the EP (ALBUM.yaml, CUE sheet, CD image, tags, manifest), check the demo song's translation,
approve, write the status and coach two planted vocal takes. Each step returns what it made (paths and the data of
its tables); ``progress`` hears every step start and end, the producer's events and the stages of long work.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from studioflow.errors import StudioflowError

#: called with one event dict: {"event": "step", number, name, title}, {"event": "done", number, name, title, data},
#: {"event": "produce", "produce": <the producer's event>} or {"event": "stage", "stage": str, "fraction": 0..1}
DemoProgress = Callable[[dict[str, Any]], None]

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

STEPS = (                                            # (name, title): run in this order
    ("songs", "the demo songs"),
    ("analysis", "analysis of the demo song's stems"),
    ("input_check", "recording engineer: input check of the demo song's stems"),
    ("project", "the project: an EP for Spotify and Apple Music"),
    ("notes", "notes, routed to the role that handles them"),
    ("automatic_mix", "mixing engineer: each song starts from the automatic mix"),
    ("revisions", "mixing engineer: the mixing notes applied with revise"),
    ("masters", "produce: masters for each platform and the deliverables"),
    ("ep", "mastering engineer: the EP (album mastering, CUE sheet, CD image, tags, manifest)"),
    ("translation", "mastering engineer: translation of the demo song's master"),
    ("approvals", "approvals"),
    ("status", "status"),
    ("coach", "producer: coaching two planted vocal takes, then the comp of the best phrases"),
    ("where", "where everything is"),
)


class DemoStepError(StudioflowError):
    """A demo step failed: says which one (number and title) and the error that ended it."""

    def __init__(self, number: int, title: str, error: BaseException) -> None:
        self.number, self.title, self.error = number, title, error
        super().__init__(f"demo step {number} ({title}) failed: {type(error).__name__}: {error}")


@dataclass
class DemoResult:
    """What the demo made: its folders, each step's data (by step name) and the artefacts (what, path)."""

    out_dir: Path
    project: Path
    steps: dict[str, dict[str, Any]] = field(default_factory=dict)
    artefacts: list[tuple[str, Path]] = field(default_factory=list)


def run_demo(out_dir: str | Path, *, quick: bool = False, progress: DemoProgress | None = None) -> DemoResult:
    """Run the demo production into ``out_dir`` (``out_dir/project`` is recreated each run; ``quick``: 10-second
    versions of the songs); return what it made. The first failing step raises DemoStepError."""
    tell = progress or (lambda event: None)
    demo = _Production(Path(out_dir), QUICK_SECONDS if quick else None, tell)
    for number, (name, title) in enumerate(STEPS, 1):
        tell({"event": "step", "number": number, "name": name, "title": title})
        try:
            data = getattr(demo, f"step_{name}")()
        except Exception as e:  # any failure ends the demo: say which step
            raise DemoStepError(number, title, e) from e
        demo.result.steps[name] = data
        tell({"event": "done", "number": number, "name": name, "title": title, "data": data})
    return demo.result


class _Production:
    """The steps of the demo, each returning its data; the songs and notes pass from step to step."""

    def __init__(self, out_dir: Path, seconds: float | None, tell: DemoProgress) -> None:
        self.out, self.seconds, self.tell = out_dir, seconds, tell
        self.project = out_dir / "project"
        self.result = DemoResult(out_dir, self.project)
        self.songs: dict[int, dict[str, Any]] = {}          # variation -> song entry
        self.stems: dict[int, dict[str, Path]] = {}         # variation -> {track: path}
        self.filed: list[dict[str, Any]] = []
        self.master: Path | None = None

    def stage(self, stage: str, fraction: float) -> None:
        """Pass a long step's stage on to the listener."""
        self.tell({"event": "stage", "stage": stage, "fraction": fraction})

    def produce(self, **options: Any) -> dict[str, Any]:
        """The producer's pipeline on the project, its events passed on."""
        from studioflow.producer.pipeline import produce

        return produce(self.project, progress=lambda e: self.tell({"event": "produce", "produce": e}), **options)

    def song_dir(self, variation: int) -> Path:
        return self.project / "songs" / self.songs[variation]["folder"]

    # -- steps ---------------------------------------------------------------------------------------------------
    def step_songs(self) -> dict[str, Any]:
        from studioflow.demo import songs
        from studioflow.producer.project import slug

        made = []
        for v in songs.PLANS:
            plan = songs.plan_for(v, self.seconds)
            folder = self.out / "stems" / slug(plan.title)
            self.stems[v] = songs.synthesize_demo(folder, variation=v, seconds=self.seconds)
            made.append({"title": plan.title, "tempo_bpm": plan.tempo_bpm,
                         "bars": sum(b for _, b in plan.sections), "folder": folder, "stems": self.stems[v]})
        return {"songs": made}

    def step_analysis(self) -> dict[str, Any]:
        from studioflow.analysis.report import measure_files

        return {"reports": [a.report for a in measure_files(list(self.stems[0].values()))]}

    def step_input_check(self) -> dict[str, Any]:
        from studioflow.producer.pipeline import summarize_problems
        from studioflow.recording import check_takes

        report = check_takes(list(self.stems[0].values()), progress=self.stage)
        return {"report": report, "by_file": summarize_problems(report)}

    def step_project(self) -> dict[str, Any]:
        from studioflow.demo import songs
        from studioflow.producer.project import create_project
        from studioflow.producer.songs import add_song, set_song_details

        if (self.project / "project.yaml").exists():
            shutil.rmtree(self.project)            # the demo's own output from an earlier run
        create_project(self.project, title=EP_TITLE, artist=ARTIST, genre="synth pop",
                       platforms=["spotify", "apple-music"], release_format="EP",
                       vision="a bright, punchy synth-pop single and a quieter ballad that belong on one record")
        made = []
        for v, plan in songs.PLANS.items():
            song = add_song(self.project, plan.title, stems=next(iter(self.stems[v].values())).parent)
            sections = [{"name": s["name"], "start_s": s["start_s"]} for s in songs.song_sections(v, self.seconds)]
            set_song_details(self.project, plan.title, tempo_bpm=plan.tempo_bpm, sections=sections,
                             genre="ballad" if v == 1 else None)
            self.songs[v] = song
            made.append({"song": song, "tempo_bpm": plan.tempo_bpm, "sections": sections})
        self.result.artefacts.append(("project", self.project / "project.yaml"))
        return {"songs": made}

    def step_notes(self) -> dict[str, Any]:
        from studioflow.producer.notes import file_note

        for v, text, at in DEMO_NOTES:
            self.filed.append(file_note(self.project, self.songs[v]["name"], text, at=at, by="artist"))
        return {"filed": self.filed}

    def step_automatic_mix(self) -> dict[str, Any]:
        return {"produced": self.produce(until="mixing")}

    def step_revisions(self) -> dict[str, Any]:
        from studioflow.producer.songs import SESSION_FILE

        produced = self.produce(until="mixing", apply_notes=True)
        if not (self.song_dir(0) / "session-v002.yaml").exists():
            raise RuntimeError(f"{self.song_dir(0)}: the revision notes made no new session version")
        self.result.artefacts.append(("demo song's session (revised) and its versions",
                                      self.song_dir(0) / SESSION_FILE))
        return {"produced": produced}

    def step_masters(self) -> dict[str, Any]:
        from studioflow.mastering.report import write_report
        from studioflow.producer.pipeline import produce

        self.produce()
        again = produce(self.project)
        redone = [f"{n}:{s['step']}" for n, ss in again["songs"].items() for s in ss if s["status"] != "up to date"]
        step = next(s for s in again["songs"][self.songs[0]["name"]] if s["step"] == "master:spotify")
        self.master = self.song_dir(0) / step["result"]["master"]
        report = write_report(json.loads(self.master.with_suffix(".json").read_text()),
                              self.master.with_suffix(".html"))
        for v, song in self.songs.items():
            self.result.artefacts.append((f"{song['name']}: mixes", self.song_dir(v) / "mixes"))
            self.result.artefacts.append((f"{song['name']}: masters", self.song_dir(v) / "masters"))
        self.result.artefacts += [("mastering report (demo song, Spotify)", report),
                                  ("deliverables per platform", self.project / "deliverables")]
        return {"redone": redone, "step": {**step, "song": self.songs[0]["name"]}, "master": self.master,
                "report": report}

    def step_ep(self) -> dict[str, Any]:
        import yaml

        from studioflow.audio.atomic import write_text
        from studioflow.audio.debris import Journal
        from studioflow.audio.tags import read_tags
        from studioflow.mastering import make_album
        from studioflow.mastering.album import CUE_SHEET
        from studioflow.mastering.cue import parse_cue
        from studioflow.producer.notes import close_note
        from studioflow.producer.status import latest_mix

        tracks = []
        for v, song in self.songs.items():
            mix = latest_mix(self.song_dir(v))
            if mix is None:
                raise RuntimeError(f"{self.song_dir(v)}: no mix for the EP")
            tracks.append({"mix": f"songs/{song['folder']}/{mix['file']}", "title": song["name"], "isrc": ISRCS[v],
                           **({"gap_s": 2.0} if v else {}), "overrides": {"relative_lu": BALLAD_LU if v else 0.0}})
        plan = {"title": EP_TITLE, "artist": ARTIST, "catalog": UPC, "year": 2025, "target": "spotify",
                "formats": list(EP_FORMATS), "gap_s": 2.0, "tracks": tracks}
        album_file = write_text(self.project / "ALBUM.yaml", "# the EP, written by studioflow demo-run\n"
                                + yaml.safe_dump(plan, sort_keys=False))
        release = self.project / "release"
        with Journal(self.project) as journal:      # as `studioflow album`: an interrupted EP leaves no partial release
            journal.note(release)
            record = make_album(album_file, release, progress=self.stage)
        first = sorted(release.glob("01 - *.flac"))[0]
        closed = None
        ballad = next((n for n in self.filed if "quieter than the single" in n["text"]), None)
        if ballad is not None and ballad["role"] == "mastering":
            closed = close_note(self.project, ballad["song"], ballad["id"], by="mastering",
                                resolution=f"ALBUM.yaml sets the ballad {BALLAD_LU:+g} LU from the single")
        self.result.artefacts += [("EP plan", album_file),
                                  ("EP release (masters, CD image + CUE, manifest)", release)]
        return {"album_file": album_file, "release": release, "record": record, "first": first,
                "cue": parse_cue((release / CUE_SHEET).read_text(encoding="utf-8")), "tags": read_tags(first),
                "closed": closed}

    def step_translation(self) -> dict[str, Any]:
        from studioflow.mastering.translation_check import check_translation
        from studioflow.mastering.translation_report import write_translation_report

        if self.master is None:
            raise RuntimeError("no master to check: the masters step comes first")
        report = self.song_dir(0) / "reports" / "translation.html"
        result = check_translation(self.master, progress=self.stage)
        write_translation_report(result, report)
        self.result.artefacts.append(("translation report (demo song, Spotify master)", report))
        return {"master": self.master, "report": report, "result": result}

    def step_approvals(self) -> dict[str, Any]:
        from studioflow.producer.notes import close_note
        from studioflow.producer.stages import ApprovalRefused, approve

        song = self.songs[0]["name"]
        refused, closed = None, None
        rec = next((n for n in self.filed if n["role"] == "recording"), None)
        try:
            first = approve(self.project, song, "tracking", by="producer")
        except ApprovalRefused as e:            # the recording note on the demo song is open: as it should be
            if rec is None:
                raise
            refused = str(e)
            closed = close_note(self.project, song, rec["id"], by="recording",
                                resolution="hum and clipped run noted; the take is kept for the demo")
            first = approve(self.project, song, "tracking", by="producer")
        approved = [{"song": song, "approval": first}]
        for v, entry in self.songs.items():
            if v:
                approved.append({"song": entry["name"],
                                 "approval": approve(self.project, entry["name"], "tracking", by="producer")})
        return {"refused": refused, "closed": closed, "approved": approved}

    def step_status(self) -> dict[str, Any]:
        from studioflow.audio.atomic import write_json
        from studioflow.producer.status import project_status

        data = project_status(self.project)
        (self.project / "reports").mkdir(exist_ok=True)
        path = write_json(self.project / "reports" / "status.json", data)
        self.result.artefacts.append(("status (JSON)", path))
        return {"status": data, "report": path}

    def step_coach(self) -> dict[str, Any]:
        from studioflow.demo.coaching import coach_planted_takes

        made = coach_planted_takes(self.out / "coach", progress=self.stage)   # a song folder of its own
        self.result.artefacts += [("coaching report (planted takes)", made["report"]), ("comp plan", made["plan"]),
                                  ("comp of the best phrases", self.out / "coach" / "takes" / "vocal" / "comp.wav")]
        return made

    def step_where(self) -> dict[str, Any]:
        for what, path in self.result.artefacts:
            if not Path(path).exists():
                raise RuntimeError(f"{path}: the {what} is missing")
        return {"artefacts": self.result.artefacts}
