"""What an approval approved: the files it is tied to, and how the song's files differ from them since.

An approval of mixing is tied to the song's newest mix (``mixes/NAME-vNNN.wav|flac``), an approval of mastering to the
newest master for each platform of the brief (``masters/SONG-TARGET-vNNN.wav``); each file by its name, version and
content hash (SHA-256), a master also by the hash of the mix produce made it from. The content decides whether a file
is still the one approved; the names tell people which files an ended approval was about. Tracking and ready are tied
to no file of their own: they hold through the stages before them (see stages.py).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from studioflow.producer.state import State

MIX_SUFFIXES = (".wav", ".flac")
TIED_STAGES = ("mixing", "mastering")
_VERSION = re.compile(r"^(?P<stem>.+)-v(?P<n>\d+)$")


def newest(folder: Path, stem: str | None = None, suffixes: tuple[str, ...] = (".wav",)) -> Path | None:
    """The highest ``STEM-vNNN`` version in ``folder`` (any stem when None; a tie goes to the later written file);
    empty files (names reserved by a render still running) do not count."""
    best: tuple[int, int, Path] | None = None
    for p in folder.iterdir() if folder.is_dir() else []:
        m = _VERSION.match(p.stem)
        if p.suffix in suffixes and m and (stem is None or m["stem"] == stem) and (st := p.stat()).st_size > 0:
            if best is None or (int(m["n"]), st.st_mtime_ns) > best[:2]:
                best = (int(m["n"]), st.st_mtime_ns, p)
    return best[2] if best else None


def version(path: Path) -> int:
    """The version number of a ``STEM-vNNN`` file."""
    return int(path.stem.rsplit("-v", 1)[1])


def tied_files(song_dir: Path, folder: str, stage: str, platforms: list[str]) -> dict[str, dict[str, Any] | None]:
    """The files an approval of ``stage`` made now is tied to: ``{"mix": ...}`` or ``{"master:TARGET": ...}``, each
    ``{file, version, sha256}`` (a master also ``from_mix``: its mix's hash, when produce made it) or None."""
    state = State(song_dir)
    if stage == "mixing":
        return {"mix": _describe(song_dir, newest(song_dir / "mixes", suffixes=MIX_SUFFIXES), state)}
    if stage == "mastering":
        out: dict[str, dict[str, Any] | None] = {}
        for target in platforms:
            label = f"master:{target}"
            found = _describe(song_dir, newest(song_dir / "masters", f"{folder}-{target}"), state)
            step = state.steps.get(label, {})
            if found is not None and step.get("result", {}).get("master") == found["file"]:
                found["from_mix"] = step["inputs"]["files"].get("the mix")
            out[label] = found
        return out
    return {}


def _describe(song_dir: Path, path: Path | None, state: State) -> dict[str, Any] | None:
    if path is None:
        return None
    return {"file": str(path.relative_to(song_dir)), "version": version(path), "sha256": state.file_hash(path)}


def _what(label: str) -> str:
    kind, _, target = label.partition(":")
    return f"{target} {kind}" if target else kind


def differences(approved: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """How the song's files ``now`` differ in content from those an approval was tied to (empty when the same: a mix
    rendered again to the same audio keeps its approval)."""
    out = []
    for label, cur in now.items():
        old = approved.get(label)
        if old is None and cur is None or old and cur and old["sha256"] == cur["sha256"]:
            continue
        if old is None:
            out.append(f"approved when there was no {_what(label)}; {cur['file']} is new")
        elif cur is None:
            out.append(f"approved {old['file']}, which is gone")
        elif cur["file"] == old["file"]:
            out.append(f"{old['file']} changed since it was approved")
        else:
            out.append(f"approved {old['file']}, but {cur['file']} is newer")
    return out


def masters_from_other_mixes(masters: dict[str, Any], mix: dict[str, Any] | None) -> list[str]:
    """The masters (of ``tied_files`` for mastering) that produce made from another mix than ``mix``."""
    if mix is None:
        return []
    return [m["file"] for m in masters.values() if m and m.get("from_mix") and m["from_mix"] != mix["sha256"]]
