"""Circuits: what a network builder returns.

A builder (``ping``, ``brunel``, ...) checks its parameters at once and returns a
:class:`Circuit`.  The Brian2 objects are created on first use -- ``circuit.network``,
``circuit.exc`` -- or by ``circuit.run(...)`` inside the backend it runs on (standalone
devices need every object created after the device is set).  The circuit adds the
standard monitors (spikes and population rate per population) and the LFP proxy, runs,
checks the run for NaN and silence, and returns a :class:`~quifer_brian.results.Result`.

To extend a circuit with your own Brian2 objects and run it on a standalone backend,
build it inside the session::

    with backend_session("cpp_standalone") as session:
        circuit = ping()
        circuit.build(seed=1)                # the objects, created under the seed
        circuit.network.add(my_monitor)      # created inside the session too
        result = circuit.run(1 * second, session=session, seed=1)

Same seed, same spikes: ``run(seed=...)`` creates the objects under its seed.  Objects
created earlier by touching a handle (``circuit.exc``) drew their random connectivity
from whatever random state was current, so ``run`` with a seed refuses them; create them
with :meth:`Circuit.build` and the same seed instead.

Ctrl-C during a run on numpy or cython stops it after the current time step and raises
:class:`~quifer_brian.errors.RunInterrupted` holding the result simulated so far, marked
``meta['complete'] = False`` with the requested and simulated durations.  Every result
records ``complete``, ``requested_duration_s`` and ``simulated_duration_s``.
"""

import contextlib
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Self, cast

import brian2
import numpy as np
from brian2 import (
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    Quantity,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    second,
)
from brian2.devices.device import RuntimeDevice
from brian2.utils.stringtools import get_identifiers, word_substitute

from ..analysis.lfp import MAZZONI_ALPHA, MAZZONI_DELAY_S
from ..backends import (
    BackendSession,
    BuildCache,
    CompiledProgram,
    assemble_result,
    backend_session,
    build_owner,
    check_steps,
    describe_program,
    is_standalone,
    preserved_random_state,
    read_recorded,
    run_cached,
    watch_ranges,
)
from ..checks import check_duration, check_memory, check_seed
from ..errors import CircuitError, RunInterrupted
from ..results import Result
from ..units import quantity_to_json

__all__ = ["Circuit", "CircuitParts", "LfpSpec"]

#: Mazzoni et al. 2015 reference weighted sum: ``LFP(t) = sum_E |I_AMPA(t - 6 ms)|
#: - 1.65 sum_E |I_GABA(t)|`` (see :mod:`quifer_brian.analysis.lfp`).
MAZZONI_DELAY = MAZZONI_DELAY_S * second


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


