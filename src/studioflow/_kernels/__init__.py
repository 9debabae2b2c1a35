"""Kernels compiled ahead of time: C sources built into ``studioflow._kernels.native`` by the package's build
(``setup.py``), so the commands that use them start without a JIT compiler (``analyze`` imports no numba)."""
