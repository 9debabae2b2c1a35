"""studioflow: a studio in Python, from raw takes to release-ready masters.

The public API is loaded lazily so that ``import studioflow`` (and the CLI's start-up) stays light:

>>> import studioflow
>>> audio, rate = studioflow.read("take.wav")          # doctest: +SKIP
>>> report = studioflow.analyze("mix.wav")             # doctest: +SKIP

Each role has its own public face: ``studioflow.recording``, ``studioflow.mixing``, ``studioflow.mastering``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.exports import lazy_exports

__version__ = "0.1.0"

if TYPE_CHECKING:
    from studioflow.analysis.loudness import LoudnessMeter
    from studioflow.analysis.report import analyze
    from studioflow.audio.files import info, read, write
    from studioflow.audio.resample import resample
    from studioflow.audio.stream import BlockReader, BlockWriter, blocks
    from studioflow.dsp.base import Chain
    from studioflow.dsp.registry import create as create_processor
    from studioflow.errors import StudioflowError

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "read": "studioflow.audio.files",
    "write": "studioflow.audio.files",
    "info": "studioflow.audio.files",
    "blocks": "studioflow.audio.stream",
    "BlockReader": "studioflow.audio.stream",
    "BlockWriter": "studioflow.audio.stream",
    "resample": "studioflow.audio.resample",
    "analyze": "studioflow.analysis.report",
    "LoudnessMeter": "studioflow.analysis.loudness",
    "create_processor": "studioflow.dsp.registry:create",
    "Chain": "studioflow.dsp.base",
    "StudioflowError": "studioflow.errors",
})
__all__ += ["__version__"]
