"""Argument checks shared by the whole package.

Each helper raises the package's own error type with a message of the form
``"<owner>.<name>: <problem>; got <value>. <fix>"`` so the user sees which argument is
wrong, what it was and what is expected -- before any code is generated or compiled.
"""

import numbers
import os
from dataclasses import dataclass

import numpy as np
from brian2 import DimensionMismatchError, Quantity, get_dimensions, second
from brian2.units.fundamentalunits import DIMENSIONLESS

from .errors import ModelError, UnitsError, did_you_mean
from .units import describe_unit

__all__ = [
    "MAX_COUNT",
    "MAX_SEED",
    "Checks",
    "Constraint",
    "check_choice",
    "check_count",
    "check_duration",
    "check_finite",
    "check_fraction",
    "check_memory",
    "check_positive",
    "check_quantity",
    "check_real",
    "check_scalar_quantity",
    "check_seed",
    "check_within",
]

#: The largest seed: Brian2 and numpy take seeds in [0, 2**32 - 1].
MAX_SEED = 2**32 - 1

#: The largest value of a ``"count"`` parameter or a group size (a population, a batch): larger
#: values are typing mistakes, and would ask for more memory than any machine has.
MAX_COUNT = 10**8

_RELATIONS = {
    "<": (lambda a, b: a < b, "below"),
    "<=": (lambda a, b: a <= b, "<="),
    ">": (lambda a, b: a > b, "above"),
    ">=": (lambda a, b: a >= b, ">="),
}


def _label(name, owner):
    return f"{owner}.{name}" if owner else name


def check_choice(name, value, options, owner=None, error=ModelError):
    """Return ``value`` if it is one of ``options``; otherwise raise listing them."""
    if value not in options:
        valid = ", ".join(repr(o) for o in options)
        raise error(
            owner=owner,
            argument=name,
            message=(
                f"{_label(name, owner)}: unknown value {value!r}; "
                f"{did_you_mean(value, options)}valid values are {valid}."
            ),
        )
    return value


def check_count(name, value, owner=None, minimum=1, error=ModelError, maximum=None):
    """Return ``value`` as an int if it is an integer >= ``minimum`` (and <= ``maximum``)."""
    if isinstance(value, (bool, np.bool_)) or not isinstance(value, numbers.Integral):
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be an integer >= {minimum}; got {value!r}.",
        )
    if value < minimum:
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be an integer >= {minimum}; got {value}.",
        )
    if maximum is not None and value > maximum:
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be an integer <= {maximum}; got {value}.",
        )
    return int(value)


def check_seed(name, value, owner=None, error=ModelError, allow_none=True):
    """Return ``value`` as an int if it is a seed: an integer in [0, 2**32 - 1] (or None).

    Examples
    --------
    >>> check_seed("seed", 7)
    7
    >>> check_seed("seed", -1, owner="run")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    quifer_brian.errors.ModelError: run.seed: must be an integer in [0, 4294967295] ...
    """
    if value is None and allow_none:
        return None
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Integral)
        or not 0 <= value <= MAX_SEED
    ):
        alternative = " (or None for a fresh seed)" if allow_none else ""
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be an integer in [0, {MAX_SEED}]"
            f"{alternative}; got {value!r}.",
        )
    return int(value)


def check_finite(name, value, owner=None, error=ModelError):
    """Return ``value`` (number, array or quantity) if every element is finite (no NaN, inf)."""
    try:
        array = np.asarray(value, dtype=float)
    except (TypeError, ValueError):
        return value  # not numbers: the type checks that follow say what is expected
    if not np.all(np.isfinite(array)):
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be finite (no NaN or inf); got {value!r}.",
        )
    return value


def check_duration(name, value, owner=None, minimum=None, why="", error=ModelError):
    """Return ``value`` if it is a finite scalar time > 0 (and >= ``minimum``).

    ``why`` says where ``minimum`` comes from (``"the LFP delay (6 ms) plus one sample
    (1 ms)"``).

    Examples
    --------
    >>> from brian2 import ms
    >>> from quifer_brian.errors import CircuitError
    >>> check_duration("duration", 3 * ms, "ping.run", minimum=7 * ms,  # doctest: +ELLIPSIS
    ...                why="the LFP delay plus one sample", error=CircuitError)
    Traceback (most recent call last):
    ...
    quifer_brian.errors.CircuitError: ping.run.duration: must be at least 7. ms (the LFP ...
    """
    check_quantity(name, value, second, owner=owner)
    seconds = np.asarray(value / second, dtype=float)
    if seconds.ndim != 0 or not np.isfinite(seconds) or seconds <= 0:
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be a finite time > 0; got {value!r}.",
        )
    if minimum is not None and value < minimum:
        reason = f" ({why})" if why else ""
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be at least {minimum}{reason}; got {value}. "
            f"Run for longer.",
        )
    return value


