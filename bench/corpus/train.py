"""Fit automix's role classifier and balance model on the development corpus and ship them as ``model.json``.

    python bench/corpus/build.py          # render the corpus first (Debian packages, a few minutes)
    python bench/corpus/train.py          # fit on the development part, print cross-validated errors, write the model
    python bench/corpus/train.py --cv     # only the leave-one-song-out figures, nothing written

Held-out songs and soundfonts (``build.HELD_OUT_SOUNDFONTS``, every fifth song) are never fitted on; their errors are
printed apart. Cross-validation leaves one song out (all its soundfonts together), so a song's own arrangement never
teaches the model how to hear it. Needs scikit-learn (a development dependency, not a runtime one).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from dataset import Row, load  # noqa: E402

SVM_C = 3.0                # the classifier's margin penalty
SVM_GAMMA = 0.02           # its RBF kernel width (standardised features)
HIDDEN_UNITS = 64          # the network beside it (its probabilities are averaged with the SVM's)
L2 = 1.0
TREES = 200
TREE_DEPTH = 3
LEARNING_RATE = 0.03
SUBSAMPLE = 0.8
SEED = 0
NO_TREES = {"tree_feature": np.zeros((0, 1), int), "tree_threshold": np.zeros((0, 1)),
            "tree_left": np.zeros((0, 1), int), "tree_right": np.zeros((0, 1), int), "tree_value": np.zeros((0, 1))}


def fit(rows: list[Row]):
    """A ``Model`` fitted on ``rows``: the classifier on every row, the balance on the rows with a composer level."""
    from sklearn.neural_network import MLPClassifier
    from sklearn.svm import SVC

    from studioflow.mixing.automix.model import Model
    from studioflow.mixing.automix.roles import ROLES

    x = np.stack([r.x for r in rows])
    mean, scale = x.mean(axis=0), x.std(axis=0)
    scale[scale < 1e-9] = 1.0
    z = (x - mean) / scale
    y = np.array([r.role for r in rows])
    clf = SVC(C=SVM_C, gamma=SVM_GAMMA, probability=True, random_state=SEED).fit(z, y)
    net = MLPClassifier(hidden_layer_sizes=(HIDDEN_UNITS,), alpha=L2, max_iter=2000, random_state=SEED).fit(z, y)
    assert list(net.classes_) == list(clf.classes_)
    roles = tuple(str(c) for c in clf.classes_)
    assert all(r in ROLES for r in roles), roles
    classifier = Model(roles=roles, mean=mean, scale=scale, support=clf.support_vectors_, dual=clf.dual_coef_,
                       pair_intercept=clf.intercept_, n_support=clf.n_support_, platt_a=clf.probA_,
                       platt_b=clf.probB_, gamma=SVM_GAMMA, w1=net.coefs_[0], b1=net.intercepts_[0],
                       w2=net.coefs_[1], b2=net.intercepts_[1], **NO_TREES,
                       balance_intercept=0.0, record={})
    lv = [i for i, r in enumerate(rows) if r.level_lu is not None]
    trees, intercept = fit_balance(np.hstack([classifier.role_probabilities(x[lv]), z[lv]]),
                                   np.array([rows[i].level_lu for i in lv]))
    return type(classifier)(**{**classifier.__dict__, **trees, "balance_intercept": intercept})


def fit_balance(a: np.ndarray, level_lu: np.ndarray) -> tuple[dict[str, np.ndarray], float]:
    """Boosted shallow trees of a part's relative level (LU) on ``a`` (role probabilities as the classifier gives
    them, standardised features), as ``Model``'s padded tree arrays and the intercept (LU)."""
    from sklearn.ensemble import GradientBoostingRegressor

    gbr = GradientBoostingRegressor(n_estimators=TREES, max_depth=TREE_DEPTH, learning_rate=LEARNING_RATE,
                                    subsample=SUBSAMPLE, random_state=SEED).fit(a, level_lu)
    fitted = [est.tree_ for est in gbr.estimators_[:, 0]]
    nodes = max(t.node_count for t in fitted)
    out = {"tree_feature": np.zeros((len(fitted), nodes), int), "tree_threshold": np.zeros((len(fitted), nodes)),
           "tree_left": np.full((len(fitted), nodes), -1), "tree_right": np.full((len(fitted), nodes), -1),
           "tree_value": np.zeros((len(fitted), nodes))}
    for i, t in enumerate(fitted):
        n, inner = t.node_count, t.children_left >= 0
        out["tree_feature"][i, :n] = np.where(inner, t.feature, 0)
        out["tree_threshold"][i, :n] = np.where(inner, t.threshold, 0.0)
        out["tree_left"][i, :n], out["tree_right"][i, :n] = t.children_left, t.children_right
        out["tree_value"][i, :n] = t.value[:, 0, 0] * LEARNING_RATE
    return out, float(gbr.init_.constant_[0, 0])


