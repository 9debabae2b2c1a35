"""Fixtures for the listening room's tests (defined in room_fixtures.py)."""

from web.room_fixtures import built_project, project, room  # noqa: F401
