"""e-prop: a recurrent spiking network learns to generate a pattern
=================================================================

A network of leaky integrate-and-fire cells receives the same frozen Poisson input on
every trial; a leaky readout sums its spikes.  e-prop (Bellec et al. 2020) trains the
input, recurrent and output weights so that the readout draws a target signal made of
summed sines.  Everything that learning needs lives in Brian2 equations: the
pseudo-derivative as a state variable of the cells, the eligibility traces as synaptic
variables, the learning signal broadcast from the readout's error through feedback
synapses, and the weight updates accumulated in the synapses over a trial.  Between
trials an optimiser (Adam here) applies them, and the same compiled program runs again
with the new weights.

Learning goals
--------------
- Read e-prop's three factors in the equations: presynaptic trace, postsynaptic
  pseudo-derivative, learning signal.
- See a loss curve fall and the readout's output move onto the target.
- Compare the network's spiking before and after training (rate regularisation keeps
  it sparse).

Run time on 2 cores
-------------------
Full: about 5 minutes on a quiet machine (100 inputs, 100 cells, a 1 s target, 300
Adam iterations on cpp_standalone, about 0.25 s of CPU each, plus one compile of 1-2
minutes on the first run; later runs take the program from the build cache); several
times longer on a busy one.  Quick (``QUIFER_LAB_QUICK=1``): 39 s measured on a busy
machine (20 inputs, 50 cells, 100 steps, 20 iterations on numpy).

Course topics
-------------
- Bellec et al. (2020), A solution to the learning dilemma for recurrent networks of
  spiking neurons, Nat Commun 11:3625 (Fig. 2: pattern generation).
- Gerstner et al., Neuronal Dynamics, ch. 1 and 5 (leaky integrate-and-fire) and ch. 19
  (synaptic plasticity, three-factor rules).
- Dayan & Abbott, Theoretical Neuroscience, ch. 8 (plasticity and learning).

Exercises
---------
1. Train with ``feedback="random"`` instead of ``"symmetric"``.  Does the loss still
   fall?  How much slower?
2. Switch the rate regularisation off (``c_reg=0``).  What happens to the firing rate,
   and to the loss?
3. Remove the recurrent weights (``recurrent=False``).  e-prop then equals the exact
   gradient: is the pattern learnt better or worse, and why?
4. Replace the target by a single sine of 5 Hz and by white noise.  Which is easier to
   learn, and what limits the hardest one?
"""

# %%
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, second

from quifer_brian.learning import eprop_network
from quifer_brian.learning.eprop_models import PSEUDO_DERIVATIVE, RECURRENT_EQUATIONS
from quifer_brian.results import save_figure

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)

# %%
# The task: frozen Poisson input and a target of summed sines
# -----------------------------------------------------------
# The input spikes are drawn once and replayed on every trial (5 % per 1 ms step per
# channel).  The target is a sum of sines with random amplitudes and phases,
# normalised to a peak of 1, as in the paper and in NEST's tutorial.
if QUICK:
    N_IN, N_REC, N_STEPS, N_ITERATIONS, BACKEND = 20, 50, 100, 20, "numpy"
    PERIODS, P_SPIKE, LEARNING_RATE = (100, 50), 0.1, 0.03
else:
    N_IN, N_REC, N_STEPS, N_ITERATIONS, BACKEND = 100, 100, 1000, 300, "cpp_standalone"
    PERIODS, P_SPIKE, LEARNING_RATE = (1000, 500, 333, 200), 0.05, 0.003

rng = np.random.default_rng(1)
inputs = (rng.random((N_STEPS, N_IN)) < P_SPIKE).astype(float)
steps = np.arange(N_STEPS)
target = sum(
    rng.uniform(0.5, 2.0) * np.sin(2 * np.pi * steps / period + rng.uniform(0, 2 * np.pi))
    for period in PERIODS
)
target = (target - target[0]) / np.abs(target - target[0]).max()
target = target[:, None]

# %%
# The network and its equations
# -----------------------------
# ``eprop_network`` draws the weights (normal, scaled by 1/sqrt(fan-in)).  The
# equations are plain text: print them to see the pseudo-derivative ``psi`` and the
# traces ``zbar`` (to the cells' outgoing synapses) and ``zout`` (to the readout).
model = eprop_network(N_IN, N_REC, 1, N_STEPS, feedback="symmetric", backend=BACKEND, seed=2)
print(RECURRENT_EQUATIONS.strip())
print(PSEUDO_DERIVATIVE)
before = model.predict(inputs, target)
variance = float(np.var(target))
nmse_before = float(np.mean((before.outputs[0] - target) ** 2) / variance)
print(f"before training: loss {before.loss[0]:.2f}, normalised MSE {nmse_before:.3f}")

# %%
# Training
# --------
# Each iteration runs one trial, reads back the updates the synapses accumulated and
# lets Adam apply them; the firing-rate regulariser pulls each cell towards 10 Hz
# (its strength is scaled with the trial's length: the task's gradient is a sum over
# the trial's steps, the regulariser's is not).
history = model.fit(
    inputs,
    target,
    N_ITERATIONS,
    learning_rate=LEARNING_RATE,
    optimizer="adam",
    c_reg=300.0 * N_STEPS / 1000,  # the task's gradient grows with the trial's length
    f_target=10 * Hz,
)
after = model.predict(inputs, target)
nmse_after = float(np.mean((after.outputs[0] - target) ** 2) / variance)
print(f"after {N_ITERATIONS} iterations: loss {after.loss[0]:.2f}, normalised MSE {nmse_after:.3f}")
print(f"mean rate: {history['rate'][0]:.1f} Hz at the start, {history['rate'][-1]:.1f} Hz now")
model.save(OUT / "eprop_pattern_network.npz")

# %%
# Loss curve, output against target, spikes before and after
# ------------------------------------------------------------
time_ms = steps * float(model.spec.dt / second) * 1e3
fig, axes = plt.subplots(4, 1, figsize=(8, 10), layout="constrained")
axes[0].semilogy(np.arange(1, len(history["loss"]) + 1), history["loss"])
axes[0].set(xlabel="iteration", ylabel="loss  ½ Σ (y − y*)²", title="Training loss")
axes[1].plot(time_ms, target[:, 0], "k", lw=2, label="target y*")
axes[1].plot(time_ms, before.outputs[0, :, 0], color="0.6", label="output before")
axes[1].plot(time_ms, after.outputs[0, :, 0], color="C3", label="output after")
axes[1].set(xlabel="time (ms)", ylabel="readout", title="Readout against the target")
axes[1].legend(loc="upper right", fontsize=8)
for ax, run, label in ((axes[2], before, "before"), (axes[3], after, "after")):
    times, cells = run.spikes[0]
    ax.plot(times * 1e3, cells, "|", ms=3, color="k")
    rate = len(times) / (N_REC * float(model.spec.duration / second))
    ax.set(
        xlabel="time (ms)",
        ylabel="cell",
        xlim=(0, time_ms[-1]),
        ylim=(-1, N_REC),
        title=f"Recurrent spikes {label} training ({rate:.1f} Hz per cell)",
    )
save_figure(fig, OUT / "eprop_pattern_generation.png", dpi=80)
print(f"figure: {OUT / 'eprop_pattern_generation.png'}")
