"""The circuit of a converted network: integrate-and-fire layers, a batch side by side.

A :class:`~quifer_brian.learning.SpikingNetwork` (made by
:func:`~quifer_brian.learning.convert`) holds the normalised weights and biases of a
ReLU network and runs them as integrate-and-fire layers written as equation strings,
one neuron per ReLU unit:

.. math::  \\frac{dv}{dt} = \\frac{I}{\\Delta t}, \\quad v \\ge V_{th} \\Rightarrow
    \\text{spike}, \\; v \\leftarrow v - V_{th}

with :math:`V_{th} = 1`, the bias (plus, in the first layer with analog input, the
input current :math:`W_1 x`) as the constant current ``I`` added each step, and each
presynaptic spike adding its weight to ``v`` ("reset by subtraction", Rueckauer et al.
2017).  A batch of inputs runs as independent copies side by side in one network (one
compiled program on cpp_standalone); the inputs, weights and biases are the program's
run values, so a later call with new inputs reruns it through the build cache without
compiling (:func:`~quifer_brian.backends.run_cached`).

A non-spiking output layer (``readout='membrane'``) is a linear integrator: its
membrane potential after step :math:`k` is :math:`v(k) = (k+1) b + W^T n(k)`,
:math:`n(k)` the spike counts of the last hidden layer up to step :math:`k`.  It is
evaluated from those counts (exactly what the integrator would hold), which gives the
read-out at every step of one run.
"""

import functools

import numpy as np
from brian2 import NeuronGroup, Synapses, second

from ..backends.stability import mark_bernoulli_by_design
from ..networks.circuit import Circuit, CircuitParts

__all__ = ["CIRCUIT_NAME", "V_THRESHOLD", "build_circuit", "layer_labels", "run_values"]

#: Name of the circuit (prefix of every Brian2 object's name).
CIRCUIT_NAME = "conversion"
#: Firing threshold of every integrate-and-fire unit (dimensionless).
V_THRESHOLD = 1.0

IF_MODEL = "dv/dt = I/dt : 1\nI : 1 (constant)"
POISSON_INPUT = "rate : 1 (constant)"
REGULAR_INPUT = "dphi/dt = rate/dt : 1\nrate : 1 (constant)"


def layer_labels(n_layers: int, input_coding: str, readout: str) -> list:
    """Labels of the simulated populations, input first: ``X`` (spike input), ``L1``.. ``O``.

    ``n_layers`` counts the weight matrices; the output layer ``O`` is simulated only with
    ``readout='spikes'``.
    """
    labels = [] if input_coding == "analog" else ["X"]
    labels += [f"L{k}" for k in range(1, n_layers)]
    if readout == "spikes":
        labels.append("O")
    return labels


def _block_diagonal(n_pre, n_post, batch):
    """``(i, j)`` of all-to-all connections inside each of ``batch`` copies."""
    pre, post = np.meshgrid(np.arange(n_pre), np.arange(n_post), indexing="ij")
    offsets = np.arange(batch)[:, None]
    i = (offsets * n_pre + pre.ravel()[None, :]).ravel()
    j = (offsets * n_post + post.ravel()[None, :]).ravel()
    return i.astype(np.int32), j.astype(np.int32)


def run_values(net, x: np.ndarray) -> dict:
    """``{"object.variable": array}``: the run values of a batch ``x`` (already checked).

    The first simulated layer's constant current holds ``W_1 x + b_1`` with analog input
    and ``b_1`` with spike input (whose rates, one per input value per step, are clipped
    to [0, 1]); every synapse carries its copy's weight.
    """
    batch = x.shape[0]
    weights, biases = net.weights, net.biases
    labels = layer_labels(len(weights), net.input_coding, net.readout)
    values = {}
    if net.input_coding != "analog":
        values[f"{CIRCUIT_NAME}_X.rate"] = np.clip(x, 0.0, 1.0).ravel()
    spiking = [label for label in labels if label != "X"]
    for k, label in enumerate(spiking):
        current = np.broadcast_to(biases[k], (batch, biases[k].size))
        if k == 0 and net.input_coding == "analog":
            current = x @ weights[0] + biases[0]
        values[f"{CIRCUIT_NAME}_{label}.I"] = np.ascontiguousarray(current, dtype=float).ravel()
    first = 0 if net.input_coding != "analog" else 1
    for k in range(len(labels) - 1):
        values[f"{CIRCUIT_NAME}_S{k}.w"] = np.tile(weights[first + k].ravel(), batch)
    return values


