"""What a run produced: :class:`Result` (plain numpy arrays, SI units), saved and loaded
atomically (:mod:`.files`), exported to Neo and NWB (:mod:`.export`).

The names are imported on first use (PEP 562): :mod:`.files` alone (what a compiled
program's fast path needs before the program starts) does not import :mod:`.result`
and its file reader (zipfile, pathlib).
"""

import importlib

#: Where each public name lives.
_NAMES = {
    "Result": "result",
    "atomic_text": "files",
    "load": "result",
    "package_versions": "versions",
    "read_json": "files",
    "save_figure": "files",
    "write_json": "files",
}

__all__ = [
    "Result",
    "atomic_text",
    "load",
    "package_versions",
    "read_json",
    "save_figure",
    "write_json",
]


def __getattr__(name):
    if name in _NAMES:
        value = getattr(importlib.import_module(f".{_NAMES[name]}", __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
