"""Recording takes: PortAudio's callback only copies input into a queue; a writer thread puts it on disk.

Timeline (frames since the stream started): a count-in of clicks first, then the song starts (the mix of
``--play`` starts there too). What the musician plays against the click or the mix comes back late by the
interface's round-trip latency (PortAudio's reported input + output latency), so the kept input window is shifted by
it. Without output (no click, no mix) nothing is shifted. Punch-in keeps only song time ``punch_in_s .. punch_out_s``.

While a take is recorded it is ``take-NNN.recording.wav`` (a valid WAV, see ``takewriter``) with a
``take-NNN.recording.json`` beside it (what, where, since when, xruns); both become ``take-NNN.wav`` and an entry in
``takes.yaml`` when recording stops. ``recover`` handles what a crash leaves behind.
"""

from __future__ import annotations

import datetime as dt
import os
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from studioflow.audio.atomic import write_json
from studioflow.errors import DeviceError, ParameterError
from studioflow.recording import devices, takes
from studioflow.recording.click import Playback, click_bar
from studioflow.recording.meters import Meters
from studioflow.recording.takewriter import TakeWriter

if TYPE_CHECKING:
    import sounddevice


@dataclass(frozen=True)
class TrackInput:
    """A track and the interface input channels (1-based) it records: one (mono) or two (a stereo pair)."""

    name: str
    channels: tuple[int, ...]


def plan_inputs(tracks: list[str], inputs: list[int] | None = None) -> list[TrackInput]:
    """Assign inputs to tracks: one each (default 1, 2, ...), or pairs when there are twice as many inputs."""
    if not tracks:
        raise ParameterError("record: give at least one --track")
    if len(set(tracks)) != len(tracks):
        raise ParameterError(f"record: track names repeat ({', '.join(tracks)})")
    inputs = inputs or list(range(1, len(tracks) + 1))
    if any(i < 1 for i in inputs):
        raise ParameterError(f"--inputs {inputs}: channels count from 1")
    if len(inputs) == len(tracks):
        per = 1
    elif len(inputs) == 2 * len(tracks):
        per = 2
    else:
        raise ParameterError(f"--inputs: {len(inputs)} inputs for {len(tracks)} tracks; give one per track or a "
                             f"stereo pair per track")
    return [TrackInput(takes.check_track_name(t), tuple(inputs[i * per:(i + 1) * per])) for i, t in enumerate(tracks)]


