"""The automatic first mix (``studioflow automix``): roles, balance, corrective EQ, compression, panning, sends.

>>> from studioflow.mixing.automix import automix
>>> report = automix("song/stems", "song/mix.yaml", tempo=120)      # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any


def automix(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Write a first mix session from a folder of stems (see :func:`studioflow.mixing.automix.mixer.automix`)."""
    from studioflow.mixing.automix.mixer import automix as run
    return run(*args, **kwargs)


__all__ = ["automix"]
