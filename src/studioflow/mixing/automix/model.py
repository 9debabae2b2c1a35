"""The learned ear: a role classifier and a balance model, fitted on a corpus of composers' arrangements and shipped
as a small JSON file (``model.json``) that plain numpy evaluates.

Both read the same feature vector of a stem (``feature_vector``): its long-term 1/3-octave spectral shape (25 Hz to
10 kHz, relative to its strongest band), how the low, mid and high registers move from frame to frame, the scalar
measurements of ``measure.StemFeatures`` (onsets, sustain, periodicity, pitch, activity, crest factor...), and its
timbre as the mean, spread and frame-to-frame step of the cepstrum of its 1/3-octave band levels.

- The classifier averages two learners' probabilities per role: a support-vector machine (RBF kernel, one-vs-one;
  each pair's decision becomes the probability that one role beats the other by Platt's sigmoid, and the pairs are
  coupled into one probability per role after Wu, Lin and Weng 2004) and a one-hidden-layer network (ReLU,
  softmax). The SVM knows the corpus's timbres closely; the network carries over to sounds unlike any in it. The
  confidence is the winner's averaged probability. Leave-one-song-out, the parts with the kit whole are right 60.7%
  of the time (the network alone: 58.6%); on the held-out songs and soundfonts 78.5% (network alone: 56.6%).
- The balance model is a sum of shallow regression trees (gradient boosting) predicting a part's loudness in the mix
  (LU relative to the mean of the song's parts) from the role probabilities and the standardised features; each tree
  is stored as arrays (split feature, threshold, children, leaf value) and walked with numpy. ``balance.fader`` turns
  the levels into faders.

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
JSON_DECIMALS = 5             # parameters are written rounded to this many decimals (keeps the file small)
CEPSTRA = 12                  # cepstral coefficients (DCT of the 1/3-octave band levels, the 0th left out)
CEPSTRUM_FLOOR_DB = 80.0      # band levels are floored this far under the stem's loudest band-frame
FEATURE_NAMES = tuple(f"shape_{c:.0f}hz" for c in SHAPE_BANDS_HZ) + tuple(
    f"{kind}_{lo:.0f}hz" for kind in ("motion", "level") for lo, _ in REGISTERS_HZ) + SCALARS + tuple(
    f"cepstrum_{stat}_{k}" for stat in ("mean", "std", "step") for k in range(1, CEPSTRA + 1))


def _shape_bands(band_hz: np.ndarray) -> list[tuple[int, int]]:
    """(index in ``SHAPE_BANDS_HZ``, index in ``band_hz``) for each shape band the measured bands hold."""
    pairs = []
    for i, c in enumerate(SHAPE_BANDS_HZ):
        k = int(np.argmin(np.abs(np.log(band_hz / c))))
        if abs(np.log(band_hz[k] / c)) < 0.05:
            pairs.append((i, k))
    return pairs


def _cepstra(frames_db: np.ndarray, pairs: list[tuple[int, int]]) -> np.ndarray:
    """Timbre: mean, spread and mean frame-to-frame step of the cepstrum of the playing frames' 1/3-octave levels
    (25 Hz..10 kHz, DCT-II), dB scaled by 1/30."""
    from scipy.fft import dct

    bands = np.full((frames_db.shape[0], SHAPE_BANDS_HZ.size), -np.inf)
    for i, k in pairs:
        bands[:, i] = frames_db[:, k]
    bands = np.maximum(bands, bands.max() - CEPSTRUM_FLOOR_DB)
    c = dct(bands, type=2, norm="ortho", axis=1)[:, 1:CEPSTRA + 1]
    step = np.abs(np.diff(c, axis=0)).mean(axis=0) if c.shape[0] > 1 else np.zeros(CEPSTRA)
    return np.concatenate([c.mean(axis=0), c.std(axis=0), step]) / 30.0


def feature_vector(f: StemFeatures) -> np.ndarray:
    """The stem's features in ``FEATURE_NAMES`` order (dB scaled by 1/30, logs, shares); silent stems give zeros."""
    out = np.zeros(len(FEATURE_NAMES))
    if f.spectrum_db.size == 0 or f.loudness_lufs is None:
        return out
    pairs = _shape_bands(f.band_hz)
    spec = np.full(SHAPE_BANDS_HZ.size, SHAPE_FLOOR_DB)
    for i, k in pairs:
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
    out[:] = np.concatenate([shape, motion, level, scalars, _cepstra(frames, pairs)])
    return out


