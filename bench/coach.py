"""How exactly the coach hears a performance: error distributions on takes sung with known, random faults.

Each take is a random melody (A2 to A#5, notes of half a beat to three beats at 90-140 BPM) sung by the additive
singer of ``producer/coach/synth.py`` with, per note, a random offset (+-40 cents), onset shift (+-40 ms), and on
some notes vibrato (4.5-7 Hz, +-20-70 cents; half of them sung on pitch) or a sag/creep (+-15-40 cents, long notes),
at one of two noise floors.
The coach measures every take against its MIDI guide; the errors are what it reports minus what was planted:

- pitch: the note's offset (cents), on plain notes and on notes with vibrato apart (the fit must not be pulled by it);
- timing: the note's onset (ms);
- vibrato: rate (Hz) and depth (%), and how many vibrato notes sung on pitch it called out of tune (15 cents);
- drift: the sag/creep (cents) measured over the note's body against the same stretch of what was planted.

Beside ours, the peers on the same takes: librosa's pYIN alone (its 10-cent bins, mean over the same frames) for
pitch, and librosa's onset detector (spectral flux, backtracked to the preceding energy minimum) for onsets.
Speed is a warm call (one process, the take already on disk), in seconds per second of audio.

    python bench/coach.py                 # 12 takes
    python bench/coach.py --takes 40 --json bench/out/coach.json
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path

import numpy as np

from studioflow.audio.files import write
from studioflow.producer.coach import coach
from studioflow.producer.coach.guide import GuideNote, write_guide
from studioflow.producer.coach.notes import TRIM_END_S, TRIM_START_S
from studioflow.producer.coach.pitch import FRAME, HOP, RATE, hz_to_midi, mono_at_rate
from studioflow.producer.coach.synth import SungNote, sing

SR = 48000


def random_take(rng: np.random.Generator, seconds: float = 10.0) -> tuple[float, list[SungNote]]:
    """A tempo and a random melody with random planted faults."""
    bpm = float(rng.uniform(90, 140))
    beat = 60.0 / bpm
    low = int(rng.integers(45, 72))
    notes, t = [], 0.25
    while True:
        length = float(rng.choice([0.5, 1, 1, 2, 2, 3])) * beat
        if t + length > seconds - 0.5:
            break
        mods: dict[str, float] = {"cents": float(rng.uniform(-40, 40)), "shift_ms": float(rng.uniform(-40, 40))}
        kind = rng.random()
        if kind < 0.3 and length >= 0.45:
            mods |= {"vibrato_hz": float(rng.uniform(4.5, 7.0)), "vibrato_cents": float(rng.uniform(20, 70))}
            if rng.random() < 0.5:
                mods["cents"] = 0.0          # wide vibrato on pitch: must not be called out of tune
        elif kind < 0.5 and length >= 0.6:
            mods["drift_cents"] = float(rng.choice([-1, 1]) * rng.uniform(15, 40))
        notes.append(SungNote(t, t + length - 0.08, low + int(rng.integers(0, 12)), **mods))
        t += length + float(rng.choice([0, 0, 0.5])) * beat
    return bpm, notes


def planted_drift(n: SungNote) -> float:
    """The planted drift over the stretch the coach measures (it leaves out the attack and the release)."""
    dur = n.end_s - n.start_s
    a, b = min(TRIM_START_S, 0.25 * dur) / dur, 1 - min(TRIM_END_S, 0.15 * dur) / dur
    return n.drift_cents * (b ** 2 - a ** 2)


def peers(audio: np.ndarray, notes: list[SungNote]) -> tuple[list[float], list[float]]:
    """Pitch errors (cents) of pYIN alone and onset errors (ms) of librosa's onset detector, on the same notes."""
    import librosa

    y = mono_at_rate(audio, SR)
    f0, voiced, _ = librosa.pyin(y, fmin=65.0, fmax=1100.0, sr=RATE, frame_length=FRAME, hop_length=HOP)
    times = np.arange(f0.size) * HOP / RATE
    onsets = librosa.onset.onset_detect(y=y, sr=RATE, hop_length=HOP, backtrack=True, units="time")
    pitch, onset = [], []
    for n in notes:
        start = n.start_s + n.shift_ms / 1000
        end = n.end_s + n.shift_ms / 1000
        frames = (times >= start + TRIM_START_S) & (times <= end - TRIM_END_S) & voiced
        if n.drift_cents == 0 and frames.any():
            pitch.append(float(np.nanmean(hz_to_midi(f0[frames])) - n.midi) * 100 - n.cents)
        if onsets.size:
            onset.append(float(onsets[np.argmin(np.abs(onsets - start))] - start) * 1000)
    return pitch, onset


