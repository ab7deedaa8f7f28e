"""
Lab 4: the Kuramoto phase-oscillator clock and the spiking clock that replaces it
=================================================================================

Part 1 integrates Kuramoto's bank of phase oscillators (written as Brian2 equations,
mean-field coupling in O(N)) and checks the stationary order parameter against
Kuramoto's closed form ``r = sqrt(1 - 2 gamma / K)`` for Lorentzian natural frequencies.
Part 2 builds a multi-frequency *spiking* clock: one PING module per frequency, whose
rhythm emerges from the E -> I -> E loop, its period set by the decay of inhibition.
Part 3 puts the two side by side: how tightly do phase-wrap events of the oscillators
and spikes of the modules lock to their clock's phase?

Learning goals
--------------
- Integrate Kuramoto's model as equations and find its synchronisation transition at
  ``K_c = 2 gamma``, against the closed form and its finite-N correction.
- Build clocks at 6, 12 and 40 Hz out of spiking PING modules, their frequency chosen
  through the decay time of inhibition, and measure how their spikes lock.
- Compare an abstract phase clock with a spiking one: what the order parameter ``r``
  and the spike PLV each measure.

Run time on 2 cores
-------------------
Full: about 1 min 30 s (numpy; estimated from the quick run). Quick
(``QUIFER_LAB_QUICK=1``): about 25 s.

Course topics
-------------
- Strogatz 2000, *Physica D* 143:1 (the Kuramoto model, ``r(K)`` for Lorentzian
  frequencies); Kuramoto 1984, *Chemical Oscillations, Waves, and Turbulence*.
- Gerstner et al., *Neuronal Dynamics*, ch. 13 (synchrony and oscillations in
  populations).
- Börgers & Kopell 2003, *Neural Comput* 15:509 (the PING period).

Exercises
---------
1. Draw the natural frequencies at random (``frequencies='random'``) for several seeds:
   how far does r scatter around the theory at n = 2000?  And at n = 200?
2. Lower K towards K_c = 2 gamma: why does r need longer and longer to settle?
3. Couple the modules of the bank (``coupling=300 * pA``): which pairs lock, and at
   which n:m ratio?
4. Ask the bank for 60 Hz: what does the error message say, and which parameter would
   you change to reach it?

Solutions: ``solutions.md`` beside this file.
"""

# %%
# Settings
# --------
# ``QUIFER_LAB_QUICK=1`` selects the shorter runs (and fewer couplings) of the test
# suite; ``QUIFER_LAB_OUT`` names the figure folder. Everything runs on numpy.

import os
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
from brian2 import Hz, ms, prefs, second

from quifer_brian import analysis as qa
from quifer_brian.analysis import mean_field_phase, module_lfp, module_phases, order_parameter
from quifer_brian.networks import frequency_bank, kuramoto
from quifer_brian.networks.kuramoto import lorentzian_quantiles

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)
prefs.codegen.target = "numpy"  # no compiler needed

GAMMA = 1.0  # rad/s: half-width of the Lorentzian
N_OSCILLATORS = 2000
TARGETS = (6, 12, 40)  # Hz
SKIP = 0.3  # s dropped at both ends of the spiking runs (transient, filter edges)


def report(name, measured, theory, unit=""):
    print(f"{name:<38s} measured {measured:9.4f}   theory {theory:9.4f} {unit}")


def finite_n_r(coupling, n=N_OSCILLATORS, gamma=GAMMA):
    """Self-consistent r for the n quantile frequencies (the finite-N theory).

    Locked oscillators (|omega| <= K r) sit at sin(theta) = omega / (K r) and add
    sqrt(1 - (omega / K r)^2); drifting ones cancel by symmetry.  Solved by iteration.
    """
    omegas = lorentzian_quantiles(n, 0.0, gamma)
    r = 1.0
    for _ in range(500):
        ratio = omegas / (coupling * r)
        locked = np.abs(ratio) <= 1
        r_new = np.sum(np.sqrt(1 - ratio[locked] ** 2)) / n
        if abs(r_new - r) < 1e-12 or r_new < 1e-6:
            return r_new
        r = r_new
    return r


