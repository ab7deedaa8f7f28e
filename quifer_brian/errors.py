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
    "CommandLineError",
    "FigureError",
    "LoopError",
    "ModelError",
    "ParameterNameError",
    "ParseError",
    "PoorFitWarning",
    "QuiferError",
    "QuiferWarning",
    "ResultFileError",
    "RunInterrupted",
    "SimulationError",
    "SweepError",
    "UnitsError",
    "did_you_mean",
]


class QuiferError(Exception):
    """Base class of every error raised by quifer_brian.

    Parameters
    ----------
    message : str, optional
        The whole text.  Without it the error formats itself from the fields:
        ``"<owner>.<argument>: <problem>; got <value>. <fix>"``.
    owner : str, optional
        Who received the argument (``'ping'``, ``'actualize'``, ``'sweep'``).
    argument : str, optional
        The argument's name.
    value : object, optional
        The value received.
    problem, fix : str, optional
        What is wrong (``'must be > 0'``) and how to put it right.

    Attributes
    ----------
    owner, argument : str or None
        As given (None when the error is not about one argument).

    Examples
    --------
    >>> str(CircuitError(owner="ping", argument="p_ee", value=1.5,
    ...                  problem="must be a number in [0, 1]"))
    'ping.p_ee: must be a number in [0, 1]; got 1.5.'
    """

    _NO_VALUE = object()

    def __init__(
        self, message=None, *, owner=None, argument=None, value=_NO_VALUE, problem=None, fix=None
    ):
        if message is None:
            label = ".".join(part for part in (owner, argument) if part) or "quifer_brian"
            message = f"{label}: {problem or 'invalid value'}"
            if value is not self._NO_VALUE:
                message += f"; got {value!r}"
            message += "." + (f" {fix}" if fix else "")
        super().__init__(message)
        self.owner = owner
        self.argument = argument


class ModelError(QuiferError, ValueError):
    """A model, its name or one of its parameters is invalid."""


class ParameterNameError(QuiferError, TypeError):
    """A keyword argument the builder or model does not have (a ``TypeError``, as Python's)."""


class UnitsError(QuiferError, TypeError):
    """A quantity has the wrong physical dimensions."""


class BackendError(QuiferError, ValueError):
    """A backend is unknown, unavailable, or refuses what it was given."""


class AnalysisError(QuiferError, ValueError):
    """Data handed to an analysis function cannot be analysed as asked."""


class CircuitError(QuiferError, ValueError):
    """A circuit builder received invalid arguments."""


class CommandLineError(QuiferError, ValueError):
    """An argument of the command line or the demo (``--duration``, ``--grid``, ...)."""


class FigureError(QuiferError, ValueError):
    """An argument of a figure function or of writing figures (format, dpi)."""


class LoopError(QuiferError, ValueError):
    """An argument of the actualization loop (its builder, ``actualize``, ``imprint``)."""


class SweepError(QuiferError, ValueError):
    """A sweep's grid, metrics, workers or folder are invalid."""


class SimulationError(QuiferError, RuntimeError):
    """A simulation ran but produced something unusable (NaN, silence)."""


class ParseError(QuiferError, ValueError):
    """Text (a command-line value) that cannot be read as the value asked for."""


class ResultFileError(QuiferError, ValueError):
    """A result file (``.npz`` or its metadata) that cannot be read or fails its schema."""


class QuiferWarning(UserWarning):
    """Base class of the package's warnings (silence them all with
    ``warnings.filterwarnings("ignore", category=QuiferWarning)``)."""


class PoorFitWarning(QuiferWarning):
    """A fitted model explains too little of its data for its numbers to be trusted."""


class RunInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped a run; ``result`` holds what was simulated until then, if anything.

    A ``KeyboardInterrupt`` (not a :class:`QuiferError`): code that catches the package's
    errors does not swallow an interrupt.  The partial result's ``meta`` says
    ``complete: False`` with ``requested_duration_s`` and ``simulated_duration_s``.

    Attributes
    ----------
    result : Result or None
        The partial result (runtime backends), or None when nothing could be read back
        (a standalone program stopped before the end writes nothing).
    """

    def __init__(self, message="interrupted", result=None):
        super().__init__(message)
        self.result = result


def did_you_mean(value, options, n: int = 3) -> str:
    """``"did you mean 'x'? "`` naming the options closest to ``value``, or ``""``.

    The one "did you mean" of the package: names that start with ``value``, then
    :func:`difflib.get_close_matches` (cutoff 0.6), case ignored.  Every lookup of a name
    (models, networks, parameters, backends, bands, metrics, the command line's choices)
    puts it before its list of valid names.

    Examples
    --------
    >>> did_you_mean("tau_gaba_", ["tau_gaba", "tau_ampa", "g_ie"])
    "did you mean 'tau_gaba' or 'tau_ampa'? "
    >>> did_you_mean("cpp", ["numpy", "cpp_standalone"])
    "did you mean 'cpp_standalone'? "
    >>> did_you_mean("xyz", ["lif", "adex"])
    ''
    """
    if not isinstance(value, str):
        return ""
    by_lower: dict[str, str] = {}
    for option in options:  # compared without case: 'PING' finds 'ping'
        by_lower.setdefault(str(option).lower(), str(option))
    key = value.lower()
    prefixed = [w for w in by_lower if len(key) >= 2 and w.startswith(key)]  # 'cpp'
    import difflib  # here: 20 ms that a run's start-up does not need

    close = [*prefixed, *difflib.get_close_matches(key, list(by_lower), n=n)]
    close = [by_lower[w] for w in dict.fromkeys(close)][:n]
    return f"did you mean {' or '.join(repr(c) for c in close)}? " if close else ""
