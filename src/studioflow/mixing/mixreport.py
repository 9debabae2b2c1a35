"""What a render measured, written as ``MIX.json`` beside it: session hash, mix analysis, per-strip peaks and
loudness contribution (integrated loudness of the strip alone as heard in the mix, BS.1770), and warnings."""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from studioflow.mixing.strips import StripOutput

if TYPE_CHECKING:
    from studioflow.mixing.engine import Renderer

OVER = 1.0  # 0 dBFS


def _loudness_meter(rate: int) -> Any:
    """A streaming BS.1770 meter from the analysis floor, or None where it is not available."""
    try:
        from studioflow.analysis.loudness import LoudnessMeter
    except ImportError:
        return None
    return LoudnessMeter(rate, 2)


class StripMeter:
    """Peaks (pre-fader and output) and, when asked, the loudness of one strip's output over the rendered range."""

    def __init__(self, name: str, kind: str, rate: int, loudness: bool) -> None:
        self.name = name
        self.kind = kind
        self.pre_fader_peak = 0.0
        self.peak = 0.0
        self.frames = 0
        self.meter = _loudness_meter(rate) if loudness and kind != "master" else None

    def add(self, res: StripOutput, skip: int) -> None:
        """Add one block's measurements, ignoring its first ``skip`` frames (pre-roll)."""
        if res.out is None:
            return
        out = res.out[:, skip:]
        if out.shape[1] == 0:
            return
        self.pre_fader_peak = max(self.pre_fader_peak, res.pre_fader_peak)
        self.peak = max(self.peak, float(np.max(np.abs(out))))
        self.frames += out.shape[1]
        if self.meter is not None:
            self.meter.process(out.astype(np.float32))

    def loudness_lufs(self) -> float | None:
        """Integrated loudness of the strip as heard (LUFS), None when unmeasured or silent."""
        if self.meter is None:
            return None
        value = float(self.meter.integrated_lufs())
        return value if math.isfinite(value) else None


def _db(x: float) -> float | None:
    return 20.0 * math.log10(x) if x > 0 else None


def _analysis(path: Path) -> dict[str, Any] | None:
    try:
        from studioflow.analysis.report import analyze
    except ImportError:
        return None
    result = analyze(path)
    return result if isinstance(result, dict) else getattr(result, "to_dict", lambda: vars(result))()


def mix_report(renderer: "Renderer", out_path: Path, stems: dict[str, Path]) -> dict[str, Any]:
    """The report of one render (also returned by :func:`studioflow.mixing.engine.render`)."""
    sess, rate = renderer.session, renderer.rate
    analysis = _analysis(out_path)
    mix_lufs = None
    if isinstance(analysis, dict):
        mix_lufs = analysis.get("integrated_lufs", (analysis.get("loudness") or {}).get("integrated_lufs")
                                if isinstance(analysis.get("loudness"), dict) else None)
    warnings: list[str] = []
    strips = []
    for st in [*sess.tracks, *sess.buses]:
        m = renderer.meters[st.name]
        lufs = m.loudness_lufs()
        silent = st.name in renderer.plan.silent
        entry = {"name": st.name, "kind": st.kind, "silent": silent,
                 "peak_pre_fader_dbfs": _db(m.pre_fader_peak), "peak_dbfs": _db(m.peak),
                 "loudness_lufs": lufs, "contribution_lu": None if lufs is None or mix_lufs is None
                 else lufs - mix_lufs, "latency_frames": renderer.plan.latency_out[st.name]}
        strips.append(entry)
        if st.kind == "track" and m.pre_fader_peak > OVER:
            warnings.append(f"track {st.name} clips before its fader (peak {_db(m.pre_fader_peak):+.1f} dBFS "
                            "after its inserts): lower its source or insert gain")
        if st.kind == "bus" and m.peak > OVER:
            warnings.append(f"bus {st.name} goes over 0 dBFS (peak {_db(m.peak):+.1f} dBFS)")
    master = renderer.meters["master"]
    if master.peak > OVER:
        warnings.append(f"the master goes over 0 dBFS (peak {_db(master.peak):+.1f} dBFS)")
    if analysis is None:
        warnings.append("mix analysis unavailable (studioflow.analysis.report is not installed)")
    return {
        "session": sess.name,
        "session_file": str(sess.path),
        "session_sha256": sess.sha256,
        "mix": str(out_path),
        "sample_rate": rate,
        "format": renderer.s.format,
        "start_s": renderer.start_frame / rate,
        "end_s": renderer.end_frame / rate,
        "duration_s": (renderer.end_frame - renderer.start_frame) / rate,
        "tail_s": renderer.tail_s,
        "block_frames": renderer.s.block_frames,
        "master_latency_frames": renderer.plan.master_latency,
        "master_peak_dbfs": _db(master.peak),
        "analysis": analysis,
        "strips": strips,
        "stems": {name: str(p) for name, p in stems.items()},
        "log": list(renderer.s.log),
        "warnings": warnings,
    }
