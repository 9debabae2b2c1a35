"""Automix judged on real arrangements: composers' General MIDI songs rendered one stem per instrument (bench/corpus).

For every song render of the corpus the stems arrive with their levels scrambled (a seeded +-10 dB per stem, as
recorded or bounced without care); automix writes a session, ``mixing.render`` renders it with its track stems, and
the result is compared with the composer's own balance, pan and mix:

- balance: RMS (LU) of each track's loudness in the rendered mix minus the composer's, after removing the common
  offset, beside the equal-loudness baseline (every stem at the same loudness);
- pan: RMS difference from the composer's CC10 pan, beside all-centred;
- roles: accuracy by name (the corpus's instrument names) and with names hidden (the classifier), on the whole kit
  and on the kit split into pieces; "unknown" counts as wrong, and the share of unknowns is printed;
- high-passes above 40 Hz on a kit, kick or bass (from names and from sound);
- Diff-MST-style feature distances of the rendered mix to the composer's mix (both at -23 LUFS): RMS, crest factor,
  stereo width, stereo imbalance (dB) and the Bark-band mid/side spectrum (RMS dB), beside equal loudness;
- speed: automix's wall time against the song's duration (x real time, one warm process).

Anything fitted is cross-validated: each development song is mixed by a model fitted without it (all its soundfonts
left out together); held-out songs and soundfonts are mixed by the model fitted on the whole development part.

    python bench/automix.py                       # every render of the corpus (build it first: bench/corpus/build.py)
    python bench/automix.py --soundfont timgm6mb --songs 4 --hidden
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
import zlib
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE / "corpus"))
from build import DEFAULT_OUT  # noqa: E402
from dataset import Row, load  # noqa: E402
from gm import program_role  # noqa: E402
from train import fit  # noqa: E402

SCRAMBLE_DB = 10.0
HPF_LIMIT_HZ = 40.0
LOW_ROLES = ("drums", "kick", "bass")


def bark_edges_hz() -> np.ndarray:
    """Zwicker's critical-band edges (Hz), 24 bands."""
    return np.array([20, 100, 200, 300, 400, 510, 630, 770, 920, 1080, 1270, 1480, 1720, 2000, 2320, 2700, 3150,
                     3700, 4400, 5300, 6400, 7700, 9500, 12000, 15500], float)


