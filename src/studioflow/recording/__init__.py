"""The recording engineer: capture, crash-safe takes, input checks, comping, alignment, the room and the session plan.

>>> from studioflow.recording import check_takes
>>> report = check_takes("song/takes")          # doctest: +SKIP

Comping and alignment are reached through their modules (``studioflow.recording.comp.comp``,
``studioflow.recording.align.align``): a package attribute named like its module would be replaced by the module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from studioflow.exports import lazy_exports

if TYPE_CHECKING:
    from studioflow.recording.checks import check_takes, find_groups
    from studioflow.recording.plan import plan_project
    from studioflow.recording.room.analyze import analyze_files as analyze_room
    from studioflow.recording.room.measure import measure_room

__getattr__, __dir__, __all__ = lazy_exports(__name__, {
    "check_takes": "studioflow.recording.checks",
    "find_groups": "studioflow.recording.checks",
    "measure_room": "studioflow.recording.room.measure",
    "analyze_room": "studioflow.recording.room.analyze:analyze_files",
    "plan_project": "studioflow.recording.plan",
})
