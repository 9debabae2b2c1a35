"""Songs of a project: add one (importing stems as takes, copied never moved) and write its starting session.

Stems become takes through the recording engineer's take list: ``DIR/vocal.wav`` is copied to
``takes/vocal/take-NNN.wav`` (FLAC and other readable files are converted to 24-bit WAV) and listed in
``takes/takes.yaml`` with ``imported_from``. A song without a session gets one with every track at unity gain and
centre pan, each track playing its comp (``takes/<track>/comp.wav``) or else its newest take.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path
from typing import Any

import yaml

from studioflow.audio.atomic import atomic_write, write_text
from studioflow.audio.files import info, read, write
from studioflow.audio.stream import BlockReader
from studioflow.errors import ParameterError, SessionError
from studioflow.producer import history
from studioflow.producer.lock import project_lock
from studioflow.producer.project import (
    SONG_DETAILS,
    Project,
    check_song_details,
    load_project,
    save_project,
    slug,
    song_layout,
)
from studioflow.producer.state import State
from studioflow.recording import takes

AUDIO_SUFFIXES = (".wav", ".flac", ".aif", ".aiff", ".ogg", ".mp3")
SESSION_FILE = "session.yaml"
_TAKE = re.compile(r"^take-(\d+)\.wav$")


def add_song(project_dir: str | Path, name: str, *, stems: str | Path | None = None) -> dict[str, Any]:
    """Add song ``name`` to the project (its folders and notes file), import ``stems`` if given; return the entry."""
    with project_lock(project_dir):
        project = load_project(project_dir)
        folder = slug(name)
        if any(s["name"] == name or s["folder"] == folder for s in project.songs):
            raise ParameterError(f"{project.file}: a song {name!r} is already in the project")
        files = stem_files(stems) if stems is not None else []
        song_dir = project.path / "songs" / folder
        song_layout(song_dir)
        imported = [import_take(song_dir, f) for f in files]
        entry = {"name": name, "folder": folder, "approvals": {}}
        project.songs.append(entry)
        save_project(project)
        if imported:
            write_unity_session(song_dir, name)
        history.append(project.path, "add-song", song=name, folder=folder, stems=str(stems) if stems else None,
                       takes=[t["id"] for t in imported])
        return {**entry, "takes": imported, "dir": str(song_dir)}


def stem_files(stems: str | Path) -> list[Path]:
    """The audio files of a stems folder, sorted; ParameterError when there are none."""
    folder = Path(stems)
    if not folder.is_dir():
        raise ParameterError(f"--stems {folder}: no such folder")
    files = sorted(p for p in folder.iterdir() if p.is_file() and p.suffix.lower() in AUDIO_SUFFIXES
                   and not p.name.startswith("."))
    if not files:
        raise ParameterError(f"--stems {folder}: no audio files ({', '.join(AUDIO_SUFFIXES)})")
    for f in files:                        # every stem usable before the song's folder is made
        check_stem(f)
    return files


def check_stem(path: Path) -> None:
    """ParameterError or AudioFileError unless ``path`` is a stem a song can be mixed from: audio with frames,
    mono or stereo, at a session's sample rate, every sample finite (read through once)."""
    from studioflow.mixing.session import SESSION_RATES

    meta = info(path)
    if meta.frames == 0:
        raise ParameterError(f"{path}: holds no audio (0 frames); export the stem again")
    if meta.channels > 2:
        raise ParameterError(f"{path}: has {meta.channels} channels; tracks take mono or stereo stems (split it)")
    if not SESSION_RATES[0] <= meta.sample_rate <= SESSION_RATES[1]:
        raise ParameterError(f"{path}: runs at {meta.sample_rate} Hz; songs mix at {SESSION_RATES[0]} to "
                             f"{SESSION_RATES[1]} Hz: export it at 44.1 or 48 kHz")
    for _ in BlockReader(path, 1 << 16):   # NaN or Inf samples raise here, naming where
        pass


