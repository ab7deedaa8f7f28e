"""quifer_brian: equation-driven spiking networks on Brian2.

Neuron, synapse and plasticity models are declared as equation strings with units
(:mod:`quifer_brian.equations`), run on numpy, cython, cpp_standalone or the GPU
(:mod:`quifer_brian.devices`), and analysed with :mod:`quifer_brian.analysis`.
"""

from . import equations
from ._version import __version__
from .errors import (
    AnalysisError,
    BackendError,
    CircuitError,
    ModelError,
    QuiferError,
    SimulationError,
    UnitsError,
)
from .io import load

__all__ = [
    "AnalysisError",
    "BackendError",
    "CircuitError",
    "ModelError",
    "QuiferError",
    "SimulationError",
    "UnitsError",
    "__version__",
    "equations",
    "load",
]
