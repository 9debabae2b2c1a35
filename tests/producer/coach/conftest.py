"""Fixtures of the coaching tests (defined in sung_takes.py)."""

from producer.coach.sung_takes import guide_file, planted_take  # noqa: F401
