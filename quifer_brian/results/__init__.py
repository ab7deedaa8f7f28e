"""What a run produced: :class:`Result` (plain numpy arrays, SI units), saved and loaded
atomically (:mod:`.files`), exported to Neo and NWB (:mod:`.export`)."""

from .files import write_json
from .result import Result, load

__all__ = ["Result", "load", "write_json"]
