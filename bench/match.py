"""bench/match.py: mastering to a reference on music nobody on the project wrote, beside matchering on the same pairs.

Mixes are the composers' own renders of the automix corpus (``bench/corpus/build.py``: General MIDI songs of Debian's
``openttd-openmsx``); references are commercial-style game soundtracks from Debian (``hyperrogue-music``,
``wesnoth-1.16-music``), installed with apt-get when missing. Development pairs are tuned on; held-out pairs (the
corpus's held-out songs and soundfont, the references not in the development list) are only scored.

Tone is measured as the issue states it: octave-band levels (31.5 Hz - 16 kHz) of the mid signal relative to their
mean; the distance is their RMS difference to the reference's (dB). Per pair: the mix's distance, studioflow's and
matchering's, the band that moved farthest away from the reference (dB; positive is worse than the mix), and the time
of each (matchering's ``process`` writing a 24-bit WAV; studioflow's ``master`` writing its 24-bit BWF and its JSON):
wall and CPU seconds (CPU, summed over threads, is steadier on a shared machine), best of ``--repeats`` turns taken
in turns. studioflow is timed with the reference measured in the run, as matchering does, and again with its
measurement cached (an album mastered against one reference). By default each is one call inside this one warm
process; ``--processes`` runs each as a whole process from the command line (``studioflow master MIX -o OUT
--reference REF`` and ``python -c`` calling matchering), start-up included. The ratios are matchering's time over ours.

    python bench/match.py                 # development and held-out pairs
    python bench/match.py --part dev --json
    python bench/match.py --processes --repeats 3
"""

from __future__ import annotations

import argparse
import functools
import json
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
CORPUS = HERE / "out" / "corpus"
PACKAGES = ("hyperrogue-music", "wesnoth-1.16-music")
REFERENCES = {
    "dev": ["/usr/share/hyperrogue/music/hr3-caves.ogg", "/usr/share/hyperrogue/music/hr-savino-ocean.ogg",
            "/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg",
            "/usr/share/games/wesnoth/1.16/data/core/music/elvish-theme.ogg",
            "/usr/share/hyperrogue/music/hr3-desert.ogg",
            "/usr/share/games/wesnoth/1.16/data/core/music/northerners.ogg"],
    "heldout": ["/usr/share/hyperrogue/music/hr-domina-mountain.ogg",
                "/usr/share/games/wesnoth/1.16/data/core/music/knolls.ogg",
                "/usr/share/hyperrogue/music/hr3-graveyard.ogg",
                "/usr/share/games/wesnoth/1.16/data/core/music/the_deep_path.ogg"],
}
OCTAVES_HZ = 31.25 * 2.0 ** np.arange(10)       # 31.5 Hz .. 16 kHz
SECONDS = 120.0


def ensure_packages() -> None:
    """Install the reference soundtracks with apt-get when they are missing (as root; one line if it fails)."""
    missing = [p for p in PACKAGES if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode != 0]
    if missing:
        subprocess.run(["apt-get", "install", "-y", "-q", *missing], check=True, capture_output=True)


