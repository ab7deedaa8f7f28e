"""Neuron models: equations with threshold, reset and refractoriness that build a NeuronGroup.

Every neuron model has a membrane potential ``v`` and two input currents in amperes:
``I_ext`` (a per-neuron parameter, e.g. a constant drive) and ``I_in`` (the sum of the
input currents attached with ``currents=``: synaptic receptors, noise).
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from brian2 import Equations, NeuronGroup, Quantity, get_dimensions

from ..checks import MAX_COUNT, check_count
from ..errors import ModelError, did_you_mean
from .current_model import CurrentModel
from .model import Model

__all__ = ["NeuronModel"]


@dataclass(frozen=True)
class NeuronModel(Model):
    """A neuron model.

    Parameters
    ----------
    threshold, reset : str
        Brian2 threshold condition and reset code.
    refractory : str or None
        Refractoriness: a parameter name (``'t_ref'``), a condition, or None.
    initial : tuple of (str, str)
        Initial values as ``(variable, expression)`` pairs, evaluated in the namespace.
    dt : brian2.Quantity, optional
        Time step the model needs (stiff Hodgkin-Huxley kinetics); used when ``group``
        is not given one.  None: the network's default clock.
    """

    threshold: str = ""
    reset: str = ""
    refractory: str | None = None
    initial: tuple[tuple[str, str], ...] = ()
    dt: object = None
    kind: str = field(default="neuron", init=False)

    def _event_lines(self):
        lines = [f"Threshold: {self.threshold}"]
        if self.reset:
            lines.append("Reset: " + "; ".join(s.strip() for s in self.reset.strip().splitlines()))
        if self.refractory:
            lines.append(f"Refractory: {self.refractory}")
        if self.initial:
            lines.append("Initial: " + ", ".join(f"{v} = {e}" for v, e in self.initial))
        if self.dt is not None:
            lines.append(f"Time step: {self.dt}")
        return lines

    def build_equations(
        self, currents: Sequence[CurrentModel] = (), as_variables: Sequence[str] = ()
    ) -> Equations:
        """Return the full :class:`brian2.Equations` of a group with ``currents`` attached.

        ``as_variables`` names parameters (of the model or of an attached current, with
        its label: ``'tau_gaba_a'``) that become shared constant variables of the group
        instead of namespace constants, so that a compiled standalone project can change
        them between runs (``run_args``) without recompiling.
        """
        names = [current.current_name for current in currents]
        equations = Equations(self.equations)
        if names and "I_in" not in equations.identifiers:
            raise ModelError(
                f"{self.name}.group: currents={[c.name for c in currents]} are summed into "
                f"I_in, but the equations of {self.name!r} never use I_in, so the currents "
                f"(and every synapse onto them) would be ignored. Add I_in to the membrane "
                f"equation, e.g. 'dv/dt = (... + I_ext + I_in)/C_m : volt'."
            )
        if len(set(names)) != len(names):
            raise ModelError(
                f"{self.name}.group: currents={[c.name for c in currents]} attach the same "
                f"current twice; give one of them another label with .labelled('...')."
            )
        for current in currents:
            equations += current.neuron_equations()
        total = " + ".join(names) if names else "0*amp"
        equations += Equations(f"I_in = {total} : amp")
        defaults = self._defaults(currents)
        for name in as_variables:
            _check_known(self.name, name, defaults)
            equations += Equations(f"{name} : {_unit_string(defaults[name])} (shared, constant)")
        return equations

    def _defaults(self, currents):
        values = self.params
        for current in currents:
            values.update(current.neuron_namespace())
        return values

    def group(
        self,
        n: int,
        name: str | None = None,
        currents: Sequence[CurrentModel] = (),
        method: str | None = None,
        dt: Quantity | None = None,
        as_variables: Sequence[str] = (),
        **params: Any,
    ) -> NeuronGroup:
        """Create a :class:`brian2.NeuronGroup` of ``n`` neurons of this model.

        Parameters
        ----------
        n : int
            Number of neurons (> 0).
        name : str, optional
            Brian2 name of the group.
        currents : sequence of CurrentModel
            Input currents (receptors, noise) summed into ``I_in``.  Their parameters
            enter the namespace with the current's label as suffix (``tau_ampa``).
        method : str, optional
            Integration method; default: the model's, or ``'euler'`` if a current is
            stochastic.
        dt : brian2.Quantity, optional
            Time step of the group's clock; default: the model's ``dt`` if it has one.
        as_variables : sequence of str
            Parameters of the model or of its currents (with the label: ``'tau_ampa'``)
            to declare as ``(shared, constant)`` variables (see :meth:`build_equations`).
        **params
            Parameter overrides (``tau_m=10*ms``), checked for units and sign.

        Returns
        -------
        brian2.NeuronGroup
            With the parameters in its namespace and initial values set.

        Examples
        --------
        >>> from brian2 import ms
        >>> from quifer_brian.equations import lif
        >>> group = lif.group(10, tau_m=10 * ms)
        >>> bool(group.namespace["tau_m"] == 10 * ms), len(group)
        (True, 10)
        """
        n = check_count("n", n, owner=f"{self.name}.group", maximum=MAX_COUNT)
        namespace = self.namespace(**params)
        for current in currents:
            namespace.update(current.neuron_namespace())
        as_variables = tuple(as_variables)
        for variable in as_variables:
            _check_known(self.name, variable, namespace)
        if method is None:
            method = self.method
            if any(getattr(c, "stochastic", False) for c in currents):
                method = "euler"
            elif method == "exact" and currents:
                # Conductances make the membrane equation time-varying in v (no exact
                # solution); the exact solution with current kernels divides by
                # (tau_m - tau_syn), which is NaN when the two are equal.
                method = "euler"
        group = NeuronGroup(
            n,
            self.build_equations(currents, as_variables),
            threshold=self.threshold or None,
            reset=self.reset or None,
            refractory=self.refractory or False,
            method=method,
            namespace={k: v for k, v in namespace.items() if k not in as_variables},
            name=name or f"{self.name}*",
            dt=dt if dt is not None else self.dt,
        )
        for variable in as_variables:
            _assign(group, variable, namespace[variable])
        for variable, expression in self.initial:
            _assign(group, variable, expression)
        for current in currents:
            for variable, expression in current.initial_values():
                _assign(group, variable, expression)
        return group


def _check_known(owner, name, parameters):
    if name not in parameters:
        raise ModelError(
            f"{owner}.group.as_variables: unknown parameter {name!r}; "
            f"{did_you_mean(name, parameters)}the parameters of "
            f"the model and its currents are {', '.join(sorted(parameters))}."
        )


def _assign(group, variable, value):
    # Brian2 resolves names in string expressions from the calling frame too; this
    # frame holds nothing a model could mistake for one of its own names.
    setattr(group, variable, value)


def _unit_string(value):
    """Brian2 unit string for the dimensions of ``value`` ('1' for dimensionless)."""
    dimensions = get_dimensions(value)
    if dimensions.is_dimensionless:
        return "1"
    from brian2.units.fundamentalunits import get_unit

    return repr(get_unit(dimensions))