def _physical_memory():
    """Bytes of physical memory of this machine (None where the system does not say)."""
    try:
        return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (AttributeError, ValueError, OSError):
        return None


def _bytes_text(n_bytes):
    for unit, size in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n_bytes >= size:
            return f"{n_bytes / size:.3g} {unit}"
    return f"{n_bytes / 2**10:.3g} KiB"


def check_memory(what, n_bytes, owner=None, error=ModelError, limit=None, fix="Use smaller sizes."):
    """Refuse ``what`` when its estimated ``n_bytes`` exceed the machine's memory.

    ``limit`` defaults to the physical memory (no check where the system does not say).
    The message names the estimate, so a crafted size never reaches an allocation.
    """
    limit = _physical_memory() if limit is None else limit
    if limit is not None and n_bytes > limit:
        raise error(
            owner=owner,
            message=f"{owner or 'quifer_brian'}: {what} would need about "
            f"{_bytes_text(n_bytes)} of memory, more than this machine has "
            f"({_bytes_text(limit)}). {fix}",
        )
    return n_bytes


def check_quantity(name, value, unit, owner=None):
    """Check that ``value`` has the dimensions of ``unit`` and return it unchanged.

    A plain number is accepted only for dimensionless parameters: ``tau_m=10`` could mean
    seconds or milliseconds, so it is refused with a message that shows how to write it.
    """
    expected = get_dimensions(unit)
    try:
        received = get_dimensions(value)
    except TypeError:  # strings, None, arbitrary objects
        raise UnitsError(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: expected a quantity in {describe_unit(expected)}; "
            f"got {value!r}.",
        ) from None
    if received != expected:
        if received is DIMENSIONLESS and not isinstance(value, Quantity):
            hint = f" Give it with units, e.g. {name}={_example(unit)}."
        else:
            hint = ""
        raise UnitsError(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: expected a quantity in {describe_unit(expected)}; "
            f"got {value!r} ({describe_unit(received)}).{hint}",
        ) from DimensionMismatchError("", value)
    return value


def _example(unit):
    """``unit`` written as Python code (``'20. * msecond'``) for a hint in a message."""
    try:
        return unit.in_best_unit(python_code=True).replace(" ", "")
    except AttributeError:
        return repr(unit)


def check_positive(name, value, owner=None, allow_zero=False, error=ModelError):
    """Raise unless every element of ``value`` is finite and > 0 (>= 0 with ``allow_zero``)."""
    array = np.asarray(value)
    bad = array < 0 if allow_zero else array <= 0
    finite = np.all(np.isfinite(array))
    if np.any(bad) or not finite:
        relation = ">= 0" if allow_zero else "> 0"
        relation = relation if finite else f"a finite value {relation}"
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be {relation}; got {value!r}.",
        )
    return value


def check_scalar_quantity(name, value, unit, owner=None, allow_zero=False, error=ModelError):
    """A single quantity with the dimensions of ``unit``, > 0 (>= 0 with ``allow_zero``)."""
    check_quantity(name, value, unit, owner=owner)
    if np.ndim(value) != 0:
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be a scalar quantity; got {value!r}.",
        )
    return check_positive(name, value, owner=owner, allow_zero=allow_zero, error=error)


def check_fraction(name, value, owner=None, what="", error=ModelError):
    """Return ``value`` as a float if it is a real number in [0, 1].

    ``what`` names the kind of value in the message ("a connection probability").
    """
    if (
        isinstance(value, (bool, np.bool_))
        or not isinstance(value, numbers.Real)
        or not 0 <= value <= 1
    ):
        subject = f"{what} " if what else ""
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: {subject}must be a number in [0, 1]; got {value!r}.",
        )
    return float(value)


