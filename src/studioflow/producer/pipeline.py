"""``produce``: for each song, check takes -> comp -> mix the current session -> master for every target platform of
the brief -> deliverables, redoing only the steps whose inputs changed (see state.py).

Steps and the stage they belong to (``--until STAGE`` stops after that stage):

=============  ==========  ===================================================  ====================================
step           stage       inputs                                               does
=============  ==========  ===================================================  ====================================
check          tracking    every take file                                      recording's input check -> reports/
comp:TRACK     tracking    takes/TRACK/comp-plan.yaml and the track's takes     recording's comp -> takes/TRACK/comp.wav
session        mixing      each track's current audio, the song's tempo,        mixing's automatic first mix ->
                           sections and genre (only while session.yaml is        session.yaml (never over an edited
                           the unedited starting session)                       session)
notes          mixing      open mixing notes not tried yet (--apply-notes)      mixing's revise -> session-vNNN.yaml,
                                                                                copied to session.yaml
mix            mixing      session.yaml and every source it plays               mixing's render -> mixes/NAME-vNNN.wav
master:TARGET  mastering   the mix's content, the target, the reference         mastering -> masters/
                                                                                SONG-TARGET-vNNN.wav
deliver        ready       the masters, the song's tags, its approval           tagged copies -> deliverables/TARGET/
=============  ==========  ===================================================  ====================================

``deliver`` delivers a song only while its mastering approval holds (the masters are the ones approved), unless
``include_unapproved``; each delivered master carries the release tags of the brief and the song (release.py).

A song whose session is still the starting one (every track at unity, written by add-song) gets the mixing
engineer's automatic first mix (see starting_session.py). ``apply_notes`` adds the notes step (see mixnotes.py). Each
role is reached through its package's public functions (``studioflow.recording``, ``studioflow.mixing``,
``studioflow.mastering``), imported where a step needs them so that ``status`` stays light.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from studioflow.audio.atomic import next_version, release_version, write_json
from studioflow.audio.debris import Journal
from studioflow.audio.tags import write_tags
from studioflow.errors import StudioflowError
from studioflow.producer import history, mixnotes, starting_session
from studioflow.producer.lock import project_lock
from studioflow.producer.project import Project, load_project
from studioflow.producer.release import song_tags, unreleased
from studioflow.producer.songs import SESSION_FILE, is_starting_session
from studioflow.producer.stages import STAGES, check_stage, revoke_stale
from studioflow.producer.state import State
from studioflow.recording import takes

PLAN_NAME = "comp-plan.yaml"
MIX_SETTINGS = {"format": "float"}
MASTER_FORMATS = ("wav24",)
FIX = {
    "check": "the take files under takes/ (re-import or re-record the unreadable one)",
    "comp": "the comp plan takes/{track}/comp-plan.yaml or the takes it names",
    "session": "the takes (studioflow add-song --stems), or the song's tempo/sections in project.yaml",
    "notes": "session.yaml (it must load before notes can be applied), or the note's text",
    "mix": "session.yaml (or the source files it names), then run produce again",
    "master": "the mix (its session) or the brief's platforms and reference tracks",
    "deliver": "the deliverables/ folder (permissions, free space)",
}

ROLE_OF_STEP = {"check": "recording", "comp": "recording", "session": "mixing", "notes": "mixing", "mix": "mixing",
                "master": "mastering", "deliver": "producer"}

Progress = Callable[[dict[str, Any]], None]


class ProduceError(StudioflowError):
    """A produce step failed: names the song, the stage, the step and what to fix."""


@dataclass
class Step:
    """One step of one song's chain, planned or done."""

    song: str
    name: str
    stage: str
    status: str = "pending"          # "run", "up to date", "skipped", "would run", "failed"
    why: list[str] = field(default_factory=list)
    result: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"song": self.song, "step": self.name, "stage": self.stage, "status": self.status, "why": self.why,
                "result": self.result}


