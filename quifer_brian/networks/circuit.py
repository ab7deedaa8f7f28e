"""Circuits: what a network builder returns.

A builder (``ping``, ``brunel``, ...) checks its parameters at once and returns a
:class:`Circuit`.  The Brian2 objects are created on first use -- ``circuit.network``,
``circuit.exc`` -- or by ``circuit.run(...)`` inside the backend it runs on (standalone
devices need every object created after the device is set).  The circuit adds the
standard monitors (spikes and population rate per population) and the LFP proxy, runs,
checks the run for NaN and silence, and returns a :class:`~quifer_brian.result.Result`.

To extend a circuit with your own Brian2 objects and run it on a standalone backend,
build it inside the session::

    with backend_session("cpp_standalone") as session:
        circuit = ping()
        circuit.network.add(my_monitor)      # created inside the session too
        result = circuit.run(1 * second, session=session)
"""

import logging
import time
from dataclasses import dataclass, field

import brian2
import numpy as np
from brian2 import (
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    amp,
    ms,
    second,
)
from brian2.utils.stringtools import get_identifiers, word_substitute

from .._version import __version__
from ..checks import check_quantity
from ..devices import STANDALONE, backend_session, build_owner
from ..errors import CircuitError, SimulationError
from ..io import quantity_to_json
from ..result import Result

__all__ = ["Circuit", "CircuitParts", "LfpSpec"]

logger = logging.getLogger("quifer_brian.networks")

#: Mazzoni et al. 2015 reference weighted sum: LFP(t) = sum_E |I_AMPA(t - 6 ms)| -
#: 1.65 sum_E |I_GABA(t)|.
MAZZONI_DELAY = 6 * ms
MAZZONI_ALPHA = 1.65


@dataclass(frozen=True)
class LfpSpec:
    """Which currents of which population make the LFP proxy.

    Attributes
    ----------
    population : str
        Population whose currents are summed (the pyramidal cells, ``'E'``).
    excitatory, inhibitory : str
        Expressions (in amperes) of that population's AMPA-like and GABA-like currents,
        e.g. ``'I_ampa + I_ampa_ext'`` and ``'I_gaba_a'``.
    delay : brian2.Quantity
        Delay of the excitatory term.
    alpha : float
        Weight of the inhibitory term.
    """

    population: str
    excitatory: str
    inhibitory: str
    delay: object = field(default_factory=lambda: MAZZONI_DELAY)
    alpha: float = MAZZONI_ALPHA


@dataclass
class CircuitParts:
    """The Brian2 objects a builder's construction function returns.

    Attributes
    ----------
    populations : dict of str -> NeuronGroup
        Named populations (``'E'``, ``'I'``, ...); spike and rate monitors are added.
    synapses : dict of str -> Synapses
    others : list
        Any further Brian2 objects (inputs, extra monitors).
    lfp : LfpSpec or None
    states : dict of str -> (object, str)
        Extra signals to record at ``fs``: name -> (group, variable); the signal is the
        variable's value in neuron 0 (use a one-neuron probe group for sums).
    """

    populations: dict
    synapses: dict = field(default_factory=dict)
    others: list = field(default_factory=list)
    lfp: LfpSpec | None = None
    states: dict = field(default_factory=dict)


