"""The translation report: one stand-alone HTML page (plots embedded as base64 PNG) from ``check_translation``'s result:
each system's spectrum change and findings, mono cancellation per band, the codec round trip."""

from __future__ import annotations

import html
import os
from pathlib import Path

import numpy as np

from studioflow.audio.atomic import write_json, write_text
from studioflow.mastering.report import _CSS, _fmt, _png


def _changes_plot(result: dict) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9.5, 3.8))
    fc = result["centers_hz"]
    for c in result["checks"]:
        if c["kind"] != "mono":
            ax.semilogx(fc[:len(c["change_db"])], c["change_db"], marker=".", lw=1.2, label=c["label"])
    ax.axhline(-12, color="k", ls=":", lw=0.8, label="gone (-12 dB)")
    ax.set_ylim(-40, 15)
    ax.set_xlabel("frequency (Hz), 1/3-octave bands")
    ax.set_ylabel("level on the system - master (dB)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8, ncol=2)
    return _png(fig)


def _mono_plot(result: dict) -> str:
    import matplotlib.pyplot as plt

    mono = next(c for c in result["checks"] if c["kind"] == "mono")
    fc = np.asarray(result["centers_hz"])
    cancel = np.asarray(mono.get("cancellation_db") or np.zeros(len(fc)))
    fig, ax = plt.subplots(figsize=(9.5, 2.8))
    colors = ["tab:red" if x <= -6 else "tab:blue" for x in cancel]
    ax.bar(range(len(fc)), cancel, color=colors)
    ax.set_xticks(range(0, len(fc), 3), [f"{f:.0f}" if f < 1000 else f"{f / 1000:.0f}k" for f in fc[::3]], fontsize=8)
    ax.axhline(-3, color="k", ls=":", lw=0.8)
    ax.set_xlabel("1/3-octave band (Hz)")
    ax.set_ylabel("mono - stereo (dB)")
    ax.grid(alpha=0.3, axis="y")
    return _png(fig)


def render_translation_html(result: dict) -> str:
    """The report page for ``result`` (what ``check_translation`` returns), as HTML."""
    import matplotlib

    matplotlib.use("Agg")
    name = html.escape(Path(result["master"]).name)
    rows = ["<table><tr><th>system</th><th>loudness</th><th>change</th><th>what you hear</th><th>model after</th></tr>"]
    for c in result["checks"]:
        said = "<br>".join(html.escape(w) for w in c["findings"]) or "translates as it is"
        rows.append(f"<tr><td>{html.escape(c['label'])}</td><td>{_fmt(c['integrated_lufs'], 'LUFS')}</td>"
                    f"<td>{_fmt(c['loudness_change_lu'], 'LU')}</td><td>{said}</td>"
                    f"<td>{html.escape(c['source'])}</td></tr>")
    rows.append("</table>")
    return "\n".join([
        f"<!doctype html><html><head><meta charset='utf-8'><title>Translation: {name}</title>",
        f"<style>{_CSS}</style></head><body><h1>Translation: {name}</h1>",
        f"<p>Master: {_fmt(result['integrated_lufs'], 'LUFS')}, true peak {_fmt(result['true_peak_dbtp'], 'dBTP')}."
        f" {html.escape(result['note'])}</p>",
        *rows,
        "<h2>Spectrum on each system</h2>", f"<img src='data:image/png;base64,{_changes_plot(result)}'>",
        "<h2>Mono fold-down per band</h2>", f"<img src='data:image/png;base64,{_mono_plot(result)}'>",
        "<p>Bars in red lose 6 dB or more in mono: the two channels are mostly out of phase there.</p>",
        "</body></html>"])


def write_translation_report(result: dict, path: str | os.PathLike[str]) -> Path:
    """Write the translation report HTML to ``path`` and its numbers as JSON beside it (same name, ``.json``), both
    atomically; return the HTML's path."""
    target = write_text(path, render_translation_html(result))
    write_json(target.with_suffix(".json"), result)
    return target
