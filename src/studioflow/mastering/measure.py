"""One streamed pass of measurements for mastering decisions: loudness (BS.1770 / EBU R128), true peak, spectrum,
stereo width, DC, clipping (``analysis.stats``) and band dynamics. Memory stays flat however long the file is."""

from __future__ import annotations

import contextlib
import hashlib
import os
from pathlib import Path
from typing import Any, Callable, Iterable

import numpy as np

from studioflow.analysis.stats import SignalStats
from studioflow.analysis.truepeak import TruePeakMeter
from studioflow.mastering import loudness_floor
from studioflow.mastering.spectral import LongTermSpectrum, normalized_bands_db


class MixMeter:
    """Feed blocks with ``add``; ``result()`` returns the measurements as plain data (dB, LUFS, LU, Hz, s)."""

    def __init__(self, rate: int, channels: int, *, true_peak: bool = True, beside: bool = False,
                 spectrum: bool = True, stats: bool = True) -> None:
        """``beside``: the spectrum (the costliest measurement) runs in a thread of its own; ``result()`` joins it.
        ``spectrum``/``stats`` false leave out the spectrum (and what is read from it: band dynamics, stereo width,
        subsonic energy) or DC and clipping; their keys then hold None."""
        self.rate, self.channels = int(rate), int(channels)
        self.loudness = loudness_floor.Loudness(self.rate, self.channels)
        self.true_peak = TruePeakMeter(self.rate, self.channels) if true_peak else None
        self.spectrum = LongTermSpectrum(self.rate) if spectrum else None
        self.stats = SignalStats(self.rate, self.channels) if stats else None   # DC, clipped runs (analysis.stats)
        self.frames = 0
        self.peak = 0.0
        self._side = None
        if beside and self.spectrum is not None:
            from studioflow.mastering.parallel import Beside

            self._side = Beside(self.spectrum.add)

    def add(self, block: np.ndarray) -> None:
        """Measure one ``(channels, frames)`` float32 block."""
        block = np.ascontiguousarray(block, dtype=np.float32)
        peak = max(float(block.max()), -float(block.min())) if block.size else 0.0   # no |block| copy
        self.peak = max(self.peak, peak)
        if self._side is not None:
            self._side.put(block)
        elif self.spectrum is not None:
            self.spectrum.add(block)
        self.loudness.add(block)
        if self.true_peak is not None:
            self.true_peak.process(block, peak)
        if self.stats is not None:
            self.stats.process(block)
        self.frames += block.shape[1]

    def result(self) -> dict:
        """Loudness, peaks, PLR, spectrum (loudness-normalized), stereo width, DC, clipping, band dynamics."""
        if self._side is not None:
            self._side.close()
        loud = self.loudness.result()
        integrated = loud["integrated_lufs"]
        tp = self.true_peak.dbtp if self.true_peak is not None else None
        sp = 20 * np.log10(self.peak) if self.peak > 0 else None
        stats = self.stats.result() if self.stats is not None else None
        return {
            "rate": self.rate,
            "channels": self.channels,
            "duration_s": self.frames / self.rate,
            "integrated_lufs": integrated,
            "lra_lu": loud["lra_lu"],
            "true_peak_dbtp": tp,
            "sample_peak_dbfs": sp,
            "plr_db": (tp - integrated) if (tp is not None and integrated is not None) else None,
            "short_term": loud["short_term"],
            "dc_offset": stats.dc_offset if stats is not None else None,
            "clipped_samples": stats.clipped_samples if stats is not None else None,
            **self._spectral(integrated),
        }

    def _spectral(self, integrated: float | None) -> dict:
        """What the spectrum tells: subsonic share, side-minus-mid overall and below 120 Hz (dB), band dynamics and
        the loudness-normalized third-octave spectrum; all None when the spectrum was left out."""
        keys = ("subsonic_db", "side_minus_mid_db", "low_side_minus_mid_db", "band_dynamics", "spectrum")
        if self.spectrum is None:
            return dict.fromkeys(keys)
        bands = self.spectrum.bands()
        freqs, mid, side = self.spectrum.power()
        total = mid + side
        sub = float(np.sum(total[(freqs > 0) & (freqs < 20)]) / max(np.sum(total[freqs > 0]), 1e-30))
        low = freqs < 120
        side_low = float(np.sum(side[low & (freqs > 20)]) / max(np.sum(mid[low & (freqs > 20)]), 1e-30))
        body = (freqs >= 120) & (freqs <= 8000)
        side_body = float(np.sum(side[body]) / max(np.sum(mid[body]), 1e-30))
        level = integrated if integrated is not None else -70.0
        return {
            "subsonic_db": 10 * np.log10(max(sub, 1e-12)),
            "side_minus_mid_db": 10 * np.log10(max(side_body, 1e-12)) if self.channels > 1 else None,
            "low_side_minus_mid_db": 10 * np.log10(max(side_low, 1e-12)) if self.channels > 1 else None,
            "band_dynamics": self.spectrum.band_dynamics(),
            "spectrum": {
                "centers_hz": bands["centers_hz"].tolist(),
                "level_db": normalized_bands_db(bands["total_db"], level).tolist(),
                "mid_db": normalized_bands_db(bands["mid_db"], level).tolist(),
                "side_minus_mid_db": bands["side_minus_mid_db"].tolist(),
            },
        }