@dataclass(frozen=True)
class Model:
    """Fitted parameters: standardisation, the classifier's two layers, the balance trees, and its record."""

    roles: tuple[str, ...]
    mean: np.ndarray
    scale: np.ndarray
    support: np.ndarray             # (vectors, features) standardised support vectors, grouped by role
    dual: np.ndarray                # (roles - 1, vectors) one-vs-one dual coefficients (libsvm's layout)
    pair_intercept: np.ndarray      # (roles * (roles - 1) / 2,) one per pair, in (0,1), (0,2), ... (1,2) ... order
    n_support: np.ndarray           # (roles,) support vectors per role
    platt_a: np.ndarray             # (pairs,) Platt sigmoid of each pair's decision value: P = 1 / (1 + exp(a f + b))
    platt_b: np.ndarray
    gamma: float                    # RBF kernel width on standardised features
    w1: np.ndarray                  # the network's hidden layer (features, units) and its biases
    b1: np.ndarray
    w2: np.ndarray                  # its output layer (units, roles) and biases
    b2: np.ndarray
    tree_feature: np.ndarray        # (trees, nodes) split column of [role probabilities, standardised features]
    tree_threshold: np.ndarray      # (trees, nodes) go left when the column is <= this
    tree_left: np.ndarray           # (trees, nodes) left child; -1 at a leaf
    tree_right: np.ndarray          # (trees, nodes) right child; -1 at a leaf
    tree_value: np.ndarray          # (trees, nodes) LU a leaf adds (learning rate applied)
    balance_intercept: float        # LU
    record: dict

    def role_probabilities(self, x: np.ndarray) -> np.ndarray:
        """Probability of each role in ``roles`` for a feature vector (or a matrix of them, one per row)."""
        z = (np.atleast_2d(x) - self.mean) / self.scale
        d2 = (z * z).sum(axis=1)[:, None] + (self.support * self.support).sum(axis=1)[None, :] \
            - 2.0 * np.einsum("ik,jk->ij", z, self.support)
        kernel = np.exp(-self.gamma * np.maximum(d2, 0.0))
        start = np.concatenate([[0], np.cumsum(self.n_support)])
        k = len(self.roles)
        won = np.zeros((z.shape[0], k, k))            # won[:, i, j]: probability that role i beats role j
        pair = 0
        for i in range(k):
            for j in range(i + 1, k):
                si, sj = slice(start[i], start[i + 1]), slice(start[j], start[j + 1])
                f = kernel[:, si] @ self.dual[j - 1, si] + kernel[:, sj] @ self.dual[i, sj] + self.pair_intercept[pair]
                won[:, i, j] = np.clip(1.0 / (1.0 + np.exp(f * self.platt_a[pair] + self.platt_b[pair])),
                                       1e-7, 1 - 1e-7)
                won[:, j, i] = 1.0 - won[:, i, j]
                pair += 1
        svm = np.stack([_couple(w) for w in won])
        h = np.maximum(z @ self.w1 + self.b1, 0.0)
        logits = h @ self.w2 + self.b2
        net = np.exp(logits - logits.max(axis=1, keepdims=True))
        p = (svm + net / net.sum(axis=1, keepdims=True)) / 2.0
        return p[0] if np.ndim(x) == 1 else p

    def relative_level_lu(self, x: np.ndarray, role_probs: np.ndarray) -> float:
        """A part's loudness in the mix, LU relative to the mean of the song's parts."""
        z = (x - self.mean) / self.scale
        return float(self._trees(np.concatenate([role_probs, z])) + self.balance_intercept)

    def _trees(self, a: np.ndarray) -> float:
        """The summed leaf values (LU) of every balance tree for one input row ``a``."""
        t = np.arange(self.tree_feature.shape[0])
        node = np.zeros(t.size, dtype=int)
        while True:
            inner = self.tree_left[t, node] >= 0
            if not inner.any():
                return float(self.tree_value[t, node].sum())
            left = a[self.tree_feature[t, node]] <= self.tree_threshold[t, node]
            step = np.where(left, self.tree_left[t, node], self.tree_right[t, node])
            node = np.where(inner, step, node)

    def to_json(self) -> dict:
        """The parameters as plain JSON data."""
        return {"record": self.record, "roles": list(self.roles), "features": list(FEATURE_NAMES),
                **{k: np.round(getattr(self, k), JSON_DECIMALS).tolist() for k in _ARRAYS},
                **{k: getattr(self, k).tolist() for k in _TREE_INDICES},
                "gamma": self.gamma, "balance_intercept": self.balance_intercept}

    @classmethod
    def from_json(cls, data: dict) -> "Model":
        """A model from ``to_json``'s data; refuses one fitted on other features."""
        if tuple(data["features"]) != FEATURE_NAMES:
            raise ValueError("automix model: fitted on other features; run bench/corpus/train.py")
        arr = {k: np.asarray(data[k], dtype=float) for k in _ARRAYS}
        idx = {k: np.asarray(data[k], dtype=int) for k in _TREE_INDICES}
        return cls(roles=tuple(data["roles"]), balance_intercept=float(data["balance_intercept"]),
                   gamma=float(data["gamma"]), record=data.get("record", {}), **arr, **idx)


_ARRAYS = ("mean", "scale", "support", "dual", "pair_intercept", "platt_a", "platt_b", "w1", "b1", "w2", "b2",
           "tree_threshold", "tree_value")
_TREE_INDICES = ("n_support", "tree_feature", "tree_left", "tree_right")


def _couple(won: np.ndarray, iterations: int = 100) -> np.ndarray:
    """Class probabilities from pairwise ones (``won[i, j]``: i beats j), by Wu, Lin and Weng's coupling (2004,
    method 2: the p minimising sum over pairs of (won[j, i] p_i - won[i, j] p_j)^2 with sum(p) = 1)."""
    k = won.shape[0]
    q = -won.T * won
    np.fill_diagonal(q, 0.0)
    np.fill_diagonal(q, (won.T ** 2).sum(axis=1) - np.diag(won) ** 2)
    p = np.full(k, 1.0 / k)
    for _ in range(iterations):
        qp = q @ p
        pqp = p @ qp
        if np.max(np.abs(qp - pqp)) < 0.005 / k:
            break
        for t in range(k):
            diff = (pqp - qp[t]) / q[t, t]
            p[t] += diff
            pqp = (pqp + diff * (diff * q[t, t] + 2 * qp[t])) / (1 + diff) ** 2
            qp = (qp + diff * q[t]) / (1 + diff)
            p /= 1 + diff
    return p


@lru_cache(maxsize=1)
def shipped() -> Model:
    """The model shipped with studioflow (``model.json``)."""
    return Model.from_json(json.loads(MODEL_FILE.read_text()))
