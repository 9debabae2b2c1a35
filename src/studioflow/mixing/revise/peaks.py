"""A revision's master true peak over 0 dBTP (ITU-R BS.1770-4 Annex 2, as the render's meter measures it), said
in the revise result: from the revised session's render, or else from the last render of the session revised
(its ``mixes/NAME-vNNN.json``, matched by the session's SHA-256)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

#: a master true peak above this (dBTP) is worth a word: it would clip a converter or a lossy encoder
MAX_TRUE_PEAK_DBTP = 0.0


def last_render(session_path: Path, sha256: str) -> tuple[Path, dict[str, Any]] | None:
    """The newest render report in the session's ``mixes/`` folder made from exactly this session text, if any."""
    from studioflow.mixing.versions import MIXES

    reports = sorted((session_path.parent / MIXES).glob("*.json"), key=lambda p: p.stat().st_mtime, reverse=True)
    for path in reports:
        try:
            report = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(report, dict) and report.get("session_sha256") == sha256:
            return path, report
    return None


def true_peak_warnings(render: dict[str, Any] | None, session_path: Path, sha256: str) -> list[str]:
    """A warning (with the number and what to do) when the master's true peak is over 0 dBTP, else nothing.

    ``render`` is the revised session's render report (None when it was not rendered: the last render of the
    session at ``session_path`` with ``sha256`` is read instead)."""
    if render is not None:
        report, what = render, f"the revised mix {Path(str(render.get('mix', ''))).name} peaks"
    else:
        found = last_render(session_path, sha256)
        if found is None:
            return []
        path, report = found
        what = f"the last render of {session_path.name} ({path.parent.name}/{path.name}, before these notes) peaked"
    peak = (report.get("analysis") or {}).get("true_peak_dbtp")
    if peak is None or peak <= MAX_TRUE_PEAK_DBTP:
        return []
    return [f"{what} at {peak:+.1f} dBTP on the master bus: mastering's limiter will take care of it, "
            f"or lower the master fader by {peak - MAX_TRUE_PEAK_DBTP + 1.0:.1f} dB to keep 1 dB of headroom"]
