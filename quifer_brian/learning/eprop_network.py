"""An e-prop network as Brian2 objects, and the two ways one trial runs.

:func:`build_eprop_objects` creates the groups and synapses of
:mod:`~quifer_brian.learning.eprop_models` (inside whatever device is active).  A trial
takes its weights, its input spikes and its target as *run values*
(``{"object.variable": array}``) and gives back the accumulated updates, the loss, the
readout traces and the recurrent spikes (:class:`TrialOutput`).

- :class:`RuntimeTrials` (numpy or cython): the objects are built once; each trial puts
  the initial state back, writes the run values and runs.
- :class:`CompiledTrials` (cpp_standalone): the program is compiled once through the
  package's build cache (:class:`~quifer_brian.backends.BuildCache`, keyed by the
  network's structure) and rerun with the run values; trial 2 onward never compiles,
  and a second process finds the program in the cache.

With ``spec.traces == 'factorised'`` the input and recurrent synapses carry only their
weights, there are no feedback synapses, and a ``StateMonitor`` (``eprop_psi``) records
every cell's pseudo-derivative; the updates are formed after the trial by
:func:`~quifer_brian.learning.eprop_factorised.factorised_updates` (the feedback weights
stay a run value of the trial, read by that step, not by the program).

Object names are fixed (``eprop_in``, ``eprop_rec``, ``eprop_out``, ``eprop_syn_in``,
``eprop_syn_rec``, ``eprop_syn_out``, ``eprop_feedback``, and the TimedArrays
``eprop_x_in`` (0/1 input spikes per step) and ``eprop_y_target``).
"""

from dataclasses import dataclass

import numpy as np
from brian2 import (
    Network,
    NeuronGroup,
    PopulationRateMonitor,
    SpikeMonitor,
    StateMonitor,
    Synapses,
    TimedArray,
    second,
)

from ..backends import BuildCache, backend_session, build_owner
from ..errors import SimulationError
from .eprop_factorised import factorised_updates, readout_traces, spike_raster
from .eprop_models import (
    PSEUDO_DERIVATIVE,
    READOUT_EQUATIONS,
    READOUT_ERROR,
    RECURRENT_EQUATIONS,
    RECURRENT_RESET,
    RECURRENT_THRESHOLD,
    EpropSpec,
    eligibility_code,
    input_equations,
)

__all__ = [
    "CellGroups",
    "CompiledTrials",
    "EpropObjects",
    "RuntimeTrials",
    "TrialOutput",
    "build_eprop_objects",
    "cell_groups",
    "connection_indices",
    "feedback_synapses",
    "trial_layout",
]

#: Scheduling inside one step (Brian2 slots): psi before the threshold, the eligibility
#: traces after the spikes were delivered (before the resets), then at the end of the
#: step: the readout error, the learning signal (summed through the feedback synapses),
#: the accumulated updates.
_ORDER_PSI = -1
_ORDER_TRACE = 10
_ORDER_ERROR, _ORDER_SIGNAL, _ORDER_UPDATE = 0, 1, 2


def connection_indices(n_pre, n_post, autapses=True):
    """``(i, j)``: presynaptic and postsynaptic index of every synapse, pre-major.

    A weight matrix ``W`` of shape ``(n_post, n_pre)`` maps to the synapses as
    ``W[j, i]``; without autapses the diagonal is left out.
    """
    i = np.repeat(np.arange(n_pre), n_post)
    j = np.tile(np.arange(n_post), n_pre)
    if not autapses:
        keep = i != j
        i, j = i[keep], j[keep]
    return i, j


@dataclass
class EpropObjects:
    """The Brian2 objects of one e-prop network (see the module's names)."""

    network: Network
    groups: dict
    synapses: dict
    timed_arrays: dict
    monitors: dict


@dataclass
class CellGroups:
    """The three groups of an e-prop network and the trial's input and target arrays."""

    inputs: NeuronGroup
    rec: NeuronGroup
    out: NeuronGroup
    x_in: TimedArray
    y_target: TimedArray