def _construct(sizes, batch, input_coding, readout, dt, *, values):
    """The Brian2 objects of a converted network (see the module docstring)."""
    dt = dt * second
    labels = layer_labels(len(sizes) - 1, input_coding, readout)
    groups = {}
    for label in labels:
        name = f"{CIRCUIT_NAME}_{label}"
        if label == "X" and input_coding == "poisson":
            # A Bernoulli spike per step with probability x <= 1 *is* the conversion's
            # "Poisson" rate code (Rueckauer 2017, SNN toolbox: p = x r_max dt with
            # r_max = 1/dt), so the check of Bernoulli sources standing in for Poisson
            # processes (p <= 0.1) is told that this one is by design.
            group = mark_bernoulli_by_design(
                NeuronGroup(
                    batch * sizes[0], POISSON_INPUT, threshold="rand() < rate", dt=dt,
                    namespace={}, name=name,
                )
            )  # fmt: skip
        elif label == "X":  # regular trains, phase 1/2 as encode_rate(process='regular')
            group = NeuronGroup(
                batch * sizes[0], REGULAR_INPUT, threshold="phi > 1", reset="phi -= 1",
                method="euler", dt=dt, namespace={}, name=name,
            )  # fmt: skip
            group.phi = 0.5
        else:
            size = sizes[labels.index(label) + (1 if input_coding == "analog" else 0)]
            group = NeuronGroup(
                batch * size, IF_MODEL, threshold="v >= V_th", reset="v -= V_th",
                method="euler", dt=dt, namespace={"V_th": V_THRESHOLD}, name=name,
            )  # fmt: skip
            group.I = values[f"{name}.I"]
        if label == "X":
            group.rate = values[f"{name}.rate"]
        groups[label] = group
    synapses = {}
    for k in range(len(labels) - 1):
        pre, post = groups[labels[k]], groups[labels[k + 1]]
        name = f"{CIRCUIT_NAME}_S{k}"
        synapse = Synapses(
            pre, post, "w : 1 (constant)", on_pre="v_post += w", dt=dt, namespace={}, name=name
        )
        i, j = _block_diagonal(len(pre) // batch, len(post) // batch, batch)
        synapse.connect(i=i, j=j)
        synapse.w = values[f"{name}.w"]
        synapses[f"S{k}"] = synapse
    return CircuitParts(populations=groups, synapses=synapses)


def build_circuit(net, x: np.ndarray) -> Circuit:
    """The :class:`~quifer_brian.networks.circuit.Circuit` running batch ``x`` through ``net``.

    Its structure (what a compiled program is keyed on) is the layer sizes, the batch
    size, the input coding, the read-out and ``dt``; inputs, weights and biases are run
    values, so any batch of the same size and any network of the same shape reruns the
    same program.
    """
    values = run_values(net, x)
    params = {
        "sizes": tuple(int(n) for n in net.sizes),
        "batch": int(x.shape[0]),
        "input_coding": net.input_coding,
        "readout": net.readout,
        "dt": float(net.dt / second),
    }
    return Circuit(
        CIRCUIT_NAME,
        functools.partial(_construct, values=values),
        params,
        fs=1 / net.dt,
        tunable=lambda **_: values,
        tunable_params=("inputs", "weights", "biases"),
    )
