"""Mic alignment of a song's tracks: each track's take measured against a reference track's take (GCC-PHAT) and
written as an aligned copy (shifted by the measured offset to the fraction of a sample, polarity flipped when
inverted), with the same correction as mix-session track settings (``delay_ms``: the shift to apply, negative =
earlier; ``polarity``: normal/inverted).

Outputs: ``takes/<track>/take-NNN.aligned-vNNN.wav`` per track and ``takes/align-vNNN.json`` with the measurements
and, per track, ``applied_shift_samples``: the shift given to its aligned copy (negative = earlier).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from studioflow.analysis import alignment
from studioflow.audio.atomic import next_version, write_json
from studioflow.audio.files import read, write
from studioflow.errors import ParameterError
from studioflow.recording import takes


def _take(song_dir: Path, track: str, number: int | None) -> dict[str, Any]:
    """The entry of a track's take ``number`` (default: its latest take)."""
    if number is not None:
        return takes.find(song_dir, f"{track}:{number}")
    entries = [t for t in takes.load(song_dir) if t["track"] == track]
    if not entries:
        raise ParameterError(f"track {track!r} has no takes in {takes.takes_dir(song_dir) / 'takes.yaml'}")
    return max(entries, key=lambda t: t["take"])


def align(song_dir: str | Path, ref: str, tracks: list[str], *, take: int | None = None,
          max_delay_ms: float = 50.0) -> dict[str, Any]:
    """Measure and correct ``tracks`` against ``ref`` (their latest takes, or take number ``take``)."""
    song_dir = Path(song_dir)
    if ref in tracks:
        raise ParameterError(f"align: the reference {ref!r} is also in --tracks")
    ref_entry = _take(song_dir, ref, take)
    ref_audio, rate = read(takes.file_of(song_dir, ref_entry))
    result: dict[str, Any] = {"reference": ref_entry["id"], "tracks": {}}
    for name in tracks:
        entry = _take(song_dir, name, take)
        path = takes.file_of(song_dir, entry)
        audio, r = read(path)
        if r != rate:
            raise ParameterError(f"align: {entry['id']} is at {r} Hz, the reference {ref_entry['id']} at {rate} Hz")
        al = alignment.measure(ref_audio, audio, rate, max_delay_ms=max_delay_ms)
        out = next_version(path.parent, f"take-{entry['take']:03d}.aligned", ".wav")
        write(out, alignment.apply(audio, rate, al), rate)
        result["tracks"][name] = {"take": entry["id"], "aligned_file": str(out), **al.as_dict(),
                                  "applied_shift_samples": -al.delay_samples + 0.0}
    result["session"] = {name: t["correction"] for name, t in result["tracks"].items()}
    json_path = next_version(takes.takes_dir(song_dir), "align", ".json")
    write_json(json_path, result)
    result["json"] = str(json_path)
    return result