def produce(project_dir: str | Path, *, song: str | None = None, until: str = "ready", force: bool = False,
            dry_run: bool = False, apply_notes: bool = False, progress: Progress | None = None,
            include_unapproved: bool = False) -> dict[str, Any]:
    """Run (or with ``dry_run`` only plan) the chain for every song or one; return ``{"songs": {name: [steps]},
    "revoked": [approvals]}``.

    ``apply_notes`` first applies the open mixing notes to each song's session through revise (see mixnotes.py).
    After each song's chain (also when it fails), the approvals its new mix or masters no longer match are revoked
    (stages.revoke_stale), not in a dry run. Raises ProduceError at the first failing step. The project is locked
    while it runs (not for a dry run). ``include_unapproved`` delivers songs whose mastering is not approved too.
    """
    check_stage(until)
    if dry_run:
        return _produce(load_project(project_dir), song, until, force, True, apply_notes, progress,
                        include_unapproved)
    with project_lock(project_dir):
        project = load_project(project_dir)
        result = _produce(project, song, until, force, False, apply_notes, progress, include_unapproved)
        history.append(project.path, "produce", song=song, until=until, force=force, apply_notes=apply_notes,
                       steps=[f"{s['song']}:{s['step']}" for ss in result["songs"].values() for s in ss
                              if s["status"] == "run"])
        return result


def _produce(project: Project, song: str | None, until: str, force: bool, dry: bool, apply_notes: bool,
             progress: Progress | None, include_unapproved: bool = False) -> dict[str, Any]:
    say = progress or (lambda event: None)
    songs = [project.song(song)] if song else list(project.songs)
    out: dict[str, Any] = {"project": str(project.path), "until": until, "dry_run": dry, "songs": {}, "revoked": []}
    for index, entry in enumerate(project.songs, 1):
        if entry not in songs:
            continue
        chain = SongChain(project, entry, index, until, force, dry, say, apply_notes, include_unapproved)
        try:
            out["songs"][entry["name"]] = [s.as_dict() for s in chain.run()]
        finally:
            if not dry:
                out["revoked"] += revoke_stale(project, entry)
    if not dry and STAGES.index(until) >= STAGES.index("ready"):
        out["manifest"] = str(write_manifest(project))
    return out


