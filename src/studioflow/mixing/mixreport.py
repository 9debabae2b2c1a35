"""What a render measured, written as ``MIX.json`` beside it: session hash, mix analysis, per-strip peaks and
loudness contribution (integrated loudness of the strip alone as heard in the mix, BS.1770), and warnings."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from studioflow.mixing.graph import Plan
from studioflow.mixing.kernels import peak, stereo_sums
from studioflow.mixing.session import Session
from studioflow.mixing.strips import StripOutput

OVER = 1.0  # 0 dBFS


def _loudness_meter(rate: int, true_peak: bool) -> Any:
    """A streaming BS.1770 meter from the analysis floor."""
    from studioflow.analysis.loudness import LoudnessMeter
    return LoudnessMeter(rate, 2, true_peak=true_peak)


class StripMeter:
    """Peaks (pre-fader and output) and, when asked, the loudness of one strip's output over the rendered range."""

    def __init__(self, name: str, kind: str, rate: int, loudness: bool) -> None:
        self.name = name
        self.kind = kind
        self.pre_fader_peak = 0.0
        self.peak = 0.0
        self.frames = 0
        self.meter = _loudness_meter(rate, kind == "master") if loudness or kind == "master" else None
        self.lr = np.zeros(3)   # sums of L*R, L*L, R*R for the correlation

    def add(self, res: StripOutput, skip: int) -> None:
        """Add one block's measurements, ignoring its first ``skip`` frames (pre-roll)."""
        out = res.out[:, skip:]
        if out.shape[1] == 0:
            return
        self.pre_fader_peak = max(self.pre_fader_peak, res.pre_fader_peak)
        top = stereo_sums(out, self.lr) if self.kind == "master" else peak(out)
        self.peak = max(self.peak, top)
        self.frames += out.shape[1]
        if self.meter is not None:
            self.meter.process(out.astype(np.float32))

    def loudness_lufs(self) -> float | None:
        """Integrated loudness of the strip as heard (LUFS), None when unmeasured or silent."""
        return None if self.meter is None else self.meter.result().integrated_lufs

    def master_analysis(self) -> dict[str, Any]:
        """Loudness (BS.1770-4 / EBU R128), true peak and correlation of the master over the rendered range."""
        assert self.meter is not None               # the master is always metered
        r = self.meter.result()
        norm = math.sqrt(self.lr[1] * self.lr[2])
        return {"integrated_lufs": r.integrated_lufs, "loudness_range_lu": r.loudness_range_lu,
                "short_term_max_lufs": r.short_term_max_lufs, "momentary_max_lufs": r.momentary_max_lufs,
                "true_peak_dbtp": r.true_peak_dbtp, "sample_peak_dbfs": r.sample_peak_dbfs, "plr_db": r.plr_db,
                "correlation": float(self.lr[0] / norm) if norm > 0 else None}


def _db(x: float) -> float | None:
    return 20.0 * math.log10(x) if x > 0 else None


class Rendered(Protocol):
    """What a finished render (``engine.Renderer``) shows its report: frames at the session's rate, seconds."""

    session: Session
    rate: int
    s: Any                        # the render's settings (format, block_frames, log)
    plan: Plan
    meters: dict[str, "StripMeter"]
    start_frame: int
    end_frame: int
    tail_s: float


def mix_report(renderer: Rendered, out_path: Path, stems: dict[str, Path]) -> dict[str, Any]:
    """The report of one render (also returned by :func:`studioflow.mixing.engine.render`)."""
    sess, rate = renderer.session, renderer.rate
    master = renderer.meters["master"]
    analysis = master.master_analysis()
    mix_lufs = analysis["integrated_lufs"]
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
    if master.peak > OVER:
        warnings.append(f"the master goes over 0 dBFS (peak {_db(master.peak):+.1f} dBFS)")
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
