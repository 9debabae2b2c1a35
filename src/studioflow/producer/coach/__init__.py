"""The producer coaches performances: pitch, vibrato and drift, timing against the grid, the best take per phrase.

``coach(takes, guide=..., key=..., tempo_bpm=...)`` is the API (``api.py``); ``studioflow coach`` is its face.
"""

from studioflow.producer.coach.api import coach

__all__ = ["coach"]
