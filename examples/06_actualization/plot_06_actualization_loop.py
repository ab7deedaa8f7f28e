"""
Lab 6: the spiking actualization loop -- archetypes grown by STDP, focus and jitter
===================================================================================

A state vector is carried by a population code (a feature layer F: per dimension, cells
with preferred values); stored *archetypes* are attractors made by conjunctive memory
assemblies (M) that read F and write their pattern back; interneurons keep the activity
sparse and pace a rhythm.  The continuous "mind's eye" loop has three forces, and each
has a spiking counterpart here:

- potential field: the F <-> M weights, grown by the library's ``istdp`` rule from noisy
  presentations (section 1);
- focus: a tuned top-down current toward the target whose gain follows a schedule that
  moves weight from the field (exploration) to the focus (convergence);
- creative jitter: an Ornstein-Uhlenbeck noise current per memory assembly times a
  decaying gain (noise on the potential field).

Sections: 1. imprint three patterns and read the weights; 2. complete noisy cues without
focus (learned vs uniform weights); 3. focus from random states, with and without jitter,
schedule on and off: distance over time and settling times, next to those of the
continuous loop (:mod:`quifer_brian.networks.actualization.continuous`) on the same
states; 4. the rhythm of the loop.

Learning goals
--------------
- Store patterns as attractors by plasticity (inhibitory STDP on feature <-> memory
  weights) and read what was learned from the weights.
- Measure pattern completion from noisy cues, against an untrained control.
- Steer a spiking attractor network with a focus current and annealed noise, and read
  success and settling times next to the continuous reference loop.
- Find the rhythm that the loop's interneurons pace.

Run time on 2 cores
-------------------
Quick (``QUIFER_LAB_QUICK=1``, 8 trials, 12 presentations per pattern): about 45 s
(measured: 42 s of CPU, on one core; everything runs on the numpy backend, nothing is
compiled).  About half of it is the imprint (3.6 s of simulated time), the rest the six
500 ms runs of sections 2 and 3.  Full (32 trials, 20 presentations): about 1-2 min
(estimated: the imprint grows with the presentations, the runs with the batch size).

Course topics
-------------
- Gerstner et al., *Neuronal Dynamics*, ch. 17 (memory and attractor dynamics, Hopfield
  model, pattern completion) and ch. 19 (synaptic plasticity, STDP).
- Dayan & Abbott, *Theoretical Neuroscience*, ch. 7.4 (associative memory) and ch. 8
  (plasticity).
- Vogels et al. 2011, *Science* 334:1569 (inhibitory STDP); Amit & Brunel 1997, *Cereb
  Cortex* 7:237 (attractors in spiking networks).

Exercises
---------
1. Lower ``repetitions``: how many presentations does the within/between weight ratio
   need to pass 5?
2. Start every trial exactly at a wrong pattern and lower ``focus_gain`` until focus alone
   fails half of the time (about 120-140 pA); does annealed jitter
   (``noise_amplitude=300 * pA``) rescue it? And with ``decay_rate=0.01``?
3. The interneuron rhythm: build the loop with ``noise_i=0 * pA``. Why does the spectrum
   now show peaks at multiples of one frequency, and the 30-80 Hz peak lose its share?
   (Look at the shape of the I population's volleys.)
4. Section 3 compares settling times with the continuous loop, whose rates are not
   calibrated: which ``focus`` rate of ``continuous_loop`` matches the spiking loop's
   settling without the schedule, and do the other conditions then match too?

Solutions: ``solutions.md`` beside this file.
"""

# %%
# Settings
# --------
# ``QUIFER_LAB_QUICK=1`` selects 8 trials and 12 presentations per pattern (the test
# suite's settings); ``QUIFER_LAB_OUT`` names the figure folder.

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from brian2 import ms, pA

from quifer_brian import analysis as qa
from quifer_brian.networks import actualization_loop, random_archetypes
from quifer_brian.networks.actualization import continuous_loop, settling_times

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)

DIM, K = 3, 3
CUE_NOISE = 0.15
THRESHOLD = 0.1


def draw_patterns(rng):
    """K patterns in [0.1, 0.9]^3, pairwise at least 0.4 apart."""
    return random_archetypes(K, DIM, 0.4, seed=rng)


def _mean_ms(times):
    return f"{np.nanmean(times) * 1000:.0f}" if np.isfinite(times).any() else "never"


def _rate(reached):
    return f"{reached(THRESHOLD).mean():.2f}"


def report(rows):
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


batch = 8 if QUICK else 32
repetitions = 12 if QUICK else 20  # presentations per pattern, 100 ms each
rng = np.random.default_rng(0)
patterns = draw_patterns(rng)

# %%
# 1. Imprint
# ----------
# ``imprint`` presents each pattern with noise while istdp grows the F -> M and M -> F
# weights, and returns a new loop that runs with them; ``repetitions=0`` gives the
# untrained control with uniform weights.

empty = actualization_loop(DIM, n_archetypes=K, batch=batch)
learned, imprint = empty.imprint(patterns, repetitions, seed=1)
uniform, _ = empty.imprint(patterns, 0)  # the untrained control: uniform weights
print("1. Imprint (istdp on F->M and M->F, memory assembly k taught while k is shown)")
report(
    [
        ("presentations", len(imprint.labels)),
        ("within/between weight ratio F->M", f"{imprint.ratio['FM']:.1f}"),
        ("within/between weight ratio M->F", f"{imprint.ratio['MF']:.1f}"),
    ]
)

