"""Parameter tables: each builder's parameters declared once.

A builder's parameters are a :class:`ParamTable` of :class:`Param` rows -- name, default,
unit or kind, bounds, a one-line meaning, and whether a compiled program can change the
value between runs (*tunable*, with the :class:`Target` variables it is written to).
Everything else reads the table: the builder's Python signature (:meth:`ParamTable.builder`
makes ``inspect.signature`` and IDE help show the parameters), the argument checks, the
tunable / structural split of the build cache and of sweeps, ``Circuit.run_values`` and
the ``quifer-brian list`` rows.

Declaring a builder::

    PING = ParamTable("ping", [
        Param("n_e", 400, "count", ">= 1", "number of E cells"),
        Param("tau_gaba", 10 * ms, ms, "> 0", "decay of the GABA_A kernel",
              tunable=True, target=[("E", "tau_gaba_a"), ("I", "tau_gaba_a")]),
        ...
    ])

    @PING.builder
    def ping(**params):
        '''Docstring with the Parameters section.'''
        return Circuit("ping", _construct_ping, params, table=PING)

Kinds
-----
A brian2 unit (``ms``, ``pA``, ``nS``, ``Hz``, ``mV``): a scalar quantity with those
dimensions, finite, within the bounds (numbers in that unit: ``"> 0"``).  ``"count"``: an
integer.  ``"number"``: a finite real number, returned as a float.  ``"choice"``: one of
``options``.  ``"bool"``: True or False.  ``"any"``: checked by the builder's own
cross-parameter check (the frequency lists of ``kuramoto`` and ``frequency_bank``).
Bounds are written as in mathematics: ``">= 0"``, ``"> 0"``, ``"[0, 1]"``, ``"(0, 1]"``.
Every number must be finite: ``inf`` never passes ``"> 0"``, NaN never passes anything.

Constraints between parameters (``V_reset < V_th``, ``delay >= dt``) are declared once in
the table as :class:`Constraint` rows and checked on the complete set of values, before
anything is built.  So is the size of what the parameters ask for (``memory``): a table
may estimate the bytes its circuit needs, and a size beyond the machine's memory is
refused naming the estimate, before any allocation.
"""

import functools
import inspect
import math
import numbers
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from brian2 import Quantity, get_dimensions

from ..checks import MAX_COUNT, Constraint, check_choice, check_count, check_memory, check_quantity
from ..errors import CircuitError, ParameterNameError, QuiferError, did_you_mean
from ..units import describe_unit, format_value

__all__ = ["KINDS", "MAX_COUNT", "REQUIRED", "Constraint", "Param", "ParamTable", "Target"]


#: Bytes a table's ``memory`` estimate counts per neuron and per synapse (numpy runtime:
#: state variables, monitors' share, Brian2's index arrays; measured on ping: ~150 B per
#: neuron and ~60 B per synapse, rounded up).
BYTES_PER_NEURON = 200
BYTES_PER_SYNAPSE = 80


#: The default of a parameter the caller must give (no default in the signature).
REQUIRED = inspect.Parameter.empty

#: Parameter kinds other than a physical unit.
KINDS = ("count", "number", "choice", "bool", "any")
_KIND_TYPES: dict[str, Any] = {
    "count": int,
    "number": float,
    "choice": str,
    "bool": bool,
    "any": Any,
}

_ONE_SIDED = re.compile(r"^(>=|>|<=|<)\s*(-?[\d.eE+-]+)$")
_INTERVAL = re.compile(r"^([\[(])\s*(-?[\d.eE+-]+)\s*,\s*(-?[\d.eE+-]+)\s*([\])])$")


@dataclass(frozen=True)
class Target:
    """Where a tunable value lives in a built circuit, named by handle.

    Attributes
    ----------
    handle : str
        A key of ``circuit.populations`` or ``circuit.synapses`` (``'E'``, ``'IE'``), or
        the handle of a :class:`~brian2.TimedArray` (``'nu_ext'``).  The circuit's
        objects are named ``f"{circuit.name}_{handle}"``; ``Circuit.run_values`` writes
        ``f"{circuit.name}_{handle}.{variable}"``.
    variable : str
        The variable (a ``(shared, constant)`` one, a synaptic ``w``), or ``'values'``
        for a TimedArray.
    convert : callable, optional
        ``convert(value, params) -> value`` for a value derived from the parameter
        (brunel: ``w = -g J``); ``params`` holds all the circuit's parameters.
    """

    handle: str
    variable: str = "values"
    convert: Callable[[Any, Mapping[str, Any]], Any] | None = None

    def resolve(self, prefix: str) -> str:
        """The compiled program's name of the target: ``'<prefix>_<handle>.<variable>'``."""
        return f"{prefix}_{self.handle}.{self.variable}"

    def value(self, value: Any, params: Mapping[str, Any]) -> Any:
        """The value written to the target."""
        return value if self.convert is None else self.convert(value, params)