class SongChain:
    """The steps of one song, run in order; each decides from its inputs whether it must run."""

    def __init__(self, project: Project, entry: dict[str, Any], index: int, until: str, force: bool, dry: bool,
                 say: Progress, apply_notes: bool = False, include_unapproved: bool = False) -> None:
        self.project, self.entry, self.index = project, entry, index
        self.name = entry["name"]
        self.dir = project.path / "songs" / entry["folder"]
        self.state = State(self.dir)
        self.last = STAGES.index(until)
        self.force, self.dry, self.say, self.apply_notes = force, dry, say, apply_notes
        self.include_unapproved = include_unapproved
        self.steps: list[Step] = []
        self.dirty: set[str] = set()            # stages whose outputs change in this (planned) run

    def run(self) -> list[Step]:
        """Every step up to the last stage, in order."""
        self._step("check", "tracking", self.check)
        for track, plan in self.comp_plans():
            self._step(f"comp:{track}", "tracking", functools.partial(self.comp, track=track, plan=plan))
        if self.last >= 1:
            self._step("session", "mixing", self.session)
            if self.apply_notes:
                self._step("notes", "mixing", self.notes)
            self._step("mix", "mixing", self.mix)
        if self.last >= 2:
            for target in self.project.platforms():
                self._step(f"master:{target}", "mastering", functools.partial(self.master, target=target))
        if self.last >= 3:
            self._step("deliver", "ready", self.deliver)
        return self.steps

    # -- running -------------------------------------------------------------------------------------------------
    def _step(self, name: str, stage: str, body: Callable[[Step], None]) -> None:
        step = Step(self.name, name, stage)
        self.steps.append(step)
        self.say({"event": "start", "song": self.name, "step": name, "stage": stage})
        try:
            with Journal(self.project.path):        # a step's new files land together, or none stays
                body(step)
        except Exception as e:
            step.status = "failed"
            if self.dry:
                step.why.append(f"would fail: {e}")
                self.say({"event": "end", "song": self.name, "step": name, "status": step.status})
                return
            key = name.split(":")[0]
            if isinstance(e, (StudioflowError, OSError)):
                what, fix = str(e), "fix " + FIX[key].format(track=name.partition(":")[2])
            else:       # a bug in a role, not the user's input: say whose; --debug shows the traceback
                what = f"internal error in the {ROLE_OF_STEP[key]} code ({type(e).__name__}: {e})"
                fix = "this is a bug, not your input: run with --debug and report the traceback"
            raise ProduceError(f"produce stopped at song {self.name!r}, stage {stage} ({name}): {what}; {fix}") from e
        if step.status == "run" or step.status == "would run":
            self.dirty.add(name)
        self.say({"event": "end", "song": self.name, "step": name, "status": step.status, "why": step.why,
                  "result": step.result})

    def _decide(self, step: Step, inputs: dict[str, Any], upstream: list[str]) -> bool:
        """Whether ``step`` must run; sets its status and reasons. In a dry run, marks it 'would run'."""
        changed = [u for u in upstream if u in self.dirty]
        why = (["--force"] if self.force else []) + [f"{u} is redone first" for u in changed] \
            + self.state.changes(step.name, inputs)
        step.why = why
        if not why:
            step.status = "up to date"
            step.result = self.state.steps[step.name].get("result", {})
            return False
        step.status = "would run" if self.dry else "run"
        return not self.dry

    def _progress(self, step: Step) -> Callable[[float], None]:
        return lambda fraction: self.say({"event": "progress", "song": self.name, "step": step.name,
                                          "fraction": max(0.0, min(1.0, fraction))})

    # -- steps ---------------------------------------------------------------------------------------------------
    def take_files(self, track: str | None = None) -> list[Path]:
        """Every take file of the song (of one track)."""
        root = self.dir / "takes"
        pattern = f"{track}/take-*.wav" if track else "*/take-*.wav"
        return sorted(p for p in root.glob(pattern) if ".recording" not in p.name)

    def comp_plans(self) -> list[tuple[str, Path]]:
        """Tracks with a comp plan (``takes/<track>/comp-plan.yaml``)."""
        return [(p.parent.name, p) for p in sorted((self.dir / "takes").glob(f"*/{PLAN_NAME}"))]

    def check(self, step: Step) -> None:
        files = self.take_files()
        if not files:
            raise StudioflowError(f"{self.dir / 'takes'}: no takes")
        from studioflow.recording import check_takes

        inputs = self.state.inputs(files, {})
        if not self._decide(step, inputs, []):
            return
        report_path = self.dir / "reports" / "check.json"
        report = check_takes(files, groups=self.check_groups(files), report_path=report_path)
        step.result = {"report": str(report_path.relative_to(self.dir)), **report["summary"],
                       "by_file": summarize_problems(report)}
        self.state.record(step.name, inputs, [step.result["report"]], step.result)

    def check_groups(self, files: list[Path]) -> list[list[Path]] | None:
        """Takes recorded together, for the check's mic alignment (None: the check groups them itself). Stems
        imported with add-song all get take 1, which says nothing about being recorded together (they are mostly
        separate parts bounced from a session: kick against lead has no polarity), so they are grouped only where
        their track names say they are mics on one source (``kick_in``/``kick_out``, ``oh_l``/``oh_r``)."""
        imported = {takes.file_of(self.dir, e).resolve() for e in takes.load(self.dir) if e.get("imported_from")}
        if not imported:
            return None
        from studioflow.recording import find_groups

        recorded = [f for f in files if f.resolve() not in imported]
        by_name = {Path(f"{f.parent.name}.wav"): f for f in files if f.resolve() in imported}
        pairs = [[by_name[p] for p in g] for g in find_groups(list(by_name))]
        paired = {f for g in pairs for f in g}
        return (find_groups(recorded) if recorded else []) + pairs + [[f] for f in by_name.values() if f not in paired]

    def comp(self, step: Step, track: str, plan: Path) -> None:
        from studioflow.recording.comp import comp

        inputs = self.state.inputs([plan, *self.take_files(track)], {})
        if not self._decide(step, inputs, []):
            return
        r = comp(self.dir, track, plan)
        step.result = {"file": str(Path(r["file"]).relative_to(self.dir)), "duration_s": r["duration_s"]}
        self.state.record(step.name, inputs, [step.result["file"]], step.result)

    def session(self, step: Step) -> None:
        path = self.dir / SESSION_FILE
        if path.exists() and not is_starting_session(self.dir):
            step.status, step.result = "up to date", {"session": SESSION_FILE, "written_by": "you",
                                                      "kept": "an edited session is never rewritten"}
            return
        from studioflow.mixing.automix import automix

        setting = starting_session.settings(self.entry, self.project.brief)
        made_from = starting_session.inputs(self.state, self.dir, setting)
        old = self.state.steps.get("session", {})
        comps = [c for c in self.dirty if c.startswith("comp:")]
        if not path.exists():
            why = ["no session yet: the automatic mix is written"]
        elif old.get("engine") != starting_session.ENGINE:
            why = ["the starting session has every track at unity: the automatic mix replaces it"]
        else:
            why = (["--force"] if self.force else []) + [f"{c} is redone first" for c in comps] \
                + self.state.changes("session", made_from)
        step.why = why
        if not why:
            step.status, step.result = "up to date", old.get("result", {})
            return
        step.status = "would run" if self.dry else "run"
        if self.dry:
            return
        report = starting_session.write_automix_session(self.dir, setting, automix)
        step.result = starting_session.summary(report, self.dir)
        starting_session.remember(self.state, self.dir, made_from, step.result)

    def notes(self, step: Step) -> None:
        from studioflow.mixing.revise import revise

        todo = mixnotes.pending(self.dir)
        step.why = [f"{len(todo)} open mixing note(s) not tried yet: " + ", ".join(f"#{n['id']}" for n in todo)]
        if not todo:
            step.status, step.result = "up to date", {"applied": [], "refused": []}
            return
        step.status = "would run" if self.dry else "run"
        if self.dry:
            return
        step.result = mixnotes.apply_notes(self.dir, revise)
        for a in step.result["applied"]:
            history.append(self.project.path, "apply-note", song=self.name, id=a["id"], session=a["session"],
                           edits=a["edits"])

    def mix(self, step: Step) -> None:
        from studioflow.mixing import load_session, render_version

        session_path = self.dir / SESSION_FILE
        first = [c for c in self.dirty if c.startswith("comp:") or c in ("session", "notes")]
        if self.dry and first:
            step.status, step.why = "would run", [f"{c} is redone first" for c in first]
            return
        session = load_session(session_path)
        sources = sorted({r.file for t in session.tracks for r in t.regions})
        inputs = self.state.inputs([session_path, *sources], MIX_SETTINGS)
        if not self._decide(step, inputs, [c for c in self.dirty if c.startswith("comp:")]):
            return
        tick = self._progress(step)
        r = render_version(session, self.dir, progress=lambda done, total: tick(done / max(total, 1)),
                           **MIX_SETTINGS)
        mix = Path(r["mix"])
        step.result.update({"mix": str(mix.resolve().relative_to(self.dir.resolve())), "version": r["version"],
                            "lufs": r["analysis"]["integrated_lufs"], "true_peak_dbtp": r["analysis"]["true_peak_dbtp"],
                            "warnings": r.get("warnings", [])})
        self.state.record(step.name, inputs, [step.result["mix"]], step.result)

    def master(self, step: Step, target: str) -> None:
        from studioflow.mastering import master

        if self.dry and "mix" in self.dirty:
            step.status, step.why = "would run", ["mix is redone first"]
            return
        mix = self.state.steps.get("mix", {}).get("result", {}).get("mix")
        if not mix or not (self.dir / mix).exists():
            if self.dry:
                step.status, step.why = "would run", ["no mix yet"]
                return
            raise StudioflowError(f"{self.dir / 'mixes'}: no mix to master (run produce --until mixing first)")
        reference = self.reference()
        inputs = self.state.inputs({"the mix": self.dir / mix, **({"the reference": reference} if reference else {})},
                                   {"target": target, "formats": list(MASTER_FORMATS)})
        if not self._decide(step, inputs, []):
            return
        out = next_version(self.dir / "masters", f"{self.entry['folder']}-{target}", ".wav")
        tick = self._progress(step)
        try:
            rec = master(self.dir / mix, out, target=target, reference=reference, formats=MASTER_FORMATS,
                         progress=lambda stage, fraction: tick(fraction))
        except BaseException:
            release_version(out)
            raise
        final = rec["analysis"]["output"]
        step.result = {"master": str(out.relative_to(self.dir)), "target": target,
                       "target_lufs": rec["target"]["lufs"], "ceiling_dbtp": rec["target"]["ceiling_dbtp"],
                       "lufs": final.get("integrated_lufs"),
                       "true_peak_dbtp": final.get("true_peak_8x_dbtp", final.get("true_peak_dbtp")),
                       "warnings": rec.get("warnings", [])}
        self.state.record(step.name, inputs, [step.result["master"]], step.result)

    def reference(self) -> Path | None:
        """The first reference track of the brief that is an audio file in the project (names are only notes)."""
        for ref in self.project.brief.get("references") or []:
            p = Path(ref) if Path(ref).is_absolute() else self.project.path / ref
            if p.is_file():
                return p
        return None

    def deliver(self, step: Step) -> None:
        masters = {t: self.state.steps.get(f"master:{t}", {}).get("result", {}).get("master")
                   for t in self.project.platforms()}
        if self.dry and any(f"master:{t}" in self.dirty for t in masters):
            step.status, step.why = "would run", ["masters are redone first"]
            return
        missing = [t for t, m in masters.items() if not m or not (self.dir / m).exists()]
        if missing:
            if self.dry:
                step.status, step.why = "would run", [f"no master for {', '.join(missing)} yet"]
                return
            step.status, step.why = "skipped", [f"no master for {', '.join(missing)}"]
            return
        why = None if self.include_unapproved else unreleased(self.project, self.entry, "mastering")
        if why:
            step.status, step.why = "skipped", [f"not delivered: {why}; or produce --include-unapproved"]
            return
        tags = song_tags(self.project, self.entry, self.index)
        inputs = self.state.inputs({f"master for {t}": self.dir / m for t, m in masters.items()},
                                   {"index": self.index, "name": self.name, "tags": tags})
        if not self._decide(step, inputs, []):
            return
        files = []
        for target, m in masters.items():
            dest = self.project.path / "deliverables" / target / f"{self.index:02d} {self.name}.wav"
            dest.parent.mkdir(parents=True, exist_ok=True)
            write_tags(self.dir / m, out_path=dest, **tags)        # a tagged copy; the master stays as it is
            files.append(str(dest))
        step.result = {"files": files}
        self.state.record(step.name, inputs, files, step.result)


