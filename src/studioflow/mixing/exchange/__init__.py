"""DAW exchange: a session exported to Ardour 7 or DAWproject, and sessions from them imported.

>>> from studioflow.mixing.exchange import export_session, import_session
>>> report = export_session("song/mix.yaml", "ardour", "song/mix-ardour")          # doctest: +SKIP
>>> report = import_session("song/mix-ardour", "song/from-ardour.yaml")             # doctest: +SKIP
"""

from __future__ import annotations

from studioflow.mixing.exchange.api import FORMATS, export_session, import_session

__all__ = ["FORMATS", "export_session", "import_session"]
