"""Short synthetic songs and ALBUM.yaml files for the album tests (built in code, written to tmp_path)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from scipy.signal import butter, sosfilt

from studioflow.audio.files import write

RATE = 44100


def song(seconds: float, level_dbfs: float, tilt: str, seed: int, rate: int = RATE) -> np.ndarray:
    """Stereo song: a 220 Hz cosine that starts at full level on sample 0, plus pink-ish noise tilted dark or bright,
    scaled so its RMS is ``level_dbfs``."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(seconds * rate)) / rate
    noise = rng.standard_normal((2, t.size))
    noise = sosfilt(butter(1, 300, "low", fs=rate, output="sos"), noise, axis=1) * 4 + noise * 0.3
    kind = "low" if tilt == "dark" else "high"
    noise = noise + 2.0 * sosfilt(butter(2, 2000, kind, fs=rate, output="sos"), noise, axis=1)
    x = noise / np.sqrt(np.mean(noise ** 2)) * 0.5 + np.cos(2 * np.pi * 220 * t)[None, :]
    x *= 10 ** (level_dbfs / 20) / np.sqrt(np.mean(x ** 2))
    return x.astype(np.float32)


def write_album(folder: Path, body: str, songs: dict[str, np.ndarray], rate: int = RATE) -> Path:
    """Write the mixes and ALBUM.yaml (``body``) into ``folder``; return the album file's path."""
    for name, audio in songs.items():
        write(folder / name, audio, rate, subtype="FLOAT")
    path = folder / "ALBUM.yaml"
    path.write_text(body, encoding="utf-8")
    return path