def cell_groups(
    spec: EpropSpec,
    ns: dict,
    *,
    input_extra: str = "",
    input_threshold: str = "x_in(t, i) > 0.5",
    rec_extra: str = "",
    out_extra: str = "",
    error_code: str = READOUT_ERROR,
) -> CellGroups:
    """Input, recurrent and readout groups of ``spec`` (the pseudo-derivative and the
    readout error as their ``run_regularly`` operations), in the active device.

    The ``*_extra`` equations, the input threshold and the error code let the in-program
    training (:mod:`.eprop_program`) add its per-trial state to the same cells.
    """
    x_in = TimedArray(np.zeros((spec.n_steps, spec.n_in)), dt=spec.dt, name="eprop_x_in")
    y_target = TimedArray(np.zeros((spec.n_steps, spec.n_out)), dt=spec.dt, name="eprop_y_target")
    inputs = NeuronGroup(
        spec.n_in,
        input_equations() + input_extra,
        threshold=input_threshold,
        reset="xbar += 1 - alpha",
        method="exact",
        dt=spec.dt,
        namespace={**ns, "x_in": x_in},
        name="eprop_in",
    )
    rec = NeuronGroup(
        spec.n_rec,
        RECURRENT_EQUATIONS + rec_extra,
        threshold=RECURRENT_THRESHOLD,
        reset=RECURRENT_RESET,
        method="exact",
        dt=spec.dt,
        namespace=ns,
        name="eprop_rec",
    )
    rec.run_regularly(PSEUDO_DERIVATIVE, when="thresholds", order=_ORDER_PSI, name="eprop_rec_psi")
    out = NeuronGroup(
        spec.n_out,
        READOUT_EQUATIONS + out_extra,
        method="exact",
        dt=spec.dt,
        namespace={**ns, "y_target": y_target},
        name="eprop_out",
    )
    out.run_regularly(error_code, when="end", order=_ORDER_ERROR, name="eprop_out_error")
    return CellGroups(inputs, rec, out, x_in, y_target)


def build_eprop_objects(spec: EpropSpec) -> EpropObjects:
    """Create the network of ``spec`` in the active device (weights zero)."""
    ns = spec.namespace()
    cells = cell_groups(spec, ns)
    inputs, rec, out = cells.inputs, cells.rec, cells.out
    synapses = {"in": _eligible_synapses(spec, inputs, rec, "xbar", "in")}
    if spec.recurrent:
        synapses["rec"] = _eligible_synapses(spec, rec, rec, "zbar", "rec", autapses=False)
    readout = Synapses(
        rec,
        out,
        "w : 1\ng : 1",
        on_pre="y_post += (1 - kappa) * w",
        dt=spec.dt,
        namespace=ns,
        name="eprop_syn_out",
    )
    readout.connect(**_ij(spec.n_rec, spec.n_out))
    readout.run_regularly(
        "g += err_post * zout_pre", when="end", order=_ORDER_UPDATE, name="eprop_syn_out_update"
    )
    synapses["out"] = readout
    if spec.traces == "synaptic":
        synapses["feedback"] = feedback_synapses(spec, out, rec)
    monitors = {
        f"y{k}": StateMonitor(out, "y", record=[k], dt=spec.dt, when="end", name=f"eprop_y{k}")
        for k in range(spec.n_out)
    }
    if spec.traces == "factorised":  # the updates are formed after the trial from psi
        monitors["psi"] = StateMonitor(
            rec, "psi", record=True, dt=spec.dt, when="end", name="eprop_psi"
        )
    monitors["spikes"] = SpikeMonitor(rec, name="eprop_spikes_rec")
    monitors["rate"] = PopulationRateMonitor(rec, name="eprop_rate_rec")
    network = Network(
        inputs, rec, out, *synapses.values(), *monitors.values(), name="eprop_network*"
    )
    groups = {"in": inputs, "rec": rec, "out": out}
    timed = {"x_in": cells.x_in, "y_target": cells.y_target}
    return EpropObjects(network, groups, synapses, timed, monitors)


def feedback_synapses(spec: EpropSpec, out: NeuronGroup, rec: NeuronGroup) -> Synapses:
    """Random feedback: the learning signal ``L_j = sum_k B_jk err_k`` as a summed
    variable of ``rec`` (the trial-by-trial and the in-program training)."""
    ns = spec.namespace()
    feedback = Synapses(
        out,
        rec,
        "B : 1\nL_post = B * err_pre : 1 (summed)",
        dt=spec.dt,
        namespace=ns,
        name="eprop_feedback",
    )
    feedback.connect(**_ij(spec.n_out, spec.n_rec))
    for updater in feedback.summed_updaters.values():
        # the learning signal of step n needs the error of step n (written at 'end')
        updater.when, updater.order = "end", _ORDER_SIGNAL
    return feedback


