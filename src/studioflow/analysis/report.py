"""``analyze``: one streaming pass over a file (or an array) feeding the loudness meter, the statistics and the
spectrum, returning a JSON-safe report (None where a value is undefined, e.g. the loudness of silence)."""

from __future__ import annotations

import math
import os
import threading
from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass
from typing import Any, Callable, Iterable, Iterator, Sequence

import numpy as np

from studioflow.analysis.loudness import LoudnessMeter, LoudnessResult
from studioflow.analysis.spectrum import WelchSpectrum, bands_from
from studioflow.analysis.stats import SignalStats, StatsResult, crest_factor_db
from studioflow.errors import ParameterError

BLOCK_FRAMES = 65536
HELPER_BLOCKS = 4          # blocks the helper thread may lag behind the reading thread (and the fewest it is worth)


@dataclass
class Analysis:
    """Everything measured on one file: the JSON-safe ``report`` plus the full loudness and statistics results
    (whose 10 Hz momentary / short-term series feed the plots)."""

    report: dict[str, Any]
    loudness: LoudnessResult
    stats: StatsResult


def analyze(path_or_array: str | os.PathLike[str] | np.ndarray, rate: int | None = None, *,
            layout: str | None = None, spectrum: bool = True) -> dict[str, Any]:
    """Measure a file or an array (channels, frames) at ``rate`` Hz: loudness, peaks, statistics, octave bands.

    >>> report = analyze("mix.wav")                         # doctest: +SKIP
    >>> report["integrated_lufs"], report["true_peak_dbtp"] # doctest: +SKIP
    (-14.1, -1.0)
    """
    return measure_file(path_or_array, rate, layout=layout, spectrum=spectrum).report


def measure_file(path_or_array: str | os.PathLike[str] | np.ndarray, rate: int | None = None, *,
                 layout: str | None = None, spectrum: bool = True, helper: bool = True,
                 cancel: threading.Event | None = None) -> Analysis:
    """Like ``analyze`` but also returns the loudness series and clip runs (``Analysis``).

    With ``helper`` the spectrum of each block of a longer file (over ``HELPER_BLOCKS`` blocks) is measured on a
    second thread while this one reads the blocks and meters their loudness and statistics (the kernels and the FFT
    release the GIL); each measurement still sees every block in order, so the results are the same bits either way.
    Setting ``cancel`` stops it at the next block (raising ``Cancelled``)."""
    name, sample_rate, channels, frames, blocks = _open(path_or_array, rate)
    if cancel is not None:
        blocks = _until(cancel, blocks)
    meter = LoudnessMeter(sample_rate, channels, layout)
    stats = SignalStats(sample_rate, channels)
    welch = WelchSpectrum(sample_rate, channels) if spectrum else None

    if helper and welch is not None and frames > HELPER_BLOCKS * BLOCK_FRAMES:
        with ThreadPoolExecutor(1, thread_name_prefix="analyze") as pool:
            pending: deque[Future[None]] = deque()
            for block in blocks:
                pending.append(pool.submit(welch.process, block))
                meter.process(block)
                stats.process(block)
                if len(pending) > HELPER_BLOCKS:
                    pending.popleft().result()     # a few blocks in flight: memory stays flat, few waits
            for job in pending:
                job.result()
    else:
        for block in blocks:
            meter.process(block)
            stats.process(block)
            if welch is not None:
                welch.process(block)
    loud, st = meter.result(), stats.result()
    report = _report(name, sample_rate, channels, loud, st, welch)
    return Analysis(report, loud, st)


