"""Lazy public surfaces for packages: a package names its public names and the modules they
live in; each module is imported on first use, so importing a package (a DAG file importing
`vigie.run`, a stage importing `vigie.core`) stays cheap and creates no import circle."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping

__all__ = ["lazy_exports"]


def lazy_exports(package: str, exports: Mapping[str, str]) -> tuple[list[str], Callable[[str], object]]:
    """`(__all__, __getattr__)` for `package`, from {public name: relative module}."""

    def __getattr__(name: str) -> object:
        module = exports.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        return getattr(importlib.import_module(module, package), name)

    return sorted(exports), __getattr__
