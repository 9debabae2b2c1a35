"""House rules: ruff (lint, import order) over src, tests and bench, and mypy over the package, both clean.

The settings live in pyproject.toml ([tool.ruff], [tool.mypy]); mypy keeps its cache in the git-ignored .mypy_cache.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def run_tool(*args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m ARGS`` from the repository root; return the finished process (stdout and stderr as text)."""
    return subprocess.run([sys.executable, "-m", *args], cwd=ROOT, capture_output=True, text=True, timeout=600)


def test_ruff_is_clean():
    done = run_tool("ruff", "check", "--no-cache", "src", "tests", "bench")
    assert done.returncode == 0, f"ruff check found problems:\n{done.stdout}{done.stderr}"


@pytest.mark.slow                       # about 30 s without mypy's cache (a fresh clone), 2 s with it
def test_mypy_is_clean():
    done = run_tool("mypy", "--cache-dir", str(ROOT / ".mypy_cache"), "src/studioflow")
    assert done.returncode == 0, f"mypy found problems:\n{done.stdout}{done.stderr}"
