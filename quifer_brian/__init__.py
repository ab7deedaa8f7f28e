"""quifer_brian: equation-driven spiking networks on Brian2.

Neuron, synapse and plasticity models are declared as equation strings with units
(:mod:`quifer_brian.equations`), run on numpy, cython, cpp_standalone or the GPU
(:mod:`quifer_brian.devices`), and analysed with :mod:`quifer_brian.analysis`;
:mod:`quifer_brian.coding` turns vectors into spikes and back, :func:`sweep` runs a
builder over a parameter grid (compiled once, on a Dask cluster).
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
from .sweep import sweep

__all__ = [
    "AnalysisError",
    "BackendError",
    "CircuitError",
    "ModelError",
    "QuiferError",
    "SimulationError",
    "UnitsError",
    "__version__",
    "coding",
    "equations",
    "load",
    "sweep",
]


def __getattr__(name):
    # coding loads scipy.signal (through the analysis helpers): ~1 s a process that
    # does not need it should not pay
    if name == "coding":
        import importlib

        return importlib.import_module(".coding", __name__)
    raise AttributeError(f"module 'quifer_brian' has no attribute {name!r}")
