"""What a run produced: :class:`Result` (plain numpy arrays, SI units), saved and loaded
atomically (:mod:`.files`), exported to Neo and NWB (:mod:`.export`)."""

from .files import atomic_text, read_json, save_figure, write_json
from .result import Result, load
from .versions import package_versions

__all__ = [
    "Result",
    "atomic_text",
    "load",
    "package_versions",
    "read_json",
    "save_figure",
    "write_json",
]