def check_real(name, value, owner=None, allow_zero=True, error=ModelError):
    """Return ``value`` as a float if it is a finite real number >= 0 (> 0 without zero)."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not np.isfinite(value):
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: must be a finite real number; got {value!r}.",
        )
    return float(check_positive(name, value, owner=owner, allow_zero=allow_zero, error=error))


def check_within(name, array, low, high, owner=None, error=ModelError, problem="", fix=""):
    """Raise unless every element of ``array`` lies in ``[low, high]`` (NaN does not).

    The message names the first element outside, where it is and how many are outside:
    ``"<owner>.<name>: <problem>must lie in [low, high]; got 1.2 at (0, 1) (1 outside).
    <fix>"``.
    """
    outside = ~((array >= low) & (array <= high))  # NaN counts as outside
    if np.any(outside):
        first = tuple(int(i) for i in np.argwhere(outside)[0])
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: {problem}must lie in [{low:g}, {high:g}]; got "
            f"{array[first]:g} at {first} ({np.count_nonzero(outside)} outside). {fix}".rstrip(),
        )
    return array


@dataclass(frozen=True)
class Constraint:
    """A relation two parameters of a table must satisfy: ``left <relation> right``.

    Checked on the complete values (a builder's call, a circuit's parameters with the
    changes of ``run_values``); skipped when either value is None (a switched-off
    feature) or one of them is not in the values.

    Attributes
    ----------
    left, right : str
        Parameter names (same units).
    relation : {'<', '<=', '>', '>='}
    why : str
        What breaking it does, shown after the relation ("or the neuron fires at every
        step").
    fix : str
        How to put it right ("Lower V_reset or raise V_th.").

    Examples
    --------
    >>> from brian2 import mV
    >>> from quifer_brian.errors import CircuitError
    >>> Constraint("V_reset", "<", "V_th", "or the cell fires at every step").check(
    ...     {"V_reset": 25 * mV, "V_th": 20 * mV}, "brunel", CircuitError)
    Traceback (most recent call last):
    ...
    quifer_brian.errors.CircuitError: brunel.V_reset: must be below V_th (20. mV), or the \
cell fires at every step; got 25. mV.
    """

    left: str
    relation: str
    right: str
    why: str = ""
    fix: str = ""

    def __post_init__(self):
        if self.relation not in _RELATIONS:
            raise ValueError(f"Constraint: relation must be one of {list(_RELATIONS)}.")

    @property
    def text(self):
        return f"{self.left} {self.relation} {self.right}"

    def check(self, values, owner, error=ModelError):
        """Raise ``error`` naming both values unless the relation holds in ``values``."""
        if self.left not in values or self.right not in values:
            return
        left, right = values[self.left], values[self.right]
        if left is None or right is None:
            return
        holds, words = _RELATIONS[self.relation]
        if not holds(left, right):
            why = f", {self.why}" if self.why else ""
            raise error(
                owner=owner,
                argument=self.left,
                message=f"{owner}.{self.left}: must be {words} {self.right} ({right}){why}; "
                f"got {left}. {self.fix}".rstrip(),
            )


class Checks:
    """The check helpers bound to one owner and its error class.

    A builder or function that checks many arguments writes its owner and error type
    once::

        check = Checks("ping", CircuitError)
        p_ee = check.fraction("p_ee", p_ee, "a connection probability")
        check.scalar_quantity("tau_gaba", tau_gaba, second)

    Examples
    --------
    >>> from quifer_brian.errors import CircuitError
    >>> Checks("ping", CircuitError).count("n_e", 0)
    Traceback (most recent call last):
    ...
    quifer_brian.errors.CircuitError: ping.n_e: must be an integer >= 1; got 0.
    """

    def __init__(self, owner, error=ModelError):
        self.owner = owner
        self.error = error

    def choice(self, name, value, options):
        return check_choice(name, value, options, self.owner, self.error)

    def count(self, name, value, minimum=1, maximum=None):
        return check_count(name, value, self.owner, minimum, self.error, maximum)

    def seed(self, name, value, allow_none=True):
        return check_seed(name, value, self.owner, self.error, allow_none)

    def finite(self, name, value):
        return check_finite(name, value, self.owner, self.error)

    def duration(self, name, value, minimum=None, why=""):
        return check_duration(name, value, self.owner, minimum, why, self.error)

    def quantity(self, name, value, unit):
        return check_quantity(name, value, unit, self.owner)

    def positive(self, name, value, allow_zero=False):
        return check_positive(name, value, self.owner, allow_zero, self.error)

    def scalar_quantity(self, name, value, unit, allow_zero=False):
        return check_scalar_quantity(name, value, unit, self.owner, allow_zero, self.error)

    def fraction(self, name, value, what=""):
        return check_fraction(name, value, self.owner, what, self.error)

    def real(self, name, value, allow_zero=True):
        return check_real(name, value, self.owner, allow_zero, self.error)
