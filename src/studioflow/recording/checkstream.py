"""``check`` of a long take piece by piece, so memory stays flat however long the take is.

The take is read in pieces of ``PIECE_S`` seconds, each with ``PAD_S`` of its neighbours on either side so that
events at its edges (clicks, dropouts, clipped runs) are seen whole; an event belongs to the piece its start lies in.
Peak, RMS and DC add up exactly; stretches of digital silence are joined across pieces; the noise floor and the hum
are decided from all the pieces' frame measurements (a piece is whole seconds, so the 50 ms levels, 100 ms noise
hops and 1 s hum blocks fall where they fall in the whole take; only frames across a piece's edge are missed).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
from scipy import signal

from studioflow.analysis import problems
from studioflow.audio.files import AudioInfo, read
from studioflow.recording.checks import click_exclusions

PIECE_S = 30
PAD_S = 1.0
SILENCE_MIN_S = 1.0       # as problems.silences: digital silence this long is reported
MAINS_HZ = (50.0, 60.0)


class _Joined:
    """The measurements of the pieces seen so far, joined."""

    def __init__(self, rate: int, channels: int, frames: int) -> None:
        self.rate, self.channels, self.frames = rate, channels, frames
        self.peak = -200.0
        self.squares = np.zeros(channels)
        self.sums = np.zeros(channels)
        self.clips: list[dict] = []
        self.dropouts: list[dict] = []
        self.zero_runs: list[list[int]] = []        # [start, end) in frames, joined across pieces
        self.clicks: list[dict] = []
        self.levels: list[np.ndarray] = []
        self.noise_starts: list[np.ndarray] = []
        self.noise: list[np.ndarray] = []
        self.noise_length = 0
        self.psd: np.ndarray | None = None
        self.segments = 0
        self.heard: dict[float, list[np.ndarray]] = {m: [] for m in MAINS_HZ}

    def add(self, audio: np.ndarray, lo: int, hi: int, at: int) -> None:
        """Add a piece: ``audio`` holds the take from frame ``at - lo``; its own part is ``[lo, hi)``."""
        own = audio[:, lo:hi]
        self.peak = max(self.peak, *problems.peak_dbfs(own))
        self.squares += np.sum(np.square(own, dtype=np.float64), axis=1)
        self.sums += np.sum(own, axis=1, dtype=np.float64)
        start = at - lo
        clips = problems.clipped_runs(audio, self.rate)
        self.clips += _owned(clips, lo, hi, start, self.rate)
        sil = problems.silences(audio, self.rate)
        self.dropouts += _owned(sil["dropouts"], lo, hi, start, self.rate)
        self._zero_runs(own, at)
        if not sil["all_silent"]:
            exclude = click_exclusions(audio, self.rate, clips)
            self.clicks += _owned(problems.clicks(audio, self.rate, exclude=exclude), lo, hi, start, self.rate)
        levels, starts, length, noise = problems.noise_frames(own, self.rate)
        self.levels.append(levels)
        self.noise_starts.append(starts + at)
        self.noise.append(noise)
        self.noise_length = length
        self._hum(own)

    def _zero_runs(self, own: np.ndarray, at: int) -> None:
        """Runs of digital silence: those long enough, or touching the piece's edges (they may go on)."""
        starts, ends = problems.runs(np.all(own == 0, axis=0))
        n, long = own.shape[1], int(SILENCE_MIN_S * self.rate)
        for s, e in zip(starts, ends):
            if e - s < long and s > 0 and e < n:
                continue
            if self.zero_runs and self.zero_runs[-1][1] == at + s:
                self.zero_runs[-1][1] = at + e
            else:
                self.zero_runs.append([at + s, at + e])

    def _hum(self, own: np.ndarray) -> None:
        x = np.mean(own, axis=0).astype(np.float64)
        for mains in MAINS_HZ:
            self.heard[mains].append(problems.hum_heard(x, self.rate, mains))
        if len(x) < self.rate:
            return
        _, psd = signal.welch(x, self.rate, nperseg=self.rate, window="hann")
        count = (len(x) - self.rate) // (self.rate // 2) + 1
        self.psd = psd * count if self.psd is None else self.psd + psd * count
        self.segments += count

    def result(self) -> dict[str, Any]:
        """The measurements in ``checks.measure_audio``'s form."""
        rate, frames = self.rate, self.frames
        silence = [{"time_s": round(s / rate, 4), "end_s": round(e / rate, 4),
                    "duration_ms": round((e - s) * 1000 / rate, 2)}
                   for s, e in self.zero_runs if e - s >= SILENCE_MIN_S * rate]
        all_silent = bool(self.zero_runs) and self.zero_runs[0] == [0, frames]
        noise = problems.noise_result(np.concatenate(self.levels), np.concatenate(self.noise_starts),
                                      self.noise_length, np.concatenate(self.noise), rate)
        hum = None
        best = problems.hum_lines(self.psd / self.segments, 1.0, rate) if self.psd is not None else None
        if best is not None:
            hum = problems.hum_result(best, problems.hum_span(np.concatenate(self.heard[best[0]]), frames, rate))
        return {"channels": self.channels, "frames": frames, "peak_dbfs": self.peak,
                "rms_dbfs": max(float(problems.db(np.sqrt(s / frames) * np.sqrt(2))) for s in self.squares),
                "dc_offset": [float(s / frames) for s in self.sums], "clipped_runs": self.clips,
                "silences": {"dropouts": self.dropouts, "silence": silence, "all_silent": all_silent},
                "noise": noise, "hum": hum, "clicks": [] if all_silent else self.clicks}


def _owned(events: list[dict], lo: int, hi: int, start: int, rate: int) -> list[dict]:
    """The events (times in s within the padded piece) that start in its own part, moved to the take's time."""
    out = []
    for ev in events:
        if lo <= round(ev["time_s"] * rate) < hi:
            moved = dict(ev, time_s=round(ev["time_s"] + start / rate, 4))
            if ev.get("end_s") is not None:
                moved["end_s"] = round(ev["end_s"] + start / rate, 4)
            out.append(moved)
    return out


def measure_long(path: Path, meta: AudioInfo) -> dict[str, Any]:
    """``checks.measure_audio`` of the file ``path`` (described by ``meta``), read piece by piece."""
    rate, frames = meta.sample_rate, meta.frames
    piece, pad = PIECE_S * rate, int(PAD_S * rate)
    joined = _Joined(rate, meta.channels, frames)
    for at in range(0, frames, piece):
        a, b = max(0, at - pad), min(frames, at + piece + pad)
        audio, _ = read(path, start_s=a / rate, stop_s=b / rate)
        joined.add(audio, at - a, min(at + piece, frames) - a, at)
    return joined.result()
