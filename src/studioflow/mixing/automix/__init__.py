"""The automatic first mix (``studioflow automix``): roles, balance, corrective EQ, compression, panning, sends.

>>> from studioflow.mixing.automix import automix
>>> report = automix("song/stems", "song/mix.yaml", tempo=120)      # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.exports import lazy_exports

if TYPE_CHECKING:
    from studioflow.mixing.automix.balance import GENRES
    from studioflow.mixing.automix.mixer import automix

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "automix": "studioflow.mixing.automix.mixer",
    "GENRES": "studioflow.mixing.automix.balance",
})
