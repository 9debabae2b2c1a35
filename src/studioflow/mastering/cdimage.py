"""The album as one continuous stream: where each song sits (on CD frame boundaries), the sequence rendered with its
gaps, fades and crossfades, cut back into per-track files, and the album's one 16-bit master (44.1 kHz, stereo)
that is the Red Book CD image and from which the 16-bit track files are cut.

Positions are planned in CD frames of 1/75 s, so every track's INDEX 00 and INDEX 01 fall on a frame boundary: a
multiple of 588 samples at 44.1 kHz (IEC 60908). At the album's own rate a frame is ``rate / 75`` samples (exact for
44.1, 48, 88.2 and 96 kHz). A gap is silence after the previous song, padded up to the next frame boundary; a
crossfade moves the song's start back by at least the crossfade length (to a frame boundary) and overlaps the two
songs with equal-power fades. The digital per-track files are cut at each INDEX 01, so a gap travels with the song
before it (as most rippers do) and played gaplessly the files give back the album, crossfades included.
"""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from studioflow.audio.stream import BlockReader, BlockWriter
from studioflow.mastering.cue import FRAMES_PER_SECOND, SAMPLES_PER_FRAME, msf
from studioflow.mastering.delivery import _resampled, _scaled, dither_16  # the deliveries' streamed passes

CD_RATE = 44100
CD_MAX_FRAMES = (79 * 60 + 57) * FRAMES_PER_SECOND   # 79:57, the longest a standard 80-minute CD-R reliably holds
MIN_TRACK_FRAMES = 4 * FRAMES_PER_SECOND              # a Red Book track lasts at least 4 s
BLOCK = 1 << 16


@dataclass(frozen=True)
class Spot:
    """Where one song sits: INDEX 00 (None without a gap) and INDEX 01 in frames; its length and fades in samples
    at the album rate; ``overlap`` is the crossfade into it (samples, 0 without one)."""

    number: int
    index00: int | None
    index01: int
    start: int
    frames: int
    overlap: int
    fade_in_s: float
    fade_out_s: float


def to_samples(frames: int, rate: int) -> int:
    """Sample position at ``rate`` of a position in CD frames."""
    return int(round(frames * rate / FRAMES_PER_SECOND))


def plan(lengths: Sequence[int], gaps_s: Sequence[float], crossfades_s: Sequence[float],
         fades_in_s: Sequence[float], fades_out_s: Sequence[float], rate: int) -> tuple[list[Spot], int]:
    """Lay the songs (``lengths`` in samples at ``rate``) on CD frames; return the spots and the total in frames.
    ValueError (with the track) if a crossfade is longer than the song it overlaps."""
    per_frame = rate / FRAMES_PER_SECOND
    spots: list[Spot] = []
    end = 0   # sample after the previous song
    for k, n in enumerate(lengths):
        gap = int(round(gaps_s[k] * FRAMES_PER_SECOND))
        if k and crossfades_s[k] > 0:
            prev = spots[-1]
            index01 = math.floor((end - crossfades_s[k] * rate) / per_frame + 1e-9)
            start = to_samples(index01, rate)
            if start < prev.start + int(prev.fade_in_s * rate) or end - start > n:
                raise ValueError(f"track {k + 1}: the {crossfades_s[k]:g} s crossfade is longer than "
                                 "the songs it joins")
            index00, overlap = None, end - start
        else:
            first = 0 if k == 0 else math.ceil(end / per_frame - 1e-9)
            index00 = first if gap else None
            index01 = first + gap
            start, overlap = to_samples(index01, rate), 0
        spots.append(Spot(k + 1, index00, index01, start, int(n), overlap, fades_in_s[k], fades_out_s[k]))
        end = start + int(n)
    total = math.ceil(end / per_frame - 1e-9)
    # the crossfade into the next song is also the fade-out of this one
    out = []
    for k, s in enumerate(spots):
        nxt = spots[k + 1].overlap / rate if k + 1 < len(spots) else 0.0
        fade_in, fade_out = max(s.fade_in_s, s.overlap / rate), max(s.fade_out_s, nxt)
        if fade_in + fade_out > s.frames / rate:
            raise ValueError(f"track {s.number}: its fades and crossfades ({fade_in:.2f} s in, {fade_out:.2f} s out) "
                             f"are longer than the {s.frames / rate:.2f} s song")
        out.append(Spot(s.number, s.index00, s.index01, s.start, s.frames, s.overlap, fade_in, fade_out))
    return out, total


def check_cd(spots: Sequence[Spot], total_frames: int) -> str | None:
    """Why this sequence does not make a Red Book CD (over 99 tracks, over 79:57, a track under 4 s from its
    INDEX 01 to the next), or None when it does."""
    if len(spots) > 99:
        return f"{len(spots)} tracks: a CD holds at most 99"
    if total_frames > CD_MAX_FRAMES:
        return f"the album runs {msf(total_frames)} (mm:ss:ff), longer than a CD's {msf(CD_MAX_FRAMES)}"
    ends = [s.index01 for s in spots[1:]] + [total_frames]
    for s, end in zip(spots, ends):
        if end - s.index01 < MIN_TRACK_FRAMES:
            return (f"track {s.number} runs {(end - s.index01) / FRAMES_PER_SECOND:.2f} s from its INDEX 01 to the "
                    f"next: a CD track lasts at least {MIN_TRACK_FRAMES // FRAMES_PER_SECOND} s (IEC 60908)")
    return None