def summarize_problems(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Problems of an input-check report per file: ``{name: {kind: count}}`` with the worst severity per kind."""
    out: dict[str, dict[str, Any]] = {}
    rank = {"info": 0, "warning": 1, "error": 2}
    for p in report.get("problems", []):
        name = Path(p.get("file", "?")).parent.name + "/" + Path(p.get("file", "?")).name
        kinds = out.setdefault(name, {})
        count, sev = kinds.get(p["kind"], (0, "info"))
        kinds[p["kind"]] = (count + 1, max(sev, p["severity"], key=lambda s: rank.get(s, 0)))
    return {f: {k: {"count": c, "severity": s} for k, (c, s) in kinds.items()} for f, kinds in out.items()}


def write_manifest(project: Project) -> Path:
    """``deliverables/manifest.json``: every song's delivered files per target with loudness and true peak."""
    rows = []
    for index, entry in enumerate(project.songs, 1):
        state = State(project.path / "songs" / entry["folder"])
        for target in project.platforms():
            r = state.steps.get(f"master:{target}", {}).get("result")
            delivered = state.steps.get("deliver", {}).get("result", {}).get("files", [])
            file = next((f for f in delivered if Path(f).parent.name == target), None)
            if r and file:
                rows.append({"track": index, "song": entry["name"], "target": target, "file": file,
                             "lufs": r["lufs"], "true_peak_dbtp": r["true_peak_dbtp"],
                             "target_lufs": r["target_lufs"], "ceiling_dbtp": r["ceiling_dbtp"]})
    folder = project.path / "deliverables"
    folder.mkdir(exist_ok=True)
    return write_json(folder / "manifest.json", {"brief": project.brief, "deliverables": rows})
