"""Processors by the name a session file uses (``type: compressor``), imported only when first asked for."""

from __future__ import annotations

import importlib
import inspect
from typing import Any

from studioflow.dsp.base import Processor
from studioflow.errors import ParameterError

# session name -> "module:Class"
PROCESSORS: dict[str, str] = {
    # EQ and filters
    "eq": "studioflow.dsp.eq:ParametricEQ",
    "highpass": "studioflow.dsp.eq:HighPass",
    "lowpass": "studioflow.dsp.eq:LowPass",
    "peak": "studioflow.dsp.eq:PeakEQ",
    "lowshelf": "studioflow.dsp.eq:LowShelf",
    "highshelf": "studioflow.dsp.eq:HighShelf",
    "notch": "studioflow.dsp.eq:Notch",
    "bandpass": "studioflow.dsp.eq:BandPass",
    "tilt": "studioflow.dsp.eq:Tilt",
    # dynamics
    "compressor": "studioflow.dsp.dynamics.compressor:Compressor",
    "gate": "studioflow.dsp.dynamics.gate:Gate",
    "deesser": "studioflow.dsp.dynamics.deesser:DeEsser",
    "transient_shaper": "studioflow.dsp.dynamics.transient:TransientShaper",
    "multiband_compressor": "studioflow.dsp.dynamics.multiband:MultibandCompressor",
    "limiter": "studioflow.dsp.dynamics.limiter:TruePeakLimiter",
    # space
    "delay": "studioflow.dsp.space.delay:Delay",
    "reverb": "studioflow.dsp.space.reverb:Reverb",
    "convolution_reverb": "studioflow.dsp.space.convolution:ConvolutionReverb",
    # stereo and utility
    "pan": "studioflow.dsp.stereo:Pan",
    "balance": "studioflow.dsp.stereo:Balance",
    "width": "studioflow.dsp.stereo:Width",
    "mono_bass": "studioflow.dsp.stereo:MonoBass",
    "polarity": "studioflow.dsp.stereo:Polarity",
    "time_align": "studioflow.dsp.stereo:TimeAlign",
    "saturation": "studioflow.dsp.saturation:Saturation",
    "gain": "studioflow.dsp.gain:Gain",
    "fade": "studioflow.dsp.gain:Fade",
    "dither": "studioflow.dsp.dither:Dither",
    # hosted plugins
    "ladspa": "studioflow.dsp.plugins.ladspa:LadspaPlugin",
    "lv2": "studioflow.dsp.plugins.lv2:Lv2Plugin",
    "vst3": "studioflow.dsp.plugins.vst3:Vst3Plugin",
}


def processor_class(type_name: str) -> type[Processor]:
    """The processor class registered under ``type_name``."""
    try:
        target = PROCESSORS[type_name]
    except KeyError:
        raise ParameterError(
            f"unknown processor type {type_name!r}; known types: {', '.join(sorted(PROCESSORS))}"
        ) from None
    module, cls = target.split(":")
    return getattr(importlib.import_module(module), cls)


def parameter_names(type_name: str) -> list[str]:
    """The keyword parameters the processor ``type_name`` accepts (besides ``sample_rate``)."""
    sig = inspect.signature(processor_class(type_name).__init__)
    return [n for n, p in sig.parameters.items()
            if n not in ("self", "sample_rate") and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)]


def create(type_name: str, sample_rate: int, **params: Any) -> Processor:
    """Build the processor registered as ``type_name`` at ``sample_rate`` Hz with musician-unit ``params``.

    >>> comp = create("compressor", 48000, threshold_db=-20, ratio=3)   # doctest: +SKIP
    """
    cls = processor_class(type_name)
    sig = inspect.signature(cls.__init__)
    takes_any = any(p.kind is p.VAR_KEYWORD for p in sig.parameters.values())
    if not takes_any:
        known = parameter_names(type_name)
        unknown = [k for k in params if k not in known]
        if unknown:
            raise ParameterError(
                f"{type_name}: unknown parameter {unknown[0]!r}; known parameters: {', '.join(known)}"
            )
    return cls(sample_rate, **params)