def measure_blocks(blocks: Iterable[np.ndarray], rate: int, channels: int, *, frames: int | None = None,
                   progress: Callable[[float], None] | None = None, beside: bool = False,
                   keep: Any = None, stats: bool = True) -> dict:
    """Measure a stream of blocks (see ``MixMeter.result``); ``progress(fraction)`` is called as it goes;
    ``beside`` runs the spectrum in a second thread; ``keep.put(block)`` (a ``scratch.Scratch``) gets every block;
    ``stats`` false leaves out DC and clipping."""
    meter = MixMeter(rate, channels, beside=beside, stats=stats)
    done = 0
    for block in blocks:
        meter.add(block)
        if keep is not None:
            keep.put(block)
        done += block.shape[1]
        if progress and frames:
            progress(min(done / frames, 1.0))
    return meter.result()


def measure_file(path: str, *, block_frames: int = 1 << 17, progress: Callable[[float], None] | None = None,
                 beside: bool = False, keep: Any = None, stats: bool = True) -> dict:
    """Measure an audio file in blocks (see ``MixMeter.result``); ``beside``, ``keep``, ``stats`` as
    ``measure_blocks``."""
    from studioflow.audio.stream import BlockReader

    reader = BlockReader(path, block_frames)
    return measure_blocks(reader, reader.sample_rate, reader.channels, frames=reader.frames,
                          progress=progress, beside=beside, keep=keep, stats=stats)


#: bump when what ``MixMeter.result`` measures or how changes: cached reference measurements of other versions are
#: measured again
MEASURE_VERSION = 4   # 3: the mid spectrum; 4: references measured with DC and clipping statistics


def reference_cache_folder() -> Path:
    """The folder holding cached reference measurements: ``$XDG_CACHE_HOME/studioflow/references`` (XDG Base
    Directory Specification; ``~/.cache`` when the variable is unset, empty or not an absolute path)."""
    base = os.environ.get("XDG_CACHE_HOME", "")
    root = Path(base) if base and os.path.isabs(base) else Path.home() / ".cache"
    return root / "studioflow" / "references"


def reference_digest_folder() -> Path:
    """The folder beside :func:`reference_cache_folder` that remembers each reference file's SHA-256 digest by its
    file status, so a reference seen before and unchanged since is not read again to be hashed."""
    return reference_cache_folder().parent / "reference-digests"


def _hash_file(path: Path) -> str:
    h = hashlib.sha256()       # hardware-accelerated (SHA-NI) on current CPUs: ~2x BLAKE2b's speed here
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


def _digest(path: Path) -> str:
    """The SHA-256 digest of the file's content, remembered by its status: the resolved path, device, inode, size,
    and modification and change times in ns (any write to the file, or a new file put in its place, changes the
    change time, which no user can set), as a file named by the digest of those in
    :func:`reference_digest_folder`. The status is read before the content is hashed, so a file changed while it
    is hashed is hashed again the next time; a folder that cannot be written is simply not used."""
    st = path.stat()
    status = f"{path.resolve()}\0{st.st_dev}\0{st.st_ino}\0{st.st_size}\0{st.st_mtime_ns}\0{st.st_ctime_ns}"
    known = reference_digest_folder() / f"{hashlib.sha256(status.encode()).hexdigest()}.txt"
    with contextlib.suppress(OSError, UnicodeDecodeError):
        digest = known.read_text().strip()
        if len(digest) == 64 and all(c in "0123456789abcdef" for c in digest):
            return digest
    digest = _hash_file(path)
    with contextlib.suppress(OSError):  # OutputError is an OSError: an unwritable cache folder is not an error
        from studioflow.audio.atomic import write_text

        known.parent.mkdir(parents=True, exist_ok=True)
        write_text(known, digest + "\n")
    return digest


def _cache_file(digest: str) -> Path:
    return reference_cache_folder() / f"{digest}.json"


def reference_cache_path(path: str | os.PathLike[str]) -> Path:
    """Where the measurement of the reference ``path`` is cached: a JSON file named by the SHA-256 digest of its
    content in :func:`reference_cache_folder` (reads the file to hash it, unless its digest is known: ``_digest``)."""
    return _cache_file(_digest(Path(path)))


def measure_reference(path: str | os.PathLike[str]) -> tuple[dict, bool]:
    """``measure_file`` of a reference, cached by content: a JSON file named by the file's SHA-256 digest in the
    user's cache folder (:func:`reference_cache_folder`) holds the measurement with ``MEASURE_VERSION``, so an album
    mastered against one reference measures it once (a different version or an unreadable cache is measured again;
    a cache folder that cannot be written is simply not used). Nothing is written beside the reference, and the
    reference itself is never touched. Returns (measurement, whether it was cached)."""
    import json

    from studioflow.audio.atomic import write_json

    src = Path(path)
    digest = _digest(src)
    cache = _cache_file(digest)
    try:
        held = json.loads(cache.read_text())
        if held.get("sha256") == digest and held.get("version") == MEASURE_VERSION:
            return held["measurement"], True
    except (OSError, ValueError, AttributeError, KeyError):
        pass
    measured = measure_file(str(src), beside=True)   # with DC and clipping: both are warned of
    with contextlib.suppress(OSError):  # OutputError is an OSError: an unwritable cache folder is not an error
        cache.parent.mkdir(parents=True, exist_ok=True)
        write_json(cache, {"file": src.name, "sha256": digest, "version": MEASURE_VERSION, "measurement": measured})
    return measured, False
