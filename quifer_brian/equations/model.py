"""The model object shared by neurons, synaptic currents and plasticity rules.

A model is an immutable, named bundle of equation text, event code and default
parameters with units.  It never runs anything itself: the subclasses in
:mod:`.neurons`, :mod:`.synapses` and :mod:`.plasticity` turn it into Brian2 objects
with the parameters placed in the objects' namespace.
"""

from dataclasses import dataclass, field, replace

from brian2 import Quantity

from ..checks import check_positive, check_quantity, describe_unit
from ..errors import ModelError

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
    """

    name: str
    default: object
    meaning: str
    positive: bool = False

    def check(self, value, owner):
        """Return ``value`` if it has this parameter's units (and sign); raise otherwise."""
        check_quantity(self.name, value, self.default, owner=owner)
        if self.positive:
            check_positive(self.name, value, owner=owner)
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
    kind: str = field(default="model", init=False)

    # ------------------------------------------------------------------ parameters
    @property
    def params(self):
        """Dict of the current parameter values, by name."""
        return {p.name: p.default for p in self.parameters}

    def _lookup(self, name):
        for parameter in self.parameters:
            if parameter.name == name:
                return parameter
        valid = ", ".join(p.name for p in self.parameters) or "(none)"
        raise ModelError(f"{self.name}: unknown parameter {name!r}; its parameters are {valid}.")

    def check_params(self, overrides):
        """Validate ``overrides`` (name -> value) against the declared parameters."""
        for name, value in overrides.items():
            self._lookup(name).check(value, owner=self.name)
        return overrides

    def namespace(self, **overrides):
        """Return the parameter values with ``overrides`` applied, after checking them."""
        self.check_params(overrides)
        values = self.params
        values.update(overrides)
        return values

    def with_params(self, **overrides):
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
        lines.append(f"Method: {self.method}")
        if self.reference:
            lines.append(f"Reference: {self.reference}")
        return "\n".join(lines)
