"""Physiological ranges watched during a run, in generated code (numpy and standalone).

For each population, a one-neuron *watch* group counts, every :data:`WATCH_DT` (or every
step when the population's step is longer), the neurons whose membrane potential ``v``
is beyond :data:`MAX_ABS_VOLTAGE` and, for each integrated conductance (a state
variable in siemens), those whose conductance is negative -- through ``(summed)``
synaptic variables, like the LFP probe -- and keeps the first time it saw any.  Nothing
is random and nothing feeds back: the spikes of a run are the same with and without it.
:func:`~quifer_brian.backends.recording.assemble_result` reads the first times and
raises :class:`~quifer_brian.errors.SimulationError`.
"""

from dataclasses import dataclass, field
from typing import Any

from brian2 import NeuronGroup, Synapses, second, siemens, volt

__all__ = ["MAX_ABS_VOLTAGE", "WATCH_DT", "Watch", "watch_ranges"]

#: Largest ``|v|`` (V) a run may reach: membrane potentials live within about -0.1..0.06 V,
#: so beyond 1 V the integration has diverged.
MAX_ABS_VOLTAGE = 1.0

#: Interval of the watch (s): a divergence grows on and is seen within it.  On numpy the
#: watch costs ~8% of a PING run when it looks every 1 ms (profiled), ~2% every 5 ms.
WATCH_DT = 5e-3

_UNITS = {"second": second, "siemens": siemens, "volt": volt}


@dataclass
class Watch:
    """The Brian2 objects of the watch and what to read back.

    Attributes
    ----------
    objects : list
        Watch groups and their summing synapses (add them to the network).
    entries : list of dict
        JSON-able: ``key`` (recorded array: the first time, < 0 if never), ``population``,
        ``variable`` and ``problem`` (``'|v| > 1 V'``, ``'< 0 S'``).
    """

    objects: list = field(default_factory=list)
    entries: list = field(default_factory=list)

    def recorded(self) -> dict[str, tuple[Any, str]]:
        """``{key: (watch group, variable)}``: the first time of each watched range."""
        groups = {group.name: group for group in self.objects if isinstance(group, NeuronGroup)}
        return {
            entry["key"]: (groups[entry["group"]], f"t_{entry['variable']}_")
            for entry in self.entries
        }


def _watched(group):
    """``[(variable, condition on the presynaptic side, problem)]`` for one population."""
    checks = []
    variables = group.variables
    if "v" in variables and variables["v"].dim is volt.dim and not variables["v"].scalar:
        checks.append(
            ("v", f"abs(v_pre) > {MAX_ABS_VOLTAGE!r}*volt", f"|v| > {MAX_ABS_VOLTAGE:g} V")
        )
    for name in group.equations.diff_eq_names:
        if variables[name].dim is siemens.dim and not variables[name].scalar:
            checks.append((name, f"{name}_pre < 0*siemens", "< 0 S (a conductance)"))
    return checks


def watch_ranges(circuit_name: str, populations: dict[str, Any]) -> "Watch":
    """A :class:`Watch` over ``populations`` (``{label: NeuronGroup}``)."""
    watch = Watch()
    for label, population in populations.items():
        checks = _watched(population)
        if not checks:
            continue
        dt = max(float(population.clock.dt / second), WATCH_DT) * second
        name = f"{circuit_name}_watch_{label}"
        group = NeuronGroup(
            1,
            "\n".join(f"n_{var} : 1\nt_{var} : second" for var, _, _ in checks),
            dt=dt,
            namespace=dict(_UNITS),
            name=name,
        )
        for var, _, _ in checks:
            setattr(group, f"t_{var}", -1 * second)
        # the first time any neuron is out of range (t_var < 0: not yet); one code object
        # for all; no unit names: a run_regularly resolves them in the run's namespace
        group.run_regularly(
            "\n".join(
                f"t_{var} = t_{var} + (t - t_{var})*int(n_{var} > 0)*int(t_{var} < 0*t)"
                for var, _, _ in checks
            ),
            dt=dt,
            when="end",
            name=f"{name}_first",
        )
        counting = Synapses(
            population,
            group,
            model="\n".join(f"n_{var}_post = int({cond}) : 1 (summed)" for var, cond, _ in checks),
            dt=dt,
            namespace=dict(_UNITS),
            name=f"{name}_count",
        )
        counting.connect()
        watch.objects.extend([group, counting])
        watch.entries.extend(
            {
                "key": f"watch_{label}_{var}",
                "group": name,
                "population": label,
                "variable": var,
                "problem": problem,
            }
            for var, _, problem in checks
        )
    return watch
