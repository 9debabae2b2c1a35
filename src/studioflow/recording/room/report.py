"""The room report for people: one stand-alone HTML page (plots embedded as base64 PNG) from a room result: decay
times per octave, the low-frequency response with the modes marked, the figures table and the advice."""

from __future__ import annotations

import base64
import html
import io
from typing import Any


def _png(fig: Any) -> str:
    """The figure as base64 PNG (the figure is closed)."""
    import matplotlib.pyplot as plt

    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=90, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buf.getvalue()).decode("ascii")


def _decay_plot(result: dict[str, Any]) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    x = range(len(result["bands"]))
    for name, label in (("edt_s", "EDT"), ("t20_s", "T20"), ("t30_s", "T30")):
        ax.plot(x, [b[name] if b[name] is not None else float("nan") for b in result["bands"]], marker="o",
                label=label)
    ax.set_xticks(list(x), [f"{b['band_hz']:g}" for b in result["bands"]])
    ax.set_xlabel("octave band (Hz)")
    ax.set_ylabel("seconds to -60 dB")
    ax.grid(alpha=0.3)
    ax.legend()
    return _png(fig)


def _modes_plot(result: dict[str, Any]) -> str:
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 3.2))
    lf = result["lf_response"]
    ax.semilogx(lf["freq_hz"], lf["level_db"], lw=0.8)
    for m in result["modes"]:
        ax.axvline(m["freq_hz"], color="crimson", alpha=0.6)
        ax.text(m["freq_hz"], 1.0, f" {m['freq_hz']:.0f} Hz", color="crimson", transform=ax.get_xaxis_transform(),
                va="top", fontsize=8)
    ax.set_xlim(20, 300)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("level (dB)")
    ax.grid(alpha=0.3, which="both")
    return _png(fig)


def render_html(result: dict[str, Any]) -> str:
    """The page: advice first, then the figures table, the plots and the modes and reflections."""
    e = html.escape
    rows = "".join(
        "<tr><td>{}</td>{}</tr>".format(f"{b['band_hz']:g}", "".join(
            f"<td>{'-' if b[k] is None else b[k]}</td>" for k in ("edt_s", "t20_s", "t30_s", "c50_db", "c80_db")))
        for b in result["bands"])
    modes = "".join(f"<li>{m['freq_hz']:.1f} Hz, {m['level_db']:.1f} dB above its surroundings, rings "
                    f"{m['decay_s'] if m['decay_s'] is not None else '?'} s</li>" for m in result["modes"])
    refl = "".join(f"<li>position {i + 1}: " + "; ".join(
        f"{r['delay_ms']:.2f} ms, {r['path_m']:.2f} m more path, {r['level_db']:.1f} dB" for r in rs) + "</li>"
        for i, rs in enumerate(result["reflections"]) if rs)
    return "\n".join([
        "<!doctype html><html><head><meta charset='utf-8'><title>Room measurement</title>",
        "<style>body{font-family:sans-serif;max-width:60em;margin:2em auto}td,th{padding:2px 8px;text-align:right}"
        "</style></head><body>",
        f"<h1>Room measurement ({result['positions']} position(s), {e(result['liveness'])})</h1>",
        "<h2>Advice</h2><ul>" + "".join(f"<li>{e(a)}</li>" for a in result["advice"]) + "</ul>",
        "<h2>Per octave (ISO 3382-2)</h2><table><tr><th>band Hz</th><th>EDT s</th><th>T20 s</th><th>T30 s</th>"
        f"<th>C50 dB</th><th>C80 dB</th></tr>{rows}</table>",
        f"<img alt='decay times' src='data:image/png;base64,{_decay_plot(result)}'>",
        "<h2>Room modes</h2>" + (f"<ul>{modes}</ul>" if modes else "<p>No mode stands out.</p>"),
        f"<img alt='low-frequency response' src='data:image/png;base64,{_modes_plot(result)}'>",
        "<h2>Early reflections</h2>" + (f"<ul>{refl}</ul>" if refl else "<p>No strong early reflection.</p>"),
        "</body></html>"])
