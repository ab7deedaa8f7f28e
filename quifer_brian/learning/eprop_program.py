"""e-prop training inside the program: many iterations per run, updates applied there.

With ``eprop_network(..., training="program")`` one run of the network simulates
``iterations_per_run`` trials back to back.  The eligibility traces are synaptic
variables (the ``traces='synaptic'`` equations of
:mod:`~quifer_brian.learning.eprop_models`), stepped in one pass over the synapses at
each step's end together with the accumulated update (reading the presynaptic traces
kept before the step's resets); at the start of every trial after the first,
an operation on a trial clock (``dt`` = one trial) applies the previous trial's update to
each synapse -- gradient descent or Adam, with the firing-rate regulariser -- and puts the
traces and the cells back to zero.  The learning signal comes from the readout weights
themselves (symmetric feedback: a summed variable of the readout synapses into their
presynaptic cells) or from fixed random feedback synapses.

Per iteration this does what :meth:`~quifer_brian.learning.EpropNetwork.fit` does in
Python between trials (``W <- W - eta (g + c_reg (f_j - f*) / n_steps sum_n e)``; Adam's
moments with bias correction), in the same order, so the weights agree with the
trial-by-trial training to rounding (``tests/learning/test_eprop_program.py``).  What it
saves is everything a trial costs outside its steps: one process start, one write of the
run values and one read of the results per ``iterations_per_run`` iterations instead of
per iteration, and the updates formed in numpy (on NEST's sine-wave tutorial ~23 ms per
iteration instead of ~80 ms: ``benchmarks/eprop.md``, section 2c).

Trials run one per iteration (a batch of one); the number of iterations a run applies
is a run value (``eprop_rec.n_active``), so a run of ``iterations_per_run`` trials can
apply fewer (the remainder of ``fit``'s ``n_iterations``; a rerun that stops before a
diverging iteration).  The trials from ``eprop_in.n_driven`` on get no input spikes: no
cell fires, every update is exactly zero and the weights stay as they are, whatever the
last weights would have done (a gate multiplying a non-finite update would not).

Reference: Bellec G, Scherr F, Subramoney A, Hajek E, Salaj D, Legenstein R, Maass W
(2020). A solution to the learning dilemma for recurrent networks of spiking neurons.
Nat Commun 11:3625.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np
from brian2 import (
    Network,
    Quantity,
    SpikeMonitor,
    StateMonitor,
    Synapses,
)

from .eprop_models import (
    READOUT_ERROR,
    EpropSpec,
    eligibility_code,
)
from .eprop_network import EpropObjects, cell_groups, connection_indices, feedback_synapses

__all__ = [
    "ADAM",
    "ProgramSetup",
    "build_program_objects",
    "program_duration",
    "program_recorded",
    "program_zero_values",
]

#: Adam's constants (as :class:`~quifer_brian.learning.eprop_optim.Adam`'s defaults).
ADAM = {"adam_beta_1": 0.9, "adam_beta_2": 0.999, "adam_epsilon": 1e-8}

_ORDER_KEEP, _ORDER_PSI = -2, -1
_ORDER_ERROR, _ORDER_SIGNAL, _ORDER_UPDATE = 0, 1, 2
#: At a trial's first step ('start' slot): record, apply the update, reset.
_ORDER_RECORD, _ORDER_APPLY, _ORDER_RESET = -2, 0, 1

#: Whether the update of the trial that just ended is applied: not at t = 0 (no trial
#: ended) and not after the ``n_active`` iterations this run was asked for.
_GATE = "int(t > 0.5 * dt_trial) * int(t < (n_active_REC + 0.5) * dt_trial)"


@dataclass(frozen=True)
class ProgramSetup:
    """What besides the network's structure a training program is built from.

    Parameters
    ----------
    optimizer : {'gd', 'adam'}
    feedback : {'symmetric', 'random'}
    iterations_per_run : int
        Trials (iterations) simulated by one run of the program.
    """

    optimizer: str
    feedback: str
    iterations_per_run: int

    def as_dict(self) -> dict:
        """JSON-able (for the build cache's key)."""
        return {
            "optimizer": self.optimizer,
            "feedback": self.feedback,
            "iterations_per_run": int(self.iterations_per_run),
        }


def _update_code(optimizer, scale, side, regularised):
    """Code of one synapse's update at a trial's start, then its traces set to zero.

    ``scale`` turns the accumulated ``g`` (per volt, or dimensionless for the readout)
    into the optimiser's unit (per mV); ``side`` is where the cells' shared values live
    (``'post'`` for input and recurrent synapses, ``'pre'`` for the readout's).
    """
    gate = _GATE.replace("REC", side)
    if regularised:
        # the rate regulariser: c_reg (f_j - f*) / n_steps sum_n e_ji[n]
        reg = f"c_reg_{side} * (count_post / n_steps - f_step_{side}) / n_steps * s_e"
        grad = f"(g + {reg}) * {scale}"
    else:
        grad = f"g * {scale}"
    lines = [f"gate = {gate}", f"grad = {grad}"]
    if optimizer == "gd":
        lines.append(f"w = w - gate * lr_{side} * grad * ({scale})")
    else:
        lines += [
            "n_upd += gate",
            "m_adam = gate * (adam_beta_1 * m_adam + (1 - adam_beta_1) * grad) "
            "+ (1 - gate) * m_adam",
            "v_adam = gate * (adam_beta_2 * v_adam + (1 - adam_beta_2) * grad**2) "
            "+ (1 - gate) * v_adam",
            "n_eff = clip(n_upd, 1, inf)",
            f"w = w - gate * lr_{side} * (m_adam / (1 - adam_beta_1**n_eff)) / "
            f"(sqrt(v_adam / (1 - adam_beta_2**n_eff)) + adam_epsilon) * ({scale})",
        ]
    return "\n".join(lines)


def _zero_code(variables, unit):
    return "\n".join(f"{name} = 0 * {unit}" for name in variables)


def build_program_objects(spec: EpropSpec, setup: ProgramSetup) -> EpropObjects:
    """Create the training network of ``spec`` in the active device (weights zero)."""
    ns = {**spec.namespace(), **ADAM, "n_steps": spec.n_steps, "dt_trial": spec.duration}
    trial = spec.duration
    shared = "\n".join(f"{name} : 1 (shared)" for name in ("lr", "c_reg", "f_step", "n_active"))
    cells = cell_groups(
        spec,
        ns,
        input_extra="\nxold : 1\nt0 : second (shared)\nn_driven : 1 (shared)",
        # trials from n_driven on get no input: nothing fires, every update stays zero
        input_threshold="x_in(t - t0, i) > 0.5 and t < n_driven * dt_trial - 0.5 * dt",
        rec_extra="zold : 1\n" + shared,
        out_extra="t0 : second (shared)",
        error_code=READOUT_ERROR.replace("y_target(t, i)", "y_target(t - t0, i)"),
    )
    inputs, rec, out = cells.inputs, cells.rec, cells.out
    # the presynaptic traces as the step's synapses read them (before the resets): the
    # traces' single pass at the step's end reads these
    before = {"when": "thresholds", "order": _ORDER_KEEP}
    inputs.run_regularly("xold = xbar", name="eprop_in_keep", **before)
    rec.run_regularly("zold = zbar", name="eprop_rec_keep", **before)
    synapses = {"in": _eligible(spec, setup, inputs, rec, "xbar", "in", ns)}
    if spec.recurrent:
        synapses["rec"] = _eligible(spec, setup, rec, rec, "zbar", "rec", ns, autapses=False)
    synapses["out"] = _readout(spec, setup, rec, out, ns)
    if setup.feedback == "random":
        synapses["feedback"] = feedback_synapses(spec, out, rec)
    # the cells and readouts back to zero at each trial's start (after the updates)
    starts = {"dt": trial, "when": "start", "order": _ORDER_RESET}
    inputs.run_regularly("t0 = t\nxbar = 0", name="eprop_in_reset", **starts)
    rec.run_regularly(
        "v = 0 * volt\na = 0\nzbar = 0\nzout = 0\ncount = 0", name="eprop_rec_reset", **starts
    )
    out.run_regularly("t0 = t\ny = 0\nloss = 0\nerr = 0", name="eprop_out_reset", **starts)
    records = {"dt": trial, "when": "start", "order": _ORDER_RECORD}
    monitors = {
        "loss": StateMonitor(out, "loss", record=True, name="eprop_loss", **records),
        "count": StateMonitor(rec, "count", record=True, name="eprop_count", **records),
        "y": StateMonitor(out, "y", record=True, dt=spec.dt, when="end", name="eprop_y"),
        "spikes": SpikeMonitor(rec, name="eprop_spikes_rec"),
    }
    network = Network(
        inputs, rec, out, *synapses.values(), *monitors.values(), name="eprop_training*"
    )
    groups = {"in": inputs, "rec": rec, "out": out}
    timed = {"x_in": cells.x_in, "y_target": cells.y_target}
    return EpropObjects(network, groups, synapses, timed, monitors)


def _optimiser_equations(optimizer):
    return "" if optimizer == "gd" else "m_adam : 1\nv_adam : 1\nn_upd : 1\n"


def _eligible(spec, setup, source, target, trace, label, ns, autapses=True):
    equations, step = eligibility_code(spec.adaptive)
    synapses = Synapses(
        source,
        target,
        equations + _optimiser_equations(setup.optimizer),
        on_pre="v_post += (1 - alpha) * w",
        method="exact",
        dt=spec.dt,
        namespace=ns,
        name=f"eprop_syn_{label}",
    )
    i, j = connection_indices(len(source), len(target), autapses)
    synapses.connect(i=i, j=j)
    # one pass per step at its end: the eligibility trace (from the trace kept before
    # the resets) and the accumulated update, the arithmetic of the two-pass
    # formulation of traces='synaptic' in one loop over the synapses
    synapses.run_regularly(
        step.replace("TRACE", trace.replace("bar", "old")) + "\ng += L_post * e_bar",
        when="end",
        order=_ORDER_UPDATE,
        name=f"eprop_syn_{label}_trace",
    )
    zeroed = ["g", "s_e", "e_bar"] + (["eps_a"] if spec.adaptive else [])
    synapses.run_regularly(
        _update_code(setup.optimizer, "mV", "post", True) + "\n" + _zero_code(zeroed, "1/volt"),
        dt=spec.duration,
        when="start",
        order=_ORDER_APPLY,
        name=f"eprop_syn_{label}_apply",
    )
    return synapses


def _readout(spec, setup, rec, out, ns):
    equations = "w : 1\ng : 1\n" + _optimiser_equations(setup.optimizer)
    if setup.feedback == "symmetric":  # L_j = sum_k W_out_kj err_k: B = W_out^T, always
        equations += "L_pre = w * err_post : 1 (summed)\n"
    readout = Synapses(
        rec,
        out,
        equations,
        on_pre="y_post += (1 - kappa) * w",
        dt=spec.dt,
        namespace=ns,
        name="eprop_syn_out",
    )
    i, j = connection_indices(spec.n_rec, spec.n_out)
    readout.connect(i=i, j=j)
    for updater in readout.summed_updaters.values():
        updater.when, updater.order = "end", _ORDER_SIGNAL
    readout.run_regularly(
        "g += err_post * zout_pre", when="end", order=_ORDER_UPDATE, name="eprop_syn_out_update"
    )
    readout.run_regularly(
        _update_code(setup.optimizer, "1", "pre", False) + "\ng = 0",
        dt=spec.duration,
        when="start",
        order=_ORDER_APPLY,
        name="eprop_syn_out_apply",
    )
    return readout


def program_recorded(objects: EpropObjects, setup: ProgramSetup) -> dict:
    """``{key: (object, variable)}`` of what a training run gives back."""
    recorded = {
        "spikes_rec_t": (objects.monitors["spikes"], "t_"),
        "spikes_rec_i": (objects.monitors["spikes"], "i"),
        "matrix_loss": (objects.monitors["loss"], "loss_"),
        "matrix_count": (objects.monitors["count"], "count_"),
        "matrix_y": (objects.monitors["y"], "y_"),
    }
    for label in ("in", "rec", "out"):
        if label not in objects.synapses:
            continue
        synapses = objects.synapses[label]
        recorded[f"state_w_{label}"] = (synapses, "w_")
        if setup.optimizer == "adam":
            for name in ("m_adam", "v_adam", "n_upd"):
                recorded[f"state_{name}_{label}"] = (synapses, f"{name}_")
    return recorded


def program_zero_values(spec: EpropSpec, setup: ProgramSetup) -> dict:
    """Every run value of a training program, zero (the cells' settings one each)."""
    sizes = {"in": spec.n_in * spec.n_rec, "out": spec.n_rec * spec.n_out}
    if spec.recurrent:
        sizes["rec"] = spec.n_rec * (spec.n_rec - 1)
    values: dict[str, Any] = {}
    for label, size in sizes.items():
        values[f"eprop_syn_{label}.w"] = np.zeros(size)
        if setup.optimizer == "adam":
            for name in ("m_adam", "v_adam", "n_upd"):
                values[f"eprop_syn_{label}.{name}"] = np.zeros(size)
    if setup.feedback == "random":
        values["eprop_feedback.B"] = np.zeros(spec.n_out * spec.n_rec)
    values["eprop_x_in.values"] = np.zeros(spec.n_steps * spec.n_in)
    values["eprop_y_target.values"] = np.zeros(spec.n_steps * spec.n_out)
    for name in ("lr", "c_reg", "f_step", "n_active"):
        values[f"eprop_rec.{name}"] = 0.0
    values["eprop_in.n_driven"] = 0.0
    return values


def program_duration(spec: EpropSpec, setup: ProgramSetup) -> Quantity:
    """``iterations_per_run`` trials and one step (whose start applies the last update)."""
    return setup.iterations_per_run * spec.duration + spec.dt
