"""Mix revision notes turned into session edits (``studioflow revise``).

>>> from studioflow.mixing.revise import revise
>>> result = revise("song/mix.yaml", "vocal up 2 dB. Less boomy kick in the chorus")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.exports import lazy_exports

if TYPE_CHECKING:
    from studioflow.mixing.revise.run import revise

__getattr__, __dir__, __all__ = lazy_exports(__name__, {"revise": "studioflow.mixing.revise.run"})
