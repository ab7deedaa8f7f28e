"""
From a trained ANN to a spiking network: conversion, accuracy over time, energy
===============================================================================

A multilayer perceptron with ReLU units is trained on scikit-learn's 8x8 digits and
converted into integrate-and-fire (IF) layers: each ReLU unit becomes an IF neuron whose
firing rate approximates the unit's activation. We watch the spiking network's accuracy
grow with simulated time, see why the weights must be normalised and why the reset
subtracts the threshold, and price one inference in picojoules against the ANN.

Learning goals
--------------
- Explain the rate code behind conversion: an IF neuron driven by a constant current
  ``a`` (below threshold per step) fires ``a`` spikes per step on average.
- Explain data-based normalisation (Diehl et al. 2015; Rueckauer et al. 2017) and why a
  high percentile beats the maximum.
- Explain why "reset by subtraction" keeps the rate code exact and "reset to zero" does
  not.
- Read an accuracy-vs-time curve and an energy-vs-accuracy curve, and say where the
  spiking network wins and where it loses.

Run time on 2 cores
-------------------
Full: about 3 minutes (450 test images, cpp_standalone: one compile per structure, about
40 s each). Quick (``QUIFER_LAB_QUICK=1``): about 45 s (60 images, numpy backend).

Course topics
-------------
- Gerstner et al., *Neuronal Dynamics*, ch. 1.3 and 7 (integrate-and-fire neurons, rate
  codes); Dayan & Abbott, *Theoretical Neuroscience*, ch. 1 (firing rates, spike counts).
- Diehl et al. 2015 (IJCNN), Rueckauer et al. 2017 (Front. Neurosci. 11:682): ANN-to-SNN
  conversion; Horowitz 2014 (ISSCC): energy per operation.

Exercises
---------
1. Convert with ``percentile=99``, ``99.9`` and ``99.99``. Which reaches the ANN's accuracy
   first, and which is best after 100 steps? Why is there a trade-off?
2. Replace the Poisson input by ``input_coding='regular'``. How many steps does it save,
   and why?
3. From the energy table, at which step does the converted network cost as much as the
   ANN? What accuracy does it have there? Redo it with the Loihi figures
   (``quifer_brian.learning.LOIHI_2018``).
4. Train a network with three hidden layers of 128 units and convert it. How many steps
   does it need to come within 1.5 points of its ANN? Why do errors add up with depth?
5. In the reset cell, which constant inputs does reset-to-zero get exactly right, and what
   is its largest relative error?

Solutions: ``solutions.md`` next to this file.
"""

# %%
# Setup: quick mode, output folder, data. Inputs are scaled to [0, 1], so an input value
# is also a firing probability per time step.
import os
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from brian2 import ms
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier

from quifer_brian.learning import LOIHI_2018, convert, energy_pj

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)
BACKEND = "numpy" if QUICK else "cpp_standalone"
N_TEST = 60 if QUICK else 450
N_STEPS = 40 if QUICK else 100

x, y = load_digits(return_X_y=True)
x_train, x_test, y_train, y_test = train_test_split(
    x / 16.0, y, test_size=0.25, random_state=0, stratify=y
)
x_test, y_test = x_test[:N_TEST], y_test[:N_TEST]

# %%
# Train the ANN: one hidden layer of ReLU units.
with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # lbfgs may stop at max_iter: fine for this lab
    mlp = MLPClassifier((64,), solver="lbfgs", alpha=0.01, max_iter=400, random_state=0)
    mlp.fit(x_train, y_train)
ann_accuracy = mlp.score(x_test, y_test)
print(f"ANN accuracy on {N_TEST} test images: {100 * ann_accuracy:.1f}%")

# %%
# Reset by subtraction versus reset to zero. An IF neuron adds a constant current ``a``
# each step and spikes when ``v >= 1``. Subtracting the threshold keeps the charge above
# it, so after ``T`` steps the count is ``floor(a T)``: the rate is ``a``. Resetting to
# zero throws that charge away: the neuron fires once every ``ceil(1/a)`` steps.
inputs = np.linspace(0.05, 1.0, 96)
T = 1000
rate_subtract = np.floor(inputs * T + 1e-9) / T
rate_zero = 1.0 / np.ceil(1.0 / inputs - 1e-9)
error_zero = np.max(np.abs(rate_zero - inputs) / inputs)
print(f"largest relative rate error, reset to zero: {100 * error_zero:.0f}%")
fig, ax = plt.subplots(figsize=(4.5, 3.5))
ax.plot(inputs, inputs, color="0.7", lw=3, label="ReLU activation a")
ax.plot(inputs, rate_subtract, label="reset by subtraction")
ax.plot(inputs, rate_zero, label="reset to zero")
ax.set(xlabel="constant input a (per step)", ylabel="spikes per step", title="Reset choice")
ax.legend(frameon=False)
fig.tight_layout()
fig.savefig(OUT / "reset_choice.png", dpi=120)