def pairs(part: str) -> list[tuple[Path, Path]]:
    """(mix, reference) pairs of ``part``: the corpus's composer mixes, paired in turn with that part's references."""
    sys.path.insert(0, str(HERE / "corpus"))
    from build import HELD_OUT_SOUNDFONTS, held_out_song

    mixes = []
    for font in sorted(p.name for p in CORPUS.iterdir() if p.is_dir()):
        for song in sorted((CORPUS / font).iterdir()):
            held = font in HELD_OUT_SOUNDFONTS or held_out_song(song.name)
            if (song / "composer.flac").is_file() and held == (part == "heldout"):
                mixes.append(song / "composer.flac")
    refs = [Path(r) for r in REFERENCES[part] if Path(r).is_file()]
    step = max(1, len(mixes) // len(refs))
    return [(mixes[(i * step * 7) % len(mixes)], ref) for i, ref in enumerate(refs)]


def octave_db(path: Path) -> np.ndarray:
    """Octave-band levels (dB) of the mid signal, relative to their mean."""
    import soundfile as sf
    from scipy.signal import welch

    audio, rate = sf.read(path, dtype="float64", always_2d=True, frames=int(SECONDS * 48000))
    mid = audio.mean(axis=1)
    f, p = welch(mid, rate, nperseg=16384)
    level = np.array([10 * np.log10(p[(f >= fc / np.sqrt(2)) & (f < fc * np.sqrt(2))].sum() + 1e-30)
                      for fc in OCTAVES_HZ])
    return level - level.mean()


def prepare(mix: Path, ref: Path, folder: Path) -> tuple[Path, Path]:
    """The pair as 44.1 kHz stereo WAVs of at most ``SECONDS`` (a mono render is the same on both sides)."""
    import soundfile as sf

    out = []
    for src, name in ((mix, "mix.wav"), (ref, "reference.wav")):
        audio, rate = sf.read(src, dtype="float32", always_2d=True, frames=int(SECONDS * 44100))
        if audio.shape[1] == 1:
            audio = np.repeat(audio, 2, axis=1)
        sf.write(folder / name, audio, rate, subtype="FLOAT")
        out.append(folder / name)
    return out[0], out[1]


MATCHERING = ("import sys, matchering as mg; mg.log(lambda *_: None); "
              "mg.process(target=sys.argv[1], reference=sys.argv[2], results=[mg.pcm24(sys.argv[3])])")


def timed(call: Callable[[], object], processes: bool) -> tuple[float, float]:
    """(wall s, CPU s) of ``call``: this process's CPU, or its children's when ``processes``."""
    who = resource.RUSAGE_CHILDREN if processes else resource.RUSAGE_SELF
    r0, t0 = resource.getrusage(who), time.perf_counter()
    call()
    wall, r1 = time.perf_counter() - t0, resource.getrusage(who)
    return wall, (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)


def tools(mix: Path, ref: Path, folder: Path, processes: bool) -> dict[str, Callable[[int], object]]:
    """Each tool as a call of the turn's number (its output named by it): studioflow with the reference measured in
    the run ("ours") and cached ("cached"), and matchering ("mg"); inside this process or as whole processes."""
    from studioflow.mastering.measure import reference_cache_path

    cache = reference_cache_path(ref)
    if processes:
        cli = [str(Path(sys.executable).with_name("studioflow")), "master", str(mix), "--reference", str(ref), "-o"]

        def ours(turn: int, stem: str = "ours") -> object:
            return subprocess.run([*cli, str(folder / f"{stem}{turn}.wav")], check=True, capture_output=True)

        def mg(turn: int) -> object:
            return subprocess.run([sys.executable, "-c", MATCHERING, str(mix), str(ref), str(folder / "theirs.wav")],
                                  check=True, capture_output=True)
    else:
        import matchering

        from studioflow.mastering.api import master

        matchering.log(lambda *_: None)

        def ours(turn: int, stem: str = "ours") -> object:
            return master(mix, folder / f"{stem}{turn}.wav", reference=ref, target=None)

        def mg(turn: int) -> object:
            return matchering.process(target=str(mix), reference=str(ref),
                                      results=[matchering.pcm24(str(folder / "theirs.wav"))])

    def measured_in_run(turn: int) -> object:
        cache.unlink(missing_ok=True)     # the reference measured in the run, as matchering does
        return ours(turn)

    return {"ours": measured_in_run, "cached": lambda turn: ours(turn, "cached"), "mg": mg}


def run_pair(mix: Path, ref: Path, repeats: int, processes: bool) -> dict:
    """Master one pair with both tools (best of ``repeats`` turns each, taken in turns); their distances, the
    worst band moved away, and the wall and CPU times (s)."""
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        mix_wav, ref_wav = prepare(mix, ref, folder)
        calls = tools(mix_wav, ref_wav, folder, processes)
        best = {k: [float("inf"), float("inf")] for k in calls}
        for turn in range(repeats):
            for key, call in calls.items():
                wall, cpu = timed(functools.partial(call, turn), processes)
                best[key] = [min(best[key][0], wall), min(best[key][1], cpu)]
        r, m = octave_db(ref_wav), octave_db(mix_wav)
        o, t = octave_db(folder / "ours0.wav"), octave_db(folder / "theirs.wav")

    def rms(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean((x - r) ** 2)))

    def worse(x: np.ndarray) -> float:
        return float(np.max(np.abs(x - r) - np.abs(m - r)))

    times = {f"{k}_{what}": best[k][i] for k in best for i, what in enumerate(("s", "cpu_s"))}
    return {"mix": f"{mix.parent.parent.name}/{mix.parent.name}", "reference": ref.name,
            "mix_db": rms(m), "ours_db": rms(o), "matchering_db": rms(t), "ours_worst_band_db": worse(o),
            "matchering_worst_band_db": worse(t), **times}