def _parse_bounds(text):
    """``(low, low_open, high, high_open)`` of ``'> 0'``, ``'[0, 1]'``, ... (None: free)."""
    if text is None:
        return None, False, None, False
    text = text.strip()
    match = _ONE_SIDED.match(text)
    if match:
        relation, number = match.group(1), float(match.group(2))
        if relation.startswith(">"):
            return number, relation == ">", None, False
        return None, False, number, relation == "<"
    match = _INTERVAL.match(text)
    if match:
        return (
            float(match.group(2)),
            match.group(1) == "(",
            float(match.group(3)),
            (match.group(4) == ")"),
        )
    raise ValueError(f"Param bounds: cannot read {text!r}; write '> 0', '>= 0', '[0, 1]', ...")


def _number(text):
    value = float(text)
    return repr(int(value)) if value == int(value) else repr(value)


def _normalise_targets(target):
    if target is None:
        return ()
    if isinstance(target, Target):
        return (target,)
    if isinstance(target, tuple) and len(target) in (2, 3) and isinstance(target[0], str):
        return (Target(*target),)
    return tuple(t if isinstance(t, Target) else Target(*t) for t in target)


@dataclass(frozen=True)
class Param:
    """One parameter of a builder.

    Attributes
    ----------
    name : str
    default : object
        The default value (with units for a physical quantity); :data:`REQUIRED` for
        none (the caller must give it).
    unit : brian2.Unit or str
        The unit of a physical quantity, or a kind (:data:`KINDS`).
    bounds : str or None
        ``'> 0'``, ``'>= 0'``, ``'[0, 1]'``, ``'(0, 1]'``, ``'>= 4'`` ... (numbers in
        ``unit``); None: any value.
    meaning : str
        One line, shown by ``quifer-brian list``.
    tunable : bool
        A compiled program changes it between runs (``run_args``); otherwise it is
        structural (part of the build cache key).
    target : Target, (handle, variable) or a list of them
        Where a tunable value lives (required when ``tunable``).
    options : tuple
        The values of a ``'choice'``.
    optional : bool
        None is accepted too (a switched-off feature).
    hint : str
        A fix appended to the error messages (``"Use coupling=0*pA for none."``).
    shown_unit : str
        The unit column of an ``'any'`` parameter (``'Hz'`` for a frequency list).
    """

    name: str
    default: Any
    unit: Any
    bounds: str | None = None
    meaning: str = ""
    tunable: bool = False
    target: object = None
    options: tuple = ()
    optional: bool = False
    hint: str = ""
    shown_unit: str = ""
    _limits: tuple = field(init=False, repr=False, compare=False)

    def __post_init__(self):
        if isinstance(self.unit, str) and self.unit not in KINDS:
            raise ValueError(f"Param {self.name}: unknown kind {self.unit!r}; kinds: {KINDS}.")
        object.__setattr__(self, "target", _normalise_targets(self.target))
        object.__setattr__(self, "_limits", _parse_bounds(self.bounds))
        if self.tunable and not self.target:
            raise ValueError(f"Param {self.name}: a tunable parameter needs a target.")
        if self.target and not self.tunable:
            raise ValueError(f"Param {self.name}: a target is given but tunable is False.")

    @property
    def is_quantity(self) -> bool:
        return not isinstance(self.unit, str)

    @property
    def annotation(self) -> Any:
        """The type of the parameter's values, for the builder's signature."""
        kind = Quantity if self.is_quantity else _KIND_TYPES[self.unit]
        return kind | None if self.optional and kind is not Any else kind

    # ------------------------------------------------------------------ checks
    def check(self, value: Any, owner: str, error: type[QuiferError] = CircuitError) -> Any:
        """Return the checked value (counts as int, numbers as float); raise naming it.

        Raises
        ------
        UnitsError
            A quantity with other dimensions (or a plain number for a quantity).
        CircuitError (or ``error``)
            Any other invalid value, as ``'<owner>.<name>: <problem>; got <value>.'``.
        """
        if value is None and self.optional:
            return None
        kind = self.unit
        if kind == "any":
            return value
        if kind == "choice":
            return check_choice(self.name, value, self.options, owner=owner, error=error)
        if kind == "bool":
            if not isinstance(value, (bool, np.bool_)):
                self._fail(owner, "must be True or False", value, error)
            return bool(value)
        if kind == "count":
            minimum = int(self._limits[0]) + self._limits[1] if self._limits[0] is not None else 0
            maximum = MAX_COUNT
            if self._limits[2] is not None:
                maximum = int(self._limits[2]) - self._limits[3]
            return check_count(
                self.name, value, owner=owner, minimum=minimum, error=error, maximum=maximum
            )
        if kind == "number":
            if (
                isinstance(value, (bool, np.bool_))
                or not isinstance(value, numbers.Real)
                or not math.isfinite(value)
            ):
                self._fail(owner, "must be a finite real number", value, error)
            self._check_bounds(float(value), value, owner, error)
            return float(value)
        check_quantity(self.name, value, self.unit, owner=owner)
        if np.ndim(value) != 0:
            self._fail(owner, "must be a scalar quantity", value, error)
        number = float(np.asarray(value / self.unit))
        if not math.isfinite(number):
            self._fail(owner, "must be finite", value, error)
        self._check_bounds(number, value, owner, error)
        return value

    def _check_bounds(self, number, value, owner, error):
        low, low_open, high, high_open = self._limits
        too_low = low is not None and (number <= low if low_open else number < low)
        too_high = high is not None and (number >= high if high_open else number > high)
        if too_low or too_high:
            self._fail(owner, f"must be {self.allowed}", value, error)

    def _fail(self, owner, problem, value, error):
        raise error(owner=owner, argument=self.name, value=value, problem=problem, fix=self.hint)

    # ------------------------------------------------------------------ text
    @property
    def allowed(self) -> str:
        """What the bounds allow, in words: ``'>= 0'``, ``'a number in (0, 1]'``."""
        low, low_open, high, high_open = self._limits
        unit = f" {self.unit}" if self.is_quantity else ""  # bounds are in this unit
        if low is not None and high is not None:
            left, right = "(" if low_open else "[", ")" if high_open else "]"
            return f"a number in {left}{_number(low)}, {_number(high)}{right}{unit}"
        if low is not None:
            shown = _number(low) + ("" if low == 0 else unit)
            return f"{'>' if low_open else '>='} {shown}"
        if high is not None:
            shown = _number(high) + ("" if high == 0 else unit)
            return f"{'<' if high_open else '<='} {shown}"
        return "any value"

    @property
    def unit_text(self) -> str:
        """The unit column: ``'second'``, ``'amp'``, ``'1'`` (numbers), the kind otherwise."""
        if self.shown_unit:
            return self.shown_unit
        if self.is_quantity:
            return describe_unit(get_dimensions(self.unit))
        return {"count": "1", "number": "1"}.get(self.unit, "-")

    @property
    def bounds_text(self) -> str:
        """The bounds column: ``'> 0'``, ``'[0, 1]'``, the options of a choice, ``'-'``."""
        if self.unit == "choice":
            return "|".join(str(o) for o in self.options)
        if self.unit == "bool":
            return "True|False"
        text = self.bounds or "-"
        return f"{text} or None" if self.optional else text


