"""Measuring the room through the interface: the sweep plays on one output while inputs record, the round-trip
latency PortAudio reports is taken off, and each recording is deconvolved into an impulse response whose sample 0
is the moment the sweep left the output (so the direct sound lands at the speaker-to-mic distance). Several mics at
once are several positions; ``positions`` > 1 repeats the sweep, with ``between(k)`` called before position k so the
mics can be moved. The responses are saved as ``room-ir-vNNN.wav`` (a channel per position) and analyzed.

>>> result = measure_room(output=1, inputs=[1], out_dir="room")      # doctest: +SKIP
"""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import Any, Callable

import numpy as np

from studioflow.audio.atomic import next_version
from studioflow.audio.files import write
from studioflow.errors import DeviceError, ParameterError
from studioflow.recording import devices
from studioflow.recording.click import Playback
from studioflow.recording.room import advice
from studioflow.recording.room.analyze import analyze_irs, write_result
from studioflow.recording.room.sweep import Sweep, deconvolve, make_sweep

LEAD_S = 1.0          # silence before the sweep: the stream settles and the background noise is heard


def play_and_record(sweep: Sweep, *, output: int, inputs: list[int], device: str | int | None = None,
                    tail_s: float = 2.0, lead_s: float = LEAD_S, timeout_s: float = 120.0) -> tuple[np.ndarray, int]:
    """Play ``sweep`` on ``output`` (1-based) after ``lead_s`` s of silence and record ``inputs`` (1-based) until
    ``tail_s`` s after it; return ``(len(inputs), frames)`` float32 with frame 0 the sweep's first sample as it left
    the output (the reported round-trip latency taken off), and how many dropouts (xruns) the interface reported."""
    dev = devices.choose(device, inputs=max(inputs), outputs=output)
    sd = devices.load()
    lead = int(round(lead_s * sweep.rate))
    mix = np.zeros((lead + len(sweep.signal), output), dtype=np.float32)
    mix[lead:, output - 1] = sweep.signal
    playback = Playback(output, mix=mix)
    want = lead + len(sweep.signal) + int(round(tail_s * sweep.rate))
    blocks: queue.SimpleQueue = queue.SimpleQueue()
    done = threading.Event()
    state = {"pos": 0, "xruns": 0}

    def callback(indata: np.ndarray, outdata: np.ndarray, frames: int, time_info: Any, status: Any) -> None:
        if status.input_overflow or status.output_underflow:
            state["xruns"] += 1
        blocks.put(indata.copy())
        playback.fill(outdata, state["pos"])
        state["pos"] += frames
        if state["pos"] >= want + latency[0]:
            done.set()

    latency = [0]
    try:
        stream = sd.Stream(device=(dev["index"], dev["index"]), samplerate=sweep.rate,
                           channels=(max(inputs), output), dtype="float32", callback=callback)
    except sd.PortAudioError as e:
        raise DeviceError(f"{dev['name']} ({dev['hostapi']}): cannot open {max(inputs)} inputs and {output} "
                          f"outputs at {sweep.rate} Hz ({e})") from None
    lat = stream.latency
    latency[0] = int(round((sum(lat) if isinstance(lat, tuple) else lat) * sweep.rate))
    with stream:
        if not done.wait(timeout_s):
            raise DeviceError(f"{dev['name']}: the sweep did not finish playing within {timeout_s:.0f} s")
    recorded = []
    while not blocks.empty():
        recorded.append(blocks.get())
    audio = np.concatenate(recorded)[:, [i - 1 for i in inputs]].T
    start = lead + latency[0]
    out = np.zeros((len(inputs), want - lead), dtype=np.float32)
    got = audio[:, start:start + out.shape[1]]
    out[:, :got.shape[1]] = got
    return out, state["xruns"]


def clean_take(sweep: Sweep, *, output: int, inputs: list[int], device: str | int | None, tail_s: float,
               attempts: int = 3) -> tuple[np.ndarray, int]:
    """``play_and_record`` again while the interface reports dropouts (a sweep with a gap is no measurement), up to
    ``attempts`` times; the recording and the dropouts of the last try."""
    for _ in range(attempts):
        recorded, dropped = play_and_record(sweep, output=output, inputs=inputs, device=device, tail_s=tail_s)
        if not dropped:
            break
    return recorded, dropped


def measure_room(*, output: int, inputs: list[int], device: str | int | None = None, rate: int = 48000,
                 sweep_s: float = 3.0, level_dbfs: float = -12.0, ir_s: float = 2.0, positions: int = 1,
                 out_dir: str | os.PathLike[str] = "room", between: Callable[[int], None] | None = None,
                 attempts: int = 3, report: bool = True, progress: Callable[[float], None] | None = None
                 ) -> dict[str, Any]:
    """Measure ``positions`` times (each with every input in ``inputs``; a sweep the interface reports dropouts in
    is played again, up to ``attempts`` times), save the impulse responses as the next ``room-ir-vNNN.wav`` in
    ``out_dir`` and analyze them (``room-vNNN.json``/``.html``); return the result."""
    if output < 1 or not inputs or any(i < 1 for i in inputs):
        raise ParameterError(f"room measure: --output {output} --input {inputs}: channels count from 1")
    if len(set(inputs)) != len(inputs):
        raise ParameterError(f"room measure: --input {inputs}: an input is given twice")
    if not 1 <= positions <= 16:
        raise ParameterError(f"room measure: --positions {positions}: must be 1..16")
    if not 1 <= attempts <= 10:
        raise ParameterError(f"room measure: attempts {attempts}: must be 1..10")
    if not 0.3 <= ir_s <= 10:
        raise ParameterError(f"room measure: --length {ir_s} s: the impulse response must be 0.3..10 s")
    sweep = make_sweep(rate, duration_s=sweep_s, level_dbfs=level_dbfs)
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    irs: list[np.ndarray] = []
    peaks: list[float] = []
    xruns = 0
    for k in range(positions):
        if between is not None and k:
            between(k + 1)
        recorded, dropped = clean_take(sweep, output=output, inputs=inputs, device=device, tail_s=ir_s,
                                       attempts=attempts)
        xruns += dropped
        peaks.extend(20 * np.log10(np.maximum(np.max(np.abs(recorded), axis=1), 1e-12)))
        irs.extend(deconvolve(recorded, sweep, ir_s=ir_s))
        if progress:
            progress((k + 1) / (positions + 1))
    ir_path = next_version(folder, "room-ir", ".wav")
    write(ir_path, np.stack(irs), rate, subtype="FLOAT")
    result = analyze_irs(irs, rate)
    result.update({"ir_file": str(ir_path), "xruns": xruns, "peak_dbfs": [round(float(p), 1) for p in peaks],
                   "sweep": {"low_hz": sweep.low_hz, "high_hz": round(sweep.high_hz, 1), "seconds": sweep_s,
                             "level_dbfs": level_dbfs, "output": output, "inputs": inputs}})
    result["advice"] = advice.advise(result)          # again: now it knows the recorded levels
    result = write_result(result, folder, report=report)
    if progress:
        progress(1.0)
    return result
