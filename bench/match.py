"""bench/match.py: mastering to a reference on music nobody on the project wrote, beside matchering on the same pairs.

Mixes are the composers' own renders of the automix corpus (``bench/corpus/build.py``: General MIDI songs of Debian's
``openttd-openmsx``); references are commercial-style game soundtracks from Debian (``hyperrogue-music``,
``wesnoth-1.16-music``), installed with apt-get when missing. Development pairs are tuned on; held-out pairs (the
corpus's held-out songs and soundfont, the references not in the development list) are only scored.

Tone is measured as the issue states it: octave-band levels (31.5 Hz - 16 kHz) of the mid signal relative to their
mean; the distance is their RMS difference to the reference's (dB). Per pair: the mix's distance, studioflow's and
matchering's, the band that moved farthest away from the reference (dB; positive is worse than the mix), and the time
of each call inside this one warm process (matchering's ``process`` writing a 24-bit WAV; studioflow's ``master``
writing its 24-bit WAV and its JSON), then their ratio.

    python bench/match.py                 # development and held-out pairs
    python bench/match.py --part dev --json
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
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


def run_pair(mix: Path, ref: Path, repeats: int) -> dict:
    """Master one pair with both tools (best time of ``repeats`` turns each, taken in turns); their distances, the
    worst band moved away, and the times (s)."""
    import matchering as mg

    from studioflow.mastering.api import master

    mg.log(lambda *_: None)
    with tempfile.TemporaryDirectory() as d:
        folder = Path(d)
        mix_wav, ref_wav = prepare(mix, ref, folder)
        ours_s = theirs_s = float("inf")
        for turn in range(repeats):
            t0 = time.perf_counter()
            master(mix_wav, folder / f"ours{turn}.wav", reference=ref_wav, target=None)
            ours_s = min(ours_s, time.perf_counter() - t0)
            t0 = time.perf_counter()
            mg.process(target=str(mix_wav), reference=str(ref_wav), results=[mg.pcm24(str(folder / "theirs.wav"))])
            theirs_s = min(theirs_s, time.perf_counter() - t0)
        (folder / "ours0.wav").rename(folder / "ours.wav")
        r, m = octave_db(ref_wav), octave_db(mix_wav)
        o, t = octave_db(folder / "ours.wav"), octave_db(folder / "theirs.wav")

    def rms(x: np.ndarray) -> float:
        return float(np.sqrt(np.mean((x - r) ** 2)))

    def worse(x: np.ndarray) -> float:
        return float(np.max(np.abs(x - r) - np.abs(m - r)))

    return {"mix": f"{mix.parent.parent.name}/{mix.parent.name}", "reference": ref.name,
            "mix_db": rms(m), "ours_db": rms(o), "matchering_db": rms(t), "ours_worst_band_db": worse(o),
            "matchering_worst_band_db": worse(t), "ours_s": ours_s, "matchering_s": theirs_s}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     epilog="example: python bench/match.py --part dev")
    parser.add_argument("--part", choices=("dev", "heldout", "all"), default="all")
    parser.add_argument("--json", action="store_true", help="print the results as JSON")
    parser.add_argument("--repeats", type=int, default=2, help="turns per tool and pair; the best time counts")
    args = parser.parse_args()
    if not CORPUS.is_dir():
        sys.exit(f"{CORPUS}: build the corpus first (python bench/corpus/build.py)")
    ensure_packages()
    results = {}
    for part in (("dev", "heldout") if args.part == "all" else (args.part,)):
        results[part] = [run_pair(mix, ref, args.repeats) for mix, ref in pairs(part)]
    if args.json:
        print(json.dumps(results, indent=2))
        return
    for part, rows in results.items():
        print(f"\n== {part}: octave-band distance to the reference (dB RMS, mid, mean removed); worst band moved "
              "away from the reference (dB); time per call in one process (s)")
        print(f"   {'mix':38} {'reference':22} {'mix':>6} {'ours':>6} {'mg':>6} {'ours+':>6} {'mg+':>6} "
              f"{'ours s':>7} {'mg s':>6}")
        for x in rows:
            print(f"   {x['mix'][:38]:38} {x['reference'][:22]:22} {x['mix_db']:6.2f} {x['ours_db']:6.2f} "
                  f"{x['matchering_db']:6.2f} {x['ours_worst_band_db']:6.2f} {x['matchering_worst_band_db']:6.2f} "
                  f"{x['ours_s']:7.2f} {x['matchering_s']:6.2f}")
        wins = sum(x["ours_db"] < x["matchering_db"] for x in rows)
        speed = sum(x["matchering_s"] for x in rows) / sum(x["ours_s"] for x in rows)
        print(f"   closer than matchering on {wins}/{len(rows)} pairs; mean {np.mean([x['ours_db'] for x in rows]):.2f}"
              f" vs {np.mean([x['matchering_db'] for x in rows]):.2f} dB (mixes {np.mean([x['mix_db'] for x in rows]):.2f});"
              f" worst band moved away: ours {max(x['ours_worst_band_db'] for x in rows):+.2f} dB, matchering "
              f"{max(x['matchering_worst_band_db'] for x in rows):+.2f} dB; matchering takes {speed:.1f}x our time")


if __name__ == "__main__":
    main()
