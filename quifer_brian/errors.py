"""The package's exception family.

Every error the package raises on bad input belongs to :class:`QuiferError` and also
subclasses the builtin a Python user would expect (``ValueError``, ``TypeError``), so
``except ValueError`` keeps working.  Messages name the argument, the value received,
what is allowed and, where there is one, the fix.
"""

__all__ = [
    "AnalysisError",
    "BackendError",
    "CircuitError",
    "ModelError",
    "ParseError",
    "QuiferError",
    "SimulationError",
    "UnitsError",
]


class QuiferError(Exception):
    """Base class of every error raised by quifer_brian."""


class ModelError(QuiferError, ValueError):
    """A model, its name or one of its parameters is invalid."""


class UnitsError(QuiferError, TypeError):
    """A quantity has the wrong physical dimensions."""


class BackendError(QuiferError, ValueError):
    """A backend is unknown, unavailable, or refuses what it was given."""


class AnalysisError(QuiferError, ValueError):
    """Data handed to an analysis function cannot be analysed as asked."""


class CircuitError(QuiferError, ValueError):
    """A circuit builder received invalid arguments."""


class SimulationError(QuiferError, RuntimeError):
    """A simulation ran but produced something unusable (NaN, silence)."""


class ParseError(QuiferError, ValueError):
    """Text (a command-line value) that cannot be read as the value asked for."""