# %%
# 1. Kuramoto oscillators
# -----------------------
# 2000 oscillators with Lorentzian natural frequencies (half-width gamma, deterministic
# quantiles); the stationary order parameter at K = 1, 3, 6 gamma (quick) against
# ``sqrt(1 - 2 gamma / K)`` and against the self-consistent finite-N value.


def part_1_kuramoto(quick):
    print("\n# 1. Kuramoto oscillators: stationary order parameter vs sqrt(1 - 2 gamma / K)")
    ratios = (1, 3, 6) if quick else (0.5, 1, 1.5, 2.5, 3, 4, 6, 8)
    duration, settle, dt = (24, 12, 20 * ms) if quick else (40, 20, 10 * ms)
    measured, traces = [], {}
    for ratio in ratios:
        circuit = kuramoto(n=N_OSCILLATORS, coupling=ratio * GAMMA * Hz, gamma=GAMMA * Hz, dt=dt)
        result = circuit.run(duration * second)
        times, r = order_parameter(result)
        stationary = float(np.mean(r[times >= settle]))
        theory = np.sqrt(max(0.0, 1 - 2 / ratio))
        report(f"K = {ratio:g} gamma: r", stationary, theory)
        if ratio > 2:
            report(f"K = {ratio:g} gamma: r finite-N theory", stationary, finite_n_r(ratio))
        measured.append(stationary)
        traces[ratio] = (times, r)
    fig, (ax_t, ax_k) = plt.subplots(1, 2, figsize=(10, 4))
    for ratio, (times, r) in traces.items():
        ax_t.plot(times, r, lw=0.8, label=f"K = {ratio:g} gamma")
    ax_t.set(xlabel="time (s)", ylabel="order parameter r", title="r(t)")
    ax_t.legend(fontsize=8)
    k = np.linspace(0.2, max(ratios) + 1, 400)
    ax_k.plot(k, np.sqrt(np.clip(1 - 2 / k, 0, None)), "k-", label="theory, N = inf")
    ax_k.plot(ratios, measured, "o", label=f"simulation, N = {N_OSCILLATORS}")
    ax_k.set(xlabel="K / gamma", ylabel="stationary r", title="Kuramoto bifurcation")
    ax_k.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / "kuramoto_order_parameter.png", dpi=120)


part_1_kuramoto(QUICK)

# %%
# 2. The spiking clock: one PING module per frequency
# ---------------------------------------------------
# Each module's tau_GABA is chosen for its target frequency; the spectrum of its LFP
# proxy, and the locking of its E and I spikes to its own rhythm.


def peak_frequency(sig, fs, target):
    """Spectral maximum in (target/2, 3 target/2): PING harmonics can outweigh 1 f."""
    freqs, power = qa.compute_spectrum(
        sig[int(SKIP * fs) :], fs, f_range=(target / 2, 1.5 * target)
    )
    return float(freqs[np.argmax(power)])


def spike_plv(result, population, module, target):
    times, _ = result.spikes[population]
    times = times[(times > SKIP) & (times < result.duration - SKIP)]
    band = (0.7 * target, 1.3 * target)
    phases = qa.spike_phases(times, module_lfp(result, module), result.fs, band)
    return qa.compute_plv(phases)[0]