def _ij(n_pre, n_post, autapses=True):
    i, j = connection_indices(n_pre, n_post, autapses)
    return {"i": i, "j": j}


def _eligible_synapses(spec, source, target, trace, label, autapses=True):
    if spec.traces == "factorised":
        equations = "w : volt"
    else:
        equations, step = eligibility_code(spec.adaptive)
    synapses = Synapses(
        source,
        target,
        equations,
        on_pre="v_post += (1 - alpha) * w",
        method="exact",
        dt=spec.dt,
        namespace=spec.namespace(),
        name=f"eprop_syn_{label}",
    )
    synapses.connect(**_ij(len(source), len(target), autapses))
    if spec.traces == "factorised":
        return synapses
    synapses.run_regularly(
        step.replace("TRACE", trace),
        when="synapses",
        order=_ORDER_TRACE,
        name=f"eprop_syn_{label}_trace",
    )
    synapses.run_regularly(
        "g += L_post * e_bar", when="end", order=_ORDER_UPDATE, name=f"eprop_syn_{label}_update"
    )
    return synapses


# ---------------------------------------------------------------------------- recording
def _recorded(objects):
    """``{key: (object, variable)}`` of what a trial gives back."""
    recorded = {
        "spikes_rec_t": (objects.monitors["spikes"], "t_"),
        "spikes_rec_i": (objects.monitors["spikes"], "i"),
        "rate_rec": (objects.monitors["rate"], "rate_"),
        "state_loss": (objects.groups["out"], "loss_"),
        "state_count": (objects.groups["rec"], "count_"),
    }
    for label, synapses in objects.synapses.items():
        if label == "feedback" or "g" not in synapses.variables:
            continue
        recorded[f"state_g_{label}"] = (synapses, "g_")
        if label != "out":
            recorded[f"state_s_{label}"] = (synapses, "s_e_")
    for key, monitor in objects.monitors.items():
        if key.startswith("y"):
            recorded[f"state_{key}"] = (monitor, "y_")
    if "psi" in objects.monitors:  # every cell, every step: read back whole
        recorded["matrix_psi"] = (objects.monitors["psi"], "psi_")
    return recorded


@dataclass(frozen=True)
class TrialOutput:
    """What one trial gives back (SI floats; per-synapse arrays in synapse order).

    Attributes
    ----------
    loss : ndarray, shape (n_out,)
        ``1/2 sum_n err_k[n]^2`` per readout.
    updates : dict of str -> ndarray
        ``g`` per projection (``'in'``, ``'rec'``, ``'out'``): the e-prop estimate of
        ``dE/dW`` (per volt for ``in``/``rec``, dimensionless for ``out``).
    sum_e : dict of str -> ndarray
        Summed eligibility traces ``sum_n e_ji[n]`` (per volt), for the rate
        regularisation.
    counts : ndarray, shape (n_rec,)
        Spikes of each recurrent cell.
    outputs : ndarray, shape (n_steps, n_out)
        Readout traces ``y``.
    spike_times, spike_indices : ndarray
        Recurrent spikes (s, cell index).
    """

    loss: np.ndarray
    updates: dict
    sum_e: dict
    counts: np.ndarray
    outputs: np.ndarray
    spike_times: np.ndarray
    spike_indices: np.ndarray