class ParamTable:
    """The parameters of one builder, in signature order.

    Parameters
    ----------
    owner : str
        The builder's name; errors read ``'<owner>.<param>: ...'``.
    params : sequence of Param
    derived_tunable : tuple of str
        Values the builder derives from tunable parameters and stores in
        ``circuit.params`` (brunel's ``nu_ext`` follows ``eta``): tunable too, so never
        part of the structure (the build cache key).
    error : type
        The error class of invalid values (default :class:`CircuitError`).
    constraints : sequence of Constraint
        Relations between parameters, checked on the complete values.
    size : callable, optional
        ``size(values) -> (n_neurons, n_synapses)`` (expected numbers, from the checked
        complete values): the builder's call is refused when the memory they need
        (:data:`BYTES_PER_NEURON`, :data:`BYTES_PER_SYNAPSE`) exceeds the machine's.
    """

    def __init__(
        self,
        owner: str,
        params: Sequence[Param],
        derived_tunable: Sequence[str] = (),
        error: type[QuiferError] = CircuitError,
        constraints: Sequence[Constraint] = (),
        size: Callable[[Mapping[str, Any]], tuple[float, float]] | None = None,
    ) -> None:
        self.error = error
        self.owner = owner
        self.params = {param.name: param for param in params}
        if len(self.params) != len(params):
            raise ValueError(f"ParamTable {owner}: a parameter is declared twice.")
        self.derived_tunable = tuple(derived_tunable)
        self.constraints = tuple(constraints)
        for constraint in self.constraints:
            missing = {constraint.left, constraint.right} - set(self.params)
            if missing:
                raise ValueError(f"ParamTable {owner}: {constraint.text} names {missing}.")
        self.size = size

    def __repr__(self):
        return f"<ParamTable {self.owner}: {', '.join(self.params)}>"

    def __iter__(self):
        return iter(self.params.values())

    def __getitem__(self, name):
        return self.params[name]

    @property
    def names(self) -> tuple[str, ...]:
        """Every parameter name, in signature order."""
        return tuple(self.params)

    @property
    def tunable(self) -> tuple[str, ...]:
        """Names of the tunable parameters."""
        return tuple(p.name for p in self if p.tunable)

    @property
    def structural(self) -> tuple[str, ...]:
        """Names of the parameters a change of which needs a new build."""
        return tuple(p.name for p in self if not p.tunable)

    def defaults(self) -> dict[str, Any]:
        """``{name: default}`` in signature order."""
        return {p.name: p.default for p in self}

    # ------------------------------------------------------------------ checks
    def check(
        self, values: Mapping[str, Any], context: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        """Check ``values`` (a subset of the parameters) and return them checked.

        The constraints are checked on ``{**context, **values}`` (``context``: the other
        parameters' values, e.g. a circuit's ``params`` when some change).

        Raises
        ------
        CircuitError
            For an unknown name (listing the parameters) or an invalid value.
        UnitsError
            For a quantity with the wrong dimensions.
        """
        unknown = sorted(set(values) - set(self.params))
        if unknown:
            raise self.error(
                f"{self.owner}: unknown parameter(s) {', '.join(unknown)}; "
                f"{did_you_mean(unknown[0], self.params)}its parameters are: "
                f"{', '.join(self.params)}."
            )
        checked = {
            name: self.params[name].check(value, self.owner, self.error)
            for name, value in values.items()
        }
        self.check_constraints({**(context or {}), **checked})
        return checked

    def check_names(self, values: Mapping[str, Any]) -> None:
        """Refuse a keyword the table does not have, suggesting the closest names."""
        for name in values:
            if name not in self.params:
                raise ParameterNameError(
                    f"{self.owner}: no parameter {name!r}; {did_you_mean(name, self.params)}"
                    f"its parameters are: "
                    f"{', '.join(self.params)}."
                )

    def check_constraints(self, values: Mapping[str, Any]) -> None:
        """Raise for the first :class:`Constraint` that ``values`` break."""
        for constraint in self.constraints:
            constraint.check(values, self.owner, self.error)

    def check_size(self, values: Mapping[str, Any]) -> None:
        """Refuse complete ``values`` whose circuit would not fit in memory (see ``size``)."""
        if self.size is None:
            return
        n_neurons, n_synapses = self.size(values)
        n_bytes = n_neurons * BYTES_PER_NEURON + n_synapses * BYTES_PER_SYNAPSE
        what = f"{n_neurons:.3g} neurons and {n_synapses:.3g} synapses"
        check_memory(what, n_bytes, owner=self.owner, error=self.error)

    def signature(self, return_annotation: Any = inspect.Signature.empty) -> inspect.Signature:
        """An :class:`inspect.Signature` with every parameter, its type and its default."""
        kind = inspect.Parameter.POSITIONAL_OR_KEYWORD
        return inspect.Signature(
            [
                inspect.Parameter(p.name, kind, default=p.default, annotation=p.annotation)
                for p in self
            ],
            return_annotation=return_annotation,
        )

    def builder[R](self, function: Callable[..., R]) -> Callable[..., R]:
        """Decorator: ``function(**params)`` becomes a builder with the table's signature.

        The wrapper binds positional and keyword arguments to the table's signature
        (an unknown keyword is a :class:`~quifer_brian.errors.ParameterNameError`, a
        ``TypeError`` as for any Python function, naming the closest names), fills in
        the defaults, checks every value (:meth:`check`) and calls ``function`` with
        the checked values as keywords.  The builder gets ``__signature__`` (IDE help,
        ``inspect.signature``) and ``table``.
        """
        signature = self.signature(inspect.signature(function).return_annotation)

        @functools.wraps(function)
        def build(*args, **kwargs):
            self.check_names(kwargs)
            bound = signature.bind(*args, **kwargs)
            bound.apply_defaults()
            checked = self.check(bound.arguments)
            self.check_size(checked)
            return function(**checked)

        build.__signature__ = signature  # type: ignore[attr-defined]
        build.table = self  # type: ignore[attr-defined]
        return build

    # ------------------------------------------------------------------ run values
    def run_values(self, prefix: str, params: Mapping[str, Any]) -> dict[str, Any]:
        """``{"<prefix>_<handle>.<variable>": value}`` of every tunable target.

        ``params`` holds all the circuit's parameters (converters may read structural
        ones); values keep their units (the circuit turns them into SI floats).
        """
        values = {}
        for param in self:
            for target in param.target:
                values[target.resolve(prefix)] = target.value(params[param.name], params)
        return values

    # ------------------------------------------------------------------ listing
    def rows(self) -> list[tuple[Any, ...]]:
        """``(name, default, unit, bounds, tunable, meaning)`` rows for ``quifer-brian list``."""
        rows = []
        for p in self:
            shown = "(required)" if p.default is REQUIRED else format_value(p.default)[0]
            tunable = "yes" if p.tunable else "-"
            rows.append((p.name, shown, p.unit_text, p.bounds_text, tunable, p.meaning))
        return rows
