"""
Lab 5: the four states of a sparse E/I network (Brunel 2000, figure 8)
======================================================================

N_E excitatory and N_I = N_E / 4 inhibitory integrate-and-fire neurons; each receives
exactly C_E = 1000 excitatory and C_I = 250 inhibitory recurrent inputs (delta synapses:
a spike makes v jump by J = 0.1 mV, or by -g J, 1.5 ms later) and C_E independent
Poisson inputs at nu_ext = eta nu_thr, where nu_thr = theta / (J C_E tau) = 10 Hz is the
external rate that alone brings the mean potential to threshold.  Nothing in the
equations oscillates; two numbers set the collective state:

- g < 4, excitation dominates: neurons fire near saturation, almost in lockstep and
  regularly (A, synchronous regular, SR);
- g > 4, inhibition dominates: the mean input sits below threshold and the cells fire
  irregularly, driven by fluctuations.  At strong drive the asynchronous state is
  unstable to a fast population oscillation (B, SI fast, period of a few synaptic
  delays); near g = 4.5 and weak drive, to a slow one (D, SI slow); in between, the
  network is asynchronous irregular (C, AI) -- at these exact parameters a damped fast
  rhythm remains, even at full scale, so its cells are irregular but not Poisson.

The network is scaled down by keeping the in-degrees fixed (N_E = 2500 here, a quarter
of Brunel's): shrinking the in-degree, with or without rescaling J, changes the
fluctuations and destroys the states.  All four points run from ONE compiled
cpp_standalone program: g and eta are changed between runs with run_args.

Learning goals
--------------
- Place a network in Brunel's phase diagram by two numbers, the relative inhibition
  ``g`` and the external drive ``eta = nu_ext / nu_thr``, and recognise its four states
  (SR, SI fast, AI, SI slow) in rasters, population rates and spectra.
- Characterise a state with measures of single cells (rate, CV of ISIs, Fano factor)
  and of the population (Golomb's chi, spectral peak of the population rate).
- Rerun one compiled cpp_standalone program at new parameter values (``run_args``)
  instead of recompiling.
- Learn why a network is scaled down at fixed in-degree.

Run time on 2 cores
-------------------
Quick (``QUIFER_LAB_QUICK=1``, 0.5 s per point): about 50 s on an idle machine; measured:
65 s of CPU, of which 28 s is the one compile (which make spreads over both cores) and
about 25 s the four runs (point A, near saturation, takes 15 s).  With
``QUIFER_LAB_BUILD_DIR`` naming a folder that already holds the program, a later run
reuses it: 37 s of CPU measured.  Full (2 s per point): about 2 min 30 s (estimated from
the quick run: four times the runs, the same compile).

Course topics
-------------
- Gerstner et al., *Neuronal Dynamics*, ch. 12.4 and 13.4 (balanced networks, Brunel's
  phase diagram, asynchronous irregular and synchronous states).
- Dayan & Abbott, *Theoretical Neuroscience*, ch. 7.5 (excitatory-inhibitory networks).
- Brunel 2000, *J Comput Neurosci* 8:183 (the model and figure 8).

Exercises
---------
1. Set ``SCALE = 1`` (the full network, 12500 neurons, 15.6 million synapses): does C
   lose its fast rhythm?  Compare its CV and its peak / background ratio.
2. Build ``brunel(g=5, eta=2, scale=0.25, epsilon=0.04)`` (C_E = 400) and measure the
   four points again: which states survive a smaller in-degree?
3. Sweep eta from 1 to 4 at g = 5 with ``circuit.rerun(session, eta=...)``: where does
   the fast rhythm appear (Brunel 2000, figure 2)?

Solutions: ``solutions.md`` beside this file.
"""

# %%
# Settings
# --------
# ``QUIFER_LAB_QUICK=1`` selects 0.5 s per point; ``QUIFER_LAB_OUT`` names the figure
# folder; ``QUIFER_LAB_BUILD_DIR`` (optional) names the cpp_standalone project folder,
# reused if the same network was compiled there. This lab needs a C++ compiler.

import os
from pathlib import Path

import brian2
import matplotlib.pyplot as plt
from brian2 import second

from quifer_brian import analysis as qa
from quifer_brian import plotting
from quifer_brian.analysis.measures import SIGNATURE_BIN
from quifer_brian.backends import backend_session
from quifer_brian.networks import brunel
from quifer_brian.networks.brunel import BRUNEL_STATES

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)
BUILD_DIR = os.environ.get("QUIFER_LAB_BUILD_DIR")  # None: a temporary folder
SCALE = 0.25  # network size as a fraction of Brunel's
DURATION = 0.5 if QUICK else 2.0  # s per point

SEED = 1
T_START = 0.1  # s of transient left out of every measurement
SHOW = 0.1  # s of activity shown in the rasters and rates


# %%
# The simulation: one compile, four points
# ----------------------------------------
# Point A is compiled and run; B, C and D rerun the same program with their g and eta.