class Recorder:
    """Records several tracks at once from one interface into new takes of ``song_dir``.

    >>> rec = Recorder("song", plan_inputs(["vocal"]), duration_s=30)   # doctest: +SKIP
    >>> rec.start(); rec.wait(); entries = rec.finish()                   # doctest: +SKIP
    """

    def __init__(self, song_dir: str | Path, tracks: list[TrackInput], *, device: str | int | None = None,
                 rate: int = 48000, bits: int = 24, duration_s: float | None = None, count_in_bars: int = 0,
                 tempo_bpm: float | None = None, click_output: int | None = None,
                 punch_s: tuple[float, float] | None = None, play: tuple[np.ndarray, int] | None = None,
                 header_every_s: float = 0.25, run_checks: bool = True) -> None:
        if bits not in (16, 24, 32):
            raise ParameterError(f"--bits {bits}: must be 16, 24 or 32 (float)")
        if duration_s is not None and duration_s <= 0:
            raise ParameterError(f"--duration {duration_s}: must be > 0 seconds")
        if count_in_bars < 0:
            raise ParameterError(f"--count-in {count_in_bars}: must be >= 0 bars")
        if (count_in_bars or click_output) and not tempo_bpm:
            raise ParameterError("--count-in/--click-output need the tempo: "
                                 "give --tempo BPM (or tempo_bpm in song.yaml)")
        if punch_s is not None and not 0 <= punch_s[0] < punch_s[1]:
            raise ParameterError(f"--punch {punch_s[0]} {punch_s[1]}: need 0 <= IN < OUT seconds")
        if play is not None and play[1] != rate:
            raise ParameterError(f"--play mix is at {play[1]} Hz but recording runs at {rate} Hz")
        self.song_dir, self.tracks, self.rate, self.bits = Path(song_dir), tracks, rate, bits
        self.duration_s, self.punch_s, self.header_every_s = duration_s, punch_s, header_every_s
        self.run_checks = run_checks
        self.in_channels = max(max(t.channels) for t in tracks)
        bar = click_bar(tempo_bpm, rate) if tempo_bpm and (count_in_bars or click_output) else None
        self.count_in_frames = len(bar) * count_in_bars if bar is not None else 0
        mix = np.ascontiguousarray(play[0].T) if play is not None else None
        out_channels = max(click_output or (1 if count_in_bars else 0), mix.shape[1] if mix is not None else 0)
        self.playback: Playback | None = None
        if out_channels:
            until = None if click_output else self.count_in_frames
            self.playback = Playback(out_channels, click=bar, click_channel=click_output or 1, click_until=until,
                                     mix=mix, mix_start=self.count_in_frames)
        self.device = devices.choose(device, inputs=self.in_channels, outputs=out_channels)
        self.meters = Meters([t.name for t in tracks], rate)
        self.number = takes.next_number(self.song_dir, [t.name for t in tracks])
        self.done = threading.Event()
        self.error: BaseException | None = None
        self.xruns = 0
        self._queue: queue.SimpleQueue = queue.SimpleQueue()
        self._out_pos = 0
        self._writers: list[TakeWriter] = []
        self._stream: sounddevice.InputStream | sounddevice.Stream | None = None
        self._thread: threading.Thread | None = None
        self.started = ""
        self._t0 = 0.0

    # --------------------------------------------------------------------------------------------- audio thread
    def _input_callback(self, indata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status.input_overflow or status.input_underflow:
            self.xruns += 1
        self._queue.put(indata.copy())

    def _duplex_callback(self, indata: np.ndarray, outdata: np.ndarray, frames: int, time_info: Any,
                         status: Any) -> None:
        if status.input_overflow or status.input_underflow or status.output_underflow or status.output_overflow:
            self.xruns += 1
        self._queue.put(indata.copy())
        assert self.playback is not None            # the duplex stream is opened only to play something
        self.playback.fill(outdata, self._out_pos)
        self._out_pos += frames

    # --------------------------------------------------------------------------------------------- control
    def _sidecar(self, track: TrackInput) -> Path:
        return takes.take_path(self.song_dir, track.name, self.number, recording=True).with_suffix(".json")

    def _meta(self, track: TrackInput) -> dict[str, Any]:
        offset = self.punch_s[0] if self.punch_s else 0.0
        return {"track": track.name, "take": self.number, "file": f"{track.name}/take-{self.number:03d}.wav",
                "date": self.started, "device": self.device["name"], "hostapi": self.device["hostapi"],
                "inputs": list(track.channels), "rate": self.rate, "bits": self.bits, "offset_s": offset,
                "punch": list(self.punch_s) if self.punch_s else None, "xruns": self.xruns, "pid": os.getpid()}

    def start(self) -> None:
        """Create the take files and start the stream and the writer thread."""
        sd = devices.load()
        self.started = dt.datetime.now().astimezone().isoformat(timespec="seconds")
        for t in self.tracks:
            path = takes.take_path(self.song_dir, t.name, self.number, recording=True)
            path.parent.mkdir(parents=True, exist_ok=True)
            self._writers.append(TakeWriter(path, self.rate, len(t.channels), self.bits, self.header_every_s))
            write_json(self._sidecar(t), self._meta(t))
        dev = self.device["index"]
        try:
            if self.playback is None:
                stream = sd.InputStream(device=dev, samplerate=self.rate, channels=self.in_channels,
                                        dtype="float32", callback=self._input_callback)
            else:
                stream = sd.Stream(device=(dev, dev), samplerate=self.rate,
                                   channels=(self.in_channels, self.playback.channels), dtype="float32",
                                   callback=self._duplex_callback)
        except sd.PortAudioError as e:
            self._abort_files()
            raise DeviceError(f"{self.device['name']} ({self.device['hostapi']}): cannot open {self.in_channels} "
                              f"inputs at {self.rate} Hz ({e})") from None
        self._stream = stream
        lat = stream.latency
        round_trip = (sum(lat) if isinstance(lat, tuple) else lat) if self.playback is not None else 0.0
        self.latency_frames = int(round(round_trip * self.rate))
        start = self.count_in_frames + self.latency_frames
        self.keep: tuple[int, int | None]
        if self.punch_s:
            self.keep = (start + int(self.punch_s[0] * self.rate), start + int(self.punch_s[1] * self.rate))
        elif self.duration_s:
            self.keep = (start, start + int(round(self.duration_s * self.rate)))
        else:
            self.keep = (start, None)
        self._thread = threading.Thread(target=self._write_loop, name="studioflow-take-writer", daemon=True)
        self._thread.start()
        self._t0 = time.monotonic()
        stream.start()

    def _write_loop(self) -> None:
        pos, last_xruns, cols = 0, 0, [[c - 1 for c in t.channels] for t in self.tracks]
        keep_start, keep_end = self.keep
        try:
            while True:
                try:
                    block = self._queue.get(timeout=0.2)
                except queue.Empty:
                    continue
                if block is None:
                    break
                a, b = pos, pos + len(block)
                pos = b
                lo, hi = max(a, keep_start), min(b, keep_end if keep_end is not None else b)
                for i, (w, c) in enumerate(zip(self._writers, cols)):
                    self.meters.update(i, block[:, c])
                    if hi > lo:
                        w.write(block[lo - a:hi - a, c])
                self.meters.frames = max(0, pos - keep_start)
                if self.xruns != last_xruns:
                    last_xruns = self.meters.xruns = self.xruns
                    for t in self.tracks:
                        write_json(self._sidecar(t), self._meta(t))
                if keep_end is not None and pos >= keep_end:
                    self.done.set()
        except BaseException as e:            # a full disk, a removed drive: stop, keep what is written
            self.error = e
            self.done.set()

    @property
    def elapsed_s(self) -> float:
        """Seconds of take recorded so far (0 during the count-in)."""
        return self.meters.frames / self.rate

    @property
    def in_count_in(self) -> bool:
        """True while the count-in (or the pre-roll before a punch-in) plays."""
        return self._writers[0].frames == 0 if self._writers else False

    def wait(self, timeout_s: float | None = None) -> bool:
        """Block until the duration or punch-out is reached (True) or ``timeout_s`` passes (False)."""
        return self.done.wait(timeout_s)

    def stop(self) -> None:
        """Stop the stream and let the writer drain the queue."""
        if self._stream is not None:
            try:
                self._stream.stop()
            finally:
                self._stream.close()
                self._stream = None
        if self._thread is not None:
            self._queue.put(None)
            self._thread.join()
            self._thread = None

    def _abort_files(self) -> None:
        for w, t in zip(self._writers, self.tracks):
            w.close()
            w.path.unlink(missing_ok=True)
            self._sidecar(t).unlink(missing_ok=True)

    def finish(self) -> list[dict[str, Any]]:
        """Stop, close the files, name them ``take-NNN.wav``, check them and list them in ``takes.yaml``."""
        self.stop()
        if self._writers and self._writers[0].frames == 0:
            self._abort_files()
            self._raise_error()
            return []
        from studioflow.recording.checks import check_take_file

        entries = []
        for w, t in zip(self._writers, self.tracks):
            w.close()
            final = takes.take_path(self.song_dir, t.name, self.number)
            os.replace(w.path, final)
            self._sidecar(t).unlink(missing_ok=True)
            meta = self._meta(t)
            meta.pop("pid")
            meta.update(duration_s=round(w.frames / self.rate, 3), recovered=False)
            if self.run_checks:
                meta["check"] = check_take_file(final)
            entries.append(takes.add(self.song_dir, meta))
        self._raise_error()
        return entries

    def _raise_error(self) -> None:
        if self.error is not None:
            raise DeviceError(f"recording stopped early: {self.error} (the take holds what was written before)")