def ratio(rows: list[dict], key: str) -> float:
    """Matchering's summed time over ours (``key``: "ours_s", "cached_cpu_s", ...)."""
    theirs = "mg_cpu_s" if key.endswith("cpu_s") else "mg_s"
    return sum(x[theirs] for x in rows) / sum(x[key] for x in rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python bench/match.py --part dev")
    parser.add_argument("--part", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--repeats", type=int, default=2, help="turns per tool and pair; the best time counts")
    parser.add_argument("--processes", action="store_true",
                        help="time each tool as a whole process from the command line (start-up included)")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS}: build the corpus first (python bench/corpus/build.py)")
    ensure_packages()
    results = {}
    for part in (("dev", "heldout") if args.part == "all" else (args.part,)):
        results[part] = [run_pair(mix, ref, args.repeats, args.processes) for mix, ref in pairs(part)]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    how = "whole processes" if args.processes else "calls in one warm process"
    for part, rows in results.items():
        print(f"\n== {part}: octave-band distance to the reference (dB RMS, mid, mean removed); worst band moved "
              f"away from the reference (dB); best wall / CPU s of {args.repeats} ({how}; ours with the reference "
              "measured in the run)")
        print(f"   {'mix':34} {'reference':20} {'mix':>6} {'ours':>6} {'mg':>6} {'ours+':>6} {'mg+':>6} "
              f"{'ours s':>11} {'mg s':>11}")
        for x in rows:
            print(f"   {x['mix'][:34]:34} {x['reference'][:20]:20} {x['mix_db']:6.2f} {x['ours_db']:6.2f} "
                  f"{x['matchering_db']:6.2f} {x['ours_worst_band_db']:6.2f} {x['matchering_worst_band_db']:6.2f} "
                  f"{x['ours_s']:5.2f}/{x['ours_cpu_s']:<5.2f} {x['mg_s']:5.2f}/{x['mg_cpu_s']:<5.2f}")
        wins = sum(x["ours_db"] < x["matchering_db"] for x in rows)
        print(f"   closer than matchering on {wins}/{len(rows)} pairs; mean {np.mean([x['ours_db'] for x in rows]):.2f}"
              f" vs {np.mean([x['matchering_db'] for x in rows]):.2f} dB"
              f" (mixes {np.mean([x['mix_db'] for x in rows]):.2f});"
              f" worst band moved away: ours {max(x['ours_worst_band_db'] for x in rows):+.2f} dB, matchering "
              f"{max(x['matchering_worst_band_db'] for x in rows):+.2f} dB")
        print(f"   matchering takes {ratio(rows, 'ours_s'):.2f}x our wall time ({ratio(rows, 'ours_cpu_s'):.2f}x CPU); "
              f"with the reference's measurement cached {ratio(rows, 'cached_s'):.2f}x "
              f"({ratio(rows, 'cached_cpu_s'):.2f}x CPU)")


if __name__ == "__main__":
    main()
