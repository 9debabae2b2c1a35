"""Fixtures for producer tests (defined in producer_fixtures.py, shared with tests/cli/test_producer.py)."""

from producer.producer_fixtures import project, stand_in_master, stems_dir  # noqa: F401
