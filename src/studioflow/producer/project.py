"""A project folder: ``project.yaml`` (the brief and the songs, with their stage approvals) and its layout.

Layout::

    PROJECT/project.yaml            brief + songs (name, folder, approvals)
    PROJECT/history.jsonl           every change, appended (see history.py)
    PROJECT/songs/<slug>/           takes/, session.yaml, mixes/, masters/, notes.yaml, reports/
    PROJECT/deliverables/<target>/  the release files per target platform

The brief: artist, title, genre, reference tracks, target platforms (names from ``studioflow targets``), release
format (single, EP or album), deadline (YYYY-MM-DD), a free-text vision and, optionally, the line-up: a list of
instruments (``drums``) or of ``{instrument, player}`` mappings, which ``studioflow plan`` turns into an input list.

A song entry may also carry what the producer knows of the song (``songs.set_song_details``): ``tempo_bpm``,
``sections`` (``[{name, start_s}]``, seconds from the start) and ``genre`` (overrides the brief's for that song). The
automatic first mix uses them; without them it estimates the tempo itself.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from studioflow.audio.atomic import write_text
from studioflow.audio.yamlfile import load_plain
from studioflow.errors import ParameterError, SessionError

PROJECT_FILE = "project.yaml"
SONGS = "songs"
RELEASE_FORMATS = ("single", "EP", "album")
BRIEF_KEYS = ("artist", "title", "genre", "references", "platforms", "release_format", "deadline", "vision", "lineup")
DEFAULT_PLATFORMS = ("spotify", "apple-music")
SONG_FOLDERS = ("takes", "mixes", "masters", "reports")
SONG_DETAILS = ("tempo_bpm", "sections", "genre")


def slug(name: str) -> str:
    """A folder-safe form of a song name (``My Song!`` -> ``my-song``)."""
    text = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if not text:
        raise ParameterError(f"song name {name!r}: needs at least one letter or digit")
    return text


def now() -> str:
    """The current local time as ISO 8601 with the UTC offset, to the second."""
    return dt.datetime.now().astimezone().isoformat(timespec="seconds")


@dataclass
class Project:
    """A loaded project: its folder, brief and songs (each a dict with name, folder and approvals)."""

    path: Path
    brief: dict[str, Any]
    songs: list[dict[str, Any]] = field(default_factory=list)

    @property
    def file(self) -> Path:
        """The project file."""
        return self.path / PROJECT_FILE

    def song(self, name: str) -> dict[str, Any]:
        """The song called ``name`` (by name or folder slug), or SessionError listing the project's songs."""
        for s in self.songs:
            if s["name"] == name or s["folder"] == name or s["folder"] == _try_slug(name):
                return s
        known = ", ".join(s["name"] for s in self.songs) or "none yet; add one with studioflow add-song"
        raise SessionError(f"{self.file}: no song {name!r} (songs: {known})")

    def song_dir(self, name: str) -> Path:
        """The folder of the song called ``name``."""
        return self.path / SONGS / self.song(name)["folder"]

    def platforms(self) -> list[str]:
        """The brief's target platforms."""
        return list(self.brief.get("platforms") or [])

    def as_dict(self) -> dict[str, Any]:
        """What project.yaml holds."""
        return {"brief": self.brief, "songs": self.songs}


def _try_slug(name: str) -> str | None:
    try:
        return slug(name)
    except ParameterError:
        return None


