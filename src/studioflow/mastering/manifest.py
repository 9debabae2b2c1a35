"""The delivery manifest: every file of the release package with its SHA-256, format, size, and for audio its
duration, integrated loudness (BS.1770) and 8x true peak, as measured again from the file itself."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Iterable

import numpy as np

from studioflow.audio.atomic import write_json

_FORMATS = {".wav": "WAV", ".flac": "FLAC", ".mp3": "MP3", ".m4a": "AAC (MP4)", ".cue": "CUE sheet",
            ".json": "JSON", ".html": "HTML", ".png": "PNG image", ".jpg": "JPEG image", ".jpeg": "JPEG image"}
_AUDIO = (".wav", ".flac", ".mp3", ".m4a")


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    """Hex SHA-256 of a file, read in chunks."""
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for piece in iter(lambda: fh.read(chunk), b""):
            h.update(piece)
    return h.hexdigest()


def measure_audio(path: Path) -> dict:
    """Integrated LUFS, 8x true peak (dBTP), length (s), rate and channels of an audio file as a player gets it:
    lossy files decoded (encoder delay and padding removed), PCM streamed in blocks."""
    from studioflow.mastering.loudness_floor import Loudness
    from studioflow.mastering.verify import TruePeak8x

    if path.suffix.lower() in (".mp3", ".m4a"):
        from studioflow.audio.encode import decode

        audio, rate = decode(path)
        blocks: Iterable[np.ndarray] = [audio]
        channels, frames = audio.shape
    else:
        from studioflow.audio.stream import BlockReader

        reader = BlockReader(path, 1 << 16)
        blocks, rate, channels, frames = reader, reader.sample_rate, reader.channels, reader.frames
    loud, tp = Loudness(rate, channels), TruePeak8x()
    for b in blocks:
        loud.add(b)
        tp.add(b)
    return {"integrated_lufs": loud.result()["integrated_lufs"], "true_peak_dbtp": tp.finish(),
            "duration_s": frames / rate, "rate": rate, "channels": channels}


def file_entry(path: Path, root: Path, *, role: str, track: int | None = None) -> dict:
    """One manifest row: path relative to ``root``, role, SHA-256, bytes, format; audio is measured again."""
    from studioflow.audio.files import info

    entry: dict = {"path": path.relative_to(root).as_posix(), "role": role, "track": track,
                   "sha256": sha256_file(path), "bytes": path.stat().st_size,
                   "format": _FORMATS.get(path.suffix.lower(), path.suffix.lstrip(".").upper())}
    if path.suffix.lower() in _AUDIO:
        m = measure_audio(path)
        if path.suffix.lower() in (".wav", ".flac"):
            meta = info(path)
            entry["format"] = f"{entry['format']} {meta.subtype}"
        entry.update({"duration_s": round(m["duration_s"], 6), "sample_rate": m["rate"], "channels": m["channels"],
                      "integrated_lufs": m["integrated_lufs"], "true_peak_dbtp": m["true_peak_dbtp"]})
    return entry


def write_manifest(out_dir: Path, files: list[tuple[Path, str, int | None]], header: dict) -> Path:
    """Write ``out_dir/manifest.json`` listing ``files`` (path, role, track) under ``header`` (album facts)."""
    rows = [file_entry(p, out_dir, role=role, track=track) for p, role, track in files]
    return write_json(out_dir / "manifest.json", {**header, "files": rows})
