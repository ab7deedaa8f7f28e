"""Names of a package imported on first use (PEP 562), for packages whose light parts
must not pull in their heavy ones (the fast path imports :mod:`quifer_brian.results.files`
and :mod:`quifer_brian.backends.fast_index` without Brian2).
"""

import importlib
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["lazy_names"]


def lazy_names(
    package: str, homes: dict[str, str], public: list[str]
) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package``.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    homes : dict
        Each public name -> the submodule (relative to ``package``) that defines it.
    public : list of str
        The package's ``__all__`` (what ``dir()`` lists).

    Returns
    -------
    tuple
        The module-level ``__getattr__`` (imports the name's home on first use and keeps
        the name in the package, so the next access is a plain attribute) and ``__dir__``.
    """

    def __getattr__(name: str) -> Any:
        if name in homes:
            value = getattr(importlib.import_module(f".{homes[name]}", package), name)
            setattr(sys.modules[package], name, value)
            return value
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(public)

    return __getattr__, __dir__