# %%
# 2. Pattern completion
# ---------------------
# Noisy cues (sd 0.15) around the patterns, no focus: does the network settle into the
# pattern each cue was made from?

cued = rng.integers(0, K, batch)
cues = np.clip(patterns[cued] + rng.normal(0, CUE_NOISE, (batch, DIM)), 0, 1)
# cued=: the pattern each cue was made from, so success means ending at that one
completed = learned.actualize(cues, 500 * ms, cued=cued, seed=2)
untrained = uniform.actualize(cues, 500 * ms, cued=cued, seed=2)
print("\n2. Pattern completion from noisy cues (sd 0.15), no focus")
report(
    [
        ("completion to the cued pattern, learned", f"{_rate(completed.success)}"),
        ("settled into any pattern, learned", f"{_rate(completed.reached_nearest)}"),
        ("completion to the cued pattern, uniform", f"{_rate(untrained.success)}"),
        ("silent trials, learned", f"{completed.silent.mean():.2f}"),
    ]
)

# %%
# 3. Focus, jitter and the schedule
# ---------------------------------
# From random states toward pattern 0, with and without annealed jitter, with the
# schedule on and off, next to the continuous loop on the same states.

initial = rng.uniform(0, 1, (batch, DIM))
conditions = {
    "focus, schedule on": {},
    "focus + jitter (exponential)": {"noise_amplitude": 300 * pA},
    "focus + jitter (harmonic)": {"noise_amplitude": 300 * pA, "noise_decay": "harmonic"},
    "focus, schedule off": {"force_schedule": False},
}
runs = {
    name: learned.actualize(initial, 500 * ms, target=0, seed=3, **options)
    for name, options in conditions.items()
}
print("\n3. Focus toward pattern 0 from random states (and the continuous loop's)")
rows = []
for name, run in runs.items():
    options = dict(conditions[name])
    noise = 0.05 if options.pop("noise_amplitude", None) is not None else 0.0
    continuous = continuous_loop(
        patterns, initial, target=patterns[0], noise_amplitude=noise, seed=3, **options
    )
    rows.append((f"{name}: success", f"{run.success(THRESHOLD).mean():.2f}"))
    rows.append(
        (
            f"{name}: mean settling time, spiking / continuous (ms)",
            f"{_mean_ms(run.settling_times(THRESHOLD))} / "
            f"{_mean_ms(settling_times(continuous, patterns[0], THRESHOLD))}",
        )
    )
report(rows)

# %%
# 4. The rhythm of the loop
# -------------------------
# The interneurons' population rate (150-500 ms) and the locking of E spikes to it.

rhythm = qa.compute_trial_rhythm(completed.result, completed.n_trials, 0.15, 0.5)
print("\n4. The loop's rhythm (interneuron population rate, 150-500 ms)")
report(
    [
        ("fundamental (Hz)", f"{rhythm['fundamental']:.1f}"),
        ("strongest peak in 30-80 Hz (Hz)", f"{rhythm['peak']:.1f}"),
        ("its lobe's share of the 5-200 Hz power", f"{rhythm['fraction']:.2f}"),
        (
            "30-80 Hz share / rhythm-free 95th pct (p)",
            f"{rhythm['band_share']:.2f} / {rhythm['band_null95']:.2f} ({rhythm['band_p']:.3f})",
        ),
        ("E spike locking to 30-80 Hz (PLV)", f"{rhythm['plv']:.2f}"),
    ]
)

# %%
# Figures
# -------
# Mean distance to the target over time, decoded trajectories, learned weights and the
# interneurons' spectrum.

figure, axes = plt.subplots(1, 2, figsize=(10, 4))
for name, run in runs.items():
    axes[0].plot(run.times * 1000, np.nanmean(run.distance, axis=1), label=name)
axes[0].axhline(THRESHOLD, color="k", lw=0.5, ls="--")
axes[0].set(xlabel="time (ms)", ylabel="mean distance to the target", title="Focus")
axes[0].legend(fontsize=7)
run = runs["focus, schedule on"]
for trial in range(batch):
    axes[1].plot(run.trajectory[:, trial, 0], run.trajectory[:, trial, 1], lw=0.8)
axes[1].scatter(patterns[:, 0], patterns[:, 1], c="k", marker="x", s=60, zorder=3)
axes[1].set(xlabel="value, dimension 0", ylabel="value, dimension 1", xlim=(0, 1), ylim=(0, 1))
axes[1].set_title("Decoded trajectories (x: stored patterns)")
figure.tight_layout()
figure.savefig(OUT / "focus_trajectories.png", dpi=120)

figure, axes = plt.subplots(1, 2, figsize=(10, 4))
weights = np.asarray(imprint.fm_weights) * 1e12  # pA
image = axes[0].imshow(weights, aspect="auto", cmap="viridis")
figure.colorbar(image, ax=axes[0], label="weight (pA)")
axes[0].set(xlabel="memory cell", ylabel="feature cell", title="Learned F->M weights")
keep = (rhythm["freqs"] >= 5) & (rhythm["freqs"] <= 200)
axes[1].semilogy(rhythm["freqs"][keep], rhythm["power"][keep])
axes[1].set(xlabel="frequency (Hz)", ylabel="power", title="Interneuron rate spectrum")
figure.tight_layout()
figure.savefig(OUT / "weights_and_rhythm.png", dpi=120)
print(f"\nfigures saved to {OUT.resolve()}")
