"""Reading impulse responses: ISO 3382-2 figures per octave averaged over the positions, room modes, early
reflections and advice; ``analyze_files`` reads IR files (every channel one position) and writes the result as
``room-vNNN.json`` and ``room-vNNN.html`` (versioned, never overwritten).

>>> result = analyze_files(["ir.wav"], out_dir="room")          # doctest: +SKIP
>>> result["bands"][3]["t30_s"], result["modes"][0]["freq_hz"]   # doctest: +SKIP
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Callable

import numpy as np

from studioflow.audio.atomic import next_version, write_json, write_text
from studioflow.audio.files import read
from studioflow.errors import AudioFileError, ParameterError
from studioflow.recording.room import advice, decay, modes, reflections

FIGURES = ("edt_s", "t20_s", "t30_s", "c50_db", "c80_db")
ROOM_STEM = "room"


def _mean(values: list[float | None], digits: int) -> float | None:
    """The mean of the values that exist, rounded; None when none does."""
    have = [v for v in values if v is not None]
    return round(float(np.mean(have)), digits) if have else None


def analyze_irs(irs: list[np.ndarray], rate: int, *, progress: Callable[[float], None] | None = None
                ) -> dict[str, Any]:
    """Figures of impulse responses (1-D arrays whose sample 0 is the moment the sound left the speaker) measured
    at several positions: per octave band the mean EDT, T20, T30 (s), C50, C80 (dB) and each position's values; the
    modes; each position's reflections and direct-sound time (ms); advice."""
    if not irs:
        raise ParameterError("room analyze: no impulse responses given")
    if rate < 16000:
        raise ParameterError(f"room analyze: {rate} Hz is too low a sample rate; measure at 44.1 kHz or more")
    clean = []
    for i, ir in enumerate(irs):
        x = np.asarray(ir, dtype=np.float64)
        if x.ndim != 1 or not np.all(np.isfinite(x)):
            raise ParameterError(f"room analyze: position {i + 1} is not a 1-D response of finite samples")
        if len(x) < rate // 4 or not np.any(x):
            raise ParameterError(f"room analyze: position {i + 1} is not an impulse response of at least 0.25 s "
                                 "with sound in it")
        clean.append(x)
    starts = [decay.start_index(x) for x in clean]
    trimmed = [x[s:] for x, s in zip(clean, starts)]
    centres = decay.bands(rate)
    steps = len(centres) + 2
    bands = []
    for k, fc in enumerate(centres):
        per = [decay.band_decay(decay.octave(x, rate, fc), rate) for x in trimmed]
        row: dict[str, Any] = {"band_hz": fc}
        for name in FIGURES:
            row[name] = _mean([getattr(d, name) for d in per], 3 if name.endswith("_s") else 1)
        row["noise_db"] = _mean([d.noise_db for d in per], 1)
        row["per_position"] = [{name: None if getattr(d, name) is None else round(getattr(d, name), 3)
                                for name in FIGURES} for d in per]
        bands.append(row)
        if progress:
            progress((k + 1) / steps)
    found = modes.find_modes(trimmed, rate)
    freqs, level = modes.lf_response(trimmed, rate)
    grid = np.arange(20.0, 300.5, 0.5)
    if progress:
        progress((steps - 1) / steps)
    early = [[r.as_dict() for r in reflections.find_reflections(x, rate)] for x in trimmed]
    direct_ms = [round(float(s + reflections.direct_sound(x)) / rate * 1000, 3) for x, s in zip(trimmed, starts)]
    result: dict[str, Any] = {
        "rate": rate, "positions": len(irs), "bands": bands, "modes": [m.as_dict() for m in found],
        "lf_response": {"freq_hz": grid.tolist(), "level_db": np.round(np.interp(grid, freqs, level), 2).tolist()},
        "reflections": early, "direct_ms": direct_ms,
        "distance_m": [round(d / 1000 * modes.SPEED_OF_SOUND_M_S, 3) for d in direct_ms]}
    t_mid = advice.mid_t30(result)
    result["mid_t30_s"] = None if t_mid is None else round(t_mid, 3)
    result["liveness"] = advice.liveness(t_mid)
    result["advice"] = advice.advise(result)
    if progress:
        progress(1.0)
    return result


def read_irs(paths: list[str | os.PathLike[str]]) -> tuple[list[np.ndarray], int]:
    """Every channel of every file as one position's impulse response, and their common sample rate (Hz)."""
    if not paths:
        raise ParameterError("room analyze: give at least one impulse response file")
    irs: list[np.ndarray] = []
    rate: int | None = None
    for path in paths:
        audio, r = read(path)
        if rate is not None and r != rate:
            raise AudioFileError(f"{path}: {r} Hz, but {paths[0]} is {rate} Hz; give responses at one rate")
        rate = r
        irs.extend(audio)
    assert rate is not None                     # paths is not empty
    return irs, int(rate)


def write_result(result: dict[str, Any], out_dir: str | os.PathLike[str], *, report: bool = True) -> dict[str, Any]:
    """Write ``result`` as the next ``room-vNNN.json`` in ``out_dir`` (and its HTML page); return it with the paths."""
    folder = Path(out_dir)
    folder.mkdir(parents=True, exist_ok=True)
    json_path = next_version(folder, ROOM_STEM, ".json")
    result = {**result, "json": str(json_path)}
    if report:
        from studioflow.recording.room.report import render_html

        html = json_path.with_suffix(".html")
        result["report"] = str(html)
        write_text(html, render_html(result))
    write_json(json_path, result)
    return result


def analyze_files(paths: list[str | os.PathLike[str]], *, out_dir: str | os.PathLike[str] | None = None,
                  report: bool = True, progress: Callable[[float], None] | None = None) -> dict[str, Any]:
    """Analyze impulse response files (each channel one position) and write ``room-vNNN.json``/``.html`` into
    ``out_dir`` (default: the first file's folder); the result holds the source files and the paths written."""
    irs, rate = read_irs(paths)
    result = analyze_irs(irs, rate, progress=progress)
    result["sources"] = [str(p) for p in paths]
    return write_result(result, out_dir if out_dir is not None else Path(paths[0]).parent, report=report)
