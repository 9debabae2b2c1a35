"""The real FFT of the spectrum measurements: scipy.fft's (pocketfft), reached without importing ``scipy.fft``.

Importing the package ``scipy.fft`` also imports ``scipy.special`` and ``scipy.linalg`` (about 0.2 s), which a
one-second ``analyze`` cannot afford. The transform itself is pocketfft's compiled module, which ``rfft`` loads
alone, so its results are the same bits as ``scipy.fft.rfft`` (numpy.fft's differ in the last bits). Where scipy
is laid out otherwise, ``scipy.fft`` is imported after all.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import numpy as np

_POCKETFFT = "scipy.fft._pocketfft.pypocketfft"
_module: list[ModuleType] = []


def _pocketfft() -> ModuleType:
    """pocketfft's compiled module, the one scipy.fft uses (loaded once, and shared with scipy.fft if it comes)."""
    if _module:
        return _module[0]
    module = sys.modules.get(_POCKETFFT)
    if module is None:
        scipy = importlib.util.find_spec("scipy")
        places = scipy.submodule_search_locations if scipy else None
        folder = Path(places[0]) / "fft" / "_pocketfft" if places else None
        paths = [folder / f"pypocketfft{suffix}" for suffix in importlib.machinery.EXTENSION_SUFFIXES] if folder else []
        path = next((p for p in paths if p.exists()), None)
        if path is None:
            importlib.import_module(_POCKETFFT)
            module = sys.modules[_POCKETFFT]
        else:
            loader = importlib.machinery.ExtensionFileLoader(_POCKETFFT, str(path))
            spec = importlib.util.spec_from_file_location(_POCKETFFT, path, loader=loader)
            assert spec is not None                 # a spec always comes back when a loader is given
            module = importlib.util.module_from_spec(spec)
            loader.exec_module(module)
            sys.modules[_POCKETFFT] = module
    _module.append(module)
    return module


def rfft(x: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """Real FFT of float32 ``x`` along its last axis (no normalisation, one thread): complex64, like scipy.fft.rfft;
    into ``out`` (complex64, the shape of the result) when given, which saves allocating it on every call."""
    x = np.asarray(x, np.float32)
    return _pocketfft().r2c(x, (x.ndim - 1,), True, 0, out, 1)
