"""bench/dsp_convolution.py: ConvolutionReverb against pedalboard.Convolution, long impulse responses, one process.

60 s of stereo 48 kHz music-like audio through a stereo decaying-noise response of each length (0.5, 2 and 10 s by
default), fully wet: ours whole and in blocks of 8192 frames (pedalboard's default buffer size), pedalboard's
Convolution, and with ``--baseline REV`` the ConvolutionReverb of git revision REV (loaded from git into this process;
f9e1a59 is the last uniformly partitioned one). Times are the best of ``--repeats`` runs; ratios are the other's time
over ours (whole). ``pb diff``: pedalboard's output against ours after a gain (it normalises the IR), relative to its
peak, to show both do the same convolution.
Run: ``.venv/bin/python bench/dsp_convolution.py [--seconds 60] [--ir-seconds 0.5 2 10] [--baseline f9e1a59]``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Callable

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))

from common import best_time, music_like  # noqa: E402

RATE = 48000
BLOCK = 8192
MODULE = "src/studioflow/dsp/space/convolution.py"


def decaying_ir(seconds: float, rate: int = RATE, seed: int = 7) -> np.ndarray:
    """A stereo reverb-like response: noise decaying 60 dB over ``seconds``, float32 (2, frames)."""
    n = int(seconds * rate)
    rng = np.random.default_rng(seed)
    envelope = 10 ** (-3.0 * np.arange(n) / n)
    return (0.1 * rng.standard_normal((2, n)) * envelope).astype(np.float32)


def revision_class(rev: str) -> type:
    """ConvolutionReverb as it was at git revision ``rev``, compiled into a module of its own."""
    root = Path(__file__).resolve().parent.parent
    source = subprocess.run(["git", "show", f"{rev}:{MODULE}"], cwd=root, capture_output=True, text=True,
                            check=True).stdout
    module = types.ModuleType(f"convolution_at_{rev}")
    exec(compile(source, f"{rev}:{MODULE}", "exec"), module.__dict__)
    return module.ConvolutionReverb


def in_blocks(proc, audio: np.ndarray) -> np.ndarray:
    """Run ``proc`` (reset first) over ``audio`` in blocks of BLOCK frames."""
    proc.reset()
    return np.concatenate([proc.process(audio[:, i:i + BLOCK]) for i in range(0, audio.shape[1], BLOCK)], axis=1)


def matched_difference(ours: np.ndarray, peer: np.ndarray) -> float:
    """Largest difference of ``peer`` from ``ours`` after a least-squares gain (pedalboard normalises the IR), relative.
    """
    gain = float(np.vdot(ours, peer) / np.vdot(ours, ours))
    return float(np.abs(peer - gain * ours).max() / np.abs(peer).max())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--ir-seconds", type=float, nargs="+", default=[0.5, 2.0, 10.0])
    parser.add_argument("--baseline", help="git revision whose ConvolutionReverb to time as well (e.g. f9e1a59)")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    import pedalboard

    from studioflow.dsp.space.convolution import ConvolutionReverb

    old_class = revision_class(args.baseline) if args.baseline else None
    audio = music_like(args.seconds, RATE)
    print(f"bench/dsp_convolution.py: {args.seconds:.0f} s of stereo {RATE} Hz audio, stereo IR, fully wet, "
          f"best of {args.repeats}; ratio = other time / our whole time")
    print(f"{'IR s':>6}{'ours whole':>12}{'ours 8192':>11}{'pedalboard':>12}{'ratio':>8}{'pb diff':>10}"
          + (f"{'baseline ' + args.baseline:>20}{'ratio':>8}" if old_class else ""))
    for ir_seconds in args.ir_seconds:
        ir = decaying_ir(ir_seconds)
        ours = ConvolutionReverb(RATE, ir=ir, ir_rate=RATE, mix=1.0, normalize=False)
        peer = pedalboard.Convolution(ir, mix=1.0, sample_rate=RATE)
        ours(audio[:, :RATE])   # first call: compile the numba kernel or load it from the on-disk cache
        runs: dict[str, Callable[[], object]] = {
            "whole": lambda: ours(audio), "blocks": lambda: in_blocks(ours, audio),
            "peer": lambda: peer(audio, RATE, buffer_size=BLOCK)}
        if old_class:
            old = old_class(RATE, ir=ir, ir_rate=RATE, mix=1.0, normalize=False)
            runs["baseline"] = lambda: old(audio)
        t = {name: best_time(fn, args.repeats) for name, fn in runs.items()}
        diff = matched_difference(ours(audio), peer(audio, RATE, buffer_size=BLOCK))
        line = (f"{ir_seconds:>6.1f}{t['whole']:>12.3f}{t['blocks']:>11.3f}{t['peer']:>12.3f}"
                f"{t['peer'] / t['whole']:>7.2f}x{diff:>10.1e}")
        if old_class:
            line += f"{t['baseline']:>20.3f}{t['baseline'] / t['whole']:>7.2f}x"
        print(line, flush=True)


if __name__ == "__main__":
    main()