def part_2_bank(quick):
    print("\n# 2. Spiking clock: one PING module per frequency")
    duration = 2 * second if quick else 5 * second
    circuit = frequency_bank(TARGETS)
    result = circuit.run(duration, seed=1)
    taus = circuit.params["tau_gaba"] / ms
    fig, axes = plt.subplots(len(TARGETS), 2, figsize=(10, 2.4 * len(TARGETS)))
    for k, target in enumerate(TARGETS):
        lfp = module_lfp(result, k)
        peak = peak_frequency(lfp, result.fs, target)
        print(f"module {k}: tau_GABA {taus[k]:6.1f} ms")
        report(f"module {k} peak frequency (Hz)", peak, target, "(within 15 %)")
        print(
            f"module {k} E spike PLV {spike_plv(result, f'E{k}', k, target):.3f}   "
            f"I spike PLV {spike_plv(result, f'I{k}', k, target):.3f}   (>= 0.3)"
        )
        print(
            f"module {k} rates E {result.mean_rate(f'E{k}'):.1f} Hz, "
            f"I {result.mean_rate(f'I{k}'):.1f} Hz"
        )
        times, indices = result.spikes[f"E{k}"]
        window = (times > 0.5) & (times < 1.0)
        axes[k, 0].plot(times[window], indices[window], ".", ms=1)
        axes[k, 0].set(ylabel=f"E{k} cell", title=f"module {k}: target {target} Hz")
        freqs, power = qa.compute_spectrum(
            lfp[int(SKIP * result.fs) :], result.fs, f_range=(2, 100)
        )
        axes[k, 1].semilogy(freqs, power)
        axes[k, 1].axvline(target, color="k", ls="--", lw=0.8)
        axes[k, 1].set(ylabel="LFP proxy power (A^2/Hz)")
    axes[-1, 0].set_xlabel("time (s)")
    axes[-1, 1].set_xlabel("frequency (Hz)")
    fig.tight_layout()
    fig.savefig(OUT / "frequency_bank.png", dpi=120)
    cross = spike_plv(result, "E0", 2, TARGETS[2])
    print(f"uncoupled: E0 spikes vs module 2 rhythm PLV {cross:.3f}   (not locked: < 0.3)")
    return result


bank_result = part_2_bank(QUICK)

# %%
# 3. Phase oscillators vs spiking clock at 6 Hz
# ---------------------------------------------
# A 6 Hz Kuramoto bank (phase-wrap events as "spikes") beside the spiking 6 Hz module.


def part_3_compare(bank_result, quick):
    print("\n# 3. Phase oscillators vs spiking clock at 6 Hz")
    duration = 6 * second if quick else 20 * second
    circuit = kuramoto(
        n=500, coupling=4 * GAMMA * Hz, gamma=GAMMA * Hz, omega_0=2 * np.pi * TARGETS[0] * Hz
    )
    result = circuit.run(duration)
    times, _ = result.spikes["oscillators"]
    end = float(duration / second)
    times = times[(times > end / 2) & (times < end - 0.01)]
    psi = mean_field_phase(result)
    plv = qa.compute_plv(qa.spike_phases(times, np.cos(psi), result.fs))[0]
    _, r = order_parameter(result, t_start=float(duration / second) / 2)
    print(
        f"Kuramoto K = 4 gamma: wrap-event PLV to the mean field {plv:.3f}   "
        f"(order parameter r {np.mean(r):.3f})"
    )
    bank_plv = spike_plv(bank_result, "E0", 0, TARGETS[0])
    print(f"spiking 6 Hz module:  E spike PLV to its LFP phase  {bank_plv:.3f}")
    phases = module_phases(bank_result)
    fig, ax = plt.subplots(figsize=(8, 3))
    window = slice(int(0.5 * result.fs), int(1.5 * result.fs))
    t = np.arange(phases.shape[1]) / bank_result.fs
    ax.plot(t[window], np.cos(psi[window]), "k", label="Kuramoto mean field (6 Hz)")
    for k, target in enumerate(TARGETS):
        ax.plot(
            t[window], np.cos(phases[k, window]) - 2.5 * (k + 1), label=f"module {k} ({target} Hz)"
        )
    ax.set(xlabel="time (s)", yticks=[], title="cos(phase) of each clock")
    ax.legend(fontsize=7, loc="upper right")
    fig.tight_layout()
    fig.savefig(OUT / "clock_phases.png", dpi=120)


part_3_compare(bank_result, QUICK)
