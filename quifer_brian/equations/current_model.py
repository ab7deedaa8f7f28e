"""Input currents a neuron sums into ``I_in``: synaptic receptors and noise.

A current model is written once as a template with generic names (``g``, ``tau``, ``E``)
and attached to a neuron group under a *label*: Brian2's ``Equations`` substitution
renames every variable and parameter with the label as suffix (``g_ampa``,
``tau_ampa``), so two receptors of the same kind never collide.  A receptor also knows
what a presynaptic spike does (``on_pre``) and creates the ``Synapses`` that deliver it.
"""

from dataclasses import dataclass, field, replace
from typing import Any, Self

from brian2 import (
    Equations,
    NeuronGroup,
    Quantity,
    Synapses,
    get_dimensions,
    second,
    siemens,
)
from brian2.units.fundamentalunits import get_unit
from brian2.utils.stringtools import get_identifiers, word_substitute

from ..checks import check_finite, check_fraction, check_positive, check_quantity
from ..errors import ModelError
from .model import Model

__all__ = ["CurrentModel"]

_RESERVED = {"v", "t", "dt", "xi", "i", "j", "N", "exp", "log", "sqrt", "exprel", "clip"}


@dataclass(frozen=True)
class CurrentModel(Model):
    """A current attached to a neuron group (a receptor or a noise source).

    Parameters
    ----------
    output : str
        Name (in the template) of the current, in amperes, that enters ``I_in``.  Empty
        for models that act on another variable (the delta synapse).
    on_pre : str
        Template code run in the target at a presynaptic spike, e.g. ``'g += w'``.  The
        variables are renamed to the target's (``g_ampa_post``).
    label : str
        Suffix of the variables and parameters in the neuron group (default: the name).
    initial : tuple of (str, str)
        Initial values as ``(variable, expression)`` in template names.
    stochastic : bool
        True if the equations contain ``xi`` (the group then integrates with Euler).
    """

    output: str = "I"
    on_pre: str = ""
    label: str = ""
    initial: tuple[tuple[str, str], ...] = ()
    stochastic: bool = False
    kind: str = field(default="current", init=False)

    # ------------------------------------------------------------------ naming
    @property
    def suffix(self) -> str:
        """The label used as suffix of variables and parameters."""
        return self.label or self.name

    def labelled(self, label: str) -> Self:
        """Return the same model attached under another label (``'ampa_fast'``)."""
        if not label.isidentifier():
            raise ModelError(f"{self.name}.labelled: label must be an identifier; got {label!r}.")
        return replace(self, label=label)

    def _template_names(self):
        names = set(Equations(self.equations).names) if self.equations.strip() else set()
        names |= {p.name for p in self.parameters}
        if self.stochastic:
            names.add("xi")
        return names

    def _renamed(self, postfix=""):
        return {name: f"{name}_{self.suffix}{postfix}" for name in self._template_names()}

    @property
    def current_name(self) -> str:
        """Name of the current in the neuron group (``I_ampa``)."""
        return f"{self.output}_{self.suffix}"

    def _event_lines(self):
        lines = [f"Current into I_in: {self.output}_<label>"] if self.output else []
        if self.on_pre:
            lines.append(f"On presynaptic spike: {self.on_pre}")
        return lines

    # ------------------------------------------------------------------ neuron side
    def neuron_equations(self) -> Equations:
        """The template's equations with every name suffixed by the label."""
        return Equations(self.equations, **self._renamed())

    def neuron_namespace(self, **overrides: Any) -> dict[str, Any]:
        """The parameters, suffixed by the label, for the neuron group's namespace."""
        values = self.namespace(**overrides)
        return {f"{name}_{self.suffix}": value for name, value in values.items()}

    def initial_values(self) -> list[tuple[str, str]]:
        """Initial values as ``(variable, expression)`` in the neuron group's names."""
        renamed = self._renamed()
        return [(renamed[var], word_substitute(expr, renamed)) for var, expr in self.initial]

    # ------------------------------------------------------------------ synapse side
    def synapses(
        self,
        source: NeuronGroup,
        target: NeuronGroup,
        w: Quantity | float | str,
        p: float | str | None = None,
        condition: str | None = None,
        delay: Quantity | str | None = None,
        on: str | None = None,
        plasticity: Any = None,
        w_max: Quantity | float | None = None,
        name: str | None = None,
        method: str | None = None,
        **plasticity_params: Any,
    ) -> Synapses:
        """Connect ``source`` to ``target`` through this receptor and return the Synapses.

        Parameters
        ----------
        source, target : brian2.NeuronGroup
            The target must have been built with this model in ``currents=`` (except for
            models acting directly on a variable, such as ``delta``).
        w : brian2.Quantity or str
            Synaptic weight, in the units of the variable a spike increments (siemens for
            conductances, amperes for currents, volts for ``delta`` on ``v``), or a string
            expression.
        p, condition : float or str, optional
            Connection probability / condition as in ``Synapses.connect``; all-to-all if
            both are None.
        delay : brian2.Quantity or str, optional
            Transmission delay.
        on : str, optional
            Variable of the target that a spike increments, for ``delta`` (default ``'v'``).
        plasticity : PlasticityModel, optional
            A plasticity rule that changes ``w``; needs ``w_max``.
        w_max : brian2.Quantity, optional
            Upper weight bound for the plasticity rule (same units as ``w``).
        name : str, optional
            Brian2 name.
        **plasticity_params
            Overrides of the plasticity rule's parameters.
        """
        owner = f"{self.name}.synapses"
        on_pre = self._target_code(target, on, owner)
        variable = get_identifiers(on_pre.split("+=")[0]).pop()[: -len("_post")]
        weight = 1.0 * get_unit(target.variables[variable].dim)
        _check_connection(owner, w, weight, p, delay)
        model = f"w : {_unit_name(weight)}"
        on_post = ""
        namespace = {}
        if plasticity is not None:
            if w_max is None:
                raise ModelError(
                    f"{owner}: plasticity={plasticity.name} needs w_max, the upper weight "
                    f"bound in the units of w (e.g. w_max=2*nS); got None."
                )
            check_quantity("w_max", w_max, weight, owner=owner)
            check_positive("w_max", w_max, owner=owner)
            namespace = plasticity.namespace(**plasticity_params)
            namespace["w_max"] = w_max
            model += "\n" + plasticity.equations
            on_pre = plasticity.on_pre + "\n" + on_pre
            on_post = plasticity.on_post
        elif plasticity_params:
            raise ModelError(
                f"{owner}: got plasticity parameters {sorted(plasticity_params)} but "
                f"plasticity=None; pass plasticity=<model> or remove them."
            )
        synapses = Synapses(
            source,
            target,
            dt=target.clock.dt,
            model=model,
            on_pre=on_pre,
            on_post=on_post or None,
            delay=delay,
            namespace=namespace,
            method=method or (plasticity.method if plasticity is not None else "euler"),
            name=name or f"{self.suffix}*",
        )
        synapses.connect(condition=condition, p=1.0 if p is None else p)
        synapses.w = w
        return synapses

    def _target_code(self, target, on, owner):
        if not self.output:  # acts directly on a target variable (delta synapse)
            variable = on or "v"
            if variable not in target.variables:
                raise ModelError(
                    f"{owner}: on={variable!r} is not a variable of {target.name}; "
                    f"choose one of {sorted(k for k in target.variables if not k.startswith('_'))}."
                )
            return word_substitute(self.on_pre, {"x": f"{variable}_post"})
        if on is not None:
            raise ModelError(f"{owner}: on= is only for models without a current; got {on!r}.")
        renamed = self._renamed("_post")
        needed = renamed[self.on_pre.split("+=")[0].strip()][: -len("_post")]
        if needed not in target.variables:
            raise ModelError(
                f"{owner}: the target group {target.name!r} has no variable {needed!r}; "
                f"build it with currents=[..., {self.name}] (label {self.suffix!r})."
            )
        return word_substitute(self.on_pre, renamed)


def _check_connection(owner, w, weight, p, delay):
    """Units, finiteness and sign of ``w``; ``p`` in [0, 1]; ``delay`` a time >= 0.

    Strings are Brian2 expressions, evaluated per synapse: left to Brian2.  A weight in
    siemens is a peak conductance, which is never negative (the reversal potential makes
    a receptor inhibitory); weights in other units (currents, voltages) carry their sign.
    """
    if not isinstance(w, str):
        check_quantity("w", w, weight, owner=owner)
        check_finite("w", w, owner=owner)
        if get_dimensions(weight) == get_dimensions(siemens):
            check_positive("w", w, owner=owner, allow_zero=True)
    if p is not None and not isinstance(p, str):
        check_fraction("p", p, owner=owner, what="a connection probability")
    if delay is not None and not isinstance(delay, str):
        check_quantity("delay", delay, second, owner=owner)
        check_positive("delay", delay, owner=owner, allow_zero=True)


def _unit_name(quantity):
    return "1" if quantity.dim.is_dimensionless else repr(get_unit(quantity.dim))
