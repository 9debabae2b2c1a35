"""The notes of a take, each measured: where it starts (against its target time) and how its pitch sits and moves.

With a guide, each guide note is looked for near its time: its attack (``onsets``), or where the pitch arrives at the
note when it is sung legato. Without one, the pitch track is cut into notes where the voice stops or moves to another
note of the key and stays there, and each note's start is refined to its attack.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Protocol, TypeGuard

import numpy as np
from scipy.ndimage import median_filter

from studioflow.producer.coach.guide import GuideNote, nearest_in_key
from studioflow.producer.coach.onsets import attack_start
from studioflow.producer.coach.pitch import RATE, PitchTrack
from studioflow.producer.coach.shape import pitch_shape

SEARCH_S = 0.15          # a note is looked for up to this far from its guide time
TRIM_START_S, TRIM_END_S = 0.06, 0.05   # the attack's scoop and the release are not the note's pitch
SMOOTH_S = 0.15          # median window that irons vibrato out when cutting notes without a guide
MIN_NOTE_S = 0.06        # shorter pieces of pitch track are slides between notes, not notes


@dataclass(frozen=True)
class Note:
    """One measured note. Times in s, pitch in cents from the target, timing in ms (positive: late)."""

    target_midi: int
    start_s: float
    end_s: float
    target_start_s: float | None
    offset_cents: float | None
    start_cents: float | None
    end_cents: float | None
    drift_cents: float | None
    vibrato_hz: float | None
    vibrato_cents: float | None
    timing_ms: float | None

    @property
    def sung(self) -> bool:
        """Whether the note was found in the take."""
        return self.offset_cents is not None


class SungNote(Protocol):
    """A note found in the take (``Note.sung``): its pitch measurements are numbers."""

    @property
    def target_midi(self) -> int: ...
    @property
    def start_s(self) -> float: ...
    @property
    def end_s(self) -> float: ...
    @property
    def target_start_s(self) -> float | None: ...
    @property
    def offset_cents(self) -> float: ...
    @property
    def drift_cents(self) -> float: ...
    @property
    def timing_ms(self) -> float | None: ...
    @property
    def vibrato_hz(self) -> float | None: ...
    @property
    def vibrato_cents(self) -> float | None: ...


def is_sung(note: Note) -> TypeGuard[SungNote]:
    """Whether ``note`` was found in the take (then its pitch was measured)."""
    return note.sung


def _period_s(midi: float) -> float:
    return 1.0 / (440.0 * 2.0 ** ((midi - 69) / 12))


def _measure(track: PitchTrack, start: float, end: float, target: int, target_start: float | None) -> Note:
    """Note sung from ``start`` to ``end`` (s) against ``target`` (MIDI) and its target time."""
    dur = end - start
    a, b = start + min(TRIM_START_S, 0.25 * dur), end - min(TRIM_END_S, 0.15 * dur)
    frames = (track.times_s >= a) & (track.times_s <= b)
    shape = pitch_shape(track.times_s[frames], (track.midi[frames] - target) * 100)
    timing = None if target_start is None else (start - target_start) * 1000
    if shape is None:
        return Note(target, start, end, target_start, None, None, None, None, None, None, None)
    return Note(target, start, end, target_start, shape.offset_cents, shape.start_cents, shape.end_cents,
                shape.drift_cents, shape.vibrato_hz, shape.vibrato_cents, timing)


def _arrival(track: PitchTrack, target: int, lo: float, hi: float) -> float | None:
    """First time (s) in [lo, hi] from which the pitch stays within a semitone's half of ``target`` for 30 ms."""
    inside = (track.times_s >= lo) & (track.times_s <= hi) & (np.abs(track.midi - target) < 0.5)
    run = int(np.ceil(0.03 / track.hop_s))
    for i in np.flatnonzero(inside):
        if inside[i:i + run].all():
            return float(track.times_s[i])
    return None


def notes_from_guide(y: np.ndarray, track: PitchTrack, guide: list[GuideNote]) -> list[Note]:
    """Each guide note found and measured in mono ``y`` (at the tracking rate) and its pitch track."""
    onsets: list[float | None] = []
    for i, g in enumerate(guide):
        gap_before = g.start_s - guide[i - 1].start_s if i else np.inf
        gap_after = guide[i + 1].start_s - g.start_s if i + 1 < len(guide) else np.inf
        w = min(SEARCH_S, 0.45 * gap_before, 0.45 * gap_after)
        t = attack_start(y, RATE, g.start_s - w, g.start_s + w, _period_s(g.midi))
        onsets.append(t if t is not None else _arrival(track, g.midi, g.start_s - w, g.start_s + w))
    out = []
    for i, (g, t) in enumerate(zip(guide, onsets)):
        if t is None:
            out.append(Note(g.midi, g.start_s, g.end_s, g.start_s, None, None, None, None, None, None, None))
            continue
        end = g.end_s + (t - g.start_s)
        following = onsets[i + 1] if i + 1 < len(guide) else None
        if following is not None:
            end = min(end, following)
        out.append(_measure(track, t, end, g.midi, g.start_s))
    return out


def notes_from_track(y: np.ndarray, track: PitchTrack, key: tuple[int, str] | None,
                     grid_line: Callable[[float], float] | None = None) -> list[Note]:
    """Notes cut from the pitch track alone, each against the nearest note of ``key`` (any semitone when None);
    ``grid_line(t) -> s``, when given, is the target time of a note starting at ``t``."""
    voiced = np.isfinite(track.midi)
    smooth = np.full(track.midi.size, np.nan)
    width = max(int(SMOOTH_S / track.hop_s) | 1, 3)
    cuts = []
    for lo, hi in _runs(voiced):
        seg = track.midi[lo:hi]
        ok = np.isfinite(seg)
        seg = np.interp(np.arange(seg.size), np.flatnonzero(ok), seg[ok])      # bridge the short gaps
        smooth[lo:hi] = median_filter(seg, size=min(width, hi - lo), mode="nearest")
        names = np.array([nearest_in_key(m, key) for m in smooth[lo:hi]])
        starts = [0] + [j for j in range(1, names.size) if names[j] != names[j - 1]]
        for s, e in zip(starts, starts[1:] + [names.size]):
            cuts.append((lo + s, lo + e, int(names[s])))
    out = []
    for lo, hi, target in cuts:
        start, end = float(track.times_s[lo]), float(track.times_s[hi - 1]) + track.hop_s
        if end - start < MIN_NOTE_S:
            continue
        refined = attack_start(y, RATE, start - 0.06, start + 0.04, _period_s(target))
        start = refined if refined is not None else start
        line = grid_line(start) if grid_line is not None else None
        out.append(_measure(track, start, end, target, line))
    return out


def _runs(mask: np.ndarray, min_gap: int = 3) -> list[tuple[int, int]]:
    """(start, stop) index pairs of the True runs of ``mask``, bridging gaps shorter than ``min_gap`` frames."""
    idx = np.flatnonzero(mask)
    if idx.size == 0:
        return []
    breaks = np.flatnonzero(np.diff(idx) > min_gap)
    starts = np.concatenate([[idx[0]], idx[breaks + 1]])
    stops = np.concatenate([idx[breaks], [idx[-1]]]) + 1
    return list(zip(starts.tolist(), stops.tolist()))
