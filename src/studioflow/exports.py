"""Lazy public faces for packages (PEP 562): a package names its public functions once, and each one's module is
imported on first use, so ``import studioflow.mixing`` and the CLI's start-up stay light while ``dir()``, ``__all__``
and type checkers (through the package's ``TYPE_CHECKING`` imports) see the real functions.

>>> __getattr__, __dir__, __all__ = lazy_exports(__name__, {"render": "studioflow.mixing.engine"})  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import sys
from typing import Any, Callable

_PLUMBING = {"TYPE_CHECKING", "annotations", "lazy_exports"}     # names every package face imports for itself


def lazy_exports(package: str, table: dict[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]],
                                                                  list[str]]:
    """``__getattr__``, ``__dir__`` and ``__all__`` for ``package``, whose public names are ``table``'s keys, each
    found in the module its value names (``"module"`` or ``"module:attribute"`` when the attribute is named
    differently). A public name may not be the name of one of the package's modules: importing that module would
    put the module where the function should be (tests/test_exports.py checks every package face)."""

    def __getattr__(name: str) -> Any:
        try:
            module, _, attr = table[name].partition(":")
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module), attr or name)
        setattr(sys.modules[package], name, value)      # resolved once; later lookups skip this function
        return value

    def __dir__() -> list[str]:
        here = {n for n in vars(sys.modules[package]) if not n.startswith("_") and n not in _PLUMBING}
        return sorted(set(table) | here | {"__version__"} & set(vars(sys.modules[package])))

    return __getattr__, __dir__, sorted(table)
