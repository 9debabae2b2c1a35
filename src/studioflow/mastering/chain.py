"""The mastering chain as named stages: build processors from decisions, stream audio through them (latency removed),
and render the gain and true-peak limiter so the master lands on its loudness target."""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator

import numpy as np

from studioflow.dsp.base import Chain, Processor
from studioflow.dsp.registry import create
from studioflow.mastering.decisions import CEILING_MARGIN_DB, Stage

if TYPE_CHECKING:
    from studioflow.dsp.dynamics.limiter import TruePeakLimiter

POST_GAIN_MAX_DB = 0.3    # a render this close to the target is landed by a gain after the limiter
LOUDNESS_TOLERANCE_LU = 0.1   # ... and one this close is kept even when its peaks leave no room to turn up
#: a post-gain up keeps the 4x peaks this far under the target's ceiling: the limiter's 4x detector reads under the
#: true peak by less than 0.07 dB up to 0.45 fs (``dsp.dynamics.limiter``); the delivery's 8x check still decides
POST_GAIN_PEAK_MARGIN_DB = 0.1
MAX_GAIN_ITERATIONS = 6
MIN_SLOPE = 0.2              # a limiter turns 1 dB of gain into 0.2..1 LU
IR_TAIL_DB = -150.0          # the EQ's impulse response is cut where the rest holds this little of its energy
IR_MAX_FRAMES = 1 << 16
WORKERS = 2                  # threads of the EQ's FFTs (one channel each; the limiter render waits on them)


def build(stages: list[Stage], rate: int) -> list[tuple[str, Processor]]:
    """Processors for the enabled stages, in order; the cleanup high-pass joins the tonal EQ as its first band."""
    out: list[tuple[str, Processor]] = []
    hpf = None
    for s in stages:
        if not s.enabled or s.processor is None or s.name == "loudness":
            continue
        if s.name == "cleanup":
            hpf = {"type": "highpass", **s.settings}
            continue
        if s.processor == "eq":
            bands = [{k: b[k] for k in ("type", "freq", "gain_db", "q")} for b in s.settings["bands"]]
            out.append((s.name, convolved(create("eq", rate, bands=([hpf] if hpf else []) + bands))))
            hpf = None
            continue
        params = {k: v for k, v in s.settings.items() if k not in ("predicted_response_db",)}
        out.append((s.name, create(s.processor, rate, **params)))
    if hpf is not None:
        out.insert(0, ("cleanup", create("eq", rate, bands=[hpf])))
    return out


def convolved(eq: Processor) -> Processor:
    """The EQ as ``ConvolvedEQ`` when its impulse response dies away within ``IR_MAX_FRAMES``; else the EQ itself."""
    from scipy.signal import sosfilt

    from studioflow.dsp.eq import ParametricEQ, band_sos

    assert isinstance(eq, ParametricEQ)                 # the registry's "eq"
    sos = np.vstack([band_sos(b, eq.sample_rate) for b in eq.bands]) if eq.bands else None
    if sos is None:
        return eq
    impulse = np.zeros(IR_MAX_FRAMES)
    impulse[0] = 1.0
    h = sosfilt(sos, impulse)
    left = np.cumsum((h * h)[::-1])[::-1]                       # energy from each sample to the end
    cut = np.nonzero(left < left[0] * 10 ** (IR_TAIL_DB / 10))[0]
    if cut.size == 0:
        return eq
    frames = 1 << max(10, int(np.ceil(np.log2(cut[0]))))
    return ConvolvedEQ(eq.sample_rate, h[:frames], eq.params())


