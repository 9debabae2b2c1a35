"""A song's timed notes as markers for a DAW: CSV, an Audacity label track, or a REAPER region/marker list.

Only notes with a time become markers; a note over a range becomes a region (Audacity: a label with an end; REAPER:
an ``R`` row), a note at a moment a marker (``M`` row). Times in seconds (REAPER: ``m:ss.mmm``).
"""

from __future__ import annotations

import csv
import io
from typing import Any

from studioflow.errors import ParameterError

FORMATS = {"csv": ("text/csv", "csv"), "audacity": ("text/plain", "txt"), "reaper": ("text/csv", "csv")}


def export(song: str, items: list[dict[str, Any]], fmt: str) -> tuple[str, str, str]:
    """(text, media type, file name) of the timed notes ``items`` (with ``at_s``/``to_s``) in format ``fmt``."""
    if fmt not in FORMATS:
        raise ParameterError(f"format {fmt!r}: use one of {', '.join(FORMATS)}")
    timed = sorted((n for n in items if n.get("at_s") is not None), key=lambda n: (n["at_s"], n["id"]))
    text = {"csv": _csv, "audacity": _audacity, "reaper": _reaper}[fmt](timed)
    media, suffix = FORMATS[fmt]
    return text, media, f"{song}-notes-{fmt}.{suffix}"


def _label(n: dict[str, Any]) -> str:
    return " ".join(f"#{n['id']} [{n['role']}] {n['text']}".split())


def _csv(timed: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["id", "start_s", "end_s", "role", "status", "by", "text", "reason"])
    for n in timed:
        w.writerow([n["id"], f"{n['at_s']:.3f}", "" if n.get("to_s") is None else f"{n['to_s']:.3f}", n["role"],
                    n.get("status"), n.get("filed_by") or "", n["text"], n.get("reason", "")])
    return out.getvalue()


def _audacity(timed: list[dict[str, Any]]) -> str:
    rows = []
    for n in timed:
        end = n["to_s"] if n.get("to_s") is not None else n["at_s"]
        rows.append(f"{n['at_s']:.6f}\t{end:.6f}\t{_label(n)}\n")
    return "".join(rows)


def _clock_ms(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    return f"{int(minutes)}:{rest:06.3f}"


def _reaper(timed: list[dict[str, Any]]) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(["#", "Name", "Start", "End", "Length"])
    markers = regions = 0
    for n in timed:
        if n.get("to_s") is None:
            markers += 1
            w.writerow([f"M{markers}", _label(n), _clock_ms(n["at_s"]), "", ""])
        else:
            regions += 1
            w.writerow([f"R{regions}", _label(n), _clock_ms(n["at_s"]), _clock_ms(n["to_s"]),
                        _clock_ms(n["to_s"] - n["at_s"])])
    return out.getvalue()
