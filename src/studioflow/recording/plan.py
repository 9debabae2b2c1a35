"""The session plan: from the brief's line-up (``lineup`` in project.yaml) an input list (channel, source, mic type
and placement, pad and phase notes), the recording format and headroom, and what to record together, read from the
documented knowledge table ``plan_table.yaml`` (its sources are cited there). A room measurement in the project
(the newest ``PROJECT/room/room-vNNN.json`` that ``studioflow room`` wrote) changes the advice: close mics and gobos
in a live room, no drum room mic in a dead one, amps and mics kept off a strong mode, mics away from a reflecting
surface.

>>> plan = plan_session(["drums", "bass", {"instrument": "vocals", "player": "Ana"}])
>>> plan["inputs"][0]["source"], plan["inputs"][-1]["player"]
('kick in', 'Ana')
"""

from __future__ import annotations

import functools
import json
import os
import re
from pathlib import Path
from typing import Any

from studioflow.audio.yamlfile import load_plain
from studioflow.errors import ParameterError, SessionError

TABLE_FILE = Path(__file__).with_name("plan_table.yaml")
ROOM_FOLDER = "room"
INPUT_KEYS = ("source", "mic", "placement", "pad", "phase")


@functools.lru_cache(maxsize=1)
def load_table() -> dict[str, Any]:
    """The knowledge table (``plan_table.yaml``)."""
    return load_plain(TABLE_FILE, "session-plan table")


def _names() -> dict[str, str]:
    """Every name and alias (lower case) -> the table's instrument name."""
    out = {}
    for name, entry in load_table()["instruments"].items():
        for alias in [name, *entry.get("aliases", [])]:
            out[alias.lower()] = name
    return out


def instrument_of(name: str) -> str:
    """The table's instrument for a name from the line-up (any alias, any case; ParameterError lists them)."""
    key = re.sub(r"\s+", " ", str(name).strip().lower())
    names = _names()
    if key in names:
        return names[key]
    if key.endswith("s") and key[:-1] in names:
        return names[key[:-1]]
    known = ", ".join(load_table()["instruments"])
    raise ParameterError(f"line-up: unknown instrument {name!r}; the plan knows: {known} (and their usual names)")


def _entries(lineup: list[str | dict[str, Any]]) -> list[dict[str, Any]]:
    """The line-up as ``{instrument, player, as_named}`` entries, in input-list order (the table's order)."""
    if not lineup:
        raise ParameterError("line-up: empty; list the instruments in the brief, e.g. lineup: [drums, bass, vocals]")
    table = load_table()["instruments"]
    entries = []
    for i, item in enumerate(lineup):
        named = item.get("instrument") if isinstance(item, dict) else item
        if not isinstance(named, str) or not named.strip():
            raise ParameterError(f"line-up item {i + 1}: needs an instrument name; got {item!r}")
        player = str(item.get("player", "")) if isinstance(item, dict) else ""
        entries.append({"instrument": instrument_of(named), "player": player, "as_named": named, "index": i})
    return sorted(entries, key=lambda e: (table[e["instrument"]]["order"], e["index"]))


def latest_room(project_dir: str | os.PathLike[str]) -> dict[str, Any] | None:
    """The newest room measurement of a project (``room/room-vNNN.json``), or None when there is none."""
    folder = Path(project_dir) / ROOM_FOLDER
    found = sorted(folder.glob("room-v*.json"), key=lambda p: int(re.sub(r"\D", "", p.stem) or 0)) \
        if folder.is_dir() else []
    if not found:
        return None
    try:
        data = json.loads(found[-1].read_text(encoding="utf-8"))
    except (OSError, ValueError) as e:
        raise SessionError(f"{found[-1]}: not a room measurement that can be read ({e})") from None
    if not isinstance(data, dict) or "liveness" not in data or not isinstance(data.get("modes"), list):
        raise SessionError(f"{found[-1]}: not a room measurement (no liveness or modes); measure again with "
                           "studioflow room measure")
    data["file"] = str(found[-1])
    return data


