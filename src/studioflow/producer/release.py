"""The producer's release: the album of a project (its ALBUM.yaml written from the brief and the approved mixes, then
mastered as a set by the mastering engineer's ``make_album``) and the tags and approval check of what ``produce``
delivers for each song.

A song is released when its approval holds (``stages.verdicts``): mixing for the album (it masters the approved mix),
mastering for ``produce``'s deliverables (they are the approved masters). Unapproved songs are left out, each with the
reason, unless ``include_unapproved`` (then the album takes the song's newest mix).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from studioflow.audio.atomic import write_text
from studioflow.errors import ParameterError
from studioflow.producer.approvals import MIX_SUFFIXES, newest
from studioflow.producer.project import SONGS, Project, load_project
from studioflow.producer.stages import verdicts

ALBUM_FILE = "ALBUM.yaml"


def release_year(project: Project) -> int | None:
    """The release year: the year of the brief's deadline (YYYY-MM-DD), if it has one."""
    m = re.match(r"^(\d{4})-", str(project.brief.get("deadline") or ""))
    return int(m.group(1)) if m else None


def song_tags(project: Project, entry: dict[str, Any], index: int) -> dict[str, Any]:
    """The release tags of one song (``audio.tags.write_tags`` keywords) from the brief and the song: title, artist
    and album artist, album, track n of the project's songs, ISRC and year when known."""
    artist = project.brief.get("artist") or None
    return {"title": entry["name"], "artist": artist, "album_artist": artist, "album": project.brief.get("title"),
            "track_number": index, "track_total": len(project.songs), "isrc": entry.get("isrc"),
            "year": release_year(project)}


def unreleased(project: Project, entry: dict[str, Any], stage: str) -> str | None:
    """Why ``entry`` is not released at ``stage`` (its approval is missing or no longer holds), or None."""
    if stage not in (entry.get("approvals") or {}):
        return (f"{entry['name']}: {stage} is not approved "
                f"(studioflow approve PROJECT {json.dumps(entry['name'])} {stage})")
    why = verdicts(project, entry).get(stage)
    return f"{entry['name']}: {why}" if why else None


def album_yaml(project: Project, out_dir: Path, *, include_unapproved: bool = False) -> tuple[str, list[str]]:
    """The ALBUM.yaml text for ``project`` (mix paths relative to ``out_dir``, where it is written) and the songs
    left out with why; ParameterError when no song can go on the album."""
    tracks, left_out = [], []
    for entry in project.songs:
        song_dir = project.path / SONGS / entry["folder"]
        why = unreleased(project, entry, "mixing")
        if why is None:
            mix = song_dir / entry["approvals"]["mixing"]["files"]["mix"]["file"]
        else:
            mix = newest(song_dir / "mixes", suffixes=MIX_SUFFIXES) if include_unapproved else None
            if mix is None:
                left_out.append(why if not include_unapproved else f"{entry['name']}: no mix yet")
                continue
        tracks.append((entry, mix))
    if not tracks:
        raise ParameterError(f"{project.path}: no song has an approved mix; " + "; ".join(left_out))
    brief = project.brief
    lines = ["# written by `studioflow album` from project.yaml: the songs in the brief's order, their approved "
             "mixes", f"title: {json.dumps(brief.get('title') or project.path.name)}",
             f"artist: {json.dumps(brief.get('artist') or 'Unknown artist')}"]
    if release_year(project):
        lines.append(f"year: {release_year(project)}")
    if brief.get("platforms"):
        lines.append(f"target: {brief['platforms'][0]}        # the brief's first platform")
    lines.append("tracks:")
    for entry, mix in tracks:
        lines += [f"  - mix: {json.dumps(os.path.relpath(mix, out_dir))}", f"    title: {json.dumps(entry['name'])}"]
        if entry.get("isrc"):
            lines.append(f"    isrc: {entry['isrc']}")
    return "\n".join(lines) + "\n", left_out


def make_project_album(project_dir: str | os.PathLike[str], out_dir: str | os.PathLike[str], *,
                       include_unapproved: bool = False, **options: Any) -> dict:
    """Master the project's album into ``out_dir``: write ``out_dir/ALBUM.yaml`` from the project (``album_yaml``),
    then ``mastering.album.make_album`` it with ``options``; the record says which songs were left out and why."""
    from studioflow.mastering.album import make_album

    project = load_project(project_dir)
    out = Path(out_dir)
    if (out / "manifest.json").exists() and not options.get("overwrite"):
        from studioflow.errors import OutputExistsError

        raise OutputExistsError(f"{out}: already holds a release (manifest.json); write to a new folder, "
                                "or pass --overwrite to replace it")
    text, left_out = album_yaml(project, out.resolve(), include_unapproved=include_unapproved)
    out.mkdir(parents=True, exist_ok=True)
    album_file = write_text(out / ALBUM_FILE, text)
    record = make_album(album_file, out, **options)
    record["album_file"] = str(album_file)
    record["left_out"] = left_out
    return record
