"""Network builders: circuits whose rhythms emerge from the equations."""

from .brunel import brunel
from .circuit import Circuit, CircuitParts, LfpSpec
from .ei import ing, ping

__all__ = [
    "Circuit",
    "CircuitParts",
    "LfpSpec",
    "brunel",
    "ing",
    "ping",
]
