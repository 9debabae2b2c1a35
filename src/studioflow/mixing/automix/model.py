"""The learned ear: a role classifier and a balance model, fitted on a corpus of composers' arrangements and shipped
as a small JSON file (``model.json``) that plain numpy evaluates.

Both read the same feature vector of a stem (``feature_vector``): its long-term 1/3-octave spectral shape (25 Hz to
10 kHz, relative to its strongest band), how the low, mid and high registers move from frame to frame, and the
scalar measurements of ``measure.StemFeatures`` (onsets, sustain, periodicity, pitch, activity, crest factor...).

- The classifier is a one-hidden-layer network (ReLU, softmax) giving a probability per role; the confidence is the
  winner's probability.
- The balance model is a ridge regression of a part's loudness in the mix (LU relative to the mean of the song's
  parts) on the role probabilities and the features; ``balance.fader`` turns it into faders.

Training is reproducible: ``python bench/corpus/train.py`` builds the corpus's features and writes ``model.json``;
its header records what it was fitted on and the cross-validated errors (see ``bench/automix.py``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from studioflow.mixing.automix.measure import StemFeatures

MODEL_FILE = Path(__file__).with_name("model.json")
SHAPE_BANDS_HZ = 1000.0 * 10 ** (np.arange(-16, 11) * 0.1)     # 1/3-octave centres 25 Hz .. 10 kHz
SHAPE_FLOOR_DB = -60.0
REGISTERS_HZ = ((0.0, 150.0), (150.0, 2000.0), (2000.0, 1e9))
SCALARS = ("log_centroid", "low_share", "high_share", "log_onsets", "voiced", "periodicity", "sustain", "has_pitch",
           "log_pitch", "pitch_span", "activity", "crest", "lra", "attack", "decay", "flatness", "centroid_spread",
           "brightness_over_pitch")
FEATURE_NAMES = tuple(f"shape_{c:.0f}hz" for c in SHAPE_BANDS_HZ) + tuple(
    f"{kind}_{lo:.0f}hz" for kind in ("motion", "level") for lo, _ in REGISTERS_HZ) + SCALARS


def feature_vector(f: StemFeatures) -> np.ndarray:
    """The stem's features in ``FEATURE_NAMES`` order (dB scaled by 1/30, logs, shares); silent stems give zeros."""
    out = np.zeros(len(FEATURE_NAMES))
    if f.spectrum_db.size == 0 or f.loudness_lufs is None:
        return out
    spec = np.full(SHAPE_BANDS_HZ.size, SHAPE_FLOOR_DB)
    for i, c in enumerate(SHAPE_BANDS_HZ):
        k = int(np.argmin(np.abs(np.log(f.band_hz / c))))
        if abs(np.log(f.band_hz[k] / c)) < 0.05:
            spec[i] = f.spectrum_db[k]
    top = spec.max()
    shape = np.maximum(spec - top, SHAPE_FLOOR_DB) / 30.0
    frames = f.band_frames_db[f.active[:f.band_frames_db.shape[0]]] if f.active.any() else f.band_frames_db
    motion, level = [], []
    power = 10 ** (frames / 10)
    total = 10 * np.log10(power.sum(axis=1) + 1e-20)
    for lo, hi in REGISTERS_HZ:
        sel = (f.band_hz >= lo) & (f.band_hz < hi)
        reg = 10 * np.log10(power[:, sel].sum(axis=1) + 1e-20) if sel.any() else np.full(total.shape, -200.0)
        rel = np.maximum(reg - total, -60.0)
        steps = np.abs(np.diff(np.maximum(reg, total.max() - 60.0))) if reg.size > 1 else np.zeros(1)
        motion.append(float(np.mean(steps)) / 10.0)
        level.append(float(np.mean(rel)) / 30.0)
    pitch = f.pitch_hz
    scalars = [np.log2(max(f.centroid_hz, 20.0) / 1000.0), f.low_share, f.high_share, np.log1p(f.onsets_per_s),
               f.voiced, f.periodicity, f.sustain, 1.0 if pitch else 0.0, np.log2(pitch / 220.0) if pitch else 0.0,
               f.pitch_span_st / 12.0, f.activity, (f.crest_db or 0.0) / 20.0, (f.loudness_range_lu or 0.0) / 20.0,
               np.log1p(f.attack_ms) / 5.0, np.clip(f.decay_db_per_s, -200.0, 50.0) / 50.0, f.flatness,
               f.centroid_spread, np.log2(max(f.centroid_hz, 20.0) / pitch) / 4.0 if pitch else 0.0]
    out[:] = np.concatenate([shape, motion, level, scalars])
    return out


@dataclass(frozen=True)
class Model:
    """Fitted parameters: standardisation, the classifier's two layers, the balance regression, and its record."""

    roles: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    balance_coef: np.ndarray        # over [role probabilities, standardised features]
    balance_intercept: float
    record: dict

    def role_probabilities(self, x: np.ndarray) -> np.ndarray:
        """Probability of each role in ``roles`` for a feature vector (or a matrix of them, one per row)."""
        z = (np.atleast_2d(x) - self.mean) / self.scale
        h = np.maximum(z @ self.w1 + self.b1, 0.0)
        logits = h @ self.w2 + self.b2
        logits -= logits.max(axis=1, keepdims=True)
        p = np.exp(logits)
        p /= p.sum(axis=1, keepdims=True)
        return p[0] if np.ndim(x) == 1 else p

    def relative_level_lu(self, x: np.ndarray, role_probs: np.ndarray) -> float:
        """A part's loudness in the mix, LU relative to the mean of the song's parts."""
        z = (x - self.mean) / self.scale
        return float(np.concatenate([role_probs, z]) @ self.balance_coef + self.balance_intercept)

    def to_json(self) -> dict:
        """The parameters as plain JSON data."""
        return {"record": self.record, "roles": list(self.roles), "features": list(FEATURE_NAMES),
                "mean": self.mean.tolist(), "scale": self.scale.tolist(), "w1": self.w1.tolist(),
                "b1": self.b1.tolist(), "w2": self.w2.tolist(), "b2": self.b2.tolist(),
                "balance_coef": self.balance_coef.tolist(), "balance_intercept": self.balance_intercept}

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        """A model from ``to_json``'s data; refuses one fitted on other features."""
        if tuple(data["features"]) != FEATURE_NAMES:
            raise ValueError("automix model: fitted on other features; run bench/corpus/train.py")
        arr = {k: np.asarray(data[k], dtype=float) for k in ("mean", "scale", "w1", "b1", "w2", "b2", "balance_coef")}
        return cls(roles=tuple(data["roles"]), balance_intercept=float(data["balance_intercept"]),
                   record=data.get("record", {}), **arr)


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The model shipped with studioflow (``model.json``)."""
    return Model.from_json(json.loads(MODEL_FILE.read_text()))
