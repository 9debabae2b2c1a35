"""Helpers both formats share: audio copied at the session's rate, envelopes as breakpoints, where a render ends,
and the imported session written as YAML."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from studioflow.mixing.automation import Envelope
from studioflow.mixing.session import Session

#: breakpoint spacing (s) where an envelope's segment is not a straight line in the exported unit
DENSE_STEP_S = 0.005


def copy_audio(source: Path, target: Path, sample_rate: int) -> int:
    """Copy ``source`` to ``target`` as a 32-bit float WAV at ``sample_rate`` Hz (resampled if needed), streaming;
    return its channel count."""
    from studioflow.audio.resample import Resampler
    from studioflow.audio.stream import BlockReader, BlockWriter

    reader = BlockReader(source)
    resampler = Resampler(reader.sample_rate, sample_rate, reader.channels)
    with BlockWriter(target, sample_rate, reader.channels, subtype="FLOAT") as writer:
        for block in reader:
            out = resampler.process(block)
            if out.shape[1]:
                writer.write(out)
        tail = resampler.process(np.zeros((reader.channels, 0), dtype=np.float32), last=True)
        if tail.shape[1]:
            writer.write(tail)
    return reader.channels


def breakpoints(envelope: Envelope, dense: bool) -> tuple[np.ndarray, np.ndarray]:
    """An envelope's (times s, values): its own breakpoints, plus one every ``DENSE_STEP_S`` inside each moving
    segment when ``dense`` (the target's interpolation differs from ours) or the segment is curved."""
    times = list(envelope.times_s)
    extra: list[float] = []
    for k in range(len(times) - 1):
        moving = envelope.values[k] != envelope.values[k + 1]
        curved = envelope.curves[k] != 0.0
        if moving and (dense or curved):
            n = int(np.ceil((times[k + 1] - times[k]) / DENSE_STEP_S))
            extra.extend(np.linspace(times[k], times[k + 1], n + 1)[1:-1].tolist())
    t = np.array(sorted(set(times) | set(extra)))
    return t, envelope.at_seconds(t)


def render_end_s(session: Session) -> float:
    """Where ``studioflow mix`` stops rendering ``session`` (s): the last region's end plus the longest tail."""
    from studioflow.mixing.engine import Renderer, RenderSettings

    renderer = Renderer(session, RenderSettings(meter=False))
    return renderer.end_frame / session.sample_rate


def write_session_yaml(path: Path, data: dict[str, Any], header: list[str]) -> Path:
    """Write a session (plain Python data; ``-inf`` dB stays ``-.inf``) as YAML that ``load_session`` reads.

    ``header`` lines go on top as comments.
    """
    import yaml

    from studioflow.audio.atomic import write_text

    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=120,
                          default_flow_style=None)
    return write_text(path, "".join(f"# {line}\n" for line in header) + text)