def _add_factorised(spec, values, arrays, error=None):
    """Add a ``traces='factorised'`` trial's input and recurrent updates to ``arrays``.

    ``arrays["matrix_psi"]`` is the recorded pseudo-derivative, shape (n_steps, n_rec);
    ``values`` the trial's run values (input spikes, target, feedback weights).
    ``error``: ``(outputs, target) -> (dE/dy, E)`` for a loss other than the program's
    mean-squared error (the output weights' update and the loss are then formed here,
    from the readout-filtered spikes).
    """
    inputs = np.asarray(values["eprop_x_in.values"], dtype=float).reshape(spec.n_steps, spec.n_in)
    target = np.asarray(values["eprop_y_target.values"], dtype=float).reshape(
        spec.n_steps, spec.n_out
    )
    outputs = np.stack(
        [np.asarray(arrays[f"state_y{k}"], dtype=float).ravel() for k in range(spec.n_out)],
        axis=1,
    )
    i, j = connection_indices(spec.n_out, spec.n_rec)
    feedback = np.zeros((spec.n_rec, spec.n_out))
    feedback[j, i] = np.asarray(values["eprop_feedback.B"], dtype=float)
    err = outputs - target
    dt = float(spec.dt / second)
    spikes = spike_raster(
        arrays["spikes_rec_t"], arrays["spikes_rec_i"], spec.n_steps, spec.n_rec, dt
    )
    if error is not None:  # g_kj = sum_n err_k[n] zout_j[n], zout the filtered spikes
        err, loss = error(outputs, target)
        zout = readout_traces(spikes, spec.kappa)
        i, j = connection_indices(spec.n_rec, spec.n_out)
        arrays["state_g_out"] = np.einsum("nk,nj->kj", err, zout)[j, i]
        arrays["state_loss"] = np.array([loss])
    signal = err @ feedback.T  # L_j[n] = sum_k B_jk err_k[n]
    psi = np.asarray(arrays["matrix_psi"], dtype=float).reshape(spec.n_steps, spec.n_rec)
    matrices, sums = factorised_updates(spec, inputs, spikes, psi, signal)
    shapes = {"in": (spec.n_in, True), "rec": (spec.n_rec, False)}
    for label, matrix in matrices.items():
        i, j = connection_indices(shapes[label][0], spec.n_rec, shapes[label][1])
        arrays[f"state_g_{label}"] = matrix[j, i]
        arrays[f"state_s_{label}"] = sums[label][j, i]


def _trial_output(spec, arrays, iteration=None):
    updates = {
        label: np.asarray(arrays[f"state_g_{label}"], dtype=float)
        for label in ("in", "rec", "out")
        if f"state_g_{label}" in arrays
    }
    sum_e = {
        label: np.asarray(arrays[f"state_s_{label}"], dtype=float)
        for label in ("in", "rec")
        if f"state_s_{label}" in arrays
    }
    outputs = np.stack(
        [np.asarray(arrays[f"state_y{k}"], dtype=float).ravel() for k in range(spec.n_out)],
        axis=1,
    )
    return TrialOutput(
        loss=np.asarray(arrays["state_loss"], dtype=float).ravel(),
        updates=updates,
        sum_e=sum_e,
        counts=np.asarray(arrays["state_count"], dtype=float).ravel(),
        outputs=outputs,
        spike_times=np.asarray(arrays["spikes_rec_t"], dtype=float),
        spike_indices=np.asarray(arrays["spikes_rec_i"], dtype=np.int64),
    )


# ---------------------------------------------------------------------------- runners
class RuntimeTrials:
    """Trials on a runtime backend (numpy or cython): build once, reset, run again.

    Parameters
    ----------
    spec : EpropSpec
    backend : {'numpy', 'cython'}
    """

    def __init__(self, spec: EpropSpec, backend: str = "numpy"):
        self.spec = spec
        self.backend = backend
        with backend_session(backend):
            self.objects = build_eprop_objects(spec)
            self.objects.network.store("eprop_initial")
        self._owner = build_owner()
        self._targets = set(zero_values(spec))

    def run(self, values: dict, error=None) -> TrialOutput:
        """One trial with ``values`` (``{"object.variable": array}``, SI).

        ``error``: the readout error of another loss (factorised traces only; see
        :func:`~quifer_brian.learning.eprop_reference.readout_error`).
        """
        objects = self.objects
        by_name = {obj.name: obj for obj in objects.network.objects}
        timed = {array.name: array for array in objects.timed_arrays.values()}
        with backend_session(self.backend) as session:
            objects.network.restore("eprop_initial")
            for target, value in values.items():
                if target not in self._targets:  # B of a factorised trial: read afterwards
                    continue
                owner, variable = target.split(".", 1)
                if owner in timed:  # the closure of the runtime implementation reads it
                    timed[owner].values[...] = np.asarray(value, dtype=float).reshape(
                        timed[owner].values.shape
                    )
                else:
                    by_name[owner].variables[variable].set_value(np.asarray(value, dtype=float))
            session.run(objects.network, self.spec.duration)
            arrays = {}
            for key, (owner, name) in _recorded(objects).items():
                data = getattr(owner, name)
                data = np.array(data[:] if name == "i" else data, copy=True)
                if key.startswith("matrix_"):
                    data = data.T  # (n_steps, n_cells), as the compiled program writes it
                elif isinstance(owner, StateMonitor):
                    data = data[0]
                arrays[key] = data
        if self.spec.traces == "factorised":
            _add_factorised(self.spec, values, arrays, error)
        return _trial_output(self.spec, arrays)


