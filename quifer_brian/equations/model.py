"""The model object shared by neurons, synaptic currents and plasticity rules.

A model is an immutable, named bundle of equation text, event code and default
parameters with units.  It never runs anything itself: the subclasses in
:mod:`.neurons`, :mod:`.synapses` and :mod:`.plasticity` turn it into Brian2 objects
with the parameters placed in the objects' namespace.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from dataclasses import fields as fields_of
from typing import Any, Self

from brian2 import Equations, Quantity, get_dimensions
from brian2.equations.equations import EquationError

from ..checks import Constraint, check_finite, check_positive, check_quantity, describe_unit
from ..errors import ModelError, did_you_mean

__all__ = ["Model", "Parameter"]


@dataclass(frozen=True)
class Parameter:
    """One model parameter: its default value (with units) and what it means.

    Parameters
    ----------
    name : str
        The symbol used inside the equation strings.
    default : brian2.Quantity or float
        Default value; its dimensions are the parameter's dimensions.
    meaning : str
        One line saying what the parameter is.
    positive : bool
        If True, values <= 0 are refused (time constants, capacitances, ...).
    nonnegative : bool
        If True, values < 0 are refused (rates, spreads, ...).

    Every value must be finite (NaN and inf are refused).
    """

    name: str
    default: object
    meaning: str
    positive: bool = False
    nonnegative: bool = False

    def check(self, value: Any, owner: str) -> None:
        """Return ``value`` if it has this parameter's units, is finite and has its sign."""
        check_quantity(self.name, value, self.default, owner=owner)
        check_finite(self.name, value, owner=owner)
        if self.positive or self.nonnegative:
            check_positive(self.name, value, owner=owner, allow_zero=not self.positive)
        return value


def _format_value(value):
    if isinstance(value, Quantity):
        return str(value.in_best_unit() if hasattr(value, "in_best_unit") else value)
    return repr(value)


