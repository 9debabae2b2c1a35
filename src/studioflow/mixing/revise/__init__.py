"""Mix revision notes turned into session edits (``studioflow revise``).

>>> from studioflow.mixing.revise import revise
>>> result = revise("song/mix.yaml", "vocal up 2 dB. Less boomy kick in the chorus")   # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any


def revise(*args: Any, **kwargs: Any) -> dict[str, Any]:
    """Apply mix notes to a session as its next version (see :func:`studioflow.mixing.revise.run.revise`)."""
    from studioflow.mixing.revise.run import revise as run
    return run(*args, **kwargs)


__all__ = ["revise"]