def make_brief(*, title: str, artist: str = "", genre: str = "", references: list[str] | None = None,
               platforms: list[str] | None = None, release_format: str = "single", deadline: str | None = None,
               vision: str = "", lineup: list[str] | None = None) -> dict[str, Any]:
    """A validated brief (platforms are checked against the mastering targets table when it exists). ``lineup``
    entries are instruments (``drums``) or ``instrument:player`` (``vocals:Ana``)."""
    fmt = {f.lower(): f for f in RELEASE_FORMATS}.get(str(release_format).lower())
    if fmt is None:
        raise ParameterError(f"release format {release_format!r}: use one of {', '.join(RELEASE_FORMATS)}")
    if deadline is not None:
        try:
            deadline = dt.date.fromisoformat(str(deadline)).isoformat()
        except ValueError:
            raise ParameterError(f"deadline {deadline!r}: write it as YYYY-MM-DD") from None
    plats = [p.strip().lower() for p in (platforms or DEFAULT_PLATFORMS) if p.strip()]
    if not plats:
        raise ParameterError("platforms: name at least one target platform (e.g. spotify)")
    known = _known_targets()
    if known is not None:
        for p in plats:
            if p not in known:
                raise ParameterError(f"platform {p!r}: not a mastering target; known: {', '.join(known)}")
    brief: dict[str, Any] = {"artist": artist, "title": title, "genre": genre, "references": list(references or []),
                             "platforms": list(dict.fromkeys(plats)), "release_format": fmt, "deadline": deadline,
                             "vision": vision}
    if lineup:
        brief["lineup"] = [_lineup_entry(x) for x in lineup]
    return brief


def _lineup_entry(text: str) -> str | dict[str, str]:
    """``drums`` -> ``"drums"``; ``vocals:Ana`` -> ``{"instrument": "vocals", "player": "Ana"}``."""
    instrument, _, player = (part.strip() for part in str(text).partition(":"))
    if not instrument:
        raise ParameterError(f"lineup {text!r}: name the instrument, like drums or vocals:Ana")
    return {"instrument": instrument, "player": player} if player else instrument


def _known_targets() -> list[str] | None:
    try:
        from studioflow.mastering.targets import TARGETS
    except ImportError:
        return None
    return list(TARGETS)


def create_project(path: str | Path, **brief: Any) -> Project:
    """Create ``path`` with a project.yaml holding the brief; refuse when a project is already there."""
    folder = Path(path)
    if (folder / PROJECT_FILE).exists():
        raise SessionError(f"{folder / PROJECT_FILE}: a project already exists here")
    brief.setdefault("title", folder.name)
    project = Project(folder, make_brief(**brief), [])
    (folder / SONGS).mkdir(parents=True, exist_ok=True)
    save_project(project)
    return project


def require_project(path: str | os.PathLike[str]) -> Path:
    """``path/project.yaml``; SessionError saying how to create one when the folder holds no project."""
    folder = Path(path)
    file = folder / PROJECT_FILE
    if not file.is_file():
        raise SessionError(f"{folder}: no project here (no {PROJECT_FILE}); create one with studioflow new {folder}")
    return file


def load_project(path: str | os.PathLike[str]) -> Project:
    """Load and validate ``path/project.yaml``; SessionError naming the file and key when it is wrong."""
    file = require_project(path)
    folder = file.parent
    data = load_plain(file, "project file") or {}
    if not isinstance(data, dict) or not isinstance(data.get("brief"), dict):
        raise SessionError(f"{file}: expected a mapping with 'brief' and 'songs'")
    unknown = set(data) - {"brief", "songs"}
    if unknown:
        raise SessionError(f"{file}: unknown key {sorted(unknown)[0]!r} (keys: brief, songs)")
    bad = set(data["brief"]) - set(BRIEF_KEYS)
    if bad:
        raise SessionError(f"{file}: brief.{sorted(bad)[0]}: unknown key (keys: {', '.join(BRIEF_KEYS)})")
    _check_brief(file, data["brief"])
    songs = data.get("songs") or []
    if not isinstance(songs, list) or not all(isinstance(s, dict) and "name" in s and "folder" in s for s in songs):
        raise SessionError(f"{file}: songs: expected a list of entries with 'name' and 'folder'")
    for i, s in enumerate(songs):
        _check_song(file, s, f"songs[{i}]")
        s.setdefault("approvals", {})
    return Project(folder, data["brief"], songs)


def _want(file: Path, value: Any, kinds: type | tuple[type, ...], key: str, what: str) -> None:
    """SessionError at ``key`` unless ``value`` is of ``kinds`` (``what`` says so in words)."""
    if not isinstance(value, kinds) or isinstance(value, bool) and bool not in (kinds if isinstance(kinds, tuple)
                                                                                 else (kinds,)):
        raise SessionError(f"{file}: {key}: must be {what}; got {value!r}")