@dataclass(frozen=True)
class Model:
    """Base class of every model: equations, parameters, method and reference.

    Subclasses add their event code (threshold / reset, on_pre / on_post) and the method
    that creates Brian2 objects.  ``print(model)`` shows everything needed to copy the
    model into a plain Brian2 script.
    """

    name: str
    description: str
    equations: str
    parameters: tuple[Parameter, ...]
    method: str = "euler"
    reference: str = ""
    constraints: tuple[Constraint, ...] = ()
    kind: str = field(default="model", init=False)

    # ------------------------------------------------------------------ parameters
    @property
    def params(self) -> dict[str, Any]:
        """Dict of the current parameter values, by name."""
        return {p.name: p.default for p in self.parameters}

    def _lookup(self, name):
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        valid = ", ".join(p.name for p in self.parameters) or "(none)"
        hint = did_you_mean(name, [p.name for p in self.parameters])
        raise ModelError(
            f"{self.name}: unknown parameter {name!r}; {hint}its parameters are {valid}."
        )

    def check_params(self, overrides: Mapping[str, Any]) -> Mapping[str, Any]:
        """Validate ``overrides`` (name -> value) against the declared parameters.

        Each value is checked for units, finiteness and sign, and the model's
        :attr:`constraints` (``V_reset < V_th``) on the values with the overrides.
        """
        for name, value in overrides.items():
            self._lookup(name).check(value, owner=self.name)
        values = {**self.params, **overrides}
        for constraint in self.constraints:
            constraint.check(values, self.name, ModelError)
        return overrides

    def namespace(self, **overrides: Any) -> dict[str, Any]:
        """Return the parameter values with ``overrides`` applied, after checking them."""
        self.check_params(overrides)
        values = self.params
        values.update(overrides)
        return values

    def with_params(self, **overrides: Any) -> Self:
        """Return a new model whose defaults are replaced by ``overrides``.

        Examples
        --------
        >>> from brian2 import ms
        >>> from quifer_brian.equations import lif
        >>> fast = lif.with_params(tau_m=10 * ms)
        >>> bool(fast.params["tau_m"] == 10 * ms), bool(lif.params["tau_m"] == 20 * ms)
        (True, True)
        """
        self.check_params(overrides)
        parameters = tuple(
            replace(p, default=overrides[p.name]) if p.name in overrides else p
            for p in self.parameters
        )
        return replace(self, parameters=parameters)

    def extended(
        self, name: str, equations: str = "", parameters: Sequence[Parameter] = (), **fields: Any
    ) -> Self:
        """Return a new model ``name``: this one with more equations and parameters.

        The way to derive a variant from a library model (a neuron that carries more
        variables, a resource with its own time constant) without copying it.

        Parameters
        ----------
        name : str
            Name of the new model (an identifier other than this model's).
        equations : str
            Equation lines appended to this model's equations (new variables only: a
            variable of this model cannot be defined again).
        parameters : sequence of Parameter
            Added to this model's parameters; one with the name of an existing parameter
            replaces it (default, meaning, sign) and must keep its units.
        **fields
            Other fields of the model to replace: ``description``, ``method``,
            ``reference`` and the subclass's (``reset``, ``initial``, ``on_pre``, ...).

        Returns
        -------
        Model
            Of the same class; this model is unchanged.

        Raises
        ------
        ModelError
            For a bad name, equations that do not parse or define a variable again, an
            object that is not a :class:`Parameter`, a parameter given twice or in other
            units than the one it replaces, or an unknown field.

        Examples
        --------
        >>> from brian2 import ms
        >>> from quifer_brian.equations import Parameter, lif
        >>> slow = lif.extended(
        ...     "lif_adapting",
        ...     "dw_a/dt = -w_a/tau_a : amp",
        ...     (Parameter("tau_a", 100 * ms, "adaptation time", positive=True),),
        ...     reset="v = V_reset\\nw_a += 10*pA",
        ... )
        >>> slow.params["tau_a"], "tau_a" in lif.params, slow.reset
        (100. * msecond, False, 'v = V_reset\\nw_a += 10*pA')
        """
        owner = f"{self.name}.extended"
        if not isinstance(name, str) or not name.isidentifier() or name == self.name:
            raise ModelError(
                f"{owner}.name: must be an identifier other than {self.name!r}; got {name!r}. "
                f"Name the variant after what it adds ('{self.name}_adapting')."
            )
        if not isinstance(equations, str):
            raise ModelError(
                f"{owner}.equations: must be a string of Brian2 equation lines; got {equations!r}."
            )
        combined = self.equations + "\n" + equations if equations.strip() else self.equations
        try:
            Equations(combined)
        except (EquationError, ValueError, SyntaxError) as err:
            raise ModelError(
                f"{owner}.equations: not equations that extend {self.name}'s ({err}); "
                f"got {equations!r}. Write new variables in Brian2 syntax, one per line "
                f"('x : 1'), without redefining {self.name}'s."
            ) from err
        merged = {p.name: p for p in self.parameters}
        given = set()
        for parameter in parameters:
            if not isinstance(parameter, Parameter):
                raise ModelError(
                    f"{owner}.parameters: must be Parameter objects; got {parameter!r}. "
                    f"Write Parameter(name, default, meaning)."
                )
            if parameter.name in given:
                raise ModelError(
                    f"{owner}.parameters: {parameter.name!r} is given twice; got "
                    f"{[p.name for p in parameters]}. Keep one."
                )
            given.add(parameter.name)
            if parameter.name in merged:
                old = merged[parameter.name]
                if get_dimensions(parameter.default) != get_dimensions(old.default):
                    raise ModelError(
                        f"{owner}.parameters: {parameter.name!r} replaces a parameter in "
                        f"{describe_unit(get_dimensions(old.default))}; got "
                        f"{parameter.default!r}. Keep its units or choose a new name."
                    )
            merged[parameter.name] = parameter
        reserved = {"name", "equations", "parameters", "kind"}
        allowed = sorted(f.name for f in fields_of(self) if f.init and f.name not in reserved)
        unknown = sorted(set(fields) - set(allowed))
        if unknown:
            raise ModelError(
                f"{owner}: unknown field(s) {', '.join(unknown)}; got "
                f"{ {k: fields[k] for k in unknown} }. The fields of a "
                f"{type(self).__name__} are {', '.join(allowed)}."
            )
        return replace(
            self, name=name, equations=combined, parameters=tuple(merged.values()), **fields
        )

    # ------------------------------------------------------------------ display
    def _event_lines(self):
        return []

    def __str__(self):
        lines = [f"{self.name} ({self.kind}): {self.description}", "Equations:"]
        lines += [f"    {line.strip()}" for line in self.equations.strip().splitlines()]
        lines += self._event_lines()
        lines.append("Parameters:")
        width = max((len(p.name) for p in self.parameters), default=0)
        for p in self.parameters:
            value = _format_value(p.default)
            unit = describe_unit(p.default.dim) if isinstance(p.default, Quantity) else "1"
            lines.append(f"    {p.name:<{width}} = {value:<14} [{unit}]  {p.meaning}")
        if self.constraints:
            lines.append("Constraints: " + ", ".join(c.text for c in self.constraints))
        lines.append(f"Method: {self.method}")
        if self.reference:
            lines.append(f"Reference: {self.reference}")
        return "\n".join(lines)
