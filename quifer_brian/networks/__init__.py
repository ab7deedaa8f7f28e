"""Network builders: circuits whose rhythms emerge from the equations."""

from .circuit import Circuit, CircuitParts, LfpSpec

__all__ = ["Circuit", "CircuitParts", "LfpSpec"]