class Circuit:
    """A network built from equations, with named handles and ``run``.

    Parameters
    ----------
    name : str
        The builder's name (``'ping'``).
    construct : callable
        ``construct(**params) -> CircuitParts``; creates the Brian2 objects.
    params : dict
        The builder's (checked) parameters.
    fs : brian2.Quantity
        Sampling rate of the LFP proxy and recorded states.

    Attributes
    ----------
    params : dict
        The parameters the circuit was built with.
    """

    def __init__(self, name, construct, params, fs=1000 / second):
        self.name = name
        self.params = dict(params)
        self.fs = fs
        self._construct = construct
        self._parts = None
        self._network = None
        self._monitors = None
        self._built_on = None  # where the objects live: see devices.build_owner

    # ---------------------------------------------------------------- handles
    def _ensure_built(self):
        owner = build_owner()
        if self._parts is None or self._built_on != owner:
            self._build(owner)
        return self

    def _build(self, owner):
        parts = self._construct(**self.params)
        monitors = {}
        for name, group in parts.populations.items():
            monitors[f"spikes_{name}"] = SpikeMonitor(group, name=f"{self.name}_spikes_{name}")
            monitors[f"rate_{name}"] = PopulationRateMonitor(group, name=f"{self.name}_rate_{name}")
        record_dt = 1 / self.fs
        if parts.lfp is not None:
            probe, summing = _lfp_probe(
                self.name, parts.populations[parts.lfp.population], parts.lfp
            )
            monitors["lfp"] = StateMonitor(
                probe, ["I_exc", "I_inh"], record=0, dt=record_dt, name=f"{self.name}_lfp"
            )
            parts.others.extend([probe, summing])
        for state, (group, variable) in parts.states.items():
            monitors[f"state_{state}"] = StateMonitor(
                group, variable, record=0, dt=record_dt, name=f"{self.name}_state_{state}"
            )
        objects = [*parts.populations.values(), *parts.synapses.values(), *parts.others]
        self._network = Network(*objects, *monitors.values(), name=f"{self.name}_network*")
        self._parts = parts
        self._monitors = monitors
        self._built_on = owner

    @property
    def network(self):
        """The :class:`brian2.Network` holding every object of the circuit."""
        return self._ensure_built()._network

    @property
    def populations(self):
        """Dict of the named populations (:class:`brian2.NeuronGroup`)."""
        return self._ensure_built()._parts.populations

    @property
    def synapses(self):
        """Dict of the named :class:`brian2.Synapses`."""
        return self._ensure_built()._parts.synapses

    @property
    def monitors(self):
        """Dict of the standard monitors (``spikes_E``, ``rate_E``, ``lfp``, ...)."""
        return self._ensure_built()._monitors

    @property
    def exc(self):
        """The excitatory population ``'E'``."""
        return self._population("E")

    @property
    def inh(self):
        """The inhibitory population ``'I'``."""
        return self._population("I")

    def _population(self, name):
        populations = self.populations
        if name not in populations:
            raise CircuitError(
                f"{self.name}: has no population {name!r}; its populations are {list(populations)}."
            )
        return populations[name]

    def __repr__(self):
        return f"<Circuit {self.name} {self.params}>"

    # ---------------------------------------------------------------- running
    def run(
        self,
        duration,
        backend="numpy",
        seed=None,
        progress=False,
        directory=None,
        session=None,
        check=True,
    ):
        """Simulate the circuit and return a :class:`~quifer_brian.result.Result`.

        Parameters
        ----------
        duration : brian2.Quantity (second)
        backend : {'numpy', 'cython', 'cpp_standalone', 'cuda_standalone'}
            Ignored when ``session`` is given.
        seed : int, optional
            Seed of Brian2's random numbers (same seed + same backend = same spikes).
        progress : bool
            Print progress while running (Brian2's text report every 10 s).
        directory : str, optional
            Standalone project folder (default: a fresh temporary one).
        session : BackendSession, optional
            Run inside an existing :func:`~quifer_brian.devices.backend_session` (the
            circuit must have been built in it: see the module docstring).
        check : bool
            Raise :class:`~quifer_brian.errors.SimulationError` on NaN or a silent run.

        Returns
        -------
        Result or None
            None when the session stops after generating or compiling the code.
        """
        check_quantity("duration", duration, second, owner=f"{self.name}.run")
        if float(duration / second) <= 0:
            raise CircuitError(f"{self.name}.run.duration: must be > 0; got {duration}.")
        if session is not None:
            return self._run_in(session, duration, seed, progress, check)
        if backend in STANDALONE and self._parts is not None and self._built_on == "runtime":
            self._refuse_extended()
        with backend_session(backend, directory=directory) as new_session:
            return self._run_in(new_session, duration, seed, progress, check)

    def _refuse_extended(self):
        known = set(self._network.objects)
        expected = {*self._parts.populations.values(), *self._parts.synapses.values()}
        expected |= set(self._parts.others) | set(self._monitors.values())
        extra = [obj.name for obj in known - expected]
        if extra:
            raise CircuitError(
                f"{self.name}.run: the circuit was extended with {extra} in runtime mode, "
                f"and standalone devices need every object created inside the session; "
                f"build and extend it inside `with backend_session(...) as session:` and "
                f"call run(..., session=session)."
            )

    def _run_in(self, session, duration, seed, progress, check):
        if seed is not None:
            # before building: connectivity and random initial values use the seed too
            brian2.seed(seed)
        self._ensure_built()
        start = time.perf_counter()
        session.run(
            self._network,
            duration,
            report="text" if progress else None,
            report_period=10 * second,
        )
        wall = time.perf_counter() - start
        if getattr(session, "stop_after", None) is not None:
            return None  # generated or compiled only: nothing ran, nothing to collect
        # A second run of a runtime circuit continues from where the first stopped (Brian2
        # semantics): the result covers the whole simulated time.
        result = self._collect(self._network.t, session.backend, seed, wall)
        if check:
            _check_result(self.name, result, self._parts)
        return result

    def rerun(self, session, run_args, seed=None, check=True):
        """Run the compiled standalone program again with new values, without recompiling.

        Parameters
        ----------
        session : BackendSession
            The standalone session the circuit was run in.
        run_args : dict
            ``{group.variable: value}`` (constants declared as variables, initial
            values); see ``brian2.device.run``.
        seed : int, optional
            Recorded in the result's metadata (the program's random stream is fixed at
            build time).
        check : bool
            As in :meth:`run`.

        Returns
        -------
        Result
        """
        start = time.perf_counter()
        session.rerun(run_args)
        wall = time.perf_counter() - start
        result = self._collect(self._network.t, session.backend, seed, wall)
        if check:
            _check_result(self.name, result, self._parts)
        return result

    def _collect(self, duration, backend, seed, wall):
        monitors = self._monitors
        spikes, sizes, rates = {}, {}, {}
        rate_dt = None
        for name, group in self._parts.populations.items():
            spike_monitor = monitors[f"spikes_{name}"]
            spikes[name] = (
                np.array(spike_monitor.t / second, dtype=float),
                np.array(spike_monitor.i[:], dtype=np.int32),  # a copy: the monitor's
                # memory goes away with the circuit
            )
            sizes[name] = len(group)
            rate_monitor = monitors[f"rate_{name}"]
            rates[name] = np.array(rate_monitor.rate / (1 / second), dtype=float)
            rate_dt = float(group.clock.dt / second)
        lfp = None
        if "lfp" in monitors:
            lfp = _mazzoni_lfp(monitors["lfp"], self._parts.lfp, self.fs)
        states = {
            name[len("state_") :]: np.array(getattr(m, m.record_variables[0])[0], dtype=float)
            for name, m in monitors.items()
            if name.startswith("state_")
        }
        return Result(
            spikes=spikes,
            sizes=sizes,
            duration=float(duration / second),
            rates=rates,
            rate_dt=rate_dt,
            lfp=lfp,
            fs=float(self.fs * second),
            states=states,
            params={k: quantity_to_json(v) for k, v in self.params.items()},
            meta={
                "circuit": self.name,
                "backend": backend,
                "seed": seed,
                "wall_time_s": wall,
                "versions": {
                    "quifer_brian": __version__,
                    "brian2": brian2.__version__,
                    "numpy": np.__version__,
                },
            },
        )