def simulate(scale, duration, directory):
    """Spikes of the four points: one compile (point A), then three reruns."""
    spikes = {}
    with backend_session("cpp_standalone", directory=directory) as session:
        # seed before the construction too: Circuit.run seeds only the run itself
        brian2.seed(SEED)
        g, eta, _ = BRUNEL_STATES["A"]
        circuit = brunel(g=g, eta=eta, scale=scale)
        first = circuit.run(duration * second, session=session, seed=SEED)
        for name, (g, eta, _) in BRUNEL_STATES.items():
            # the same compiled program at (g, eta): circuit.rerun changes its run values
            result = first if name == "A" else circuit.rerun(session, g=g, eta=eta)
            spikes[name] = {population: result.spikes[population] for population in ("E", "I")}
        sizes = {"E": circuit.params["N_E"], "I": circuit.params["N_I"]}
    return spikes, sizes


print(f"Brunel 2000 at scale {SCALE:g}, {DURATION:g} s per point, cpp_standalone")
spikes, sizes = simulate(SCALE, DURATION, BUILD_DIR)
print(f"N_E = {sizes['E']}, N_I = {sizes['I']}, C_E = 1000, C_I = 250")

# %%
# The signatures of the four states
# ---------------------------------
# Each point's measures of the E population, and the criteria of its state.


def measure(times, indices, n_neurons, duration):
    """Rate, CV, Fano factor, chi and the population rate's spectral peak, of E."""
    return qa.state_signatures(times, indices, n_neurons, T_START, duration)


def criteria(m):
    """Each state's criteria: (text, passed) pairs."""
    b = m["B"]
    return {
        "A": [("CV < 0.1", m["A"]["cv"] < 0.1)],
        "B": [
            ("peak >= 100 Hz", b["peak"] >= 100),
            ("peak / background >= 50", b["ratio"] >= 50),
            ("CV > 0.7", b["cv"] > 0.7),
        ],
        "C": [
            ("CV > 0.3", m["C"]["cv"] > 0.3),
            ("peak / background < half of B's", m["C"]["ratio"] < b["ratio"] / 2),
        ],
        "D": [("peak < 60 Hz", m["D"]["peak"] < 60), ("rate < 15 Hz", m["D"]["rate"] < 15)],
    }


def report(measured):
    checks = criteria(measured)
    for name, (g, eta, state) in BRUNEL_STATES.items():
        m = measured[name]
        print(f"\n# {name}: g = {g:g}, eta = {eta:g} -- {state}")
        print(f"{name} rate E (Hz)              {m['rate']:9.2f}")
        print(f"{name} CV of ISIs               {m['cv']:9.3f}")
        print(f"{name} Fano factor (50 ms)      {m['fano']:9.3f}")
        print(f"{name} chi (1 ms bins)          {m['chi']:9.3f}")
        print(f"{name} peak frequency (Hz)      {m['peak']:9.1f}")
        print(f"{name} peak / background       {m['ratio']:10.1f}")
        for text, passed in checks[name]:
            print(f"{name} criterion {text:32s} {'yes' if passed else 'NO'}")
        verdict = all(passed for _, passed in checks[name])
        print(f"{name} lands in its state: {'yes' if verdict else 'NO'}")


measured = {name: measure(*spikes[name]["E"], sizes["E"], DURATION) for name in BRUNEL_STATES}
report(measured)

# %%
# Figures: rasters, population rates and spectra
# -----------------------------------------------
# The last 100 ms of each point: 100 E cells (black) and 100 I cells (red).


def figures(spikes, sizes, measured, duration):
    t_stop = duration
    t_show = max(T_START, t_stop - SHOW)
    fig, axes = plt.subplots(4, 1, figsize=(8, 9), sharex=True)
    for ax, (name, (g, eta, state)) in zip(axes, BRUNEL_STATES.items(), strict=True):
        for population, offset, color in (("E", 0, "k"), ("I", 100, "r")):
            times, indices = spikes[name][population]
            shown = (times >= t_show) & (indices < 100)
            plotting.plot_raster(
                (times[shown], indices[shown] + offset), ax=ax, color=color, markersize=2
            )
        ax.set_title(f"{name}: g = {g:g}, eta = {eta:g} ({state})", fontsize="small")
        ax.set_xlabel("")
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(OUT / "brunel_rasters.png", dpi=120)

    fig, axes = plt.subplots(4, 1, figsize=(8, 9), sharex=True)
    for ax, name in zip(axes, BRUNEL_STATES, strict=True):
        times, rate = qa.compute_population_rate(
            spikes[name]["E"], SIGNATURE_BIN, t_start=t_show, t_stop=t_stop, n_neurons=sizes["E"]
        )
        plotting.plot_population_rate(times, rate, ax=ax, color="k", lw=0.8)
        ax.set_title(
            f"{name}: population rate of E ({SIGNATURE_BIN * 1e3:g} ms bins)", fontsize="small"
        )
        ax.set_xlabel("")
    axes[-1].set_xlabel("time (s)")
    fig.tight_layout()
    fig.savefig(OUT / "brunel_rates.png", dpi=120)

    fig, ax = plt.subplots(figsize=(7, 5))
    for name in BRUNEL_STATES:
        m = measured[name]
        plotting.plot_spectrum(m["freqs"], m["power"], ax=ax)
        ax.lines[-1].set_label(f"{name}: peak {m['peak']:g} Hz")
    ax.legend(fontsize="small")
    ax.set_title("spectra of the E population rate")
    fig.tight_layout()
    fig.savefig(OUT / "brunel_spectra.png", dpi=120)


figures(spikes, sizes, measured, DURATION)
print(f"\nfigures saved to {OUT.resolve()}")
