"""Lab 5: the four states of a sparse E/I network (Brunel 2000, figure 8).

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

Run ``python plot_05_brunel_states.py [--quick] [--out DIR] [--scale S]``.

Exercises
---------
1. Run with ``--scale 1`` (the full network, 12500 neurons, 15.6 million synapses): does
   C lose its fast rhythm?  Compare its CV and its peak / background ratio.
2. Build ``brunel(g=5, eta=2, scale=0.25, epsilon=0.04)`` (C_E = 400) and measure the
   four points again: which states survive a smaller in-degree?
3. Sweep eta from 1 to 4 at g = 5 with ``circuit.run_values(eta=...)`` and
   ``circuit.rerun``: where does the fast rhythm appear (Brunel 2000, figure 2)?
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")

import brian2
import matplotlib.pyplot as plt
from brian2 import second

from quifer_brian import analysis as qa
from quifer_brian import plotting
from quifer_brian.analysis.measures import SIGNATURE_BIN
from quifer_brian.backends import backend_session
from quifer_brian.networks import brunel
from quifer_brian.networks.brunel import BRUNEL_STATES

SEED = 1
T_START = 0.1  # s of transient left out of every measurement
SHOW = 0.1  # s of activity shown in the rasters and rates


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


def figures(out, spikes, sizes, measured, duration):
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
    fig.savefig(os.path.join(out, "brunel_rasters.png"), dpi=80)

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
    fig.savefig(os.path.join(out, "brunel_rates.png"), dpi=80)

    fig, ax = plt.subplots(figsize=(7, 5))
    for name in BRUNEL_STATES:
        m = measured[name]
        plotting.plot_spectrum(m["freqs"], m["power"], ax=ax)
        ax.lines[-1].set_label(f"{name}: peak {m['peak']:g} Hz")
    ax.legend(fontsize="small")
    ax.set_title("spectra of the E population rate")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "brunel_spectra.png"), dpi=80)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Lab 5: the four states of Brunel 2000.")
    parser.add_argument("--quick", action="store_true", help="short runs, for tests")
    parser.add_argument("--out", default="figures", help="folder for the figures")
    parser.add_argument(
        "--scale", type=float, default=0.25, help="network size as a fraction of Brunel's"
    )
    parser.add_argument(
        "--build-dir", default=None, help="cpp_standalone project folder (reused if compiled)"
    )
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    duration = 0.5 if args.quick else 2.0
    print(f"Brunel 2000 at scale {args.scale:g}, {duration:g} s per point, cpp_standalone")
    spikes, sizes = simulate(args.scale, duration, args.build_dir)
    print(f"N_E = {sizes['E']}, N_I = {sizes['I']}, C_E = 1000, C_I = 250")
    measured = {name: measure(*spikes[name]["E"], sizes["E"], duration) for name in BRUNEL_STATES}
    report(measured)
    figures(args.out, spikes, sizes, measured, duration)
    plt.close("all")
    print(f"\nfigures saved to {os.path.abspath(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