class ConvolvedEQ(Processor):
    """An EQ (a minimum-phase IIR cascade, ``dsp.eq.ParametricEQ``) applied as FFT convolution with its own impulse
    response, computed in float64 and cut where what is left lies ``IR_TAIL_DB`` under its energy: the same filter,
    phase and all, at about half the cost of a cascade of many recursive sections (the tonal EQ has ~19). Each
    block is convolved whole by overlap-save (zero latency, any block size) with single-precision FFTs; the output
    then differs from the cascade by ~130 dB under the signal (about the 24-bit master's own quantization noise)."""

    name = "eq"

    def __init__(self, sample_rate: int, ir: np.ndarray, settings: dict | None = None) -> None:
        super().__init__(sample_rate)
        self.ir = np.asarray(ir, dtype=np.float64)
        self._settings = settings or {}
        self._spectra: dict[int, np.ndarray] = {}

    def params(self) -> dict[str, Any]:
        return {**self._settings, "impulse_response_frames": self.ir.size}

    def _prepare(self, channels: int) -> None:
        self._history = np.zeros((channels, self.ir.size - 1), dtype=np.float32)

    def _process(self, block: np.ndarray, sidechain: np.ndarray | None = None) -> np.ndarray:
        import scipy.fft

        n, taps = block.shape[1], self.ir.size
        size = scipy.fft.next_fast_len(n + taps - 1, real=True)
        spectrum = self._spectra.get(size)
        if spectrum is None:
            spectrum = self._spectra[size] = scipy.fft.rfft(self.ir, size).astype(np.complex64)
        # history, block and the zero padding laid out once in the transform's own buffer (no padded copy); the
        # channels' transforms run on both cores (each is the same 1-D transform, so the same values)
        x = np.empty((block.shape[0], size), dtype=np.float32)
        x[:, :taps - 1] = self._history
        x[:, taps - 1:taps - 1 + n] = block
        x[:, taps - 1 + n:] = 0.0
        self._history = x[:, n:n + taps - 1]
        y = scipy.fft.rfft(x, axis=-1, workers=WORKERS)
        y *= spectrum
        return np.ascontiguousarray(scipy.fft.irfft(y, size, axis=-1, overwrite_x=True, workers=WORKERS)
                                    [:, taps - 1:taps - 1 + n])


def stream(processor: Processor, blocks: Iterable[np.ndarray], channels: int,
           tap: Callable[[slice], None] | None = None) -> Iterator[np.ndarray]:
    """Run ``blocks`` through ``processor`` and yield output aligned with the input (latency dropped, tail flushed).
    ``tap(kept)``, if given, is called after each ``process`` with the slice of that output block that is kept, so
    per-frame state of the processor (a limiter's gain reduction) can be read aligned with the output."""
    to_drop = processor.latency

    def emit(out: np.ndarray) -> Iterator[np.ndarray]:
        nonlocal to_drop
        cut = min(to_drop, out.shape[1])
        to_drop -= cut
        if tap is not None:
            tap(slice(cut, out.shape[1]))
        if out.shape[1] > cut:
            yield out[:, cut:]

    for block in blocks:
        yield from emit(processor.process(block))
    flush = processor.latency
    while flush > 0:
        n = min(flush, 1 << 16)
        flush -= n
        yield from emit(processor.process(np.zeros((channels, n), dtype=np.float32)))


def chain_of(procs: list[tuple[str, Processor]], rate: int) -> Chain:
    """The stage processors as one Chain (a processor itself)."""
    return Chain([p for _, p in procs], sample_rate=rate)


def limiter_for(stage: Stage, rate: int) -> TruePeakLimiter:
    """The true-peak limiter of the loudness stage."""
    from studioflow.dsp.dynamics.limiter import TruePeakLimiter

    s = stage.settings
    limiter = create("limiter", rate, ceiling_dbtp=s["ceiling_dbtp"], release_ms=s["release_ms"],
                     lookahead_ms=s["lookahead_ms"])
    assert isinstance(limiter, TruePeakLimiter)         # the registry's "limiter"
    return limiter


