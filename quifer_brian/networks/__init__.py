"""Network builders: circuits whose rhythms emerge from the equations."""

from .actualization import (
    ActualizationLoop,
    ActualizationResult,
    ImprintResult,
    actualization_loop,
    random_archetypes,
)
from .brunel import brunel
from .circuit import Circuit, CircuitParts, LfpSpec
from .clock import frequency_bank
from .ei import ing, ping
from .kuramoto import kuramoto
from .theta import theta_gamma

__all__ = [
    "ActualizationLoop",
    "ActualizationResult",
    "Circuit",
    "CircuitParts",
    "ImprintResult",
    "LfpSpec",
    "actualization_loop",
    "brunel",
    "frequency_bank",
    "ing",
    "kuramoto",
    "ping",
    "random_archetypes",
    "theta_gamma",
]