def _exact(blocks: Iterable[np.ndarray], frames: int, channels: int) -> Iterator[np.ndarray]:
    """Exactly ``frames`` frames of ``channels`` channels (mono spread to all; cut or padded with silence)."""
    left = frames
    for b in blocks:
        if left <= 0:
            break
        b = b[:, :left]
        if b.shape[0] != channels:
            b = np.repeat(b[:1], channels, axis=0)
        left -= b.shape[1]
        yield b
    while left > 0:
        n = min(left, BLOCK)
        left -= n
        yield np.zeros((channels, n), dtype=np.float32)


def song_blocks(path: Path, rate: int, spot: Spot, channels: int) -> Iterator[np.ndarray]:
    """The song at ``path`` at the album rate (soxr when its own differs), exactly its planned length, faded."""
    from studioflow.dsp.gain import Fade

    reader = BlockReader(path, BLOCK)
    blocks: Iterable[np.ndarray] = reader
    if reader.sample_rate != rate:
        blocks = _resampled(reader, reader.sample_rate, rate, reader.channels)
    dur = spot.frames / rate
    fade = Fade(rate, in_s=spot.fade_in_s, out_s=spot.fade_out_s, out_end_s=dur, curve="equal_power") \
        if (spot.fade_in_s or spot.fade_out_s) else None
    for b in _exact(blocks, spot.frames, channels):
        yield fade.process(b) if fade is not None else b


def render_sequence(paths: Sequence[Path], spots: Sequence[Spot], total_frames: int, rate: int, channels: int,
                    out: Path) -> int:
    """Write the whole album at ``rate`` (float WAV) to ``out``: songs at their spots, silence between, crossfades
    summed. Memory holds one crossfade at most. Returns the length in samples."""
    total = to_samples(total_frames, rate)
    with BlockWriter(out, rate, channels, subtype="FLOAT") as w:
        pos = 0                                            # samples written so far
        held = np.zeros((channels, 0), dtype=np.float32)  # the tail of the previous song that the next one overlaps
        for k, (path, spot) in enumerate(zip(paths, spots)):
            if spot.start > pos + held.shape[1]:           # flush the tail and write the silence before this song
                w.write(held)
                pos += held.shape[1]
                held = np.zeros((channels, 0), dtype=np.float32)
                for z in _exact([], spot.start - pos, channels):
                    w.write(z)
                pos = spot.start
            keep = spots[k + 1].overlap if k + 1 < len(spots) else 0
            song = np.zeros((channels, 0), dtype=np.float32)
            mixed_in = 0
            for b in song_blocks(path, rate, spot, channels):
                if mixed_in < held.shape[1]:               # this song's head joins the held tail
                    take = min(b.shape[1], held.shape[1] - mixed_in)
                    held[:, mixed_in:mixed_in + take] += b[:, :take]
                    mixed_in += take
                    b = b[:, take:]
                    if mixed_in == held.shape[1]:
                        w.write(held)
                        pos += held.shape[1]
                        held = np.zeros((channels, 0), dtype=np.float32)
                        mixed_in = 0
                if b.shape[1]:
                    song = np.concatenate([song, b], axis=1)
                    if song.shape[1] > keep:               # write all but what the next song will overlap
                        w.write(song[:, :song.shape[1] - keep])
                        pos += song.shape[1] - keep
                        song = song[:, song.shape[1] - keep:]
            held = np.ascontiguousarray(song)
        w.write(held)
        pos += held.shape[1]
        for z in _exact([], total - pos, channels):
            w.write(z)
        pos = max(pos, total)
    return pos


def cut_tracks(sequence: Path, bounds: Sequence[int], paths: Sequence[Path], subtype: str) -> list[Path]:
    """Cut ``sequence`` at the sample positions ``bounds`` (len(paths) + 1 of them) into ``paths`` (``subtype``,
    plain WAV): the samples are copied as they are, so a 16-bit cut equals the 16-bit sequence sample for sample."""
    reader = BlockReader(sequence, BLOCK)
    writers = [BlockWriter(p, reader.sample_rate, reader.channels, subtype=subtype, max_frames=hi - lo)
               for p, lo, hi in zip(paths, bounds, bounds[1:])]
    with contextlib.ExitStack() as stack:
        for w in writers:
            stack.enter_context(w)
        pos = 0
        for b in reader:
            for k, w in enumerate(writers):
                lo, hi = max(bounds[k] - pos, 0), min(bounds[k + 1] - pos, b.shape[1])
                if hi > lo:
                    w.write(b[:, lo:hi])
            pos += b.shape[1]
    return list(paths)


def write_16bit(sequence: Path, rate: int, total_frames: int, out: Path, *, gain_db: float = 0.0,
                shape: str = "shaped") -> int:
    """The album's one 16-bit master, from which the CD image and every 16-bit track file are cut: the float
    sequence times ``gain_db``, soxr VHQ to 44.1 kHz if needed, stereo, exactly ``total_frames`` x 588 samples,
    dithered to 16 bits as the very last step with the dither muted in digital silence (gaps, lead-in, fade tails
    that reach zero are zeros: ``delivery.dither_16``), as a plain PCM WAV. Returns its length in samples."""
    reader = BlockReader(sequence, BLOCK)
    blocks: Iterable[np.ndarray] = _scaled(reader, gain_db)
    if rate != CD_RATE:
        blocks = _resampled(blocks, rate, CD_RATE, reader.channels)
    n = total_frames * SAMPLES_PER_FRAME
    with BlockWriter(out, CD_RATE, 2, subtype="PCM_16", max_frames=n) as w:
        for b in dither_16(_exact(blocks, n, 2), CD_RATE, shape):
            w.write(b)
    return n
