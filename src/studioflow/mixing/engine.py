"""Render a session to a stereo mix (and stems), streaming in blocks so memory stays flat as songs grow.

The tracks are dealt to lanes, one thread each (numba kernels and numpy/scipy release the GIL, so both cores work),
that run block after block; one more thread finishes each block (its buses level by level, the master, the files)
while the lanes go on with the next. The render starts at song frame 0 (or a pre-roll before ``start_s``) and runs
past the end of the last region by the longest tail of any insert chain, plus the master's delay compensation,
which is cut off the front so the file lines up with the song.

>>> from studioflow.mixing import load_session, render
>>> result = render(load_session("song/mix.yaml"), "song/mix.wav")      # doctest: +SKIP
"""

from __future__ import annotations

import os
import re
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from studioflow.audio.stream import BlockWriter
from studioflow.dsp.delayline import DelayLine
from studioflow.errors import ParameterError
from studioflow.mixing.graph import Plan, plan
from studioflow.mixing.mixreport import StripMeter, mix_report
from studioflow.mixing.session import MASTER, Session, Strip, build_insert
from studioflow.mixing.sources import RegionReader, read_track
from studioflow.mixing.strips import StripEngine, StripOutput

FORMATS = {"float": ("wav", "FLOAT"), "wav24": ("wav", "PCM_24"), "flac": ("flac", "PCM_24")}
MAX_TAIL_S = 30.0
PREROLL_S = 2.0


@dataclass
class RenderSettings:
    """How to render: block size (frames), range (s), tail (s, None = from the inserts), format, stems, threads."""

    block_frames: int = 32768
    start_s: float | None = None
    end_s: float | None = None
    tail_s: float | None = None
    format: str = "float"
    stems_dir: Path | None = None
    workers: int | None = None
    meter: bool = True
    progress: Callable[[int, int], None] | None = None
    log: list[str] = field(default_factory=list)


def render(session: Session, out_path: str | os.PathLike[str], *, block_frames: int = 32768,
           start_s: float | None = None, end_s: float | None = None, tail_s: float | None = None,
           format: str = "float", stems_dir: str | os.PathLike[str] | None = None, workers: int | None = None,
           meter: bool = True, progress: Callable[[int, int], None] | None = None,
           write_report: bool = True) -> dict[str, Any]:
    """Render ``session`` to ``out_path`` (stereo; 32-bit float WAV, ``wav24`` or ``flac``) and return the report
    that is also written as JSON beside it (``MIX.wav`` -> ``MIX.json``)."""
    if format not in FORMATS:
        raise ParameterError(f"format must be one of {', '.join(FORMATS)}; got {format!r}")
    if int(block_frames) != block_frames or block_frames < 1:
        raise ParameterError(f"block_frames must be a positive whole number; got {block_frames!r}")
    if tail_s is not None and not tail_s >= 0:
        raise ParameterError(f"tail_s must be >= 0 seconds; got {tail_s!r}")
    settings = RenderSettings(block_frames=int(block_frames), start_s=start_s, end_s=end_s, tail_s=tail_s,
                              format=format, stems_dir=None if stems_dir is None else Path(stems_dir),
                              workers=workers, meter=meter, progress=progress)
    return Renderer(session, settings).run(Path(out_path), write_report)


def starting_params(params: dict[str, Any], values: dict[str, float]) -> dict[str, Any]:
    """An insert's parameters with automated values at the render's start put in: a band's value
    (``band2_gain_db``) into that band of ``bands``, any other by its name."""
    out = dict(params)
    for name, value in values.items():
        m = re.fullmatch(r"band(\d+)_(\w+)", name)
        bands = out.get("bands")
        if m and isinstance(bands, list) and 0 < int(m.group(1)) <= len(bands):
            out["bands"] = bands = [dict(b) for b in bands]
            bands[int(m.group(1)) - 1][m.group(2)] = value
        else:
            out[name] = value
    return out


