"""Fixtures for the producer's commands (defined in tests/producer/producer_fixtures.py)."""

from producer.producer_fixtures import stand_in_master, stems_dir  # noqa: F401
