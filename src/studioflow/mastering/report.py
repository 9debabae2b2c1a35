"""The mastering report for people: one stand-alone HTML page (plots embedded as base64 PNG) from a master's record."""

from __future__ import annotations

import base64
import html
import io
import os
from pathlib import Path
from typing import Any

import numpy as np

from studioflow.audio.atomic import write_text

SHORT_TERM_S = 3.0


def _png(fig: Any) -> str:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    import matplotlib.pyplot as plt

    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _loudness_plot(record: dict) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 3))
    for key, label in (("input", "mix (before)"), ("output", "master (after)")):
        st = record["analysis"][key].get("short_term", {})
        # the first 3 s are the short-term window filling up (EBU Tech 3341): not loudness, so not drawn
        pts = [(t, v) for t, v in zip(st.get("times_s", []), st.get("lufs", [])) if t >= SHORT_TERM_S and v is not None]
        if pts:
            ax.plot(*zip(*pts), label=label, lw=1)
    ax.axhline(record["target"]["lufs"], color="k", ls="--", lw=0.8, label=f"target {record['target']['lufs']:g} LUFS")
    # the tail of a song falls to digital silence: keep the axis on the music (30 LU under the target is plenty)
    ax.set_ylim(record["target"]["lufs"] - 30.0, record["target"]["lufs"] + 6.0)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("short-term loudness (LUFS)")
    ax.grid(alpha=0.3)
    ax.legend(loc="best", fontsize=8)
    return _png(fig)


def _spectrum_plot(record: dict) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 3.5))
    series = [("input", "mix (before)"), ("output", "master (after)"), ("reference", "reference")]
    dist = record.get("spectral_distance_db") or {}
    extra = ({"input": f", {dist['before']:.2f} dB from it", "output": f", {dist['after']:.2f} dB from it"}
             if dist else {})
    curve = record.get("tonal_target") or {}
    of = curve.get("of", "level_db")          # a reference is matched on the mid: the plot shows what was matched
    for key, label in series:
        label += extra.get(key, "")
        a = record["analysis"].get(key)
        if a and a.get("spectrum") and a["spectrum"].get(of) is not None:
            ax.semilogx(a["spectrum"]["centers_hz"], a["spectrum"][of], marker=".", label=label, lw=1.2)
    if curve.get("kind") == "curve":
        # the EQ moves balance, not level (its correction is centred over 200 Hz - 5 kHz): the curve is drawn
        # level with the mix there, on the scale of the measurements
        fc = np.asarray(curve["centers_hz"])
        mix = np.asarray(record["analysis"]["input"]["spectrum"]["level_db"])
        target = np.asarray(curve["level_db"])
        body = (fc >= 200) & (fc <= 5000)
        ax.semilogx(fc, target + np.mean(mix[body]) - np.mean(target[body]), color="k", ls=":", lw=1,
                    label=f"curve: {curve['name']} (level with the mix over 200 Hz-5 kHz)")
    ax.set_xlabel("frequency (Hz), 1/3-octave bands")
    ax.set_ylabel("band level - integrated loudness (dB)")
    ax.grid(alpha=0.3, which="both")
    ax.legend(fontsize=8)
    return _png(fig)


def _gain_reduction_plot(record: dict) -> str:
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 2.5))
    gr = record.get("gain_reduction", {}).get("series", {})
    if gr.get("times_s"):
        ax.fill_between(gr["times_s"], 0, [-g for g in gr["gr_db"]], color="tab:red", alpha=0.6, step="mid")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("limiter gain reduction (dB)")
    ax.grid(alpha=0.3)
    return _png(fig)