def _check_brief(file: Path, brief: dict[str, Any]) -> None:
    """The brief's values have the types studioflow writes (texts; a list of platform names, at least one)."""
    for key in ("artist", "title", "genre", "vision", "release_format"):
        if brief.get(key) is not None:
            _want(file, brief[key], str, f"brief.{key}", "a text")
    if brief.get("deadline") is not None:
        _want(file, brief["deadline"], (str, dt.date), "brief.deadline", "a date (YYYY-MM-DD)")
    for key in ("references", "platforms"):
        items = brief.get(key)
        if items is not None and (not isinstance(items, list) or not all(isinstance(x, str) for x in items)):
            raise SessionError(f"{file}: brief.{key}: must be a list of names, like [spotify]; got {items!r}")
    if "platforms" in brief and not brief["platforms"]:
        raise SessionError(f"{file}: brief.platforms: name at least one target platform, like [spotify]")
    lineup = brief.get("lineup")
    if lineup is not None and (not isinstance(lineup, list) or not all(
            isinstance(x, str) and x.strip() or isinstance(x, dict) and isinstance(x.get("instrument"), str)
            and all(isinstance(v, str) for v in x.values()) for x in lineup)):
        raise SessionError(f"{file}: brief.lineup: must be a list of instruments, like [drums, bass, vocals], or of "
                           f"mappings like {{instrument: vocals, player: Ana}}; got {lineup!r}")


def _check_song(file: Path, song: dict[str, Any], key: str) -> None:
    """A song entry: a name, a folder under songs/ (a plain folder name: a project reaches nothing outside itself)
    and approvals/revocations that are mappings of stage -> {by, at, ...}."""
    _want(file, song["name"], str, f"{key}.name", "a text")
    folder = song["folder"]
    if not isinstance(folder, str) or not folder or folder != Path(folder).name or folder.startswith("."):
        raise SessionError(f"{file}: {key}.folder: must be a folder name under {SONGS}/ (no '/' or '..'); "
                           f"got {folder!r}")
    for part in ("approvals", "revoked"):
        records = song.get(part)
        if records is None:
            continue
        _want(file, records, dict, f"{key}.{part}", "a mapping of stage -> {by, at}")
        for stage, record in records.items():
            where = f"{key}.{part}.{stage}"
            _want(file, record, dict, where, "a mapping with by and at")
            for field_ in ("by", "at"):
                if field_ not in record:
                    raise SessionError(f"{file}: {where}: needs '{field_}' (approve the stage again with "
                                       "studioflow approve)")


def save_project(project: Project) -> Path:
    """Write project.yaml atomically."""
    return write_text(project.file, yaml.safe_dump(project.as_dict(), sort_keys=False, allow_unicode=True))


def song_layout(song_dir: Path) -> None:
    """Create a song's folders and its empty notes file."""
    for sub in SONG_FOLDERS:
        (song_dir / sub).mkdir(parents=True, exist_ok=True)
    notes = song_dir / "notes.yaml"
    if not notes.exists():
        write_text(notes, "notes: []\n")


def check_song_details(*, tempo_bpm: float | None = None, sections: list[dict[str, Any]] | None = None,
                       genre: str | None = None, where: str = "song") -> dict[str, Any]:
    """Validated song details (tempo in BPM, sections as ``[{name, start_s}]`` in order, genre); only those given."""
    out: dict[str, Any] = {}
    if tempo_bpm is not None:
        if not isinstance(tempo_bpm, (int, float)) or not 20 <= float(tempo_bpm) <= 400:
            raise ParameterError(f"{where}: tempo_bpm must be a number from 20 to 400; got {tempo_bpm!r}")
        out["tempo_bpm"] = float(tempo_bpm)
    if sections is not None:
        rows, last = [], -1.0
        for k, s in enumerate(sections):
            start = s.get("start_s") if isinstance(s, dict) else None
            if not isinstance(start, (int, float)) or not s.get("name") or float(start) <= last:
                raise ParameterError(f"{where}: sections[{k}]: needs a name and a start_s (seconds) after the "
                                     f"previous section's; got {s!r}")
            last = float(start)
            rows.append({"name": str(s["name"]), "start_s": round(last, 4)})
        out["sections"] = rows
    if genre is not None:
        out["genre"] = str(genre)
    return out