def evaluate(model, rows: list[Row]) -> dict:
    """Role accuracy from sound (every row, and the parts with the kit whole: the ``stems`` set) and balance errors
    (ours vs equal loudness, RMS LU after the common offset)."""
    correct = [model.roles[int(np.argmax(model.role_probabilities(r.x)))] == r.role for r in rows]
    parts = [ok for ok, r in zip(correct, rows) if r.set == "stems"]
    songs: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for r in rows:
        if r.level_lu is None:
            continue
        p = model.role_probabilities(r.x)
        songs.setdefault((r.song, r.soundfont), []).append((model.relative_level_lu(r.x, p), r.level_lu))
    ours, equal = [], []
    for pairs in songs.values():
        pred, true = np.array(pairs).T
        d = pred - true
        ours.append(float(np.sqrt(np.mean((d - d.mean()) ** 2))))
        equal.append(float(np.std(true)))
    return {"roles": len(rows), "role_accuracy": float(np.mean(correct)) if correct else None,
            "parts": len(parts), "parts_role_accuracy": float(np.mean(parts)) if parts else None,
            "songs": len(songs), "balance_rms_lu": float(np.mean(ours)) if ours else None,
            "equal_rms_lu": float(np.mean(equal)) if equal else None}


def cross_validate(rows: list[Row]) -> tuple[dict, list[tuple[str, str, str]]]:
    """Leave-one-song-out over the development rows; returns the pooled figures and the role confusions."""
    dev = [r for r in rows if not r.held_out]
    songs = sorted({r.song for r in dev})
    results, confusions = [], []
    for song in songs:
        model = fit([r for r in dev if r.song != song])
        test = [r for r in dev if r.song == song]
        results.append((evaluate(model, test), len(test)))
        for r in test:
            guess = model.roles[int(np.argmax(model.role_probabilities(r.x)))]
            if guess != r.role:
                confusions.append((r.soundfont + "/" + r.song, r.name, f"{r.role} -> {guess}"))
    total = sum(n for _, n in results)
    parts = sum(e["parts"] for e, _ in results)
    pooled = {"role_accuracy": sum(e["role_accuracy"] * n for e, n in results) / total,
              "parts_role_accuracy": sum(e["parts_role_accuracy"] * e["parts"] for e, _ in results if e["parts"])
              / parts,
              "balance_rms_lu": float(np.mean([e["balance_rms_lu"] for e, _ in results if e["balance_rms_lu"]])),
              "equal_rms_lu": float(np.mean([e["equal_rms_lu"] for e, _ in results if e["equal_rms_lu"]]))}
    return pooled, confusions


def main(argv: list[str] | None = None) -> int:
    from studioflow.mixing.automix.model import MODEL_FILE

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cv", action="store_true", help="only cross-validate; write nothing")
    ap.add_argument("--confusions", action="store_true", help="list every cross-validated role mistake")
    a = ap.parse_args(argv)
    rows = load()
    dev = [r for r in rows if not r.held_out]
    print(f"corpus: {len(rows)} stems ({len(dev)} for development) from "
          f"{len({(r.song, r.soundfont) for r in rows})} song renders")
    cv, confusions = cross_validate(rows)
    print(f"leave-one-song-out: role accuracy from sound {100 * cv['role_accuracy']:.1f}% (parts with the kit "
          f"whole {100 * cv['parts_role_accuracy']:.1f}%), balance "
          f"{cv['balance_rms_lu']:.2f} LU vs equal loudness {cv['equal_rms_lu']:.2f} LU "
          f"(ratio {cv['balance_rms_lu'] / cv['equal_rms_lu']:.2f})")
    if a.confusions:
        for c in confusions:
            print("  ", *c)
    if a.cv:
        return 0
    model = fit(dev)
    held = evaluate(model, [r for r in rows if r.held_out])
    print(f"held out: role accuracy {100 * held['role_accuracy']:.1f}% of {held['roles']} (parts with the kit whole "
          f"{100 * held['parts_role_accuracy']:.1f}% of {held['parts']}), balance "
          f"{held['balance_rms_lu']:.2f} LU vs equal {held['equal_rms_lu']:.2f} LU over {held['songs']} renders")
    record = {"fitted": datetime.date.today().isoformat(), "by": "bench/corpus/train.py",
              "corpus": f"{len(dev)} stems of {len({r.song for r in dev})} songs (openttd-openmsx rendered with "
                        f"{', '.join(sorted({r.soundfont for r in dev}))})",
              "cross_validated": {k: round(v, 3) for k, v in cv.items()},
              "held_out": {k: (round(v, 3) if isinstance(v, float) else v) for k, v in held.items()}}
    model = type(model)(**{**model.__dict__, "record": record})
    MODEL_FILE.write_text(json.dumps(model.to_json(), separators=(",", ":")))
    print(f"wrote {MODEL_FILE} ({MODEL_FILE.stat().st_size // 1024} KB)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