def limit_to_target(source: Callable[[float], Iterable[np.ndarray]], keep: Callable[[], Any], stage: Stage,
                    rate: int, channels: int, target_lufs: float,
                    progress: Callable[[str, float], None] | None = None,
                    max_gain_db: float | None = None,
                    also: Callable[[int], Any] | None = None, keep_lu: float = 0.0, *,
                    first_gain_db: float | None = None, slope: float = 1.0) -> dict:
    """Render gain + true-peak limiter over the chain's output into a store from ``keep()`` (a ``scratch.Scratch``:
    ``put``, ``done``, ``blocks``, ``release``), measured as it goes: integrated loudness (BS.1770), 4x true peak
    and the limiter's own gain reduction (``source(gain_db)`` gives the chain's output blocks times ``gain_db``, as
    often as asked; only the last render is kept, returned as ``render``). The limiter's output loudness
    is a smooth function of its input gain, so when a render misses ``target_lufs`` by at most ``POST_GAIN_MAX_DB``
    (and turning up keeps the 4x peaks ``POST_GAIN_PEAK_MARGIN_DB`` under the ceiling) a post-gain after the
    limiter lands it, inside the ceiling margin the limiter keeps;
    otherwise the gain takes a secant step on the measured points and the master is rendered again, never above
    ``max_gain_db``. ``also(i)`` may give, for render ``i``, a context manager whose ``put(block)`` takes the limited
    blocks too (the master written in the same pass); when that render lands within ``keep_lu`` of the target it is
    kept as it is (no post-gain) and returned as ``kept``. A sink whose ``measures`` is true measures its own copy
    (the render on the 24-bit grid, within one step of 2^-23 of it): that render's loudness and 4x true peak are
    then its ``loudness_and_peak()``, not measured a second time. ``first_gain_db`` (default the stage's gain) is
    the gain of the first render and ``slope`` (LU of output per dB of gain, 0.2..1) the first secant step's, when
    a trial render foresaw what the limiter takes (``api._limiter_response``). Returns gain_db, post_gain_db, kept,
    render, the tries and the gain-reduction statistics."""
    from studioflow.analysis.truepeak import TruePeakMeter
    from studioflow.mastering.gain_reduction import GainReductionMeter
    from studioflow.mastering.loudness_floor import Loudness
    from studioflow.mastering.parallel import Beside

    cap = float("inf") if max_gain_db is None else max_gain_db
    # 4x peaks after post-gain
    top_dbtp = stage.settings["ceiling_dbtp"] + CEILING_MARGIN_DB - POST_GAIN_PEAK_MARGIN_DB
    gain = min(stage.settings["gain_db"] if first_gain_db is None else first_gain_db, cap)
    post = 0.0
    tried: list[dict] = []
    gr: dict = {}
    kept = render = None
    for i in range(MAX_GAIN_ITERATIONS):
        if progress:
            progress(f"limiting, pass {i + 1}", 0.5 + 0.08 * i)
        lim = limiter_for(stage, rate)
        loud, tp, gr_meter = Loudness(rate, channels), TruePeakMeter(rate, channels), GainReductionMeter(rate)

        def measure(block: np.ndarray) -> None:
            loud.add(block)
            tp.process(block)

        sink = also(i) if also is not None else None
        own = not getattr(sink, "measures", False)      # a measuring sink reads the same samples: measured once
        if render is not None:
            render.release()                            # only the last render is kept
        render = keep()
        with (Beside(measure) if own else contextlib.nullcontext()) as side, \
                (sink if sink is not None else contextlib.nullcontext()) as extra, \
                Beside(gr_meter.add_gain) as reduction:
            for b in stream(lim, source(gain), channels,
                            tap=lambda part: reduction.put(lim.last_gain[part])):   # new per block
                render.put(b)
                if side is not None:
                    side.put(b)
                if extra is not None:
                    extra.put(b)
        render.done()
        lufs, peak = (loud.result()["integrated_lufs"], tp.dbtp) if own or sink is None else sink.loudness_and_peak()
        gr = gr_meter.result()
        tried.append({"gain_db": round(gain, 3), "integrated_lufs": lufs, "true_peak_dbtp": peak})
        if lufs is None:
            break
        err = target_lufs - lufs
        if sink is not None and abs(err) <= keep_lu:
            kept = sink
            break
        room = max(0.0, top_dbtp - (peak if peak is not None else -120.0))    # how far up the peaks may go
        if (-POST_GAIN_MAX_DB <= err <= min(POST_GAIN_MAX_DB, room) or abs(err) <= LOUDNESS_TOLERANCE_LU
                or (err > 0 and gain >= cap)):
            post = err if err <= 0 else min(err, room, POST_GAIN_MAX_DB)
            break
        if len(tried) >= 2 and tried[-2]["integrated_lufs"] is not None:
            g0, l0 = tried[-2]["gain_db"], tried[-2]["integrated_lufs"]
            slope = (lufs - l0) / (gain - g0) if gain != g0 else 1.0
        gain = min(gain + err / float(np.clip(slope, MIN_SLOPE, 1.0)), cap)
    else:
        # out of passes: the last render stays; a post-gain takes what it can of the rest
        err = target_lufs - tried[-1]["integrated_lufs"]
        post = max(-POST_GAIN_MAX_DB, min(err, POST_GAIN_MAX_DB, room))
    return {"gain_db": tried[-1]["gain_db"], "post_gain_db": round(post, 4), "kept": kept, "render": render,
            "tried": tried, "gain_reduction": gr}
