"""Revise a session: parse the notes, apply the edits to a copy, write it as the session's next version
(``session-v002.yaml``, ... never overwriting), show the diff, and render the new version if asked.

The first revision of an unversioned ``session.yaml`` also keeps a copy of it as ``session-v001.yaml``, so the
versions read as a history from the starting point.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

import yaml

from studioflow.errors import ParameterError
from studioflow.mixing.revise.apply import Applier, NotApplied
from studioflow.mixing.revise.diff import session_diff
from studioflow.mixing.revise.parse import parse_notes
from studioflow.mixing.revise.peaks import true_peak_warnings


def version_base(path: Path) -> tuple[str, int | None]:
    """``session-v003.yaml`` -> ("session", 3); ``mix.yaml`` -> ("mix", None)."""
    m = re.fullmatch(r"(.+)-v(\d+)", path.stem)
    return (m.group(1), int(m.group(2))) if m else (path.stem, None)


def revise(session_path: str | os.PathLike[str], notes: str, *, dry_run: bool = False,
           render: bool = False) -> dict[str, Any]:
    """Turn ``notes`` into edits of the session at ``session_path``; unless ``dry_run``, write the next version.

    Returns ``{session, new_session, applied: [{note, edit}], not_applied: [{note, why}], diff: [lines],
    render, warnings}``; ``warnings`` says when the master's true peak is over 0 dBTP (in the new render, or else in
    the last render of the session revised)."""
    from studioflow.mixing.session import load_session
    from studioflow.mixing.yamlmarks import load_located

    path = Path(session_path)
    if not notes or not notes.strip():
        raise ParameterError("revise: no notes given")
    session = load_session(path)
    data = copy.deepcopy(load_located(path).data)
    new = copy.deepcopy(data)
    beat = session.timeline
    bar_s = beat.beats_per_bar * beat.beat_s if beat.tempo_bpm else None
    channels = {t.name: t.channels for t in session.tracks}
    edits, refusals = parse_notes(notes, new, session.sections, session.content_end_s, bar_s, channels)
    applier = Applier(new, session)
    applied, not_applied = [], [{"note": r.note, "why": r.why} for r in refusals]
    for edit in edits:
        trial = copy.deepcopy(new)
        try:
            applier.apply(edit)
        except NotApplied as e:
            new.clear()
            new.update(trial)
            not_applied.append({"note": edit.note, "why": str(e)})
            continue
        applied.append({"note": edit.note, "edit": edit.description, "kind": edit.kind,
                        "strips": [n for _, n in edit.strips], "amount": edit.amount, "spans_s": edit.spans})
    result: dict[str, Any] = {"session": str(path), "new_session": None, "applied": applied,
                              "not_applied": not_applied, "diff": session_diff(data, new), "render": None}
    if not dry_run and applied:
        out = _write_version(path, new, notes, applied, not_applied)
        result["new_session"] = str(out)
        if render:
            from studioflow.mixing.versions import render_version
            result["render"] = render_version(out)
    result["warnings"] = true_peak_warnings(result["render"], path, session.sha256)
    return result


def _write_version(path: Path, data: dict[str, Any], notes: str, applied: list[dict[str, Any]],
                   not_applied: list[dict[str, Any]]) -> Path:
    from studioflow.audio.atomic import atomic_write, next_version, write_text
    from studioflow.mixing.session import load_session

    base, number = version_base(path)
    folder = path.parent
    if number is None and not any(folder.glob(f"{base}-v[0-9]*.yaml")):
        first = next_version(folder, base, ".yaml")          # keep the starting point as v001
        write_text(first, path.read_text(encoding="utf-8"))
    out = next_version(folder, base, ".yaml")
    header = [f"revised from {path.name} by studioflow revise", f"notes: {' '.join(notes.split())}"]
    header += [f"applied: {a['edit']}" for a in applied]
    header += [f"not applied: {n['note']} ({n['why']})" for n in not_applied]
    text = "".join(f"# {line}\n" for line in header) + yaml.safe_dump(data, sort_keys=False, allow_unicode=True,
                                                                       width=110)
    try:
        with atomic_write(out) as tmp:
            tmp.write_text(text, encoding="utf-8")
            load_session(tmp)                      # the new version must load before it takes its name
    except BaseException:
        if out.exists() and out.stat().st_size == 0:
            out.unlink()
        raise
    return out
