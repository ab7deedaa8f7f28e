"""Argument checks shared by the whole package.

Each helper raises the package's own error type with a message of the form
``"<owner>.<name>: <problem>; got <value>. <fix>"`` so the user sees which argument is
wrong, what it was and what is expected -- before any code is generated or compiled.
"""

import numbers

import numpy as np
from brian2 import DimensionMismatchError, Quantity, get_dimensions
from brian2.units.fundamentalunits import DIMENSIONLESS

from .errors import ModelError, UnitsError
from .units import describe_unit

__all__ = [
    "Checks",
    "check_choice",
    "check_count",
    "check_positive",
    "check_quantity",
    "check_within",
]


def _label(name, owner):
    return f"{owner}.{name}" if owner else name


def check_choice(name, value, options, owner=None, error=ModelError):
    """Return ``value`` if it is one of ``options``; otherwise raise listing them."""
    if value not in options:
        valid = ", ".join(repr(o) for o in options)
        raise error(
            owner=owner,
            argument=name,
            message=f"{_label(name, owner)}: unknown value {value!r}; valid values are {valid}.",
        )
    return value


def check_count(name, value, owner=None, minimum=1, error=ModelError):
    """Return ``value`` as an int if it is an integer >= ``minimum``."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
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
    return int(value)


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
    """Raise unless every element of ``value`` is > 0 (or >= 0 with ``allow_zero``)."""
    array = np.asarray(value)
    bad = array < 0 if allow_zero else array <= 0
    if np.any(bad) or np.any(np.isnan(array)):
        relation = ">= 0" if allow_zero else "> 0"
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
    if isinstance(value, bool) or not isinstance(value, numbers.Real) or not 0 <= value <= 1:
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
            message=f"{_label(name, owner)}: must be a real number; got {value!r}.",
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

    def count(self, name, value, minimum=1):
        return check_count(name, value, self.owner, minimum, self.error)

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