def _fmt(value: Any, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        return f"{value:.2f}{(' ' + unit) if unit else ''}"
    return html.escape(str(value))


def _numbers_table(record: dict) -> str:
    rows = [("integrated loudness", "integrated_lufs", "LUFS"), ("loudness range (LRA)", "lra_lu", "LU"),
            ("true peak", "true_peak_dbtp", "dBTP"), ("sample peak", "sample_peak_dbfs", "dBFS"),
            ("peak-to-loudness ratio (PLR)", "plr_db", "dB"), ("stereo side/mid", "side_minus_mid_db", "dB")]
    cols = [k for k in ("input", "output", "reference") if record["analysis"].get(k)]
    out = ["<table><tr><th></th>" + "".join(f"<th>{c}</th>" for c in cols) + "</tr>"]
    for label, key, unit in rows:
        out.append(f"<tr><td>{label}</td>" + "".join(
            f"<td>{_fmt(record['analysis'][c].get(key), unit)}</td>" for c in cols) + "</tr>")
    dist = record.get("spectral_distance_db")
    if dist:
        out.append(f"<tr><td>spectral distance to {html.escape(dist['to'])}</td><td>{_fmt(dist['before'], 'dB')}</td>"
                   f"<td>{_fmt(dist['after'], 'dB')}</td>" + "<td></td>" * (len(cols) - 2) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _stages_table(record: dict) -> str:
    out = ["<table><tr><th>stage</th><th>applied</th><th>settings</th><th>why</th></tr>"]
    for s in record["stages"]:
        settings = ", ".join(f"{k}={_fmt(v)}" if not isinstance(v, list) else
                             f"{k}={' / '.join(_fmt(x) for x in v)}"       # per band: low / mid / high
                             for k, v in s.get("settings", {}).items()
                             if k not in ("bands", "predicted_response_db", "iterations"))
        bands = s.get("settings", {}).get("bands")
        if bands:
            settings += "<br>" + "; ".join(
                f"{b.get('type', 'peak')} {b['freq']:.0f} Hz {b['gain_db']:+.1f} dB" for b in bands)
        out.append(f"<tr><td>{html.escape(s['name'])}</td><td>{'yes' if s['enabled'] else 'no'}</td>"
                   f"<td>{settings}</td><td>{html.escape(s['reason'])}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


def _changes_table(record: dict) -> str:
    """What changed per octave band: the tonal EQ's response, the whole master against the mix, and the balance
    still away from the target (dB)."""
    changed = record.get("what_changed") or {}
    if not changed:
        return ""
    rows = [("tonal EQ", "eq_db"), ("whole master", "master_db"), ("still from the target", "from_target_db")]
    out = ["<table><tr><th>dB</th>" + "".join(f"<th>{f:g} Hz</th>" for f in changed["octaves_hz"]) + "</tr>"]
    for label, key in rows:
        if key in changed:
            out.append(f"<tr><td>{label}</td>" + "".join(
                f"<td>{'-' if v is None or v != v else f'{v:+.1f}'}</td>" for v in changed[key]) + "</tr>")
    out.append("</table>")
    return "\n".join(out)


def _players(record: dict, folder: Path | None) -> str:
    """Before and after, loudness-matched (the louder one is turned down by the difference), one switch to hear
    either at the same moment; the files are linked from the report's folder, not copied into it."""
    if folder is None:
        return ""
    a = record["analysis"]
    diff = (a["output"].get("integrated_lufs") or 0.0) - (a["input"].get("integrated_lufs") or 0.0)
    volume = {"mix": min(1.0, 10 ** (diff / 20)), "master": min(1.0, 10 ** (-diff / 20))}
    src = {"mix": os.path.relpath(record["input"], folder), "master": os.path.relpath(record["output"], folder)}
    players = "".join(f"<p>{name} <audio id='{name}' controls preload='none' src='{html.escape(src[name])}'></audio>"
                      f"</p>" for name in ("mix", "master"))
    return (f"<p>Both at the same loudness (the {'master' if diff > 0 else 'mix'} turned down {abs(diff):.1f} dB), "
            "so what you hear is the change in balance, dynamics and width, not level.</p>" + players +
            "<button id='switch'>switch mix / master</button><script>"
            f"const v={{mix:{volume['mix']:.4f},master:{volume['master']:.4f}}};"
            "const m=document.getElementById('mix'),o=document.getElementById('master');"
            "m.volume=v.mix;o.volume=v.master;"
            "document.getElementById('switch').onclick=()=>{const [a,b]=m.paused?[o,m]:[m,o];"
            "b.currentTime=a.currentTime;a.pause();b.play();};</script>")


def _deliveries_table(record: dict) -> str:
    out = ["<table><tr><th>file</th><th>format</th><th>integrated</th><th>true peak (8x)</th><th>note</th></tr>"]
    for d in record.get("deliveries", []):
        out.append(f"<tr><td>{html.escape(os.path.basename(d['path']))}</td><td>{html.escape(d['format'])}</td>"
                   f"<td>{_fmt(d.get('integrated_lufs'), 'LUFS')}</td><td>{_fmt(d.get('true_peak_dbtp'), 'dBTP')}</td>"
                   f"<td>{html.escape(d.get('note', ''))}</td></tr>")
    out.append("</table>")
    return "\n".join(out)


_CSS = """body{font-family:sans-serif;max-width:980px;margin:2em auto;color:#222}
table{border-collapse:collapse;margin:1em 0}
td,th{border:1px solid #ccc;padding:4px 8px;font-size:90%;vertical-align:top}
th{background:#f3f3f3}.warn{background:#fff4d6;border-left:4px solid #e0a000;padding:6px 10px;margin:6px 0}
img{max-width:100%}"""


def render_html(record: dict, folder: Path | None = None) -> str:
    """The report page for a master's ``record`` (the dict that ``master()`` returns), as an HTML string; with the
    report's ``folder``, players for the mix and the master."""
    import matplotlib

    matplotlib.use("Agg")
    t = record["target"]
    warnings = "".join(f'<div class="warn">{html.escape(w)}</div>' for w in record.get("warnings", []))
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Master report: {html.escape(Path(record['output']).name)}</title><style>{_CSS}</style></head><body>",
        f"<h1>Master report: {html.escape(Path(record['output']).name)}</h1>",
        f"<p>Mix: {html.escape(str(record['input']))}<br>Target: <b>{html.escape(t['name'])}</b> "
        f"({t['lufs']:g} LUFS, {t['ceiling_dbtp']:g} dBTP) - {html.escape(t['note'])}<br>"
        f"Style: {html.escape(record['style']['name'])}, "
        f"tonal target: {html.escape(record['tonal_target']['name'])}</p>",
        warnings or "<p>No warnings.</p>",
        "<h2>Listen</h2>", _players(record, folder),
        "<h2>Numbers</h2>", _numbers_table(record),
        "<h2>What was done and why</h2>", _stages_table(record),
        "<h2>What changed per octave</h2>", _changes_table(record),
        "<h2>Loudness over time</h2>", f"<img src='data:image/png;base64,{_loudness_plot(record)}'>",
        "<h2>Spectrum (loudness-normalized, 1/3 octave)</h2>",
        f"<img src='data:image/png;base64,{_spectrum_plot(record)}'>",
        "<h2>Limiter gain reduction</h2>", f"<img src='data:image/png;base64,{_gain_reduction_plot(record)}'>",
        _gr_summary(record),
        "<h2>Delivered files</h2>", _deliveries_table(record),
        "</body></html>",
    ]
    return "\n".join(parts)


def _gr_summary(record: dict) -> str:
    gr = record.get("gain_reduction", {})
    keys = [("max_db", "max"), ("mean_db", "mean while limiting"), ("p95_db", "95th percentile"),
            ("active_pct", "time limiting > 0.5 dB (%)")]
    return "<p>" + ", ".join(f"{label}: {_fmt(gr.get(k))}" for k, label in keys) + "</p>"


def write_report(record: dict, path: str | os.PathLike[str]) -> Path:
    """Write the stand-alone HTML report of ``record`` to ``path`` (atomically); return the path."""
    return write_text(path, render_html(record, Path(path).resolve().parent))