def _default_clock_anchor(name, objects):
    """``[group]`` on the default clock for brian2cuda when no object runs on it, else ``[]``.

    brian2cuda 1.0b1's synaptic propagation with a scalar delay reads
    ``defaultclock.timestep``, which its generated code declares only when some object
    runs on the default clock: a circuit whose objects all have their own ``dt`` fails
    to compile ("identifier defaultclock is undefined").  An empty group on the default
    clock declares it.
    """
    if type(brian2.get_device()).__name__ != "CUDAStandaloneDevice":
        return []
    if any(obj.clock is brian2.defaultclock for obj in objects):
        return []
    return [brian2.NeuronGroup(1, "", name=f"{name}_defaultclock_anchor")]


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
    tunable : callable, optional
        Without ``table`` only: ``tunable(**params) -> {"group.variable": value}``,
        where the parameters that a compiled standalone program can change between runs
        (``run_args``) live (the actualization loop's form).  The builder must declare
        those values as variables (not namespace constants) and use them only in
        equations (not in initial values).
    tunable_params : tuple of str
        Without ``table`` only: the parameters ``tunable`` covers; every other
        parameter is *structural*: a change builds a new program.
    table : ParamTable, optional
        The builder's parameter table (:mod:`quifer_brian.networks.params`): its
        tunable parameters and their targets (handles of this circuit's populations,
        synapses and TimedArrays) replace ``tunable`` and ``tunable_params``.
    lfp_delay : brian2.Quantity, optional
        The delay of the LFP proxy's excitatory term, for a circuit that records one
        (``MAZZONI_DELAY``): ``run`` refuses a duration shorter than it plus one sample
        before building anything.  (A circuit that does not declare it learns it when
        it is built.)

    Attributes
    ----------
    params : dict
        The parameters the circuit was built with.
    tunable_params : tuple of str
    table : ParamTable or None
    """

    def __init__(
        self,
        name: str,
        construct: Callable[..., CircuitParts],
        params: dict[str, Any],
        fs: Quantity = 1000 / second,
        tunable: Callable[..., dict[str, Any]] | None = None,
        tunable_params: Sequence[str] = (),
        table: Any = None,
        lfp_delay: Quantity | None = None,
    ) -> None:
        if table is not None and (tunable is not None or tunable_params):
            raise CircuitError(
                f"{name}: give either a parameter table or tunable/tunable_params, not both."
            )
        self.name = name
        self.params = dict(params)
        self.fs = fs
        self.lfp_delay = lfp_delay
        self.table = table
        if table is not None:
            tunable_params = (*table.tunable, *table.derived_tunable)
        self.tunable_params = tuple(tunable_params)
        self._tunable = tunable
        self._construct = construct
        # created on first use (build, run, a handle): CircuitParts, Network, monitors
        self._parts: Any = None
        self._network: Any = None
        self._monitors: Any = None
        self._built_on = None  # where the objects live: see devices.build_owner
        self._built_seed = None  # the seed the objects were created under (None: unknown)
        self._stream = None  # random state after build(seed=...) or the last run
        self._built_target = None  # the runtime code target the objects were created for

    # ---------------------------------------------------------------- handles
    def _ensure_built(self):
        owner = build_owner()
        if self._parts is None or self._built_on != owner:
            self._build(owner)
        return self

    def release_objects(self) -> None:
        """Drop Brian2 objects that belong to a standalone session that has ended.

        They cannot run any more (the next use builds new ones), but while they live
        they hold their names, and Brian2 would name the next objects ``..._1``: the
        build cache calls this after a compile so that every structure of a circuit
        generates the same names, and thus code it can reuse.  Objects of the current
        device context are kept.
        """
        if self._parts is not None and self._built_on != build_owner():
            self._parts = self._network = self._monitors = None
            self._built_on = None
            self._watch = None

    def build(self, seed: int | None = None, backend: str = "numpy") -> Self:
        """Create the Brian2 objects now, under ``seed``; return the circuit.

        For extending the circuit before a seeded run: ``run(seed=s)`` keeps objects
        created by ``build(seed=s)`` and gives the same spikes as a run that never
        touched them (the random stream goes on from where the build left it).

        Parameters
        ----------
        seed : int, optional
            Seed of the random connectivity and initial values (numpy's global random
            state is put back afterwards).
        backend : {'numpy', 'cython'}
            The runtime backend the circuit will run on (its connectivity code draws
            random numbers differently).  Inside a standalone session the objects
            belong to the session's device and ``backend`` is not used.

        Raises
        ------
        CircuitError
            If the objects already exist here under another seed or an unknown one
            (a handle was touched first): make a new circuit.
        """
        owner = build_owner()
        if self._parts is not None and self._built_on == owner:
            if seed is not None and seed == self._built_seed:
                return self
            raise CircuitError(
                f"{self.name}.build(seed={seed!r}): the circuit's objects already exist "
                f"(created under {_seed_text(self._built_seed)}); build a new circuit "
                f"with the same builder instead."
            )
        runtime = owner == "runtime"
        if runtime and is_standalone(backend):
            raise CircuitError(
                f"{self.name}.build.backend: {backend!r} needs its session: build inside "
                f"`with backend_session({backend!r}) as session:`; outside one, give "
                f"'numpy' or 'cython'."
            )
        session = backend_session(backend) if runtime else contextlib.nullcontext()
        with session, preserved_random_state():
            if seed is not None:
                brian2.seed(seed)
            self._build(owner, seed)
            self._stream = _random_state() if seed is not None else None
        return self

    def _build(self, owner, seed=None):
        self._built_seed = seed
        self._built_target = brian2.prefs.codegen.target if owner == "runtime" else None
        self._stream = None
        parts = self._construct(**self.params)
        # before any code is generated: a step the dynamics cannot carry is refused
        check_steps({**parts.populations, **parts.synapses, **_named(parts.others)}, self.name)
        monitors = {}
        for name, group in parts.populations.items():
            monitors[f"spikes_{name}"] = SpikeMonitor(group, name=f"{self.name}_spikes_{name}")
            monitors[f"rate_{name}"] = PopulationRateMonitor(group, name=f"{self.name}_rate_{name}")
        record_dt = 1 / self.fs
        if parts.lfp is not None:
            self.lfp_delay = max(parts.lfp.delay, self.lfp_delay or 0 * second)
            probe, summing = _lfp_probe(
                self.name, parts.populations[parts.lfp.population], parts.lfp, record_dt
            )
            monitors["lfp"] = StateMonitor(
                probe,
                ["I_exc", "I_inh"],
                record=0,
                dt=record_dt,
                when="after_groups",  # the sums of this very step (see _lfp_probe)
                name=f"{self.name}_lfp",
            )
            parts.others.extend([probe, summing])
        self._watch = watch_ranges(self.name, parts.populations)  # |v|, g < 0 during the run
        parts.others.extend(self._watch.objects)
        for state, (group, variable) in parts.states.items():
            monitors[f"state_{state}"] = StateMonitor(
                group, variable, record=0, dt=record_dt, name=f"{self.name}_state_{state}"
            )
        objects = [*parts.populations.values(), *parts.synapses.values(), *parts.others]
        objects.extend(_default_clock_anchor(self.name, objects))
        self._network = Network(*objects, *monitors.values(), name=f"{self.name}_network*")
        self._parts = parts
        self._monitors = monitors
        self._built_on = owner

    @property
    def network(self) -> Network:
        """The :class:`brian2.Network` holding every object of the circuit."""
        return self._ensure_built()._network

    @property
    def populations(self) -> dict[str, NeuronGroup]:
        """Dict of the named populations (:class:`brian2.NeuronGroup`)."""
        return self._ensure_built()._parts.populations

    @property
    def synapses(self) -> dict[str, Synapses]:
        """Dict of the named :class:`brian2.Synapses`."""
        return self._ensure_built()._parts.synapses

    @property
    def monitors(self) -> dict[str, Any]:
        """Dict of the standard monitors (``spikes_E``, ``rate_E``, ``lfp``, ...)."""
        return self._ensure_built()._monitors

    @property
    def exc(self) -> NeuronGroup:
        """The excitatory population ``'E'``."""
        return self._population("E")

    @property
    def inh(self) -> NeuronGroup:
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

    # ---------------------------------------------------------------- run-time values
    @property
    def structure_params(self) -> dict[str, Any]:
        """The parameters a compiled program cannot change: ``params`` less the tunable."""
        return {k: v for k, v in self.params.items() if k not in self.tunable_params}

    def run_values(self, **changes: Any) -> dict[str, Any]:
        """Values of the tunable parameters as ``{"group.variable": SI float}``.

        Parameters
        ----------
        **changes
            New values of tunable parameters (checked by the builder's table); the others
            keep their values in :attr:`params`.

        Returns
        -------
        dict of str -> float or 1-D ndarray
            What a compiled standalone program of this circuit takes as ``run_args``
            (an array sets a per-neuron or per-synapse variable element by element).
            With a table, each target's handle names the object ``f"{name}_{handle}"``
            (no build needed; tests check the names against the built objects).

        Raises
        ------
        CircuitError
            For a structural or unknown parameter (a change needs a new build).
        """
        tunable = self.table.tunable if self.table is not None else self.tunable_params
        fixed = sorted(set(changes) - set(tunable))
        if fixed:
            raise CircuitError(
                f"{self.name}.run_values: {', '.join(fixed)} cannot change without a new "
                f"build; the tunable parameters are: {', '.join(tunable) or '(none)'}."
            )
        if self.table is not None:
            changes = self.table.check(changes)
            values = self.table.run_values(self.name, {**self.params, **changes})
        elif self._tunable is None:
            return {}
        else:
            values = self._tunable(**{**self.params, **changes})
        return {name: _si_value(value) for name, value in values.items()}

    # ---------------------------------------------------------------- running
    def run(
        self,
        duration: Quantity,
        backend: str = "numpy",
        seed: int | None = None,
        progress: bool = False,
        directory: str | None = None,
        session: BackendSession | None = None,
        check: bool = True,
        cache: bool | str | BuildCache | None = None,
    ) -> Result | None:
        """Simulate the circuit and return a :class:`~quifer_brian.results.Result`.

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
            Run inside an existing :func:`~quifer_brian.backends.backend_session` (the
            circuit must have been built in it: see the module docstring).
        check : bool
            Raise :class:`~quifer_brian.errors.SimulationError` on NaN or a silent run.
        cache : bool, str or BuildCache, optional
            cpp_standalone only: run a compiled program kept in a
            :class:`~quifer_brian.backends.BuildCache` (True: the default folder),
            compiling it only if this structure has not been compiled before.  Same
            seed and parameters give the same spikes as a run without the cache.

        Returns
        -------
        Result or None
            None when the session stops after generating or compiling the code.
            ``meta`` records ``complete`` (True), ``requested_duration_s`` and
            ``simulated_duration_s``.

        Raises
        ------
        CircuitError
            For a seed given to a circuit whose objects were created, before any run,
            under another random state (see :meth:`build`).
        RunInterrupted
            On Ctrl-C.  numpy/cython: the run stops after the current time step and
            ``err.result`` is what was simulated, ``meta['complete'] = False``.
            Standalone: the program is killed and nothing is read back.
        """
        self._check_run(duration, seed)
        if cache not in (None, False):
            return self._run_cached(
                duration, backend, seed, progress, directory, session, check, cache
            )
        if session is not None:
            return self._run_in(session, duration, seed, progress, check)
        if is_standalone(backend) and self._parts is not None and self._built_on == "runtime":
            self._refuse_extended()
        with backend_session(backend, directory=directory) as new_session:
            return self._run_in(new_session, duration, seed, progress, check)

    def _check_run(self, duration, seed):
        """Refuse a seed outside [0, 2**32 - 1] and a duration that is not finite or
        shorter than one sample (plus the LFP delay where there is an LFP)."""
        owner = f"{self.name}.run"
        check_seed("seed", seed, owner=owner, error=CircuitError)
        shortest, why = 1 / self.fs, f"one sample at {self.fs}"
        if self.lfp_delay is not None:
            shortest += self.lfp_delay
            why = f"the LFP delay {self.lfp_delay} plus {why}"
        check_duration("duration", duration, owner, shortest, why, error=CircuitError)
        # a lower bound of what the run records (every signal is sampled at fs or finer):
        # a duration whose recording cannot fit is refused before anything is built
        samples = float(duration * self.fs)
        check_memory(
            f"duration={duration}, recorded at {self.fs} or finer ({samples:.3g} samples "
            "per signal),",
            8 * samples,
            owner=owner,
            error=CircuitError,
            fix="Run for a shorter duration.",
        )

    def _run_cached(self, duration, backend, seed, progress, directory, session, check, cache):
        if backend != "cpp_standalone" or session is not None or directory is not None:
            raise CircuitError(
                f"{self.name}.run.cache: the build cache serves cpp_standalone runs of the "
                f"circuit as its builder made it; got backend={backend!r}"
                f"{', a session' if session is not None else ''}"
                f"{', a directory' if directory is not None else ''}."
            )
        if self._parts is not None and self._built_on == "runtime":
            self._refuse_extended()
        try:
            return run_cached(
                self,
                duration,
                seed=seed,
                cache=None if cache is True else cache,
                progress=progress,
                check=check,
            )
        except RunInterrupted:
            raise
        except KeyboardInterrupt:  # during the compile: nothing was built or read back
            raise RunInterrupted(
                f"{self.name}: interrupted before the end; nothing was read back"
            ) from None

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
        owner = build_owner()
        with preserved_random_state():  # the caller's random stream is left as it was
            if self._parts is None or self._built_on != owner:
                if seed is not None:
                    # before building: connectivity and random initial values use the seed
                    brian2.seed(seed)
                self._build(owner, seed)
            else:
                self._check_built_under(seed, session.backend)
                if seed is not None and float(self._network.t / second) > 0:
                    brian2.seed(seed)  # a seeded continuation starts a new stream
                elif self._stream is not None:  # go on from build(seed) or the last run
                    _set_random_state(self._stream)
            seed = self._built_seed if seed is None else seed
            requested = float(self._network.t / second) + float(duration / second)
            start = time.perf_counter()
            try:
                session.run(
                    self._network,
                    duration,
                    report="text" if progress else None,
                    report_period=10 * second,
                )
            except RunInterrupted:
                raise
            except KeyboardInterrupt:  # a standalone build or program, a second Ctrl-C
                raise RunInterrupted(
                    f"{self.name}: interrupted before the end; nothing was read back"
                ) from None
            self._stream = _random_state()  # where a continuation without a seed goes on
        wall = time.perf_counter() - start
        if getattr(session, "stop_after", None) is not None:
            return None  # generated or compiled only: nothing ran, nothing to collect
        # A second run of a runtime circuit continues from where the first stopped (Brian2
        # semantics): the result covers the whole simulated time.
        complete = not getattr(session, "interrupted", False)
        result = self._collect(
            self._network.t, session.backend, seed, wall, check and complete
        ).with_meta(
            complete=complete,
            requested_duration_s=requested,
            simulated_duration_s=float(self._network.t / second),
        )
        if not complete:
            raise RunInterrupted(
                f"{self.name}: interrupted at t = {result.duration:g} s of {requested:g} s",
                result=result,
            )
        return result

    def _check_built_under(self, seed, backend):
        """Refuse a seeded first run of objects created under another random state."""
        if seed is None or float(self._network.t / second) > 0:
            return
        if seed != self._built_seed:
            raise CircuitError(
                f"{self.name}.run(seed={seed!r}): the circuit's Brian2 objects were created "
                f"under {_seed_text(self._built_seed)} (a handle such as .exc or .network "
                f"was touched before the run), so their random connectivity and initial "
                f"values do not follow seed {seed} and the same seed would not give the "
                f"same spikes. Call circuit.build(seed={seed}) before touching the "
                f"handles, or run a new circuit."
            )
        if self._built_target is not None and self._built_target != backend:
            raise CircuitError(
                f"{self.name}.run(seed={seed!r}, backend={backend!r}): the circuit's "
                f"objects were built for {self._built_target!r}, whose connectivity draws "
                f"other random numbers; call circuit.build(seed={seed}, "
                f"backend={backend!r}) instead."
            )

    def rerun(
        self, session: BackendSession, seed: int | None = None, check: bool = True, **changes: Any
    ) -> Result:
        """Run the program compiled in ``session`` again with new tunable values.

        The one rerun path: :meth:`run_values` gives the values, a
        :class:`~quifer_brian.backends.CompiledProgram` over the session's project runs
        them (no code generation, no compile).

        Parameters
        ----------
        session : BackendSession
            The cpp_standalone session the circuit was run in (and compiled).
        seed : int, optional
            Recorded in the result's metadata (the program's random stream is fixed at
            build time).
        check : bool
            As in :meth:`run`.
        **changes
            New values of tunable parameters (see :attr:`tunable_params`).

        Returns
        -------
        Result
        """
        values = self.run_values(**changes)
        if not getattr(session, "compiled", False) or not is_standalone(session.backend):
            raise CircuitError(
                f"{self.name}.rerun.session: needs a compiled standalone session in which "
                f"this circuit ran; got {session!r}."
            )
        duration_s = float(self._network.t / second)
        manifest = describe_program(self, duration_s, {})
        # the result records the values it ran with, not the compiled defaults
        manifest["layout"]["params"].update({k: quantity_to_json(v) for k, v in changes.items()})
        program = CompiledProgram(cast(str, session.directory), manifest)
        result = program.run(values, seed=None, check=check)
        return result.with_meta(seed=seed, backend=session.backend)

    def _collect(self, duration, backend, seed, wall, check):
        return self.assemble_result(
            self.monitor_arrays(), float(duration / second), backend, seed, wall, check=check
        )

    def monitor_arrays(self) -> dict[str, np.ndarray]:
        """Every recorded signal as a plain array, by :meth:`recorded` key."""
        return read_recorded(self.recorded())

    def recorded(self) -> dict[str, Any]:
        """``{key: (Brian2 object, variable)}`` of everything a result is made from."""
        monitored = {}
        for name, group in self._parts.populations.items():
            monitored[f"spikes_{name}_t"] = (self._monitors[f"spikes_{name}"], "t_")
            monitored[f"spikes_{name}_i"] = (self._monitors[f"spikes_{name}"], "i")
            monitored[f"rate_{name}"] = (self._monitors[f"rate_{name}"], "rate_")
            if "v" in group.variables:
                monitored[f"v_{name}"] = (group, "v")
        if "lfp" in self._monitors:
            monitored["lfp_exc"] = (self._monitors["lfp"], "I_exc_")
            monitored["lfp_inh"] = (self._monitors["lfp"], "I_inh_")
        for name, monitor in self._monitors.items():
            if name.startswith("state_"):
                monitored[name] = (monitor, monitor.record_variables[0] + "_")
        assert self._watch is not None  # built with the network
        monitored.update(self._watch.recorded())
        return monitored

    def result_layout(self) -> dict[str, Any]:
        """What :meth:`assemble_result` needs besides the arrays (JSON-able)."""
        parts = self._parts
        first = next(iter(parts.populations.values()))
        lfp = None
        if parts.lfp is not None:
            lfp = {
                "population": parts.lfp.population,
                "delay_s": float(parts.lfp.delay / second),
                "alpha": float(parts.lfp.alpha),
            }
        assert self._watch is not None  # built with the network
        return {
            "circuit": self.name,
            "sizes": {name: len(group) for name, group in parts.populations.items()},
            "rate_dt": float(first.clock.dt / second),
            "fs": float(self.fs * second),
            "lfp": lfp,
            "params": {k: quantity_to_json(v) for k, v in self.params.items()},
            "watch": self._watch.entries,
        }

    def assemble_result(
        self,
        arrays: dict[str, np.ndarray],
        duration: float,
        backend: str,
        seed: int | None,
        wall: float,
        layout: dict[str, Any] | None = None,
        check: bool = True,
    ) -> Result:
        """Make a :class:`Result` from :meth:`monitor_arrays`-style arrays."""
        return assemble_result(
            layout or self.result_layout(), arrays, duration, backend, seed, wall, check
        )


def _named(objects):
    return {getattr(obj, "name", str(obj)): obj for obj in objects}


def _seed_text(seed):
    return "an unknown random state" if seed is None else f"seed {seed}"


def _random_state():
    """The runtime random state now ({} on a standalone device: its program draws)."""
    device = brian2.get_device()
    return device.get_random_state() if isinstance(device, RuntimeDevice) else {}


def _set_random_state(state):
    device = brian2.get_device()
    if state and isinstance(device, RuntimeDevice):
        device.set_random_state(state)


def _si_value(value):
    """A float (scalar) or a float64 1-D array of SI values, units dropped."""
    array = np.asarray(value, dtype=float)
    return float(array) if array.ndim == 0 else array.reshape(-1).copy()


def _lfp_probe(circuit_name, population, spec, record_dt):
    """A one-neuron group that sums |excitatory| and |inhibitory| currents of a population.

    The sums are taken at the recording's rate only (the probe's clock, ``record_dt``):
    Brian2 runs a summed variable on its target's clock, in the ``groups`` slot before
    the population's own update, so each sample is the sum of the currents at its own
    time step -- where a sum every simulation step, recorded at ``start``, gave those
    of the step before.  A PING of 4000 E cells sums 10x less often (0.24 s of a 1 s
    program's 1.0 s loop before).
    """
    probe = NeuronGroup(
        1,
        "I_exc : amp\nI_inh : amp",
        dt=record_dt,
        name=f"{circuit_name}_lfp_probe",
        namespace={},
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
