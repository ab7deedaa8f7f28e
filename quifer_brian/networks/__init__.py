"""Network builders: circuits whose rhythms emerge from the equations."""

from .actualization import (
    ActualizationLoop,
    ActualizationResult,
    ImprintResult,
    actualization,
    actualization_loop,
    random_archetypes,
)
from .boltzmann import BoltzmannSampler, SamplingResult, boltzmann_sampler
from .brunel import brunel
from .circuit import Circuit, CircuitParts, LfpSpec
from .clock import frequency_bank
from .ei import ing, ping
from .kuramoto import kuramoto
from .params import REQUIRED, Param, ParamTable, Target
from .registry import build_network, get_network, list_networks, register_network
from .theta import theta_gamma

__all__ = [
    "REQUIRED",
    "ActualizationLoop",
    "ActualizationResult",
    "BoltzmannSampler",
    "Circuit",
    "CircuitParts",
    "ImprintResult",
    "LfpSpec",
    "Param",
    "ParamTable",
    "SamplingResult",
    "Target",
    "actualization",
    "actualization_loop",
    "boltzmann_sampler",
    "brunel",
    "build_network",
    "frequency_bank",
    "get_network",
    "ing",
    "kuramoto",
    "list_networks",
    "ping",
    "random_archetypes",
    "register_network",
    "theta_gamma",
]