class _ProgramCircuit:
    """The circuit protocol the build cache reads (name, structure, network, recorded)."""

    def __init__(self, spec):
        self.spec = spec
        self.name = "eprop"
        self.tunable_params = ("weights", "inputs", "targets")
        self.structure_params = {"spec": spec.as_dict()}
        self._objects = None

    @property
    def network(self):
        if self._objects is None:
            self._objects = build_eprop_objects(self.spec)
        return self._objects.network

    def recorded(self):
        self.network  # noqa: B018 - builds the objects
        return _recorded(self._objects)

    def result_layout(self):
        return trial_layout(self.name, self.spec)

    def run_values(self):
        return zero_values(self.spec)


def trial_layout(name: str, spec: EpropSpec, **params: dict) -> dict:
    """The result layout of an e-prop program (the recurrent cells' spikes and rate;
    ``params``: records besides the spec's, e.g. the in-program training's setup)."""
    dt = float(spec.dt / second)
    return {
        "circuit": name,
        "sizes": {"rec": spec.n_rec},
        "rate_dt": dt,
        "fs": 1.0 / dt,
        "lfp": None,
        "params": {"spec": spec.as_dict(), **params},
    }


def zero_values(spec):
    """The program's run values: zero weights, no input spikes and a zero target.

    With ``traces='factorised'`` the feedback weights are no run value (the learning
    signals are formed after the trial).
    """
    values = {
        "eprop_syn_in.w": np.zeros(spec.n_in * spec.n_rec),
        "eprop_syn_out.w": np.zeros(spec.n_rec * spec.n_out),
        "eprop_x_in.values": np.zeros(spec.n_steps * spec.n_in),
        "eprop_y_target.values": np.zeros(spec.n_steps * spec.n_out),
    }
    if spec.recurrent:
        values["eprop_syn_rec.w"] = np.zeros(spec.n_rec * (spec.n_rec - 1))
    if spec.traces == "synaptic":  # factorised: the feedback is applied after the trial
        values["eprop_feedback.B"] = np.zeros(spec.n_out * spec.n_rec)
    return values


class CompiledTrials:
    """Trials of one cpp_standalone program, compiled once through the build cache.

    Parameters
    ----------
    spec : EpropSpec
    cache : BuildCache or str, optional
        The cache or its folder (default: the package's default cache).

    Attributes
    ----------
    compiled : bool
        Whether creating this object compiled the program (False: taken from the cache).
    """

    def __init__(self, spec: EpropSpec, cache=None):
        self.spec = spec
        if not isinstance(cache, BuildCache):
            cache = BuildCache(cache)
        self.cache = cache
        circuit = _ProgramCircuit(spec)
        self.program, self.compiled = cache.get_or_build(circuit, float(spec.duration / second))

    def run(self, values: dict, error=None) -> TrialOutput:
        """One trial with ``values`` (every target of :func:`zero_values`); ``error`` as
        for :meth:`RuntimeTrials.run`."""
        targets = self.program.manifest["tunable"]
        arrays = self.program.run_arrays({k: v for k, v in values.items() if k in targets})
        if self.spec.traces == "factorised":
            _add_factorised(self.spec, values, arrays, error)
        return _trial_output(self.spec, arrays)


def check_trial(output: TrialOutput, iteration: int, owner: str = "fit") -> None:
    """Raise :class:`SimulationError` if the trial's loss or updates are not finite."""
    bad = [
        name
        for name, value in [("loss", output.loss), *output.updates.items()]
        if not np.all(np.isfinite(value))
    ]
    if bad:
        raise SimulationError(
            f"{owner}: iteration {iteration}: non-finite {', '.join(bad)} (loss "
            f"{output.loss.tolist()}); the training diverged: lower the learning rate."
        )
