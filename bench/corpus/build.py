"""Build the automix development corpus: composers' General MIDI songs rendered one stem per instrument.

Each song of Debian's ``openttd-openmsx`` (General MIDI, several composers) is rendered with FluidSynth once per MIDI
channel, with each soundfont, dry (reverb and chorus units off) and centred (CC10 forced to 64), so that every stem
keeps the composer's own level (channel volume, expression, velocities) and nothing else. The composer's pan (CC10)
and reverb/chorus sends (CC91/CC93) are written beside the stems as the intended values, with each stem's loudness
(BS.1770) as the intended balance and the composer's own mix (the stems at their levels, panned as written) for the
feature distances. The drum channel is rendered whole (``09_drums``: a full kit) and also as separate pieces (kick,
snare, hi-hat, toms, cymbals, percussion) for the role recogniser.

Nothing here is committed as audio: the corpus lands in ``bench/out/corpus`` (git-ignored). Only the soundfonts and
songs named below are used; the material the project reserves for checking is never rendered here.

    python bench/corpus/build.py                       # every song with the development soundfonts
    python bench/corpus/build.py --soundfont timgm6mb --max-seconds 60 --songs 5

Needs (Debian): openttd-openmsx fluidsynth timgm6mb-soundfont musescore-general-soundfont opl3-soundfont
csound-soundfont; (PyPI) mido.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np
import soundfile as sf

sys.path.insert(0, str(Path(__file__).resolve().parent))
from gm import PROGRAMS, kit_piece, piece_role, program_role, slug  # noqa: E402

SONGS_DIR = Path("/usr/share/games/openttd/baseset/openmsx")
SOUNDFONTS = {
    "timgm6mb": Path("/usr/share/sounds/sf2/TimGM6mb.sf2"),
    "musescore": Path("/usr/share/sounds/sf3/MuseScore_General_Full.sf3"),
    "opl3": Path("/usr/share/sounds/sf2/OPL-3_FM_128M.sf2"),
    "csound": Path("/usr/share/sounds/sf2/sf_GMbank.sf2"),
}
HELD_OUT_SOUNDFONTS = ("csound",)      # rendered, measured, never used to fit or tune
RATE = 44100
DRUM_CHANNEL = 9
DEFAULT_OUT = Path(__file__).resolve().parents[1] / "out" / "corpus"
APT_PACKAGES = ("openttd-openmsx", "fluidsynth", "timgm6mb-soundfont", "musescore-general-soundfont",
                "opl3-soundfont", "csound-soundfont")


def held_out_song(name: str) -> bool:
    """Every fifth song (sorted by name) is held out: measured, never fitted or tuned on."""
    songs = sorted(p.stem for p in SONGS_DIR.glob("*.mid"))
    return songs.index(name) % 5 == 4


def ensure_packages() -> None:
    """Install the Debian packages the corpus needs (as root), or say which are missing."""
    missing = [p for p in APT_PACKAGES if subprocess.run(["dpkg", "-s", p], capture_output=True).returncode]
    if not missing:
        return
    if os.geteuid() != 0:
        sys.exit(f"corpus: please install (as root): apt-get install {' '.join(missing)}")
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run(["apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run(["apt-get", "install", "-y", "-qq", "--no-install-recommends", *missing], check=True, env=env)


def channel_parts(mid) -> dict[int, dict]:
    """{channel: {program, notes, pan, reverb, chorus, drum_notes}} of a MIDI file (first program, first CC values)."""
    parts: dict[int, dict] = {}
    for track in mid.tracks:
        for msg in track:
            if not hasattr(msg, "channel"):
                continue
            p = parts.setdefault(msg.channel, {"program": 0, "programs": [], "notes": 0, "pan": None,
                                               "reverb": None, "chorus": None, "pieces": {}})
            if msg.type == "program_change":
                p["programs"].append(msg.program)
            elif msg.type == "note_on" and msg.velocity > 0:
                p["notes"] += 1
                if msg.channel == DRUM_CHANNEL:
                    piece = kit_piece(msg.note)
                    p["pieces"][piece] = p["pieces"].get(piece, 0) + 1
            elif msg.type == "control_change":
                key = {10: "pan", 91: "reverb", 93: "chorus"}.get(msg.control)
                if key and p[key] is None:
                    p[key] = msg.value
    for p in parts.values():
        if p["programs"]:
            p["program"] = p["programs"][0]
    return {c: p for c, p in parts.items() if p["notes"] > 0}


def stem_midi(mid, channel: int, notes: set[int] | None, path: Path) -> None:
    """Write ``mid`` keeping one channel (and, for a kit piece, only its notes), centred and dry."""
    import mido

    out = mido.MidiFile(type=mid.type, ticks_per_beat=mid.ticks_per_beat)
    for track in mid.tracks:
        new = mido.MidiTrack()
        carry = 0
        for msg in track:
            keep = True
            if hasattr(msg, "channel"):
                keep = msg.channel == channel
                if keep and notes is not None and msg.type in ("note_on", "note_off"):
                    keep = msg.note in notes
                if keep and msg.type == "control_change" and msg.control in (10, 91, 93):
                    msg = msg.copy(value=64 if msg.control == 10 else 0)
            if keep:
                new.append(msg.copy(time=msg.time + carry))
                carry = 0
            else:
                carry += msg.time
        out.tracks.append(new)
    out.save(path)


def render(soundfont: Path, midi: Path, wav: Path) -> None:
    """FluidSynth, dry, as fast as it can, 32-bit float."""
    subprocess.run(["fluidsynth", "-ni", "-q", "-R", "0", "-C", "0", "-g", "0.5", "-r", str(RATE),
                    "-o", "synth.dynamic-sample-loading=1", "-o", "audio.file.format=float",
                    "-F", str(wav), "-T", "wav", str(soundfont), str(midi)], check=True, capture_output=True)


def pan_position(cc10: int | None) -> float:
    """CC10 (0..127, 64 centre) as a pan position -1..1."""
    return 0.0 if cc10 is None else max(-1.0, min(1.0, (cc10 - 64) / 63.0))


def build_song(args: tuple[str, str, Path, float]) -> str:
    """Render one song's stems with one soundfont and write its ``truth.json``."""
    import mido

    from studioflow.analysis.loudness import integrated_loudness
    from studioflow.mixing.panning import place

    song, sf_name, out_root, max_s = args
    folder = out_root / sf_name / song
    if (folder / "truth.json").exists():
        return f"{sf_name}/{song}: kept"
    mid = mido.MidiFile(SONGS_DIR / f"{song}.mid")
    parts = channel_parts(mid)
    jobs = []       # (set, stem name, channel, notes or None, role, program name)
    for ch, p in sorted(parts.items()):
        if ch == DRUM_CHANNEL:
            jobs.append(("stems", f"{ch + 1:02d}_drums", ch, None, "drums", "Drum Kit"))
            for piece in p["pieces"]:
                notes = {n for n in range(128) if kit_piece(n) == piece}
                jobs.append(("pieces", f"{ch + 1:02d}_{piece}", ch, notes, piece_role(piece), f"Kit: {piece}"))
        else:
            jobs.append(("stems", f"{ch + 1:02d}_{slug(PROGRAMS[p['program']])}", ch, None,
                         program_role(p["program"]), PROGRAMS[p["program"]]))
    audio = {}
    with tempfile.TemporaryDirectory() as tmp:
        for kind, name, ch, notes, _, _ in jobs:
            m, w = Path(tmp) / f"{name}.mid", Path(tmp) / f"{name}.wav"
            stem_midi(mid, ch, notes, m)
            render(SOUNDFONTS[sf_name], m, w)
            x, rate = sf.read(w, dtype="float32", always_2d=True)
            audio[(kind, name)] = x.mean(axis=1)
    frames = min(int(max_s * RATE), max(a.size for a in audio.values()))
    stems = []
    composer = np.zeros((2, frames), np.float32)
    for (kind, name, ch, notes, role, program) in jobs:
        x = np.zeros(frames, np.float32)
        a = audio[(kind, name)][:frames]
        x[:a.size] = a
        if not np.any(x):
            continue
        (folder / kind).mkdir(parents=True, exist_ok=True)
        sf.write(folder / kind / f"{name}.flac", x, RATE, subtype="PCM_24")
        p = parts[ch]
        loud = integrated_loudness(x[None, :], RATE)
        pan = pan_position(p["pan"])
        if kind == "stems":
            composer += place(x[None, :], 1.0, pan, -3.0)
        stems.append({"set": kind, "file": f"{kind}/{name}.flac", "name": name, "channel": ch + 1,
                      "program": None if ch == DRUM_CHANNEL else p["program"], "instrument": program, "role": role,
                      "loudness_lufs": None if loud is None or not np.isfinite(loud) else round(float(loud), 2),
                      "pan": round(pan, 3), "reverb_cc": p["reverb"], "chorus_cc": p["chorus"]})
    sf.write(folder / "composer.flac", composer.T, RATE, subtype="PCM_24")
    truth = {"song": song, "soundfont": sf_name, "rate": RATE, "seconds": frames / RATE,
             "held_out": held_out_song(song) or sf_name in HELD_OUT_SOUNDFONTS, "stems": stems}
    tmp_json = folder / "truth.json.tmp"
    tmp_json.write_text(json.dumps(truth, indent=1))
    tmp_json.replace(folder / "truth.json")
    return f"{sf_name}/{song}: {len(stems)} stems"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--soundfont", action="append", choices=sorted(SOUNDFONTS))
    ap.add_argument("--songs", type=int, default=None, help="only the first N songs (by name)")
    ap.add_argument("--max-seconds", type=float, default=120.0, help="each song's first N seconds")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    a = ap.parse_args(argv)
    ensure_packages()
    songs = sorted(p.stem for p in SONGS_DIR.glob("*.mid"))[:a.songs]
    work = [(s, f, a.out, a.max_seconds) for f in (a.soundfont or list(SOUNDFONTS)) for s in songs]
    with ProcessPoolExecutor(a.jobs) as pool:
        for line in pool.map(build_song, work):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