def measure_files(paths: Sequence[str | os.PathLike[str]], *, jobs: int | None = None,
                  done: Callable[[int, Analysis], None] | None = None) -> list[Analysis]:
    """``measure_file`` of each path, ``jobs`` files at a time (default: one per CPU), in threads; ``done(i,
    analysis)`` is called (in this thread) as each file finishes. Returns the analyses in the order of ``paths``;
    a file that fails raises its error here, and the files still being measured stop at their next block."""
    jobs = max(1, min(jobs or available_cpus(), len(paths)))
    if jobs == 1:
        analyses = []
        for i, path in enumerate(paths):
            analyses.append(measure_file(path))
            if done is not None:
                done(i, analyses[-1])
        return analyses
    results: dict[int, Analysis] = {}
    cancel = threading.Event()
    with ThreadPoolExecutor(jobs, thread_name_prefix="analyze") as pool:
        futures = {pool.submit(measure_file, path, helper=False, cancel=cancel): i for i, path in enumerate(paths)}
        try:
            for future in as_completed(futures):
                i = futures[future]
                results[i] = future.result()
                if done is not None:
                    done(i, results[i])
        except BaseException:          # an error or Ctrl-C: the other files stop at their next block
            cancel.set()
            for future in futures:
                future.cancel()
            raise
    return [results[i] for i in range(len(paths))]


class Cancelled(Exception):
    """A measurement stopped because its ``cancel`` event was set."""


def _until(cancel: threading.Event, blocks: Iterable[np.ndarray]) -> Iterator[np.ndarray]:
    """``blocks``, raising ``Cancelled`` before the next one once ``cancel`` is set."""
    for block in blocks:
        if cancel.is_set():
            raise Cancelled("measurement cancelled")
        yield block


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def _open(source: Any, rate: int | None) -> tuple[str | None, int, int, int, Iterable[np.ndarray]]:
    """(name, sample rate, channels, frames, block iterator) of a path or an array."""
    if isinstance(source, (str, os.PathLike)):
        from studioflow.audio.stream import BlockReader

        reader = BlockReader(source, BLOCK_FRAMES)
        return str(source), reader.sample_rate, reader.channels, reader.frames, reader
    if rate is None:
        raise ParameterError("analyze: rate (Hz) is required when analysing an array")
    audio = np.atleast_2d(np.asarray(source))
    if audio.ndim != 2:
        raise ParameterError(f"analyze: expected audio shaped (channels, frames), got {audio.shape}")
    audio = np.ascontiguousarray(audio, dtype=np.float32)
    blocks = (audio[:, i:i + BLOCK_FRAMES] for i in range(0, audio.shape[1], BLOCK_FRAMES))
    return None, int(rate), audio.shape[0], audio.shape[1], blocks


def _report(name: str | None, rate: int, channels: int, loud: LoudnessResult, st: StatsResult,
            welch: WelchSpectrum | None) -> dict[str, Any]:
    mean_square = sum((10 ** (r / 10) if r is not None else 0.0) for r in st.rms_dbfs) / channels
    rms_dbfs = 10 * math.log10(mean_square) if mean_square > 0 else None
    report: dict[str, Any] = {
        "file": name,
        "duration_s": st.duration_s,
        "sample_rate": rate,
        "channels": channels,
        "integrated_lufs": loud.integrated_lufs,
        "loudness_range_lu": loud.loudness_range_lu,
        "true_peak_dbtp": loud.true_peak_dbtp,
        "sample_peak_dbfs": loud.sample_peak_dbfs,
        "momentary_max_lufs": loud.momentary_max_lufs,
        "short_term_max_lufs": loud.short_term_max_lufs,
        "plr_db": loud.plr_db,
        "rms_dbfs": rms_dbfs,
        "crest_factor_db": crest_factor_db(loud.sample_peak_dbfs, rms_dbfs),
        "dc_offset": st.dc_offset,
        "clipped_samples": st.clipped_samples,
        "clipped_runs": [{"channel": r.channel, "start_s": r.start_s, "samples": r.samples} for r in st.clip_runs],
        "correlation": st.correlation,
    }
    if welch is not None and st.frames > 0:
        centres, levels = bands_from(welch, 1)
        report["octave_bands"] = {"centres_hz": [round(float(c), 2) for c in centres],
                                  "levels_db": [_finite(v) for v in levels]}
    return {k: _finite(v) if isinstance(v, float) else v for k, v in report.items()}


def _finite(value: float) -> float | None:
    """A float for JSON: None for -inf/inf/NaN."""
    value = float(value)
    return value if math.isfinite(value) else None
