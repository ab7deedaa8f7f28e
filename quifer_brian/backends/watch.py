"""Physiological ranges watched during a run, in generated code (numpy and standalone).

A one-neuron *watch* group counts, every :data:`WATCH_DT` (or every step when the
populations' step is longer), the neurons of each population whose membrane potential
``v`` is beyond :data:`MAX_ABS_VOLTAGE` and, for each integrated conductance (a state
variable in siemens), those whose conductance is negative -- through a ``(summed)``
synaptic variable per population, like the LFP probe -- and keeps, per population and
variable, the first time it saw any.  Nothing is random and nothing feeds back: the
spikes of a run are the same with and without it.
:func:`~quifer_brian.backends.recording.assemble_result` reads the first times and
raises :class:`~quifer_brian.errors.SimulationError`.

Few code objects: a build compiles each one (~0.2 s), so the counts of all checks of a
population share one summed variable (count ``j`` weighted by ``2**(j*bits)``, with
``2**bits`` above the population's size: exact integers, decoded with ``%`` by powers of
two), and one ``run_regularly`` updates the first times of every population (one watch
group per watch interval).  For PING: five code objects instead of ten.
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

#: Bits of one summed count (:func:`_packs`): integers below 2**48 are exact in a double,
#: and 2**48 written in decimal keeps its 15 digits through Brian2's code generation.
_MAX_BITS = 48


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
            entry["key"]: (groups[entry["group"]], f"{entry['first']}_") for entry in self.entries
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


def _packs(checks, size):
    """Split ``checks`` into packs that one exact ``(summed)`` float can count together.

    Check ``j`` of a pack adds ``2**(j*bits)`` per neuron out of range, with ``2**bits >
    size``: no count carries into the next, and every sum stays an integer below
    :data:`_MAX_BITS` bits, exact in double precision whatever the order of the additions.
    """
    bits = max(1, int(size).bit_length())
    per_pack = max(1, _MAX_BITS // bits)
    return bits, [checks[k : k + per_pack] for k in range(0, len(checks), per_pack)]


def _count_code(var_name, checks, bits):
    """The summed variable of one pack: ``var_post = int(c0) + 2**bits*int(c1) ... ``."""
    terms = [f"{float(2 ** (j * bits))!r}*int({cond})" for j, (_, cond, _) in enumerate(checks)]
    return f"{var_name}_post = {' + '.join(terms)} : 1 (summed)"


def _seen_code(var_name, j, bits):
    """True when the ``j``-th count of the pack ``var_name`` is not zero.

    ``n % 2**((j+1)*bits)`` keeps counts ``0..j``; it is at least ``2**(j*bits)`` exactly
    when count ``j`` is not zero.  Powers of two: division and ``floor`` are exact.
    """
    return f"({var_name} % {float(2 ** ((j + 1) * bits))!r} >= {float(2 ** (j * bits))!r})"


def watch_ranges(circuit_name: str, populations: dict[str, Any]) -> "Watch":
    """A :class:`Watch` over ``populations`` (``{label: NeuronGroup}``).

    One watch group (one ``run_regularly``) per watch interval -- one for a circuit whose
    populations share their time step -- and one summing ``Synapses`` per population,
    whose one summed variable counts the neurons out of range for all its checks (a few
    packs for populations above ~10^5 neurons: :func:`_packs`).
    """
    watch = Watch()
    by_dt: dict[float, list] = {}
    for label, population in populations.items():
        checks = _watched(population)
        if checks:
            dt_s = max(float(population.clock.dt / second), WATCH_DT)
            by_dt.setdefault(dt_s, []).append((label, population, checks))
    for index, (dt_s, watched) in enumerate(by_dt.items()):
        name = f"{circuit_name}_watch" + (f"{index}" if index else "")
        counters, firsts, updates = [], [], []
        plans = []
        for label, population, checks in watched:
            bits, packs = _packs(checks, len(population))
            plans.append((label, population, bits, packs))
            for m, pack in enumerate(packs):
                counter = f"n_{label}_{m}"
                counters.append(f"{counter} : 1")
                for j, (var, _, _) in enumerate(pack):
                    first = f"t_{label}_{var}"
                    firsts.append(f"{first} : second")
                    # the first time any neuron is out of range (first < 0: not yet); no
                    # unit names: a run_regularly resolves them in the run's namespace
                    updates.append(
                        f"{first} = {first} + (t - {first})*int({_seen_code(counter, j, bits)})"
                        f"*int({first} < 0*t)"
                    )
        group = NeuronGroup(
            1, "\n".join(counters + firsts), dt=dt_s * second, namespace=dict(_UNITS), name=name
        )
        for line in firsts:
            setattr(group, line.split(" ")[0], -1 * second)
        group.run_regularly("\n".join(updates), dt=dt_s * second, when="end", name=f"{name}_first")
        watch.objects.append(group)
        for label, population, bits, packs in plans:
            counting = Synapses(
                population,
                group,
                model="\n".join(
                    _count_code(f"n_{label}_{m}", pack, bits) for m, pack in enumerate(packs)
                ),
                dt=dt_s * second,
                namespace=dict(_UNITS),
                name=f"{circuit_name}_watch_{label}",
            )
            counting.connect()
            watch.objects.append(counting)
            watch.entries.extend(
                {
                    "key": f"watch_{label}_{var}",
                    "group": name,
                    "population": label,
                    "variable": var,
                    "first": f"t_{label}_{var}",
                    "problem": problem,
                }
                for pack in packs
                for var, _, problem in pack
            )
    return watch