# %%
# Convert. Each layer's scale ``lambda_l`` is the 99.9th percentile of its positive
# activations on the training data; weights become ``W_l lambda_{l-1} / lambda_l`` and
# biases ``b_l / lambda_l``, so nearly every unit needs less than one spike per step.
net = convert(mlp, x_train, backend=BACKEND)
print(f"layer scales lambda: {np.round(net.scales, 2).tolist()}")
codings = {
    "analog input, spike counts": {},
    "Poisson input, spike counts": {"input_coding": "poisson"},
    "analog input, membrane read-out": {"readout": "membrane"},
}
runs = {}
for label, options in codings.items():
    runs[label] = convert(mlp, x_train, backend=BACKEND, **options).simulate(
        x_test, N_STEPS * ms, seed=1
    )
steps = np.arange(1, N_STEPS + 1)
for label, run in runs.items():
    curve = run.accuracy_over_time(y_test)
    within = np.nonzero(curve >= ann_accuracy - 0.01)[0]
    first = int(within[0] + 1) if within.size else None
    print(
        f"{label:33s} accuracy after 8/20/50 steps: "
        f"{100 * curve[7]:.1f}/{100 * curve[19]:.1f}/{100 * curve[min(49, N_STEPS - 1)]:.1f}%"
        f"; first within 1 point of the ANN at step {first}"
    )

# %%
# The ablation: without normalisation, or normalised by the maximum instead of the
# percentile, the same network is slower or worse at the same time.
ablation = {
    "99.9th percentile": runs["analog input, spike counts"],
    "maximum": convert(mlp, x_train, normalisation="max", backend=BACKEND).simulate(
        x_test, N_STEPS * ms
    ),
    "none": convert(mlp, x_train, normalisation="none", backend=BACKEND).simulate(
        x_test, N_STEPS * ms
    ),
}
fig, axes = plt.subplots(1, 2, figsize=(10, 3.8), sharey=True)
for label, run in runs.items():
    axes[0].plot(steps, 100 * run.accuracy_over_time(y_test), label=label)
for label, run in ablation.items():
    curve = run.accuracy_over_time(y_test)
    axes[1].plot(steps, 100 * curve, label=f"normalisation: {label}")
    print(f"normalisation {label:18s}: accuracy after 10/20 steps {100 * curve[9]:.1f}/"
          f"{100 * curve[19]:.1f}%")  # fmt: skip
for ax, title in zip(axes, ("Input coding and read-out", "Normalisation"), strict=True):
    ax.axhline(100 * ann_accuracy, color="k", ls="--", lw=1, label="ANN")
    ax.set(xlabel="time steps (1 ms each)", title=title, ylim=(0, 100))
    ax.legend(frameon=False, loc="lower right", fontsize=8)
axes[0].set_ylabel("test accuracy (%)")
fig.tight_layout()
fig.savefig(OUT / "accuracy_over_time.png", dpi=120)

# %%
# The energy account. The ANN pays one multiply-accumulate per weight (3.7 + 0.9 pJ in
# 45 nm, 32-bit float, Horowitz 2014); the spiking network pays one add per synaptic
# event (0.9 pJ) and one per neuron per step, plus the first layer's input current once
# with analog input. Each point of the curve is one duration.
fig, ax = plt.subplots(figsize=(5.5, 4))
for label, run in runs.items():
    ops = run.operations()
    snn = energy_pj({k: ops[k] for k in ("synaptic_ops", "neuron_updates", "macs", "adds")})
    ax.plot(snn / 1e3, 100 * run.accuracy_over_time(y_test), marker=".", ms=3, label=label)
ann_energy = float(energy_pj(ops["ann"]))
ax.plot([ann_energy / 1e3], [100 * ann_accuracy], "k*", ms=12, label="ANN")
ax.axvline(ann_energy / 1e3, color="k", ls=":", lw=1)  # left of it the SNN costs less
ax.set(xlabel="energy per inference (nJ)", ylabel="test accuracy (%)", xlim=(0, None))
ax.set_title("Energy vs accuracy (Horowitz 2014, 45 nm)")
ax.legend(frameon=False, fontsize=8, loc="lower right")
fig.tight_layout()
fig.savefig(OUT / "energy_vs_accuracy.png", dpi=120)
run = runs["analog input, spike counts"]
ops = run.operations()
snn_ops = {k: ops[k] for k in ("synaptic_ops", "neuron_updates", "macs", "adds")}
snn, loihi = energy_pj(snn_ops), energy_pj(snn_ops, LOIHI_2018)
curve = run.accuracy_over_time(y_test)
print(f"ANN: {ann_energy / 1e3:.1f} nJ per inference")
for k in (4, 8, 12, 20, N_STEPS):
    ratio, ratio_loihi = snn[k - 1] / ann_energy, loihi[k - 1] / ann_energy
    print(
        f"step {k:3d}: accuracy {100 * curve[k - 1]:5.1f}%, SNN {snn[k - 1] / 1e3:6.1f} nJ, "
        f"SNN/ANN {ratio:5.2f} (Loihi-priced SNN: {ratio_loihi:5.2f})"
    )
