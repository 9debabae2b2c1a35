"""The coaching report: one stand-alone HTML page (plots embedded as base64 PNG) from ``coach``'s result."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

from studioflow.audio.atomic import write_text
from studioflow.producer.arrangement import clock
from studioflow.producer.coach.guide import Grid
from studioflow.producer.coach.pitch import PitchTrack
from studioflow.producer.coach.plots import take_png

_STYLE = ("body{font-family:sans-serif;max-width:1060px;margin:2em auto;color:#222}"
          "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}"
          "th{background:#f3f3f3}li{margin:.2em 0}.best{background:#e6f4e6;font-weight:bold}")


def _num(value: float | None, fmt: str) -> str:
    return "-" if value is None else format(value, fmt)


def write_report(path: str | Path, result: dict[str, Any], tracks: list[PitchTrack]) -> Path:
    """Write the report page for ``result`` (with each take's pitch track) to ``path`` atomically."""
    grid = Grid(**result["grid"]) if result["grid"] else None
    e = html.escape
    target = e(result["target"]) + (f", {result['grid']['bpm']:g} BPM" if grid else ", no tempo grid")
    parts = [f"<!doctype html><html><head><meta charset='utf-8'><title>Coaching notes</title><style>{_STYLE}</style>"
             f"</head><body><h1>Coaching notes</h1><p>Measured against {target}.</p>",
             "<table><tr><th>take</th><th>file</th><th>notes sung</th><th>in tune</th><th>mean |cents|</th>"
             "<th>mean timing ms</th><th>spread ms</th><th>vibrato</th></tr>"]
    for t in result["takes"]:
        s = t["summary"]
        vib = "-" if s["vibrato_hz"] is None else f"{s['vibrato_hz']:.1f} Hz, +-{s['vibrato_cents']:.0f} c"
        parts.append(f"<tr><td>{t['take']}</td><td>{e(Path(t['file']).name)}</td><td>{s['sung']}/{s['notes']}</td>"
                     f"<td>{_num(s['in_tune_pct'], '.0f')} %</td><td>{_num(s['mean_abs_cents'], '.1f')}</td>"
                     f"<td>{_num(s['mean_timing_ms'], '+.1f')}</td><td>{_num(s['tightness_ms'], '.1f')}</td>"
                     f"<td>{vib}</td></tr>")
    parts.append("</table>")
    if "best" in result:
        parts.append("<h2>Best take per phrase</h2><table><tr><th>phrase</th><th>time</th>"
                     + "".join(f"<th>take {t['take']}</th>" for t in result["takes"]) + "</tr>")
        for i, p in enumerate(result["best"], 1):
            cells = "".join(f"<td class='{'best' if k == p['best_take'] else ''}'>{v['score']:.1f}</td>"
                            for k, v in p["scores"].items())
            bars = f" (bars {grid.bar_of(p['start_s'])}-{grid.bar_of(p['end_s'] - 1e-3)})" if grid else ""
            parts.append(f"<tr><td>{i}</td><td>{clock(p['start_s'])}-{clock(p['end_s'])}{bars}</td>{cells}</tr>")
        parts.append("</table><p>Score: mean pitch error in cents (offset plus half the drift) + 0.5 per ms of "
                     "timing error + 100 for a phrase of missed notes; lower is better.</p><p>Comp plan: "
                     + ", ".join(f"take {s['take']} {s['from']:g}-{s['to']:g} s" for s in result["plan"]) + "</p>")
        if result.get("comp_hint"):
            parts.append(f"<p><code>{e(result['comp_hint'])}</code></p>")
    for t, track in zip(result["takes"], tracks):
        parts.append(f"<h2>Take {t['take']}: {e(Path(t['file']).name)}</h2><ul>")
        parts += [f"<li>{e(r['message'])}</li>" for r in t["remarks"]]
        parts.append(f"</ul><img alt='pitch and timing of take {t['take']}' "
                     f"src='data:image/png;base64,{take_png(t, track, grid)}'>")
    parts.append("</body></html>")
    return write_text(path, "\n".join(parts))
