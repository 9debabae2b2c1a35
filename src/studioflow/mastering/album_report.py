"""The album report for people: loudness, true peak and spectral balance of every song side by side, before and after
mastering, and where each song sits on the CD; one stand-alone HTML page with embedded plots."""

from __future__ import annotations

import html
import os
from pathlib import Path

from studioflow.audio.atomic import write_text
from studioflow.mastering.cue import msf
from studioflow.mastering.report import _CSS, _fmt, _png


def _spectra_plot(record: dict) -> str:
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 3.6), sharey=True)
    for ax, when in zip(axes, ("before", "after")):
        for s in record["songs"]:
            ax.semilogx(s["centers_hz"], s[when]["spectrum_db"], lw=1.2, label=f"{s['number']}. {s['title']}")
        ax.set_title(f"{when} ({'mixes' if when == 'before' else 'masters'}); spread "
                     f"{record['tonal_spread_db'][when]:.2f} dB")
        ax.set_xlabel("frequency (Hz), 1/3-octave bands")
        ax.grid(alpha=0.3, which="both")
    axes[0].set_ylabel("band level - integrated loudness (dB)")
    axes[1].legend(fontsize=7)
    return _png(fig)


def _loudness_plot(record: dict) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(10, 2.8))
    x = range(len(record["songs"]))
    floor = -40.0
    for off, when in ((-0.2, "before (mix)"), (0.2, "after (master)")):
        key = when.split()[0]
        ax.bar([i + off for i in x], [(s[key]["integrated_lufs"] or floor) - floor for s in record["songs"]],
               width=0.4, label=when, bottom=floor)
    ax.axhline(record["target"]["lufs"], color="k", ls="--", lw=0.8, label="target (loudest song)")
    ax.set_xticks(list(x), [f"{s['number']}. {s['title']}" for s in record["songs"]], fontsize=8)
    ax.set_ylabel("integrated loudness (LUFS)")
    ax.set_ylim(floor, 0)
    ax.legend(fontsize=8, loc="lower right")
    return _png(fig)


def _table(record: dict) -> str:
    head = ("<tr><th>#</th><th>title</th><th>ISRC</th><th>intended rel. LU</th><th>LUFS before</th>"
            "<th>LUFS after</th><th>rel. LU after</th><th>true peak before</th><th>true peak after (8x)</th>"
            "<th>tonal distance to album before</th><th>after</th><th>CD INDEX 01</th></tr>")
    rows = [head]
    for s in record["songs"]:
        b, a = s["before"], s["after"]
        idx = msf(s["spot"]["index01"]) if record.get("cd") else "-"
        rows.append(
            f"<tr><td>{s['number']}</td><td>{html.escape(s['title'])}</td><td>{html.escape(s['isrc'] or '-')}</td>"
            f"<td>{_fmt(s['intended_relative_lu'])}</td><td>{_fmt(b['integrated_lufs'])}</td>"
            f"<td>{_fmt(a['integrated_lufs'])}</td><td>{_fmt(a['relative_lu'])}</td>"
            f"<td>{_fmt(b['true_peak_dbtp'])}</td><td>{_fmt(a.get('true_peak_8x_dbtp'))}</td>"
            f"<td>{_fmt(b['distance_to_album_db'])}</td><td>{_fmt(a['distance_to_album_db'])}</td><td>{idx}</td></tr>")
    return "<table>" + "\n".join(rows) + "</table>"


def render_album_html(record: dict) -> str:
    """The album report page for ``record`` (what ``make_album`` returns), as HTML."""
    import matplotlib

    matplotlib.use("Agg")
    t = record["target"]
    warnings = "".join(f'<div class="warn">{html.escape(str(s["number"]))}. {html.escape(w)}</div>'
                       for s in record["songs"] for w in s["warnings"])
    title = html.escape(f"{record['artist']} - {record['title']}")
    return "\n".join([
        f"<!doctype html><html><head><meta charset='utf-8'><title>Album report: {title}</title>",
        f"<style>{_CSS}</style></head><body><h1>Album report: {title}</h1>",
        f"<p>Target for the loudest song: <b>{html.escape(t['name'])}</b> ({t['lufs']:g} LUFS, "
        f"{t['ceiling_dbtp']:g} dBTP). The others keep their intended distance below it. Catalog: "
        f"{html.escape(record.get('catalog') or '-')}.</p>",
        warnings or "<p>No warnings.</p>",
        "<h2>Songs side by side</h2>", _table(record),
        "<h2>Loudness</h2>", f"<img src='data:image/png;base64,{_loudness_plot(record)}'>",
        "<h2>Tonal balance (each song's spectrum, loudness-normalized)</h2>",
        f"<img src='data:image/png;base64,{_spectra_plot(record)}'>",
        "</body></html>"])


def write_album_report(record: dict, path: str | os.PathLike[str]) -> Path:
    """Write the album report HTML to ``path`` atomically; return the path."""
    return write_text(path, render_album_html(record))
