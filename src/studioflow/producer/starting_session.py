"""A song's starting session: the mixing engineer's automatic first mix of the song's current takes and comps.

The producer hands the mixing engineer's ``automix`` each track's current audio by the track's name
(``takes/<track>/comp.wav`` or the newest take), with the song's tempo, sections and genre when the project knows
them (else automix estimates the tempo). The session it writes plays the same files a
hand-written one would (``takes/<track>/comp.wav``, so it follows later comps), and the inputs it was made from are
remembered in the song's produce state: while nobody has edited ``session.yaml``, a change of takes, comps, tempo,
sections or genre writes it again; an edited session is never rewritten.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from studioflow.errors import SessionError
from studioflow.producer.songs import SESSION_FILE, track_sources
from studioflow.producer.state import State

ENGINE = "automix"
REPORT_FILE = "session.automix.json"


def settings(entry: dict[str, Any], brief: dict[str, Any]) -> dict[str, Any]:
    """What the starting session is made from besides the audio: tempo (BPM), sections, genre (the song's or the
    brief's own words, which automix reads), session name."""
    return {"engine": ENGINE, "name": entry["name"], "tempo_bpm": entry.get("tempo_bpm"),
            "sections": entry.get("sections"), "genre": entry.get("genre") or brief.get("genre") or None}


def inputs(state: State, song_dir: Path, setting: dict[str, Any]) -> dict[str, Any]:
    """The starting session's inputs: each track's current audio (content hash) and the settings."""
    sources = track_sources(song_dir)
    if not sources:
        raise SessionError(f"{song_dir}: no takes to build a session from; import stems with "
                           f"studioflow add-song --stems or record takes")
    return state.inputs({f"takes/{t}": p for t, p in sources.items()}, setting)


def write_automix_session(song_dir: Path, setting: dict[str, Any],
                          automix: Callable[..., dict[str, Any]]) -> dict[str, Any]:
    """Write ``session.yaml`` with automix from the song's current takes; return automix's report."""
    return automix(track_sources(song_dir), song_dir / SESSION_FILE, tempo=setting["tempo_bpm"],
                   sections=setting["sections"], genre=setting["genre"], name=setting["name"])


def remember(state: State, song_dir: Path, made_from: dict[str, Any], result: dict[str, Any]) -> None:
    """Record in the produce state the starting session's hash and inputs (so edits and new takes are told apart)."""
    state.steps["session"] = {"written": state.file_hash(song_dir / SESSION_FILE), "engine": ENGINE,
                              "inputs": made_from, "outputs": [SESSION_FILE], "result": result}
    state.save()


def summary(report: dict[str, Any], song_dir: Path) -> dict[str, Any]:
    """The step's one-line-able result from automix's report."""
    return {"session": SESSION_FILE, "written_by": ENGINE, "report": REPORT_FILE if (song_dir / REPORT_FILE).exists()
            else None, "tempo_bpm": report.get("tempo_bpm"), "tempo_reason": report.get("tempo_reason"),
            "tracks": [{"name": t["name"], "role": t["role"], "confidence": round(t["confidence"], 2),
                        "gain_db": t["gain_db"], "pan": t["pan"]} for t in report.get("tracks", [])]}
