"""The corpus as rows for fitting and judging: each stem's feature vector (``automix.model.feature_vector``), its
true role, and the composer's balance (loudness relative to the mean of the song's stems, LU) and pan.

Features are cached beside each song (``features.json``), so fitting and benchmarking do not re-measure. Besides the
rendered MIDI songs, the demo songs' stems (``studioflow demo``, two arrangements) join the rows, named ``demo``.
"""

from __future__ import annotations

import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build import DEFAULT_OUT  # noqa: E402
from gm import program_role  # noqa: E402

DEMO_ROLES = {"kick": "kick", "snare": "snare", "hats": "hats", "bass": "bass", "keys": "keys", "pad": "pads",
              "lead": "lead_vocal"}


@dataclass
class Row:
    """One stem of the corpus."""

    song: str                 # song name (the unit of cross-validation)
    soundfont: str
    set: str                  # "stems" (the kit whole) or "pieces" (the kit split)
    name: str
    path: Path
    role: str
    level_lu: float | None    # composer's loudness relative to the song's stems' mean (stems set only)
    pan: float
    held_out: bool
    x: np.ndarray


def _features(path: Path) -> np.ndarray | None:
    from studioflow.mixing.automix.measure import analyse
    from studioflow.mixing.automix.model import feature_vector

    audio, rate = sf.read(path, dtype="float32", always_2d=True)
    f = analyse(path.stem, path, audio.T, rate)
    return None if f.loudness_lufs is None else feature_vector(f)


def song_rows(folder: Path) -> list[Row]:
    """The rows of one rendered song (features measured once and cached)."""
    truth = json.loads((folder / "truth.json").read_text())
    cache = folder / "features.json"
    from studioflow.mixing.automix.model import FEATURE_NAMES
    cached = json.loads(cache.read_text()) if cache.exists() else {}
    if cached.get("features") != list(FEATURE_NAMES):
        cached = {"features": list(FEATURE_NAMES), "x": {}}
        for s in truth["stems"]:
            x = _features(folder / s["file"])
            cached["x"][s["file"]] = None if x is None else x.tolist()
        cache.write_text(json.dumps(cached))
    levels = [s["loudness_lufs"] for s in truth["stems"] if s["set"] == "stems" and s["loudness_lufs"] is not None]
    mean = float(np.mean(levels)) if levels else 0.0
    rows = []
    for s in truth["stems"]:
        x = cached["x"].get(s["file"])
        if x is None or s["loudness_lufs"] is None:
            continue
        role = s["role"] if s["program"] is None else program_role(s["program"])     # the answer key as it is now
        rows.append(Row(truth["song"], truth["soundfont"], s["set"], s["name"], folder / s["file"], role,
                        s["loudness_lufs"] - mean if s["set"] == "stems" else None, s["pan"],
                        bool(truth["held_out"]), np.asarray(x)))
    return rows


def demo_rows() -> list[Row]:
    """The demo songs' stems (roles from their names), for the roles the MIDI corpus cannot give (a sung lead)."""
    from studioflow.demo.songs import synthesize_demo

    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for variation in (0, 1):
            paths = synthesize_demo(Path(tmp) / str(variation), variation=variation, rate=44100)
            for name, path in paths.items():
                x = _features(path)
                if x is not None:
                    rows.append(Row(f"demo{variation}", "demo", "stems", name, path, DEMO_ROLES[name], None, 0.0,
                                    False, x))
    return rows


def load(root: Path = DEFAULT_OUT, *, with_demo: bool = True) -> list[Row]:
    """Every row of the corpus under ``root``."""
    rows: list[Row] = []
    for truth in sorted(root.glob("*/*/truth.json")):
        rows.extend(song_rows(truth.parent))
    if with_demo:
        rows.extend(demo_rows())
    return rows
