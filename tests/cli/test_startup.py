"""Start-up: `studioflow --help` and `--version` import nothing heavy (numba, scipy, matplotlib), as whole processes."""

import subprocess
import sys

import pytest

HEAVY = {"numba", "scipy", "matplotlib"}
ENTRY = "import sys; from studioflow.cli.main import main; main(sys.argv[1:])"   # what the `studioflow` script runs


def imported_packages(args: list[str]) -> tuple[set[str], str]:
    """Top-level packages a fresh `studioflow ARGS` process imports (from ``-X importtime``) and what it printed."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", ENTRY, *args], capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    names = {line.split("|")[-1].strip().split(".")[0] for line in done.stderr.splitlines()
             if line.startswith("import time:") and "|" in line}
    return names, done.stdout


@pytest.mark.parametrize("flag, shown", [("--help", "Commands"), ("--version", "studioflow, version")])
def test_help_and_version_import_no_numba_scipy_or_matplotlib(flag, shown):
    names, out = imported_packages([flag])
    assert shown in out
    assert "click" in names                     # the parse really was traced
    assert not names & HEAVY, sorted(names & HEAVY)
