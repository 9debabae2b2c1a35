"""The mastering engineer: platform targets, the mastering chain, reference matching, delivery.

>>> from studioflow.mastering import master
>>> record = master("mix.wav", "master.wav", target="spotify")      # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.exports import lazy_exports

if TYPE_CHECKING:
    from studioflow.mastering.album import make_album
    from studioflow.mastering.api import master
    from studioflow.mastering.targets import TARGETS, get_target

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "master": "studioflow.mastering.api",
    "get_target": "studioflow.mastering.targets",
    "TARGETS": "studioflow.mastering.targets",
    "make_album": "studioflow.mastering.album",
})
