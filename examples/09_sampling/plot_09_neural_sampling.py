"""Lab 9: neural sampling -- spiking networks that generate from a learned distribution
====================================================================================

A neuron that, after each spike, stays "on" for a refractory time tau and otherwise
fires with intensity exp(u)/tau, where u is its bias plus rectangular PSPs from the
units that are on, makes the network's binary state z(t) a sample of the Boltzmann
distribution p(z) ~ exp(z'Wz/2 + b'z) (Buesing, Bill, Nessler & Maass 2011).  The
network *is* a Markov chain Monte Carlo sampler, built from spikes.

Learning goals
--------------
- Read the neural-sampling equations and check their exactness against the
  enumerated distribution (bar plot, KL divergence against simulated time).
- Compute conditionals by clamping units.
- Train a restricted Boltzmann machine on binarised digits, map it onto spiking units,
  and generate digits of a chosen class and complete half-seen digits with spikes.
- Use the sampler as the generative prior of the actualization loop: it proposes
  archetypes, the loop settles on them.

Run time on 2 cores
-------------------
Full: about 5 minutes (the digits on cpp_standalone, one compile of about a minute).
Quick (``QUIFER_LAB_QUICK=1``): about 30 s, everything on the numpy backend.

Course topics
-------------
Buesing et al. (2011) PLoS Comput Biol 7:e1002211 (neural sampling); Dayan & Abbott,
Theoretical Neuroscience, ch. 10 (Boltzmann machines, representational learning);
Hinton (2002) Neural Comput 14:1771 and Tieleman (2008) (contrastive divergence);
Petrovici et al. (2016) Phys Rev E 94:042312 (sampling with LIF neurons).

Exercises
---------
1. Section 1 uses ``intensity='exponential'`` at dt = 0.1 ms.  Rerun it at dt = 1 ms:
   how large does the KL get, and why does ``'logistic'`` (sigma(u - ln(tau/dt)) per
   step) repair it?  (Hint: the on-fraction of a single unit with bias b.)
2. The KL in section 2 falls as 1/T.  Where would it level off, and what sets that floor?
3. Set ``LABEL_COPIES = 1`` in section 4: how often do class-conditional samples still
   show the clamped class, and why?
4. In section 6, change the biases of the prior so that archetype 0 is twice as likely
   as the others.  How often does the loop now settle on it?

Solutions: ``solutions.md`` next to this file.
"""

# %%
# Setup
# -----
import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from brian2 import ms, second
from sklearn.linear_model import LogisticRegression

from quifer_brian.learning.rbm import (
    gibbs_sample,
    load_binary_digits,
    mean_pairwise_hamming,
    sample_rbm_spiking,
    train_rbm,
    with_labels,
)
from quifer_brian.networks import actualization_loop, boltzmann_sampler
from quifer_brian.networks.boltzmann_exact import (
    kl_divergence,
    random_machine,
    state_frequencies,
)

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)
LABEL_COPIES = 10

# %%
# 1. Sampling a 3-unit distribution
# ---------------------------------
# Three units with random symmetric weights.  Twenty chains run side by side; the
# states are read every step, z_k(t) = 1 iff unit k spiked within the last tau.
W3 = np.array([[0.0, 1.2, -0.8], [1.2, 0.0, 0.6], [-0.8, 0.6, 0.0]])
b3 = np.array([-0.6, -0.4, 0.2])
sampler = boltzmann_sampler(W3, b3, tau=10 * ms, dt=0.1 * ms, n_chains=20)
run = sampler.run((2 if QUICK else 10) * second, seed=1, t_start=50 * ms)
sampled, exact = run.frequencies(), sampler.exact()
kl3 = kl_divergence(sampled, exact)
chain_seconds = run.states.shape[0] * run.states.shape[1] * 1e-4
print(f"1. three units, {chain_seconds:.0f} s over all chains: KL = {kl3:.4f}")

labels = [f"{s:03b}"[::-1] for s in range(8)]
fig, ax = plt.subplots(figsize=(6, 3))
x = np.arange(8)
ax.bar(x - 0.2, exact, 0.4, label="exact p(z)")
ax.bar(x + 0.2, sampled, 0.4, label="spiking sampler")
ax.set_xticks(x, labels)
ax.set_xlabel("state z1 z2 z3")
ax.set_ylabel("probability")
ax.set_title(f"Neural sampling of 3 units (KL = {kl3:.4f} nats)")
ax.legend()
fig.tight_layout()
fig.savefig(OUT / "09_three_units.png", dpi=100)