class Renderer:
    """Builds the engines for one render and runs the block loop."""

    def __init__(self, session: Session, settings: RenderSettings) -> None:
        self.session = session
        self.s = settings
        self.rate = session.sample_rate
        strips = [*session.tracks, *session.buses, session.master]
        self.processors = {st.name: [build_insert(i, self.rate, session.located) for i in st.inserts]
                           for st in strips}
        self.plan: Plan = plan(session, {n: sum(p.latency for p in ps) for n, ps in self.processors.items()})
        self.start_frame, self.end_frame, self.tail_s = self._range()
        lm = self.plan.master_latency
        self.engine_start = max(0, self.start_frame - int(PREROLL_S * self.rate)) if self.start_frame else 0
        self.engine_end = self.end_frame + lm
        self.write_from = self.start_frame + lm
        self.engines = {st.name: self._engine(st) for st in strips}
        self.readers = {t.name: [RegionReader(r, self.rate, self.engine_start) for r in t.regions]
                        for t in session.tracks}
        self.channels = {t.name: t.channels for t in session.tracks}
        for t in session.tracks:
            for rd in self.readers[t.name]:
                if rd.resampled:
                    settings.log.append(f"{t.name}: {rd.region.file.name} is {rd.region.sample_rate} Hz, "
                                        f"resampled to {self.rate} Hz")
        self.edge_delays = {(e.src, e.dst, e.send): DelayLine(e.delay, dtype=np.float64)
                            for edges in self.plan.inputs.values() for e in edges}
        self.stem_delays = {st.name: DelayLine(lm - self.plan.latency_out[st.name], dtype=np.float64) for st in strips}
        self.meters = {st.name: StripMeter(st.name, st.kind, self.rate, settings.meter) for st in strips}
        # connections without compensation delay are summed inside the parallel work: strips are dealt to a fixed
        # number of lanes, each lane sums into its own rows (one per destination) in a fixed order, so the result is
        # deterministic; ``taps`` maps a strip's output (None) or send number to the row it adds into
        direct = [e for es in self.plan.inputs.values() for e in es if e.delay == 0]
        self.rows = {dst: k for k, dst in enumerate(dict.fromkeys(e.dst for e in direct))}
        self.taps = {name: {e.send: self.rows[e.dst] for e in direct if e.src == name} for name in self.engines}
        self.lanes = settings.workers or min(8, os.cpu_count() or 1)
        self._sums = [np.zeros((0, 0, 2, 0))] * 2

    def _range(self) -> tuple[int, int, float]:
        sess, s = self.session, self.s
        if s.tail_s is not None:
            tail = float(s.tail_s)
        elif sess.tail_s is not None:
            tail = sess.tail_s
        else:
            tail = min(MAX_TAIL_S, self._longest_tail(MASTER))
        start = 0 if s.start_s is None else int(round(s.start_s * self.rate))
        if s.end_s is not None:
            end = int(round(s.end_s * self.rate))
        else:
            end = int(round(sess.content_end_s * self.rate)) + int(np.ceil(tail * self.rate))
        if start < 0 or end <= start:
            raise ParameterError(f"the render range {start / self.rate:g} s to {end / self.rate:g} s is empty")
        return start, end, tail

    def _longest_tail(self, name: str) -> float:
        """Longest tail reaching the strip ``name``'s output: its inserts' tails plus the longest of its inputs'."""
        own = sum(p.tail_seconds() for p in self.processors[name])
        feeders = self.plan.inputs.get(name, [])
        return own + max((self._longest_tail(e.src) for e in feeders), default=0.0)

    def _engine(self, strip: Strip) -> StripEngine:
        procs = self.processors[strip.name]
        engine = StripEngine(strip, procs, self.plan.latency_in[strip.name], self.rate, self.session.pan_law_db,
                             self.engine_start)
        for i, values in engine.initial_params().items():
            spec = strip.inserts[i]
            procs[i] = build_insert(type(spec)(spec.type, starting_params(spec.params, values), spec.key), self.rate,
                                    self.session.located)
        return engine

    # the loop --------------------------------------------------------------------------------------------------
    def run(self, out_path: Path, write_report: bool) -> dict[str, Any]:
        sub = FORMATS[self.s.format][1]
        suffix = "." + FORMATS[self.s.format][0]
        if out_path.suffix.lower() != suffix:
            raise ParameterError(f"{out_path}: format {self.s.format} writes {suffix} files")
        stems_dir = self.s.stems_dir
        made_stems_dir = stems_dir if stems_dir is not None and not stems_dir.exists() else None
        stems = self._stem_paths(suffix)
        writers = {}
        with BlockWriter(out_path, self.rate, 2, sub) as main:
            for name, path in stems.items():
                writers[name] = BlockWriter(path, self.rate, 2, sub).__enter__()
            try:
                self._loop(main, writers)
            except BaseException as e:
                for w in writers.values():
                    w.__exit__(type(e), e, e.__traceback__)
                if made_stems_dir is not None and not any(made_stems_dir.iterdir()):
                    made_stems_dir.rmdir()   # a render that did not finish leaves no empty stems folder
                raise
            for w in writers.values():
                w.__exit__(None, None, None)
        report = mix_report(self, out_path, stems)
        if write_report:
            from studioflow.audio.atomic import write_json
            write_json(out_path.with_suffix(".json"), report)
        return report

    def _stem_paths(self, suffix: str) -> dict[str, Path]:
        if self.s.stems_dir is None:
            return {}
        self.s.stems_dir.mkdir(parents=True, exist_ok=True)
        return {st.name: self.s.stems_dir / f"{st.name}{suffix}" for st in [*self.session.tracks, *self.session.buses]}

    def _loop(self, main: BlockWriter, writers: dict[str, BlockWriter]) -> None:
        """Each lane (a thread with its own share of the tracks) runs block after block on its own, so a lane held
        up by the machine does not stall the others; one more thread finishes each block once every lane has
        delivered it (buses, master, files). Two blocks are in flight at most: their buffers are used in turn."""
        total = self.engine_end - self.engine_start
        tracks = [t for t in self.session.tracks if t.name not in self.plan.silent]
        shares = [tracks[k::self.lanes] for k in range(self.lanes)]
        lanes = [ThreadPoolExecutor(max_workers=1) for _ in shares]
        in_flight: deque[Future[int]] = deque()
        try:
            with ThreadPoolExecutor(max_workers=1) as finisher:
                e = self.engine_start
                while e < self.engine_end:
                    if len(in_flight) == 2:
                        self._progress(in_flight.popleft().result(), total)
                    n = min(self.s.block_frames, self.engine_end - e)
                    sums = self._sums_buffer(n)
                    parts = [pool.submit(self._lane, share, e, n, sums[k])
                             for k, (pool, share) in enumerate(zip(lanes, shares))]
                    in_flight.append(finisher.submit(self._finish, e, n, parts, sums, main, writers))
                    e += n
                while in_flight:
                    self._progress(in_flight.popleft().result(), total)
        finally:
            for pool in lanes:
                pool.shutdown(wait=True, cancel_futures=True)

    def _lane(self, share: list[Strip], e: int, n: int, sums: np.ndarray) -> dict[str, StripOutput]:
        """One lane's tracks over block ``e``, in order, adding into the lane's ``sums``."""
        return {t.name: self._track(t, e, n, sums) for t in share}

    def _sums_buffer(self, n: int) -> np.ndarray:
        """Zeroed per-lane sums (lanes, rows, 2, n) for one block; two used in turn, like the strips' outputs."""
        if self._sums[0].shape[-1] != n:
            self._sums = [np.zeros((self.lanes, len(self.rows), 2, n)) for _ in range(2)]
        else:
            self._sums[1].fill(0.0)
        self._sums.reverse()
        return self._sums[0]

    def _progress(self, done_to: int, total: int) -> None:
        if self.s.progress is not None:
            self.s.progress(done_to - self.engine_start, total)

    def _finish(self, e: int, n: int, parts: list[Future[dict[str, StripOutput]]], sums: np.ndarray,
                main: BlockWriter, writers: dict[str, BlockWriter]) -> int:
        """Once the lanes delivered block ``e``: the buses (level by level, each lane's in its order), the master and
        the files."""
        outputs: dict[str, StripOutput] = {}
        for part in parts:
            outputs.update(part.result())
        for level in self.plan.bus_levels:
            names = [b for b in level if b not in self.plan.silent]
            for lane in range(self.lanes):
                for b in names[lane::self.lanes]:
                    outputs[b] = self._bus(b, outputs, e, n, sums, lane)
        master = self._bus(MASTER, outputs, e, n, sums)
        keep = max(0, self.write_from - e)
        if keep < n:
            main.write(master.out[:, keep:].astype(np.float32))
            self.meters[MASTER].add(master, keep)
        for name, w in writers.items():
            res = outputs.get(name)
            sig = res.out if res is not None else np.zeros((2, n))
            sig = self.stem_delays[name].process(sig)
            if keep < n:
                w.write(sig[:, keep:].astype(np.float32))
        return e + n

    def _track(self, track: Strip, e: int, n: int, sums: np.ndarray) -> StripOutput:
        x = read_track(self.readers[track.name], self.channels[track.name], e, n)
        res = self.engines[track.name].run(x, e, sums, self.taps[track.name])
        self._meter(track.name, res, e)
        return res

    def _bus(self, name: str, outputs: dict[str, StripOutput], e: int, n: int, sums: np.ndarray,
             lane: int = 0) -> StripOutput:
        acc = np.zeros((2, n), dtype=np.float64)
        row = self.rows.get(name)
        if row is not None:
            for k in range(self.lanes):
                acc += sums[k, row]
        for edge in self.plan.inputs[name]:
            if edge.delay == 0:
                continue
            res = outputs.get(edge.src)
            sig = None if res is None else res.out if edge.send is None else res.sends[edge.send]
            if sig is None:                 # the source or its send is silent
                sig = np.zeros((2, n))
            acc += self.edge_delays[(edge.src, edge.dst, edge.send)].process(sig)
        x: np.ndarray = acc.astype(np.float32) if self.processors[name] else acc
        res = self.engines[name].run(x, e, sums[lane], self.taps[name])
        if name != MASTER:
            self._meter(name, res, e)
        return res

    def _meter(self, name: str, res: StripOutput, e: int) -> None:
        """Meter a track or bus as heard (aligned in time doesn't matter for peaks and loudness)."""
        if e + res.out.shape[1] > self.write_from:
            self.meters[name].add(res, max(0, self.write_from - e))

