"""What a run produced: :class:`Result` (plain numpy arrays, SI units), saved and loaded
atomically (:mod:`.files`), exported to Neo and NWB (:mod:`.export`).

The names are imported on first use (PEP 562): :mod:`.files` alone (what a compiled
program's fast path needs before the program starts) does not import :mod:`.result`
and its file reader (zipfile, pathlib).
"""

from ..lazy import lazy_names

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


__getattr__, __dir__ = lazy_names(__name__, _NAMES, __all__)
