"""The take list of a song: ``SONG_DIR/takes/takes.yaml`` and the files ``takes/<track>/take-NNN.wav``.

Take ids: ``vocal/take-003`` is canonical; ``vocal:3``, ``vocal/3`` and ``vocal:take-003`` name the same take.
Takes are numbered per track, counting up and never reused (a take being recorded, ``take-NNN.recording.wav``,
holds its number). The list is rewritten atomically (temporary file + rename) on every change.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from studioflow.audio.atomic import write_text
from studioflow.audio.yamlfile import load_plain
from studioflow.errors import ParameterError, SessionError

TAKE_RE = re.compile(r"^take-(\d{3,})(\.recording)?\.wav$")
_ID_RE = re.compile(r"^(?P<track>[^/:]+)[/:](?:take-)?(?P<num>\d+)$")
_TRACK_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def takes_dir(song_dir: str | Path) -> Path:
    """The folder holding a song's takes."""
    return Path(song_dir) / "takes"


def check_track_name(name: str) -> str:
    """A track name safe as a folder name (letters, digits, _ . -), or ParameterError."""
    if not _TRACK_RE.match(name):
        raise ParameterError(f"track name {name!r}: use letters, digits, '_', '.', '-' (e.g. vocal, kick_in)")
    return name


def take_id(track: str, number: int) -> str:
    """Canonical take id, e.g. ``vocal/take-003``."""
    return f"{track}/take-{number:03d}"


def parse_take_id(text: str) -> tuple[str, int]:
    """(track, number) from ``vocal/take-003``, ``vocal:3``, ``vocal/3`` or ``vocal:take-003``."""
    m = _ID_RE.match(text.strip())
    if not m:
        raise ParameterError(f"take id {text!r}: expected TRACK/take-NNN or TRACK:N (e.g. vocal/take-003, vocal:3)")
    return m["track"], int(m["num"])


def take_path(song_dir: str | Path, track: str, number: int, *, recording: bool = False) -> Path:
    """Path of a take's WAV file (``.recording.wav`` while it is being recorded)."""
    suffix = ".recording.wav" if recording else ".wav"
    return takes_dir(song_dir) / track / f"take-{number:03d}{suffix}"


def used_numbers(song_dir: str | Path, track: str) -> set[int]:
    """Take numbers already used by a track, on disk or in the list."""
    folder = takes_dir(song_dir) / track
    nums = {int(m[1]) for p in folder.glob("take-*.wav") if (m := TAKE_RE.match(p.name))} if folder.is_dir() else set()
    return nums | {t["take"] for t in load(song_dir) if t.get("track") == track}


def next_number(song_dir: str | Path, tracks: list[str]) -> int:
    """One take number free for all ``tracks`` (takes recorded together share their number)."""
    return max((max(used_numbers(song_dir, t), default=0) for t in tracks), default=0) + 1


def load(song_dir: str | Path) -> list[dict[str, Any]]:
    """The entries of ``takes.yaml`` (empty when there is none yet)."""
    path = takes_dir(song_dir) / "takes.yaml"
    if not path.exists():
        return []
    data = load_plain(path, "takes file") or {}
    entries = data.get("takes", []) if isinstance(data, dict) else None
    if not isinstance(entries, list) or not all(isinstance(t, dict) and "track" in t and "take" in t for t in entries):
        raise SessionError(f"{path}: expected 'takes:' holding a list of entries with 'track' and 'take'")
    return entries


def save(song_dir: str | Path, entries: list[dict[str, Any]]) -> Path:
    """Write ``takes.yaml`` atomically, sorted by track and take number."""
    path = takes_dir(song_dir) / "takes.yaml"
    path.parent.mkdir(parents=True, exist_ok=True)
    entries = sorted(entries, key=lambda t: (t["track"], t["take"]))
    write_text(path, yaml.safe_dump({"takes": entries}, sort_keys=False, allow_unicode=True))
    return path


def add(song_dir: str | Path, entry: dict[str, Any]) -> dict[str, Any]:
    """Add or replace the entry of one take (by track and number) and save the list."""
    entry = {"id": take_id(entry["track"], entry["take"]), **entry}
    entry.setdefault("rating", None)
    entry.setdefault("comment", "")
    entries = [t for t in load(song_dir) if (t["track"], t["take"]) != (entry["track"], entry["take"])]
    save(song_dir, entries + [entry])
    return entry


def find(song_dir: str | Path, text: str) -> dict[str, Any]:
    """The entry of the take named by ``text`` (any id form), or ParameterError naming it."""
    track, num = parse_take_id(text)
    for t in load(song_dir):
        if t["track"] == track and t["take"] == num:
            return t
    raise ParameterError(f"take {take_id(track, num)} is not in {takes_dir(song_dir) / 'takes.yaml'}")


def update(song_dir: str | Path, text: str, **fields: Any) -> dict[str, Any]:
    """Set fields (``rating`` 1..5, ``comment``) of one take and save the list."""
    if "rating" in fields and fields["rating"] is not None and not 0 <= int(fields["rating"]) <= 5:
        raise ParameterError(f"rating {fields['rating']} for {text}: must be 0..5")
    entries = load(song_dir)
    target = find(song_dir, text)
    for t in entries:
        if (t["track"], t["take"]) == (target["track"], target["take"]):
            t.update(fields)
            target = t
    save(song_dir, entries)
    return target


def file_of(song_dir: str | Path, entry: dict[str, Any]) -> Path:
    """Absolute path of a take's audio file."""
    return takes_dir(song_dir) / entry.get("file", f"{entry['track']}/take-{entry['take']:03d}.wav")
