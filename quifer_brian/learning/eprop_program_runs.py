"""Running the in-program training (:mod:`~quifer_brian.learning.eprop_program`).

:class:`RuntimeTraining` (numpy or cython: built once, reset and rerun) and
:class:`CompiledTraining` (cpp_standalone: compiled once through the build cache, rerun
with run values) both take the run values of
:func:`~quifer_brian.learning.eprop_program.program_zero_values` and give back a
:class:`TrainingRun`: the loss and spike counts of every trial, the weights after the
run's updates, Adam's moments, the readout traces and the spikes.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from brian2 import second

from ..backends import BuildCache, backend_session
from .eprop_models import EpropSpec
from .eprop_network import connection_indices, trial_layout
from .eprop_program import (
    ProgramSetup,
    build_program_objects,
    program_duration,
    program_recorded,
    program_zero_values,
)

__all__ = [
    "CompiledTraining",
    "RuntimeTraining",
    "TrainingRun",
    "program_values",
    "synapse_values",
    "training_run",
]


@dataclass(frozen=True)
class TrainingRun:
    """What one run of the training program gives back (SI floats).

    Attributes
    ----------
    losses : ndarray, shape (n_trials,)
        ``1/2 sum_n sum_k err_k[n]^2`` of each trial.
    counts : ndarray, shape (n_trials, n_rec)
        Spikes of each recurrent cell in each trial.
    weights : dict of str -> ndarray
        Weight matrices after the run (``'in'``, ``'rec'`` in mV; ``'out'``).
    adam : dict of str -> dict of str -> ndarray
        Adam's ``m``, ``v`` and step count per weight matrix (empty for gradient descent).
    outputs : ndarray, shape (n_trials, n_steps, n_out)
        Readout traces.
    spikes : list of (ndarray, ndarray)
        Per trial: recurrent spike times (s, from the trial's start) and cell indices.
    """

    losses: np.ndarray
    counts: np.ndarray
    weights: dict
    adam: dict
    outputs: np.ndarray
    spikes: list


_SHAPES = {"in": ("n_in", True, 1e3), "rec": ("n_rec", False, 1e3), "out": ("n_rec", True, 1.0)}


def _matrix(spec, label, flat):
    """``(n_post, n_pre)`` matrix of a projection from its per-synapse values."""
    n_pre = getattr(spec, _SHAPES[label][0])
    n_post = spec.n_out if label == "out" else spec.n_rec
    i, j = connection_indices(n_pre, n_post, _SHAPES[label][1])
    matrix = np.zeros((n_post, n_pre))
    matrix[j, i] = flat
    return matrix


def synapse_values(spec: EpropSpec, label: str, matrix: np.ndarray) -> np.ndarray:
    """Per-synapse values of a ``(n_post, n_pre)`` matrix (synapse order)."""
    n_pre = getattr(spec, _SHAPES[label][0])
    n_post = spec.n_out if label == "out" else spec.n_rec
    i, j = connection_indices(n_pre, n_post, _SHAPES[label][1])
    return np.asarray(matrix, dtype=float)[j, i]


def training_run(spec: EpropSpec, setup: ProgramSetup, arrays: dict) -> TrainingRun:
    """Sort a run's recorded arrays into a :class:`TrainingRun`."""
    n_trials = setup.iterations_per_run
    # the records at the start of trials 2 .. n_trials + 1 hold trials 1 .. n_trials
    losses = np.asarray(arrays["matrix_loss"], dtype=float).reshape(-1, spec.n_out)
    losses = losses[1 : n_trials + 1].sum(axis=1)
    counts = np.asarray(arrays["matrix_count"], dtype=float).reshape(-1, spec.n_rec)
    counts = counts[1 : n_trials + 1]
    y = np.asarray(arrays["matrix_y"], dtype=float).reshape(-1, spec.n_out)
    outputs = y[: n_trials * spec.n_steps].reshape(n_trials, spec.n_steps, spec.n_out)
    weights, adam = {}, {}
    for label in _SHAPES:
        if f"state_w_{label}" not in arrays:
            continue
        scale = _SHAPES[label][2]
        weights[label] = _matrix(spec, label, np.asarray(arrays[f"state_w_{label}"]) * scale)
        if f"state_m_adam_{label}" in arrays:
            adam[label] = {
                name: _matrix(spec, label, np.asarray(arrays[f"state_{name}_{label}"]))
                for name in ("m_adam", "v_adam", "n_upd")
            }
    dt = float(spec.dt / second)
    steps = np.rint(np.asarray(arrays["spikes_rec_t"], dtype=float) / dt).astype(np.int64)
    cells = np.asarray(arrays["spikes_rec_i"], dtype=np.int64)
    trial = steps // spec.n_steps
    spikes = [
        ((steps[trial == k] - k * spec.n_steps) * dt, cells[trial == k]) for k in range(n_trials)
    ]
    return TrainingRun(losses, counts, weights, adam, outputs, spikes)


class _TrainingCircuit:
    """The circuit protocol the build cache reads (name, structure, network, recorded)."""

    def __init__(self, spec, setup):
        self.spec, self.setup = spec, setup
        self.name = "eprop_training"
        self.tunable_params = ("weights", "inputs", "targets", "learning")
        self.structure_params = {"spec": spec.as_dict(), "setup": setup.as_dict()}
        self._objects = None

    @property
    def network(self):
        if self._objects is None:
            self._objects = build_program_objects(self.spec, self.setup)
        return self._objects.network

    def recorded(self):
        self.network  # noqa: B018 - builds the objects
        return program_recorded(self._objects, self.setup)

    def result_layout(self):
        return trial_layout(self.name, self.spec, setup=self.setup.as_dict())

    def run_values(self):
        return program_zero_values(self.spec, self.setup)


class CompiledTraining:
    """The training program on cpp_standalone, compiled once through the build cache.

    Parameters
    ----------
    spec : EpropSpec
    setup : ProgramSetup
    cache : BuildCache or str, optional
    """

    def __init__(self, spec: EpropSpec, setup: ProgramSetup, cache=None):
        self.spec, self.setup = spec, setup
        if not isinstance(cache, BuildCache):
            cache = BuildCache(cache)
        circuit = _TrainingCircuit(spec, setup)
        duration = float(program_duration(spec, setup) / second)
        self.program, self.compiled = cache.get_or_build(circuit, duration)

    def run(self, values: dict) -> TrainingRun:
        """One run (``iterations_per_run`` trials) with ``values``."""
        arrays = self.program.run_arrays(values)
        return training_run(self.spec, self.setup, arrays)


class RuntimeTraining:
    """The training network on a runtime backend (numpy or cython): reset and rerun.

    Parameters
    ----------
    spec : EpropSpec
    setup : ProgramSetup
    backend : {'numpy', 'cython'}
    """

    compiled = False

    def __init__(self, spec: EpropSpec, setup: ProgramSetup, backend: str = "numpy"):
        self.spec, self.setup, self.backend = spec, setup, backend
        with backend_session(backend):
            self.objects = build_program_objects(spec, setup)
            self.objects.network.store("eprop_initial")

    def run(self, values: dict) -> TrainingRun:
        """One run (``iterations_per_run`` trials) with ``values``."""
        objects = self.objects
        by_name = {obj.name: obj for obj in objects.network.objects}
        timed = {array.name: array for array in objects.timed_arrays.values()}
        with backend_session(self.backend) as session:
            objects.network.restore("eprop_initial")
            for target, value in values.items():
                owner, variable = target.split(".", 1)
                if owner in timed:
                    timed[owner].values[...] = np.asarray(value, dtype=float).reshape(
                        timed[owner].values.shape
                    )
                else:
                    by_name[owner].variables[variable].set_value(np.asarray(value, dtype=float))
            session.run(objects.network, program_duration(self.spec, self.setup))
            arrays = {}
            for key, (owner, name) in program_recorded(objects, self.setup).items():
                data = getattr(owner, name)
                data = np.array(data[:] if name == "i" else data, copy=True)
                if key.startswith("matrix_"):
                    data = data.T  # (n_times, n_columns), as the compiled program writes it
                arrays[key] = data
        return training_run(self.spec, self.setup, arrays)


def program_values(
    spec: EpropSpec,
    setup: ProgramSetup,
    weights: dict,
    random_feedback: np.ndarray,
    inputs: np.ndarray,
    target: np.ndarray,
    learning: dict,
    adam: dict | None = None,
) -> dict:
    """The run values of one training run.

    Parameters
    ----------
    weights : dict of str -> ndarray
        Weight matrices (``'in'``, ``'rec'`` in mV; ``'out'``).
    random_feedback : ndarray, shape (n_rec, n_out)
        ``B`` (read only with ``setup.feedback == 'random'``).
    inputs, target : ndarray, shape (n_steps, n_in) and (n_steps, n_out)
    learning : dict
        ``lr``, ``c_reg``, ``f_step`` (target spikes per step), ``n_active`` (updates
        this run applies) and ``n_driven`` (trials that get the input).
    adam : dict, optional
        Adam's state per weight matrix (:attr:`TrainingRun.adam`); None: zero.
    """
    values: dict[str, Any] = {}
    for label, matrix in weights.items():
        scale = 1.0 / _SHAPES[label][2]  # mV -> V for in/rec
        values[f"eprop_syn_{label}.w"] = synapse_values(spec, label, matrix) * scale
        if setup.optimizer == "adam":
            state = (adam or {}).get(label, {})
            for name in ("m_adam", "v_adam", "n_upd"):
                flat = state.get(name, np.zeros_like(matrix))
                values[f"eprop_syn_{label}.{name}"] = synapse_values(spec, label, flat)
    if setup.feedback == "random":
        i, j = connection_indices(spec.n_out, spec.n_rec)
        values["eprop_feedback.B"] = np.asarray(random_feedback, dtype=float)[j, i]
    values["eprop_x_in.values"] = np.asarray(inputs, dtype=float).ravel()
    values["eprop_y_target.values"] = np.asarray(target, dtype=float).ravel()
    for name in ("lr", "c_reg", "f_step", "n_active"):
        values[f"eprop_rec.{name}"] = float(learning[name])
    values["eprop_in.n_driven"] = float(learning["n_driven"])
    return values