def _room_advice(room: dict[str, Any] | None, has_drums: bool) -> tuple[list[str], bool]:
    """What the room changes: sentences, and whether a drum room mic is worth an input."""
    if room is None:
        return (["No room measurement in the project: run `studioflow room measure --folder PROJECT/room` to fit "
                 "the plan to the room."], True)
    words = load_table()["room"]
    kind = room.get("liveness", "unknown")
    out = list(words.get(kind, []))
    keep_room_mic = kind != "dead"
    if not has_drums:
        out = [s for s in out if "drum room" not in s]
    for mode in room.get("modes", [])[:2]:
        if mode.get("level_db", 0) >= 10:
            out.append(words["mode"].format(**mode))
    paths = sorted({round(r["path_m"], 2) for rs in room.get("reflections", []) for r in rs
                    if r.get("level_db", -99) >= -15})
    for path in paths[:2]:
        out.append(words["reflection"].format(path_m=path, half=max(1.0, path)))
    return out, keep_room_mic


def plan_session(lineup: list[str | dict[str, Any]], *, room: dict[str, Any] | None = None) -> dict[str, Any]:
    """The plan for a line-up (instrument names, or ``{instrument, player}``) in a room (a ``room-vNNN.json``
    result, or None): inputs, format, headroom, groups, advice and the table's sources."""
    table = load_table()
    entries = _entries(lineup)
    has_drums = any(e["instrument"] == "drums" for e in entries)
    advice, keep_room_mic = _room_advice(room, has_drums)
    inputs: list[dict[str, Any]] = []
    for e in entries:
        for src in table["instruments"][e["instrument"]]["sources"]:
            if src.get("room_mic") and not keep_room_mic:
                continue
            notes = []
            if src.get("loud"):
                notes.append("loud source: check the peak in rehearsal and use the pad if it nears -6 dBFS")
            if src.get("room_mic") and room is not None and room.get("liveness") == "live":
                notes.append("the room is live: this mic is worth its input")
            inputs.append({"channel": len(inputs) + 1, "instrument": e["instrument"], "player": e["player"],
                           **{k: src.get(k, "") for k in INPUT_KEYS}, "notes": "; ".join(notes)})
    groups = _groups(entries, table)
    return {"lineup": [e["as_named"] for e in sorted(entries, key=lambda e: e["index"])], "inputs": inputs,
            "format": table["format"], "headroom": table["headroom"], "groups": groups,
            "room": None if room is None else {k: room.get(k) for k in ("file", "liveness", "mid_t30_s", "modes")},
            "advice": advice, "sources": table["sources"]}


def _groups(entries: list[dict[str, Any]], table: dict[str, Any]) -> list[dict[str, Any]]:
    """What to record together: the basics in one pass, the overdubs one by one; one player's parts together."""
    parts: dict[str, list[str]] = {"basics": [], "overdub": []}
    for e in entries:
        label = e["instrument"] + (f" ({e['player']})" if e["player"] else "")
        parts[table["instruments"][e["instrument"]]["part"]].append(label)
    groups = [{"name": table["groups"][k]["name"], "instruments": v, "why": table["groups"][k]["why"]}
              for k, v in parts.items() if v]
    players: dict[str, list[str]] = {}
    for e in entries:
        if e["player"]:
            players.setdefault(e["player"], []).append(e["instrument"])
    for player, played in players.items():
        if len(played) > 1:
            groups.append({"name": f"{player}'s parts together", "instruments": played,
                           "why": table["groups"]["together_when_one_player"]["why"]})
    return groups


def read_lineup(project_dir: str | os.PathLike[str]) -> list[str | dict[str, Any]]:
    """The line-up from a project's brief (``project.yaml``); SessionError saying how to add one."""
    file = Path(project_dir) / "project.yaml"
    if not file.is_file():
        raise SessionError(f"{project_dir}: no project here (no project.yaml); create one with studioflow new")
    data = load_plain(file, "project file") or {}
    brief = data.get("brief") if isinstance(data, dict) else None
    lineup = brief.get("lineup") if isinstance(brief, dict) else None
    if not lineup:
        raise SessionError(f"{file}: the brief has no line-up; add one, e.g. 'lineup: [drums, bass, electric "
                           "guitar, vocals]' under brief:")
    if not isinstance(lineup, list):
        raise SessionError(f"{file}: brief.lineup: must be a list of instruments; got {lineup!r}")
    return lineup


def plan_project(project_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """The session plan of a project: its brief's line-up in its newest room measurement (if any)."""
    plan = plan_session(read_lineup(project_dir), room=latest_room(project_dir))
    plan["project"] = str(project_dir)
    return plan
