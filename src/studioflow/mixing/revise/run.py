"""Revise a session: parse the notes, apply the edits, write the result as the session's next version and show the
diff; render it if asked.

One rule for versions, here and in ``produce --apply-notes``: ``NAME.yaml`` is the working session, the one
``studioflow mix`` and ``produce`` read, and it always holds the newest version; every state is kept as
``NAME-vNNN.yaml``, never overwritten. Before a revision replaces the working file, its text is kept as a version of
its own unless the newest version already holds it (so the starting point and any hand edit are never lost).

The session is edited as a document (``audio.yamldoc``): every comment, the key order and the layout of what was not
changed stay as they were, and each changed key carries a comment with the version and the note that changed it.
"""

from __future__ import annotations

import copy
import os
import re
from pathlib import Path
from typing import Any

from studioflow.audio.yamldoc import annotate, dump_document, load_document, unflow
from studioflow.errors import ParameterError
from studioflow.mixing.revise.apply import Applier, NotApplied
from studioflow.mixing.revise.diff import session_diff
from studioflow.mixing.revise.parse import Edit, parse_notes
from studioflow.mixing.revise.peaks import true_peak_warnings

#: the header lines a revision writes at the top of the file (a newer revision replaces them)
HEADER = re.compile(r"# (?:revised from |notes: |applied: |not applied: )")


def version_base(path: Path) -> tuple[str, int | None]:
    """``session-v003.yaml`` -> ("session", 3); ``mix.yaml`` -> ("mix", None)."""
    m = re.fullmatch(r"(.+)-v(\d+)", path.stem)
    return (m.group(1), int(m.group(2))) if m else (path.stem, None)


def revise(session_path: str | os.PathLike[str], notes: str, *, dry_run: bool = False, render: bool = False,
           at: str | None = None) -> dict[str, Any]:
    """Turn ``notes`` into edits of the session at ``session_path``; unless ``dry_run``, write the next version.

    ``at`` ("1:10", "1:20-1:45", "chorus") is where the note was made: the scope of every request that names none.
    Returns ``{session, new_session, working_session, kept, applied: [{note, edit}], not_applied: [{note, why}],
    diff: [lines], render, warnings}`` (``kept``: the version that keeps the working file's text before it was
    replaced, when no version held it yet); ``warnings`` says when the master's true peak is over 0 dBTP (in the new
    render, or else in the last render of the session revised)."""
    from studioflow.mixing.session import load_session
    from studioflow.mixing.yamlmarks import load_located

    path = Path(session_path)
    if not notes or not notes.strip():
        raise ParameterError("revise: no notes given")
    session = load_session(path)
    data = load_located(path).data
    doc = load_document(path, "session file")
    trial = copy.deepcopy(data)
    beat = session.timeline
    bar_s = beat.beats_per_bar * beat.beat_s if beat.tempo_bpm else None
    channels = {t.name: t.channels for t in session.tracks}
    edits, refusals = parse_notes(notes, trial, session.sections, session.content_end_s, bar_s, channels, at)
    analysis: dict[Any, Any] = {}
    applied, not_applied = [], [{"note": r.note, "why": r.why} for r in refusals]
    marks: list[tuple[Any, str, Edit]] = []
    for edit in edits:
        before = copy.deepcopy(trial)
        try:
            Applier(trial, session, analysis).apply(edit)     # tried on plain data first: all of it or nothing
        except NotApplied as e:
            trial = before
            not_applied.append({"note": edit.note, "why": str(e)})
            continue
        applier = Applier(doc, session, analysis)
        applier.apply(edit)
        marks += [(strip, key, edit) for strip, key in applier.touched]
        applied.append({"note": edit.note, "edit": edit.description, "kind": edit.kind,
                        "strips": [n for _, n in edit.strips], "amount": edit.amount, "spans_s": edit.spans})
    result: dict[str, Any] = {"session": str(path), "new_session": None, "working_session": None, "kept": None,
                              "applied": applied, "not_applied": not_applied, "diff": session_diff(data, trial),
                              "render": None}
    if not dry_run and applied:
        kept = keep_working(path)
        out, working = _write_version(path, doc, marks, notes, applied, not_applied)
        result["new_session"], result["working_session"] = str(out), str(working) if working else None
        result["kept"] = str(kept) if kept else None
        if render:
            from studioflow.mixing.versions import render_version
            result["render"] = render_version(out)
    result["warnings"] = true_peak_warnings(result["render"], path, session.sha256)
    return result


def working_file(path: Path) -> Path:
    """The working session a session file belongs to: ``mix-v003.yaml`` -> ``mix.yaml``; ``mix.yaml`` itself."""
    base, _ = version_base(path)
    return path.with_name(f"{base}{path.suffix}")


def keep_working(path: Path) -> Path | None:
    """Keep the working session's text as the next version unless the newest version holds it; return the copy."""
    from studioflow.audio.atomic import next_version, write_text

    working = working_file(path)
    if not working.is_file():
        return None
    base, _ = version_base(working)
    text = working.read_text(encoding="utf-8")
    versions = sorted(working.parent.glob(f"{base}-v[0-9]*{working.suffix}"),
                      key=lambda p: int(version_base(p)[1] or 0))
    if versions and versions[-1].read_text(encoding="utf-8") == text:
        return None
    out = next_version(working.parent, base, working.suffix)
    write_text(out, text)
    return out


def _write_version(path: Path, doc: Any, marks: list[tuple[Any, str, Edit]], notes: str,
                   applied: list[dict[str, Any]], not_applied: list[dict[str, Any]]) -> tuple[Path, Path | None]:
    """Write the revised document as the next version and as the working session; return both paths."""
    from studioflow.audio.atomic import atomic_write, next_version
    from studioflow.mixing.session import load_session

    base, _ = version_base(path)
    out = next_version(path.parent, base, path.suffix)
    label = f"v{version_base(out)[1]:03d}"
    for table in ("tracks", "buses"):
        for i, strip in enumerate(doc.get(table) or []):
            if any(strip is s for s, _, _ in marks):
                unflow(doc[table], i)
    for strip, key, edit in marks:
        annotate(strip, key, f"{label}: {edit.description} (note: {' '.join(edit.note.split())})")
    header = [f"revised from {path.name} by studioflow revise", f"notes: {' '.join(notes.split())}"]
    header += [f"applied: {a['edit']}" for a in applied]
    header += [f"not applied: {n['note']} ({n['why']})" for n in not_applied]
    body = dump_document(doc).splitlines(keepends=True)
    while body and HEADER.match(body[0]):
        body.pop(0)
    text = "".join(f"# {line}\n" for line in header) + "".join(body)
    try:
        with atomic_write(out) as tmp:
            tmp.write_text(text, encoding="utf-8")
            load_session(tmp)                      # the new version must load before it takes its name
    except BaseException:
        if out.exists() and out.stat().st_size == 0:
            out.unlink()
        raise
    working = working_file(path)
    if not working.is_file():
        return out, None
    with atomic_write(working) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return out, working
