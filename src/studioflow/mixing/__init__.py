"""The mixing engineer: session files, the mix renderer, buses, automation, stems, versions.

>>> from studioflow.mixing import load_session, render
>>> report = render(load_session("song/mix.yaml"), "song/mix.wav")     # doctest: +SKIP

The automatic first mix and revisions have their own packages: ``studioflow.mixing.automix`` and
``studioflow.mixing.revise``; comparing two mixes is ``studioflow.mixing.compare.compare``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.exports import lazy_exports

if TYPE_CHECKING:
    from studioflow.mixing.engine import render
    from studioflow.mixing.session import load_session
    from studioflow.mixing.versions import render_version

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "load_session": "studioflow.mixing.session",
    "render": "studioflow.mixing.engine",
    "render_version": "studioflow.mixing.versions",
})