def histogram(values: list[float], edges: list[float], unit: str) -> str:
    """A one-line text histogram: counts of |value| in each bin."""
    counts, _ = np.histogram(np.abs(values), bins=[*edges, np.inf])
    labels = [f"<{edges[i + 1]:g}" for i in range(len(edges) - 1)] + [f">={edges[-1]:g}"]
    return "  ".join(f"{lab} {unit}: {c}" for lab, c in zip(labels, counts))


def row(name: str, values: list[float], unit: str) -> dict:
    """Median, 90th, 99th percentile and max of |errors|, with the mean (bias)."""
    a = np.abs(values)
    return {"what": name, "unit": unit, "n": len(a), "bias": float(np.mean(values)) if a.size else None,
            "median": float(np.median(a)) if a.size else None, "p90": float(np.percentile(a, 90)) if a.size else None,
            "p99": float(np.percentile(a, 99)) if a.size else None, "max": float(a.max()) if a.size else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--takes", type=int, default=12)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--json", type=Path, default=None, help="Write the numbers here too.")
    args = parser.parse_args()
    rng = np.random.default_rng(args.seed)
    errs: dict[str, list[float]] = {k: [] for k in ("plain", "vibrato", "onset", "rate", "depth", "drift",
                                                     "peer_pitch", "peer_onset")}
    false_out = vib_on_pitch = missed = total = 0
    spent = audio_s = 0.0
    with tempfile.TemporaryDirectory() as tmp:
        for k in range(args.takes):
            bpm, notes = random_take(rng)
            noise = float(rng.choice([-70.0, -45.0]))
            audio = sing(notes, SR, duration_s=10.5, seed=k, noise_dbfs=noise)
            take, guide = Path(tmp) / f"take-{k + 1:03d}.wav", Path(tmp) / f"guide-{k}.mid"
            write(take, audio, SR)
            write_guide(guide, [GuideNote(n.start_s, n.end_s, n.midi) for n in notes], bpm)
            t0 = time.perf_counter()
            result = coach([take], guide=guide)
            spent += time.perf_counter() - t0
            audio_s += audio.shape[1] / SR
            for planted, got in zip(notes, result["takes"][0]["notes"]):
                total += 1
                if not got["sung"]:
                    missed += 1
                    continue
                errs["onset"].append(got["timing_ms"] - planted.shift_ms)
                if planted.vibrato_hz:
                    errs["vibrato"].append(got["offset_cents"] - planted.cents)
                    if got["vibrato_hz"] is not None:
                        errs["rate"].append(got["vibrato_hz"] - planted.vibrato_hz)
                        errs["depth"].append((got["vibrato_cents"] / planted.vibrato_cents - 1) * 100)
                    if abs(planted.cents) < 10:
                        vib_on_pitch += 1
                        false_out += abs(got["offset_cents"]) >= 15
                elif planted.drift_cents:
                    errs["drift"].append(got["drift_cents"] - planted_drift(planted))
                else:
                    errs["plain"].append(got["offset_cents"] - planted.cents)
            pitch, onset = peers(audio, notes)
            errs["peer_pitch"] += pitch
            errs["peer_onset"] += onset
            print(f"take {k + 1}/{args.takes}: {len(notes)} notes, {bpm:.0f} BPM, noise {noise:g} dBFS", flush=True)
    rows = [row("pitch offset, plain notes", errs["plain"], "cents"),
            row("pitch offset, vibrato notes", errs["vibrato"], "cents"),
            row("  peer: pYIN alone (librosa)", errs["peer_pitch"], "cents"),
            row("onset", errs["onset"], "ms"),
            row("  peer: librosa onset_detect", errs["peer_onset"], "ms"),
            row("vibrato rate", errs["rate"], "Hz"), row("vibrato depth", errs["depth"], "%"),
            row("drift (sag/creep)", errs["drift"], "cents")]
    print(f"\n{args.takes} takes, {total} notes ({missed} not found)")
    print(f"{'error of':<32}{'n':>5}{'bias':>8}{'median':>8}{'p90':>8}{'p99':>8}{'max':>8}")
    for r in rows:
        if r["n"]:
            print(f"{r['what']:<32}{r['n']:>5}{r['bias']:>+8.2f}{r['median']:>8.2f}{r['p90']:>8.2f}{r['p99']:>8.2f}"
                  f"{r['max']:>8.2f}  {r['unit']}")
    print("pitch |error|, all notes:  " + histogram(errs["plain"] + errs["vibrato"], [0, 1, 2, 5, 10], "c"))
    print("onset |error|:             " + histogram(errs["onset"], [0, 1, 2, 3, 5, 10], "ms"))
    print(f"vibrato notes sung on pitch called out of tune: {false_out} of {vib_on_pitch}")
    print(f"speed: {spent / audio_s:.3f} s per s of audio (warm calls, one process)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"rows": rows, "missed": missed, "notes": total, "false_out_of_tune":
                                         false_out, "vibrato_on_pitch": vib_on_pitch,
                                         "seconds_per_audio_second": spent / audio_s}, indent=2))


if __name__ == "__main__":
    main()