def _lfp_probe(circuit_name, population, spec):
    """A one-neuron group that sums |excitatory| and |inhibitory| currents of a population."""
    probe = NeuronGroup(
        1, "I_exc : amp\nI_inh : amp", name=f"{circuit_name}_lfp_probe", namespace={}
    )

    def presynaptic(expression):
        names = {n: f"{n}_pre" for n in get_identifiers(expression) if n in population.variables}
        return word_substitute(expression, names)

    summing = Synapses(
        population,
        probe,
        model=(
            f"I_exc_post = abs({presynaptic(spec.excitatory)}) : amp (summed)\n"
            f"I_inh_post = abs({presynaptic(spec.inhibitory)}) : amp (summed)"
        ),
        name=f"{circuit_name}_lfp_sum",
        # the currents are subexpressions of the population: they need its constants
        namespace=dict(population.namespace),
    )
    summing.connect()
    return probe, summing


def _mazzoni_lfp(monitor, spec, fs):
    excitatory = np.asarray(monitor.I_exc[0] / amp, dtype=float)
    inhibitory = np.asarray(monitor.I_inh[0] / amp, dtype=float)
    shift = round(float(spec.delay * fs))
    delayed = np.concatenate([np.full(shift, excitatory[0]), excitatory[: len(excitatory) - shift]])
    return delayed - spec.alpha * inhibitory


def _check_result(name, result, parts):
    if result.lfp is not None and not np.all(np.isfinite(result.lfp)):
        first = int(np.argmax(~np.isfinite(result.lfp)))
        raise SimulationError(
            f"{name}: the LFP proxy of population {parts.lfp.population!r} became NaN/inf at "
            f"t = {first / result.fs:.4f} s; the integration is unstable (reduce dt or "
            f"check the parameters)."
        )
    for population, group in parts.populations.items():
        v = np.asarray(group.v[:]) if "v" in group.variables else np.zeros(1)
        if not np.all(np.isfinite(v)):
            raise SimulationError(
                f"{name}: population {population!r} has NaN membrane potentials at the end "
                f"of the run (t = {result.duration:g} s); reduce dt or check the parameters."
            )
    silent = [p for p, (times, _) in result.spikes.items() if len(times) == 0]
    if len(silent) == len(result.spikes):
        raise SimulationError(
            f"{name}: no population fired a single spike in 0-{result.duration:g} s "
            f"({', '.join(silent)}); the drive is too weak or the network is broken."
        )
    for population in silent:
        logger.warning(
            "%s: population %r fired no spikes in 0-%g s.", name, population, result.duration
        )