def import_take(song_dir: Path, source: Path) -> dict[str, Any]:
    """Copy one stem into the song as the next take of the track named after the file; list it; return its entry."""
    track = takes.check_track_name(re.sub(r"[^A-Za-z0-9_.-]+", "_", source.stem).strip("_.") or "track")
    number = takes.next_number(song_dir, [track])
    dest = takes.take_path(song_dir, track, number)
    dest.parent.mkdir(parents=True, exist_ok=True)
    if source.suffix.lower() == ".wav":
        with atomic_write(dest) as tmp:
            shutil.copyfile(source, tmp)
    else:
        audio, rate = read(source)
        write(dest, audio, rate, subtype="PCM_24")
    i = info(dest)
    return takes.add(song_dir, {"track": track, "take": number, "rate": i.sample_rate, "channels": i.channels,
                                "duration_s": round(i.duration_s, 3), "imported_from": str(source.resolve())})


def track_sources(song_dir: Path) -> dict[str, Path]:
    """Each track's current audio: its comp when one exists, else its newest take (paths inside the song)."""
    out: dict[str, Path] = {}
    root = takes.takes_dir(song_dir)
    if not root.is_dir():
        return out
    for folder in sorted(p for p in root.iterdir() if p.is_dir()):
        comp = folder / "comp.wav"
        numbered = sorted((int(m[1]), p) for p in folder.glob("take-*.wav") if (m := _TAKE.match(p.name)))
        if comp.exists():
            out[folder.name] = comp
        elif numbered:
            out[folder.name] = numbered[-1][1]
    return out


def unity_session_text(song_dir: Path, name: str) -> str:
    """The starting session's YAML: every track at unity (0 dB, centre); SessionError when there are no takes."""
    sources = track_sources(song_dir)
    if not sources:
        raise SessionError(f"{song_dir}: no takes to build a session from; import stems with "
                           f"studioflow add-song --stems or record takes")
    rate = info(next(iter(sources.values()))).sample_rate
    session = {"session": name, "sample_rate": rate,
               "tracks": [{"name": t, "source": str(p.relative_to(song_dir)), "gain_db": 0.0, "pan": 0.0}
                          for t, p in sources.items()]}
    header = ("# starting session written by the producer: every track at unity. Until you edit it, produce\n"
              "# rewrites it to follow new takes and comps.\n")
    return header + yaml.safe_dump(session, sort_keys=False)


def write_unity_session(song_dir: Path, name: str) -> Path:
    """Write the starting session and remember its hash, so produce knows whether it was edited since."""
    path = write_text(song_dir / SESSION_FILE, unity_session_text(song_dir, name))
    state = State(song_dir)
    state.steps["session"] = {"written": state.file_hash(path)}
    state.save()
    return path


def is_starting_session(song_dir: Path) -> bool:
    """Whether session.yaml is still the producer's starting session, unedited."""
    path = song_dir / SESSION_FILE
    state = State(song_dir)
    written = state.steps.get("session", {}).get("written")
    return bool(written) and path.exists() and state.file_hash(path) == written


def find_project_song(project_dir: str | Path, song: str) -> tuple[Project, Path]:
    """The loaded project and the folder of ``song`` (SessionError for a missing project or song)."""
    project = load_project(project_dir)
    return project, project.song_dir(song)


def set_song_details(project_dir: str | Path, song: str, **details: Any) -> dict[str, Any]:
    """Record ``tempo_bpm``, ``sections`` and/or ``genre`` of a song in project.yaml (locked); return the entry."""
    unknown = set(details) - set(SONG_DETAILS)
    if unknown:
        raise ParameterError(f"song details: unknown {sorted(unknown)[0]!r} (known: {', '.join(SONG_DETAILS)})")
    with project_lock(project_dir):
        project = load_project(project_dir)
        entry = project.song(song)
        clean = check_song_details(where=f"{project.file} song {entry['name']!r}",
                                   **{k: v for k, v in details.items() if v is not None})
        entry.update(clean)
        save_project(project)
        history.append(project.path, "song-details", song=entry["name"], **clean)
        return entry
