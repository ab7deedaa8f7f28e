"""quifer_brian: equation-driven spiking networks on Brian2.

Neuron, synapse and plasticity models are declared as equation strings with units
(:mod:`quifer_brian.equations`), assembled into circuits (:mod:`quifer_brian.networks`),
run on numpy, cython, cpp_standalone or the GPU (:mod:`quifer_brian.backends`) and
analysed with :mod:`quifer_brian.analysis`; :mod:`quifer_brian.coding` turns vectors
into spikes and back, :func:`sweep` runs a builder over a parameter grid (compiled once,
on a Dask cluster) and :func:`load` reads a saved :class:`~quifer_brian.results.Result`.

The subpackages are imported on first use (``qb.networks``, ``qb.analysis``, ...), so
``import quifer_brian`` stays cheap.
"""

import importlib

from ._version import __version__
from .errors import (
    AnalysisError,
    BackendError,
    CircuitError,
    CommandLineError,
    LoopError,
    ModelError,
    ParameterNameError,
    ParseError,
    QuiferError,
    ResultFileError,
    SimulationError,
    SweepError,
    UnitsError,
)

#: Subpackages and modules reachable as attributes, imported on first use (PEP 562).
_SUBMODULES = (
    "analysis",
    "backends",
    "checks",
    "coding",
    "equations",
    "learning",
    "networks",
    "plotting",
    "progress",
    "protocols",
    "results",
    "sweeps",
    "theory",
    "units",
)
#: Functions reachable from the top, with the module that holds them.
_FUNCTIONS = {"load": "results", "sweep": "sweeps"}

__all__ = [
    "AnalysisError",
    "BackendError",
    "CircuitError",
    "CommandLineError",
    "LoopError",
    "ModelError",
    "ParameterNameError",
    "ParseError",
    "QuiferError",
    "ResultFileError",
    "SimulationError",
    "SweepError",
    "UnitsError",
    "__version__",
    "load",
    "sweep",
    *_SUBMODULES,
]


def __getattr__(name):
    if name in _SUBMODULES:
        return importlib.import_module(f".{name}", __name__)
    if name in _FUNCTIONS:
        return getattr(importlib.import_module(f".{_FUNCTIONS[name]}", __name__), name)
    raise AttributeError(f"module 'quifer_brian' has no attribute {name!r}")


def __dir__():
    return sorted(__all__)