def mix_features(x: np.ndarray, rate: int) -> dict[str, np.ndarray | float]:
    """Diff-MST-style features of a stereo mix (2, frames) normalised to -23 LUFS."""
    from studioflow.analysis.loudness import integrated_loudness

    loud = integrated_loudness(x.astype(np.float32), rate)
    x = x.astype(np.float64) * 10 ** ((-23.0 - loud) / 20)
    left, right = x
    mid, side = (left + right) / 2, (left - right) / 2
    rms = np.sqrt(np.mean(x ** 2))
    e = np.mean(left ** 2), np.mean(right ** 2), np.mean(mid ** 2), np.mean(side ** 2)
    edges = bark_edges_hz()
    spec = []
    for sig in (mid, side):
        n = 8192
        frames = sig[:sig.size // n * n].reshape(-1, n) * np.hanning(n)
        p = np.mean(np.abs(np.fft.rfft(frames, axis=1)) ** 2, axis=0)
        f = np.fft.rfftfreq(n, 1 / rate)
        spec.append([10 * np.log10(p[(f >= lo) & (f < hi)].sum() + 1e-12) for lo, hi in zip(edges[:-1], edges[1:])])
    return {"rms_db": 20 * np.log10(rms), "crest_db": 20 * np.log10(np.abs(x).max() / rms),
            "width_db": 10 * np.log10((e[3] + 1e-12) / e[2]), "imbalance_db": 10 * np.log10(e[0] / e[1]),
            "bark_db": np.array(spec)}


def feature_distance(a: dict, b: dict) -> dict[str, float]:
    """|a - b| per scalar feature and the RMS difference of the Bark mid/side spectra (dB)."""
    out = {k: abs(float(a[k]) - float(b[k])) for k in ("rms_db", "crest_db", "width_db", "imbalance_db")}
    out["bark_db"] = float(np.sqrt(np.mean((a["bark_db"] - b["bark_db"]) ** 2)))
    return out


def equal_mix(stems: list[np.ndarray], rate: int) -> np.ndarray:
    """The baseline: every stem at the same loudness, centred."""
    from studioflow.analysis.loudness import integrated_loudness

    out = np.zeros((2, max(s.size for s in stems)))
    for s in stems:
        loud = integrated_loudness(s[None, :].astype(np.float32), rate)
        if loud is not None and np.isfinite(loud):
            out[:, :s.size] += s * 10 ** ((-30.0 - loud) / 20) * 10 ** (-3 / 20)
    return out


def rms_offset_removed(d: np.ndarray) -> float:
    return float(np.sqrt(np.mean((d - d.mean()) ** 2)))


def run_song(folder: Path, model, hidden: bool) -> dict:
    """Automix one song render (names shown, and hidden with ``hidden``) and measure it against the composer."""
    from studioflow.analysis.loudness import integrated_loudness
    from studioflow.mixing import load_session, render
    from studioflow.mixing.automix import automix

    truth = json.loads((folder / "truth.json").read_text())
    stems = [s for s in truth["stems"] if s["set"] == "stems" and s["loudness_lufs"] is not None]
    rng = np.random.default_rng(zlib.crc32(truth["song"].encode()))
    rate = truth["rate"]
    audio = {s["name"]: sf.read(folder / s["file"], dtype="float32")[0] for s in stems}
    result: dict = {"song": truth["song"], "soundfont": truth["soundfont"], "held_out": truth["held_out"],
                    "stems": len(stems), "seconds": truth["seconds"]}
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        files = {}
        for i, s in enumerate(stems):
            files[s["name"]] = t / f"{s['name']}.wav"
            sf.write(files[s["name"]], audio[s["name"]] * 10 ** (rng.uniform(-SCRAMBLE_DB, SCRAMBLE_DB) / 20), rate,
                     subtype="FLOAT")
        for mode in ("named", "hidden") if hidden else ("named",):
            names = {s["name"]: (s["name"] if mode == "named" else f"track{i + 1:02d}") for i, s in
                     enumerate(sorted(stems, key=lambda s: rng.random()))}
            mapping = {names[n]: p for n, p in files.items()}
            session = t / f"{mode}.yaml"
            t0 = time.perf_counter()
            report = automix(mapping, session, model=model)
            took = time.perf_counter() - t0
            render(load_session(session), t / f"{mode}.wav", stems_dir=t / mode, meter=False, write_report=False)
            by_track = {tr["name"]: tr for tr in report["tracks"]}
            ours, comp, pans, comp_pans, hpf = [], [], [], [], []
            for s in stems:
                x, _ = sf.read(t / mode / f"{names[s['name']]}.wav", dtype="float32", always_2d=True)
                ours.append(integrated_loudness(x.T, rate))
                comp.append(s["loudness_lufs"])
                tr = by_track[names[s["name"]]]
                pans.append(tr["pan"])
                comp_pans.append(s["pan"])
                role = s["role"] if s["program"] is None else program_role(s["program"])
                for ins in tr["inserts"]:
                    for band in ins.get("bands", []) if ins["type"] == "eq" else []:
                        if band["type"] == "highpass" and band["freq"] > HPF_LIMIT_HZ and role in LOW_ROLES:
                            hpf.append(f"{s['name']} ({tr['role']}): {band['freq']:g} Hz")
            ok = [i for i, v in enumerate(ours) if v is not None and np.isfinite(v)]
            d = np.array(ours)[ok] - np.array(comp)[ok]
            mix, _ = sf.read(t / f"{mode}.wav", dtype="float32", always_2d=True)
            composer, _ = sf.read(folder / "composer.flac", dtype="float32", always_2d=True)
            n = min(mix.shape[0], composer.shape[0])
            fc = mix_features(composer[:n].T, rate)
            result[mode] = {
                "balance_lu": rms_offset_removed(d), "pan": float(np.sqrt(np.mean((np.array(pans) -
                                                                                      np.array(comp_pans)) ** 2))),
                "seconds": took, "hpf_over_40": hpf,
                "distance": feature_distance(mix_features(mix[:n].T, rate), fc)}
        comp = np.array([s["loudness_lufs"] for s in stems])
        result["equal_lu"] = rms_offset_removed(comp - comp.mean())
        result["centred_pan"] = float(np.sqrt(np.mean(np.array([s["pan"] for s in stems]) ** 2)))
        composer, _ = sf.read(folder / "composer.flac", dtype="float32", always_2d=True)
        result["equal_distance"] = feature_distance(mix_features(equal_mix(list(audio.values()), rate), rate),
                                                    mix_features(composer.T, rate))
    return result


def role_accuracy(rows: list[Row], models: dict[str, object]) -> dict[str, dict[str, float]]:
    """Named and hidden role accuracy per stem set (kit whole / kit in pieces), from the cached features."""
    from studioflow.mixing.automix.roles import UNSURE_BELOW, role_from_name

    out: dict[str, dict[str, float]] = {}
    for kind in ("stems", "pieces"):
        sel = [r for r in rows if r.set == kind]
        if not sel:
            continue
        named = np.mean([role_from_name(r.name) == r.role for r in sel])
        hidden, unknown = [], []
        for r in sel:
            m = models[r.song]
            p = m.role_probabilities(r.x)
            k = int(np.argmax(p))
            unsure = p[k] < UNSURE_BELOW
            unknown.append(unsure)
            hidden.append(not unsure and m.roles[k] == r.role)
        out[kind] = {"stems": len(sel), "named": float(named), "hidden": float(np.mean(hidden)),
                     "unknown": float(np.mean(unknown))}
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--soundfont", action="append")
    ap.add_argument("--songs", type=int, default=None, help="only the first N songs")
    ap.add_argument("--hidden", action="store_true", help="also automix and render every song with names hidden")
    ap.add_argument("--json", type=Path, help="write every figure here")
    a = ap.parse_args(argv)
    rows = load(a.corpus)
    dev = [r for r in rows if not r.held_out]
    songs = sorted({r.song for r in rows if r.soundfont != "demo"})[:a.songs]
    full = fit(dev)
    models = {}
    for song in sorted({r.song for r in rows}):
        in_dev = any(r.song == song for r in dev) and song in songs and not song.startswith("demo")
        models[song] = fit([r for r in dev if r.song != song]) if in_dev else full
    rows = [r for r in rows if r.song in songs and (a.soundfont is None or r.soundfont in a.soundfont)]
    results = []
    renders = sorted(p.parent for p in a.corpus.glob("*/*/truth.json")
                     if p.parent.name in songs and (a.soundfont is None or p.parent.parent.name in a.soundfont))
    print(f"{'render':<42}{'stems':>6}{'balance':>9}{'equal':>7}{'pan':>6}{'centre':>7}{'x rt':>6}  hpf>40")
    for folder in renders:
        truth = json.loads((folder / "truth.json").read_text())
        model = full if truth["held_out"] else models[truth["song"]]
        r = run_song(folder, model, a.hidden)
        results.append(r)
        n = r["named"]
        print(f"{truth['soundfont'] + '/' + truth['song']:<42}{r['stems']:>6}{n['balance_lu']:>9.2f}"
              f"{r['equal_lu']:>7.2f}{n['pan']:>6.2f}{r['centred_pan']:>7.2f}{r['seconds'] / n['seconds']:>6.1f}"
              f"  {len(n['hpf_over_40'])}" + ("  (held out)" if r["held_out"] else ""), flush=True)
    summary = {}
    for part, sel in (("development (cross-validated)", [r for r in results if not r["held_out"]]),
                      ("held out", [r for r in results if r["held_out"]])):
        if not sel:
            continue
        modes = ("named", "hidden") if a.hidden else ("named",)
        s = {"renders": len(sel), "equal_lu": float(np.mean([r["equal_lu"] for r in sel])),
             "centred_pan": float(np.mean([r["centred_pan"] for r in sel]))}
        for mode in modes:
            s[mode] = {"balance_lu": float(np.mean([r[mode]["balance_lu"] for r in sel])),
                       "pan": float(np.mean([r[mode]["pan"] for r in sel])),
                       "hpf_over_40": sum(len(r[mode]["hpf_over_40"]) for r in sel),
                       "x_realtime": float(np.median([r["seconds"] / r[mode]["seconds"] for r in sel])),
                       "distance": {k: float(np.mean([r[mode]["distance"][k] for r in sel]))
                                    for k in sel[0][mode]["distance"]}}
        s["equal_distance"] = {k: float(np.mean([r["equal_distance"][k] for r in sel]))
                               for k in sel[0]["equal_distance"]}
        summary[part] = s
        print(f"\n{part}: {len(sel)} renders")
        for mode in modes:
            m = s[mode]
            print(f"  names {'shown' if mode == 'named' else 'hidden'}: balance {m['balance_lu']:.2f} LU vs equal "
                  f"loudness {s['equal_lu']:.2f} LU (ratio {m['balance_lu'] / s['equal_lu']:.2f}); pan "
                  f"{m['pan']:.2f} vs centred {s['centred_pan']:.2f}; high-passes > 40 Hz on kit/kick/bass: "
                  f"{m['hpf_over_40']}; automix {m['x_realtime']:.1f}x real time (median, warm process)")
            print("    distance to the composer's mix (ours / equal loudness): " + ", ".join(
                f"{k} {m['distance'][k]:.2f}/{s['equal_distance'][k]:.2f}" for k in m["distance"]))
    for part, sel in (("development (cross-validated)", [r for r in rows if not r.held_out]),
                      ("held out", [r for r in rows if r.held_out])):
        acc = role_accuracy(sel, models)
        summary.setdefault(part, {})["roles"] = acc
        for kind, v in acc.items():
            print(f"roles, {part}, kit {'whole' if kind == 'stems' else 'in pieces'} ({v['stems']} stems): by name "
                  f"{100 * v['named']:.1f}%, names hidden {100 * v['hidden']:.1f}% ({100 * v['unknown']:.1f}% "
                  f"said unknown)")
    if a.json:
        a.json.write_text(json.dumps({"summary": summary, "renders": results}, indent=1, default=str))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
