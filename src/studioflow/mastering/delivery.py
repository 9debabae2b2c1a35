"""Delivery files from the limited master: WAV 24-bit, WAV 16-bit/44.1 kHz (soxr VHQ, then dither last), FLAC,
MP3 320 and AAC 256 (PyAV). Every file is measured again (8x true peak); if it lands over the ceiling it is made
again with its input lowered by the overshoot, and the note says so.

WAVs are plain PCM RIFF files (format tag 1, no JUNK chunk), so shntool, cue2ddp and plants read them as they are.
The 16-bit dither is muted in digital silence (:func:`dither_16`): a run of at least ``MUTE_AFTER_S`` where every
channel would round to zero without dither (below half an LSB), and any such run at the very start or end (lead-in,
a fade that reaches zero, the pad to the last CD frame), is written as zeros.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import numpy as np

from studioflow.audio.resample import Resampler
from studioflow.audio.stream import BlockReader, BlockWriter
from studioflow.dsp.base import db_to_gain
from studioflow.mastering.parallel import Beside
from studioflow.mastering.verify import TruePeak8x

FORMATS: dict[str, dict[str, Any]] = {
    "wav24": {"suffix": ".wav", "label": "WAV 24-bit"},
    "wav16": {"suffix": "-16bit-44k1.wav", "label": "WAV 16-bit 44.1 kHz (dithered)"},
    "flac": {"suffix": ".flac", "label": "FLAC 24-bit"},
    "mp3": {"suffix": ".mp3", "label": "MP3 320 kbps", "codec": "mp3", "kbps": 320},
    "aac": {"suffix": ".m4a", "label": "AAC 256 kbps", "codec": "aac", "kbps": 256},
}
BLOCK = 1 << 16
CD_RATE = 44100   # the 16-bit delivery's rate, the CD's
#: Wannamaker's noise-shaping filter is designed for 44.1 kHz, the rate of the 16-bit delivery (``dsp.dither``)
DITHER_DEFAULT = "shaped"
SAFETY_DB = 0.05   # extra trim when a file is made again after an over
MUTE_BELOW = 2.0 ** -16   # half a 16-bit LSB: a sample that rounds to zero without dither
MUTE_AFTER_S = 0.010      # quiet this long on every channel is digital silence: the dither is muted there


def _scaled(blocks: Iterable[np.ndarray], gain_db: float) -> Iterator[np.ndarray]:
    g = np.float32(db_to_gain(gain_db))
    for b in blocks:
        yield b * g


def _resampled(blocks: Iterable[np.ndarray], from_rate: int, to_rate: int, channels: int) -> Iterator[np.ndarray]:
    rs = Resampler(from_rate, to_rate, channels)
    for b in blocks:
        out = rs.process(b)
        if out.shape[1]:
            yield out
    out = rs.process(np.zeros((channels, 0), dtype=np.float32), last=True)
    if out.shape[1]:
        yield out


def _quiet_runs(quiet: np.ndarray) -> list[tuple[int, int]]:
    """The [start, stop) runs of True in a boolean array."""
    edges = np.flatnonzero(np.diff(np.concatenate([[False], quiet, [False]]).astype(np.int8)))
    return list(zip(edges[::2].tolist(), edges[1::2].tolist()))


def dither_16(blocks: Iterable[np.ndarray], rate: int, shape: str = DITHER_DEFAULT, seed: int = 0
              ) -> Iterator[np.ndarray]:
    """The float ``blocks`` at ``rate`` Hz dithered to 16 bits (``shape`` "shaped" or "tpdf", reproducible by
    ``seed``), with the dither muted in digital silence (module docstring): those samples come out as exact zeros.
    A quiet run that reaches the end of a block is held back until it is long enough or ends."""
    from studioflow.dsp.registry import create

    dither = create("dither", rate, bits=16, shape=shape, seed=seed)
    need = max(1, int(round(MUTE_AFTER_S * rate)))
    held = None                  # dithered samples of a quiet run still too short to call silence
    muting = True                # the stream starts in silence (lead-in)
    for x in blocks:
        y = dither.process(np.ascontiguousarray(x))
        quiet = np.all(np.abs(x) < MUTE_BELOW, axis=0)
        if held is not None:
            y = np.concatenate([held, y], axis=1)
            quiet = np.concatenate([np.ones(held.shape[1], bool), quiet])
        held, cut = None, y.shape[1]
        for a, b in _quiet_runs(quiet):
            if (a == 0 and muting) or b - a >= need:
                y[:, a:b] = 0.0
            elif b == y.shape[1]:
                held, cut = y[:, a:], a
        muting = bool(quiet.size and quiet[-1] and held is None)
        if cut:
            yield y[:, :cut]
    if held is not None:         # the stream ends in silence (lead-out)
        yield np.zeros_like(held)


def _write_pcm(path: Path, blocks: Iterable[np.ndarray], rate: int, channels: int, subtype: str,
               max_frames: int | None) -> None:
    with BlockWriter(path, rate, channels, subtype=subtype, max_frames=max_frames) as w:
        for b in blocks:
            w.write(b)


def measure_written(path: Path) -> tuple[float | None, float | None, dict]:
    """(integrated LUFS, 8x true peak dBTP, the full ``MixMeter`` analysis) of a written file, in one read."""
    reader = BlockReader(path, BLOCK)
    meter = _FileMeter(reader.sample_rate, reader.channels)
    for b in reader:
        meter.add(b)
    return meter.result()


class _FileMeter:
    """The full ``MixMeter`` analysis plus the 8x check of a file's samples; the 8x check and the spectrum run in
    threads of their own. ``add`` blocks in order, then ``result()`` -> (LUFS, 8x dBTP, analysis)."""

    def __init__(self, rate: int, channels: int) -> None:
        from studioflow.mastering.measure import MixMeter

        self.meter = MixMeter(rate, channels, beside=True)
        self.tp = TruePeak8x()
        self.side = Beside(self.tp.add)

    def add(self, block: np.ndarray) -> None:
        self.side.put(block)
        self.meter.add(block)

    def result(self) -> tuple[float | None, float | None, dict]:
        self.side.close()
        analysis = self.meter.result()
        analysis["true_peak_8x_dbtp"] = self.tp.finish()
        return analysis["integrated_lufs"], analysis["true_peak_8x_dbtp"], analysis


class Wav24Master:
    """The 24-bit WAV master written as the limiter renders (one pass instead of a render, a write and a read):
    ``put(block)`` writes the block and measures it as written (``BlockWriter.write_held``: on the file's 24-bit
    grid) in threads beside the render. A
    context manager; ``record(ceiling_dbtp)`` then gives what ``deliver`` gives for wav24, or None if the 8x check
    found the file over the ceiling (``deliver`` then makes it again lower)."""

    measures = True   # ``chain.limit_to_target`` takes the render's loudness and 4x peak from it

    def __init__(self, path: Path, rate: int, channels: int) -> None:
        self.path, self.rate, self.channels = Path(path), int(rate), int(channels)
        self.measured: tuple[float | None, float | None, dict] | None = None

    def loudness_and_peak(self) -> tuple[float | None, float | None]:
        """Integrated loudness (LUFS) and 4x true peak (dBTP) of the master as written (after the ``with`` block)."""
        if self.measured is None:
            return None, None
        return self.measured[0], self.measured[2]["true_peak_dbtp"]

    def __enter__(self) -> "Wav24Master":
        self._writer = BlockWriter(self.path, self.rate, self.channels, subtype="PCM_24").__enter__()
        self._meter = _FileMeter(self.rate, self.channels)
        self._measuring = Beside(self._meter.add)     # measured in a thread of its own, beside the file's writing
        self._side = Beside(self._consume)
        return self

    def _consume(self, block: np.ndarray) -> None:
        self._measuring.put(self._writer.write_held(block))   # measured as the file holds it, on the 24-bit grid

    def put(self, block: np.ndarray) -> None:
        """Write and measure the next block of the master."""
        self._side.put(block)

    def __exit__(self, kind, value, tb) -> None:
        try:
            self._side.__exit__(kind, value, tb)
            self._measuring.__exit__(kind, value, tb)
        finally:
            self._writer.__exit__(kind, value, tb)
        if kind is None:
            self.measured = self._meter.result()
        else:
            self._meter.side.close()

    def record(self, ceiling_dbtp: float) -> dict | None:
        """The wav24 delivery record (as ``deliver``), or None when it is over ``ceiling_dbtp`` by the 8x check."""
        if self.measured is None:
            return None
        lufs, tp, analysis = self.measured
        if tp is not None and tp > ceiling_dbtp:
            return None
        return {"format": FORMATS["wav24"]["label"], "key": "wav24", "path": str(self.path), "integrated_lufs": lufs,
                "dither": None, "true_peak_dbtp": tp, "trim_db": 0.0, "note": "", "analysis": analysis}


def _make_pcm(fmt: str, source: Callable[[float], Iterable[np.ndarray]], out: Path, rate: int, channels: int,
              trim_db: float, dither_shape: str, frames: int) -> None:
    blocks = source(trim_db)
    if fmt == "wav16":
        to_rate = CD_RATE
        if rate != to_rate:
            blocks = _resampled(blocks, rate, to_rate, channels)
        room = -(-frames * to_rate // rate) + 1
        _write_pcm(out, dither_16(blocks, to_rate, dither_shape), to_rate, channels, "PCM_16", room)   # dither last
    else:
        _write_pcm(out, blocks, rate, channels, "PCM_24", frames)


def _make_lossy(fmt: str, source: Callable[[float], Iterable[np.ndarray]], out: Path, rate: int, channels: int,
                trim_db: float, frames: int) -> None:
    """Encode the blocks of ``source(trim_db)`` (``frames`` long) as they come (``audio.encode.encode_blocks``,
    which resamples them in a stream when the codec's rate differs), so this step is as flat in memory as the
    others; knowing the length, the encoder makes the file decode to exactly that many frames."""
    from studioflow.audio.encode import encode_blocks

    encode_blocks(source(trim_db), rate, channels, out, codec=FORMATS[fmt]["codec"],
                  bitrate_kbps=FORMATS[fmt]["kbps"], frames=frames)


def deliver(fmt: str, src: Path | Callable[[float], Iterable[np.ndarray]], out: Path, rate: int, channels: int,
            ceiling_dbtp: float, trim_db: float = 0.0, dither_shape: str = DITHER_DEFAULT,
            frames: int | None = None) -> dict:
    """Make one delivery file from the float master ``src`` (a file, or a function of a gain in dB giving its blocks
    times that gain; ``frames``, its length, is counted when not given), check it, and make it again lower if it
    went over."""
    source = src if callable(src) else (lambda gain_db: _scaled(BlockReader(src, BLOCK), gain_db))
    if frames is None:
        frames = BlockReader(src, BLOCK).frames if not callable(src) else sum(b.shape[1] for b in source(0.0))
    note, analysis, asked_db = "", None, trim_db
    for attempt in range(3):
        if fmt in ("mp3", "aac"):
            _make_lossy(fmt, source, out, rate, channels, trim_db, frames)
            lufs, tp = _measure_decoded(out)
        else:
            _make_pcm(fmt, source, out, rate, channels, trim_db, dither_shape, frames)
            lufs, tp, analysis = measure_written(out)
        if tp is None or tp <= ceiling_dbtp:
            break
        over = tp - ceiling_dbtp
        trim_db -= over + SAFETY_DB
        what = "the encoder" if fmt in ("mp3", "aac") else ("resampling" if fmt == "wav16" else "quantization")
        note = (f"{what} pushed the true peak {over:.2f} dB over the ceiling; the encoder input was lowered "
                f"{asked_db - trim_db:.2f} dB and the file made again" if fmt in ("mp3", "aac") else
                f"{what} pushed the true peak {over:.2f} dB over the ceiling; "
                f"made again {asked_db - trim_db:.2f} dB lower")
    return {"format": FORMATS[fmt]["label"], "key": fmt, "path": str(out), "integrated_lufs": lufs,
            "dither": dither_shape if fmt == "wav16" else None,
            "true_peak_dbtp": tp, "trim_db": round(trim_db, 3), "note": note, "analysis": analysis}


def _measure_decoded(path: Path) -> tuple[float | None, float | None]:
    """(integrated LUFS, 8x true peak dBTP) of a lossy file as it decodes, measured block by block."""
    from studioflow.audio.encode import DecodeReader
    from studioflow.mastering.loudness_floor import Loudness

    reader = DecodeReader(path, BLOCK)
    meter, tp = Loudness(reader.sample_rate, reader.channels), TruePeak8x()
    for block in reader:
        meter.add(block)
        tp.add(block)
    return meter.result()["integrated_lufs"], tp.finish()


def output_path(main: Path, fmt: str) -> Path:
    """Where the ``fmt`` delivery of the master ``main`` goes (the main file itself for wav24)."""
    if fmt == "wav24":
        return main
    return main.with_name(main.stem + FORMATS[fmt]["suffix"])


def bwf_loudness(analysis: dict) -> dict:
    """The loudness values a BWF's bext chunk carries (EBU Tech 3285 v2), from a ``MixMeter`` analysis: integrated
    (LUFS), LRA (LU), the 8x true peak (dBTP) and the highest short-term loudness (LUFS)."""
    short = [v for v in (analysis.get("short_term") or {}).get("lufs", []) if v is not None and np.isfinite(v)]
    return {"integrated_lufs": analysis.get("integrated_lufs"), "lra_lu": analysis.get("lra_lu"),
            "true_peak_dbtp": analysis.get("true_peak_8x_dbtp", analysis.get("true_peak_dbtp")),
            "max_short_term_lufs": max(short) if short else None}


def finish(d: dict, tags: dict | None, *, analysis: dict | None = None, originator_reference: str = "") -> dict:
    """Finish a delivered file (its record ``d``, whose analysis it drops): a 24-bit WAV becomes a BWF (bext with
    the loudness of ``analysis`` or the record's, the ISRC in axml), then every file gets ``tags``
    (``audio.tags.write_tags`` keywords, None for none). Returns ``d``."""
    analysis = d.pop("analysis", None) if analysis is None else analysis
    d.pop("analysis", None)
    path = Path(d["path"])
    if d["key"] == "wav24":
        from studioflow.audio.bwf import make_bwf
        from studioflow.audio.files import info

        meta = info(path)
        title = " - ".join(str(tags[k]) for k in ("artist", "title") if tags and tags.get(k)) or path.stem
        make_bwf(path, description=title, originator="studioflow", originator_reference=originator_reference,
                 loudness=bwf_loudness(analysis or {}), isrc=(tags or {}).get("isrc"),
                 coding_history=f"A=PCM,F={meta.sample_rate},W=24,M={'mono' if meta.channels == 1 else 'stereo'},"
                                "T=studioflow")
    if tags:
        from studioflow.audio.tags import write_tags

        write_tags(path, **tags)
    return d
