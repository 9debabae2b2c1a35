"""The demo: songs synthesized in code (``songs``), planted vocal takes to coach (``coaching``) and the whole demo
production of a two-song EP through the roles' Python API (``run``).

>>> from studioflow.demo import run_demo
>>> result = run_demo("demo-out", quick=True)          # doctest: +SKIP
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.exports import lazy_exports

if TYPE_CHECKING:
    from studioflow.demo.coaching import coach_planted_takes
    from studioflow.demo.run import DemoResult, DemoStepError, run_demo
    from studioflow.demo.songs import PLANS, song_sections, synthesize_demo

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "run_demo": "studioflow.demo.run",
    "DemoResult": "studioflow.demo.run",
    "DemoStepError": "studioflow.demo.run",
    "synthesize_demo": "studioflow.demo.songs",
    "song_sections": "studioflow.demo.songs",
    "PLANS": "studioflow.demo.songs",
    "coach_planted_takes": "studioflow.demo.coaching",
})