# %%
# 2. Conditionals by clamping, and KL against time for 10 units
# --------------------------------------------------------------
# Clamping z1 = 1 turns the free units into a sampler of p(z2, z3 | z1 = 1).  For 10
# units (1024 states) the KL to the enumerated distribution falls with simulated time.
clamped = boltzmann_sampler(W3, b3, dt=0.1 * ms, clamp={0: 1}, n_chains=20)
run_c = clamped.run((1 if QUICK else 5) * second, seed=2, t_start=50 * ms)
print(f"2. p(z2, z3 | z1 = 1): KL = {clamped.kl(run_c):.4f}")

W10, b10 = random_machine(10, 10)
sampler10 = boltzmann_sampler(W10, b10, dt=1 * ms, n_chains=20, intensity="logistic")
run10 = sampler10.run((5 if QUICK else 50) * second, seed=3, t_start=0.1 * second)
exact10 = sampler10.exact()
n_steps = run10.states.shape[1]
spans = np.unique(np.geomspace(50, n_steps, 8).astype(int))
kls = [kl_divergence(state_frequencies(run10.states[:, :n]), exact10) for n in spans]
spans_s = spans * 1e-3 * run10.states.shape[0]
slope = np.polyfit(np.log(spans_s), np.log(kls), 1)[0]
print(f"   ten units: KL {kls[0]:.3f} -> {kls[-1]:.4f}, log-log slope {slope:.2f}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3.2))
axes[0].loglog(spans_s, kls, "o-")
axes[0].set_xlabel("simulated time, all chains (s)")
axes[0].set_ylabel("KL(sampled || exact) (nats)")
axes[0].set_title("10 units: KL falls with time")
times, units = run10.result.spikes["Z"]
first = (times >= 0.1) & (times < 0.3) & (units < 10)
axes[1].plot(times[first] * 1000, units[first], "|", color="k")
for k in range(10):
    on = run10.states[0, :200, k]
    axes[1].fill_between(
        np.arange(100, 300), k - 0.3, k + 0.3, where=on > 0, color="C1", alpha=0.4, lw=0
    )
axes[1].set_xlabel("time (ms)")
axes[1].set_ylabel("unit")
axes[1].set_title("spikes (|) and on-states z = 1 (chain 0)")
fig.tight_layout()
fig.savefig(OUT / "09_kl_and_raster.png", dpi=100)

# %%
# 3. Learning digits: an RBM trained on binarised 8x8 digits
# ----------------------------------------------------------
# Visible units: 64 pixels and the one-hot label (repeated LABEL_COPIES times); hidden
# units learn features.  Training is persistent CD-1 in numpy.
x_train, y_train, x_test, y_test = load_binary_digits()
rbm = train_rbm(
    with_labels(x_train, y_train, label_copies=LABEL_COPIES),
    n_hidden=100 if QUICK else 200,
    n_epochs=20 if QUICK else 60,
    seed=0,
)
print(f"3. RBM: {rbm.n_visible} visible, {rbm.n_hidden} hidden units")

# %%
# 4. Digits generated by spikes, with the label clamped
# -----------------------------------------------------
# The trained RBM becomes a Boltzmann machine over visible and hidden units; its
# spiking sampler runs one chain per clamped class ('logistic' intensity: a trained
# RBM's worst-case input would allow far more than one spike per step).
classifier = LogisticRegression(max_iter=2000).fit(x_train, y_train)
per_class = 1 if QUICK else 4
n_samples = 8 if QUICK else 40
backend = "numpy" if QUICK else "cpp_standalone"
classes = np.repeat(np.arange(10), per_class)
clamp = -np.ones((len(classes), rbm.n_visible), dtype=int)
clamp[:, 64:] = with_labels(np.zeros((len(classes), 64)), classes, label_copies=LABEL_COPIES)[
    :, 64:
]
samples = sample_rbm_spiking(rbm, clamp, n_samples, backend=backend, seed=1)[..., :64]
predicted = classifier.predict(samples.reshape(-1, 64)).reshape(len(classes), -1)
accuracy = np.mean(predicted == classes[:, None])
diversity = min(
    mean_pairwise_hamming(samples[classes == c].reshape(-1, 64))
    / mean_pairwise_hamming(x_train[y_train == c])
    for c in range(10)
)
print(f"4. samples classified as the clamped class: {accuracy:.0%}")
print(f"   diversity (sampled / real mean Hamming distance, worst class): {diversity:.2f}")

fig, axes = plt.subplots(10, 8, figsize=(6, 7.5))
for c in range(10):
    chain = np.flatnonzero(classes == c)[0]
    for s in range(8):
        axes[c, s].imshow(samples[chain, s].reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[c, s].axis("off")
fig.suptitle("Spiking samples with the label clamped (rows: 0-9; time ->)")
fig.tight_layout()
fig.savefig(OUT / "09_digits_generated.png", dpi=100)

# %%
# 5. Completing digits from their top half
# ----------------------------------------
# The top 32 pixels of test digits are clamped; the spiking network fills in the
# bottom half, and so does a plain numpy Gibbs sampler of the same RBM.
picks = np.concatenate([np.flatnonzero(y_test == c)[:per_class] for c in range(10)])
clamp = -np.ones((len(picks), rbm.n_visible), dtype=int)
clamp[:, :32] = x_test[picks, :32]
spiking = sample_rbm_spiking(rbm, clamp, n_samples, backend=backend, seed=2)
gibbs = gibbs_sample(rbm, clamp, n_samples, every=2, seed=2)
truth = x_test[picks][:, None, 32:]
completion = np.mean(spiking[..., 32:64] == truth)
completion_gibbs = np.mean(gibbs[..., 32:64] == truth)
print(f"5. bottom-half pixel accuracy: spiking {completion:.1%}, Gibbs {completion_gibbs:.1%}")

fig, axes = plt.subplots(3, 10, figsize=(8, 2.8))
for column in range(10):
    index = column * per_class
    rows = (x_test[picks[index]], spiking[index, -1, :64], spiking[index, :, :64].mean(axis=0))
    for row, image in enumerate(rows):
        axes[row, column].imshow(image.reshape(8, 8), cmap="gray_r", vmin=0, vmax=1)
        axes[row, column].axis("off")
for row, name in enumerate(("true", "one sample", "mean")):
    axes[row, 0].set_title(name, fontsize=8, loc="left")
fig.suptitle("Top half clamped: completions by spikes")
fig.tight_layout()
fig.savefig(OUT / "09_digits_completed.png", dpi=100)

# %%
# 6. The sampler as the actualization loop's generative prior
# -----------------------------------------------------------
# Three archetypes are stored in the loop's attractor network.  A 3-unit Boltzmann
# machine with mutual inhibition (one unit on at a time is likely) proposes them: its
# time-averaged state over 30 ms, scaled to [0.2, 0.8], is the loop's cue.  Without
# focus the loop settles on an archetype, so the sampler's distribution becomes a
# distribution over archetypes.
archetypes = 0.2 + 0.6 * np.eye(3)
W_prior = -4.0 * (1 - np.eye(3))
b_prior = np.full(3, 1.5)
n_trials = 8 if QUICK else 24
prior = boltzmann_sampler(W_prior, b_prior, dt=0.1 * ms, n_chains=n_trials)
window = prior.run(130 * ms, seed=4, t_start=100 * ms).states.mean(axis=1)  # (trials, 3)
proposals = 0.2 + 0.6 * window
loop = actualization_loop(n_dims=3, archetypes=archetypes, batch=n_trials)
settled = loop.actualize(proposals, 500 * ms, seed=5)
chosen = settled.nearest_archetype()
proposed = np.argmax(window, axis=1)
agree = np.mean(chosen == proposed)
print(f"6. proposals settled on by the loop: {settled.reached_nearest(0.1).mean():.0%}")
print(f"   loop's archetype = the sampler's most active unit: {agree:.0%}")
print(f"   archetypes chosen: {np.bincount(chosen, minlength=3).tolist()}")

fig, axes = plt.subplots(1, 2, figsize=(9, 3), layout="constrained")
axes[0].imshow(proposals.T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
axes[0].set_title("proposals (sampler, 30 ms average)")
axes[0].set_xlabel("trial")
axes[0].set_ylabel("dimension")
axes[1].imshow(settled.final_states.T, aspect="auto", cmap="viridis", vmin=0, vmax=1)
axes[1].set_title("settled states (actualization loop; white: silent)")
axes[1].set_xlabel("trial")
for ax in axes:
    ax.set_yticks(range(3))
fig.colorbar(axes[1].images[0], ax=axes, label="state value")
fig.savefig(OUT / "09_prior_and_loop.png", dpi=100)
