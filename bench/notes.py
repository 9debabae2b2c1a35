"""How well the note router sends musicians' notes to the right role, scored on the labelled corpus.

The corpus (``tests/producer/notes_corpus.tsv``) was split once into a training part (the rules are tuned on it) and a
held-out part (only scored). For each part this prints the accuracy per role and overall, the confusion matrix
(true role down, routed role across), the "not sure" rate (notes the router hands to the producer because no cue is
strong enough) and every miss with the router's reason.

Example::

    python bench/notes.py                      # both parts, tables
    python bench/notes.py --part heldout --json
    python bench/notes.py --router /tmp/old_routing.py   # score another version of routing.py on the same corpus
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT / "tests" / "producer" / "notes_corpus.tsv"
ROLES = ("recording", "mixing", "mastering", "producer")
PARTS = ("train", "heldout")


def load_corpus(path: Path = CORPUS) -> list[dict[str, str]]:
    """The corpus rows: ``{split, role, kind, text}`` (lines starting with # are comments)."""
    lines = [ln for ln in path.read_text(encoding="utf-8").splitlines() if ln and not ln.startswith("#")]
    return list(csv.DictReader(lines, delimiter="\t", quoting=csv.QUOTE_NONE))


def load_router(path: str | None) -> Callable[[str], Any]:
    """``route_note`` of studioflow, or of the routing module file at ``path``."""
    if path is None:
        from studioflow.producer.routing import route_note
        return route_note
    spec = importlib.util.spec_from_file_location("routing_under_test", path)
    module: ModuleType = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    sys.modules[spec.name] = module  # type: ignore[union-attr]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module.route_note


def score(rows: list[dict[str, str]], route: Callable[[str], Any]) -> dict[str, Any]:
    """Accuracy per role and overall, the confusion matrix, the unsure rate and the misses of ``route`` on ``rows``."""
    matrix = {t: {p: 0 for p in ROLES} for t in ROLES}
    misses, unsure = [], 0
    for row in rows:
        r = route(row["text"])
        matrix[row["role"]][r.role] += 1
        flagged = bool(getattr(r, "unsure", False))
        unsure += flagged
        if r.role != row["role"]:
            misses.append({"text": row["text"], "kind": row["kind"], "expected": row["role"], "got": r.role,
                           "unsure": flagged, "reason": r.reason, "cues": list(getattr(r, "cues", []))})
    per_role = {t: _ratio(matrix[t][t], sum(matrix[t].values())) for t in ROLES}
    return {"notes": len(rows), "accuracy": _ratio(len(rows) - len(misses), len(rows)), "per_role": per_role,
            "unsure_rate": _ratio(unsure, len(rows)), "confusion": matrix, "misses": misses}


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _pct(x: float | None) -> str:
    return "  -  " if x is None else f"{100 * x:5.1f}%"


def print_part(name: str, s: dict[str, Any], show_misses: bool) -> None:
    """Print one part's scores as plain tables."""
    print(f"\n== {name}: {s['notes']} notes, accuracy {_pct(s['accuracy'])}, not sure {_pct(s['unsure_rate'])}")
    print("   " + "  ".join(f"{r}: {_pct(s['per_role'][r])}" for r in ROLES))
    print("\n   " + f"{'true/routed':<14}" + "".join(f"{r:>11}" for r in ROLES))
    for t in ROLES:
        print(f"   {t:<14}" + "".join(f"{s['confusion'][t][p]:>11}" for p in ROLES))
    if show_misses and s["misses"]:
        print(f"\n   misses ({len(s['misses'])}):")
        for m in s["misses"]:
            flag = " [not sure]" if m["unsure"] else ""
            print(f"   - {m['text']!r} ({m['kind']}): {m['expected']} -> {m['got']}{flag}: {m['reason']}")


def main(argv: list[str] | None = None) -> int:
    """Score the router on the corpus parts and print (or --json) the results."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], epilog=(
        "example: python bench/notes.py --part heldout --json"), formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--part", choices=(*PARTS, "all"), default="all", help="which part of the corpus (default: both)")
    ap.add_argument("--json", action="store_true", help="print the scores as JSON")
    ap.add_argument("--no-misses", action="store_true", help="do not list the misses")
    ap.add_argument("--router", default=None, help="path of another routing.py to score instead of studioflow's")
    ap.add_argument("--corpus", type=Path, default=CORPUS, help=f"corpus TSV (default {CORPUS.relative_to(ROOT)})")
    args = ap.parse_args(argv)
    rows = load_corpus(args.corpus)
    route = load_router(args.router)
    parts = PARTS if args.part == "all" else (args.part,)
    out = {p: score([r for r in rows if r["split"] == p], route) for p in parts}
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    for p in parts:
        print_part(p, out[p], not args.no_misses)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
