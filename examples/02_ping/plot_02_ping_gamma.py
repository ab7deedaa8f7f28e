"""
Lab 2: gamma rhythms that emerge from inhibition -- PING and ING
================================================================

A network of excitatory (E) and inhibitory (I) integrate-and-fire cells has no
oscillator in its equations, yet it produces a gamma rhythm: a volley of E spikes fires
the I cells, their inhibition silences the E cells, and the E cells fire again when the
inhibition has decayed (PING, Börgers & Kopell 2003/2005). The period is set by the
decay time of GABA_A inhibition::

    T ~ tau_GABA * ln(g_peak / g_thr) + d

with ``g_peak`` the inhibitory conductance after a volley, ``g_thr`` the conductance the
E drive can just overcome and ``d`` the delays and the E cells' rise time. Interneurons
alone, coupled by inhibition, make a rhythm too (ING, Wang & Buzsáki 1996).

Sections: 1. PING at the default parameters (spectrum, rates, spike locking);
2. the tau_GABA sweep against the Börgers-Kopell slope; 3. the control without I->E
inhibition; 4. ING with Wang-Buzsáki interneurons.

Learning goals
--------------
- See a rhythm emerge from an E -> I -> E loop whose equations hold no oscillator.
- Derive the PING period from the decay of inhibition and check its slope
  ``dT/dtau_GABA = ln(g_peak/g_thr)`` against simulations.
- Measure a rhythm with a spectrum (peak above background) and with spike-field
  locking (PLV), and use a control (no I->E synapses) to show what makes it.
- Contrast PING with ING, a rhythm of mutually inhibiting interneurons alone.

Run time on 2 cores
-------------------
Full: about 2-3 min (numpy; estimated from the quick run, which simulates a quarter of
the time). Quick (``QUIFER_LAB_QUICK=1``): about 30 s.

Course topics
-------------
- Gerstner et al., *Neuronal Dynamics*, ch. 12-13 (populations of integrate-and-fire
  neurons, excitatory-inhibitory networks, oscillations).
- Dayan & Abbott, *Theoretical Neuroscience*, ch. 7.5 (excitatory-inhibitory networks
  and their oscillations).
- Börgers & Kopell 2003, *Neural Comput* 15:509 (PING); Wang & Buzsáki 1996,
  *J Neurosci* 16:6402 (ING); Buzsáki & Wang 2012, *Annu Rev Neurosci* 35:203 (review).

Exercises
---------
1. Raise ``w_ie`` from 0.5 to 1 nS: by how much should the slope dT/dtau_GABA grow
   (``ln(g_peak/g_thr)``)? Measure it.
2. Set ``drive_e_spread=0`` and ``noise_e=0 * pA``: what happens to the E rate and to
   the PLV, and why do all E cells now fire on every cycle (strong PING)?
3. In ING, lower ``g_syn`` to 2 nS or raise ``drive_spread`` to 0.3: when does the
   rhythm break down (Wang & Buzsáki 1996, fig. 6)?

Solutions: ``solutions.md`` beside this file.
"""

# %%
# Settings
# --------
# ``QUIFER_LAB_QUICK=1`` selects the short runs of the test suite (0.5 s instead of 2 s,
# three values of tau_GABA instead of five); ``QUIFER_LAB_OUT`` names the figure folder.
# The networks are small, so they run on numpy: no compiler needed.

import itertools
import os
from pathlib import Path

import brian2
import matplotlib.pyplot as plt
import numpy as np
from brian2 import Mohm, ms, mV, nS, second

from quifer_brian import analysis as qa
from quifer_brian import plotting
from quifer_brian.networks import ing, ping

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)
brian2.prefs.codegen.target = "numpy"

SEED = 1
T_START = 0.1  # s of transient left out of every measurement


def simulate(circuit, duration):
    # Seed before the circuit creates its random connections and drives as well as at
    # the run (Circuit.run seeds only the run), so the numbers below are reproducible.
    brian2.seed(SEED)
    result = circuit.run(duration * second, seed=SEED)
    return result


def measure(result, population):
    """Gamma peak (Hz), peak / 150-250 Hz median power, spike PLV, phases and spectrum."""
    return qa.gamma_measures(result, population)


# %%
# The simulations
# ---------------
# PING (400 E + 100 I) for each tau_GABA; tau_GABA = 10 ms is the default network of
# section 1. Every run is seeded (connections, drives and noise), so the numbers repeat.


def run_sweep(duration, taus):
    """PING (400 E + 100 I) for each tau_GABA (ms): tau -> result."""
    return {tau: simulate(ping(n_e=400, n_i=100, tau_gaba=tau * ms), duration) for tau in taus}


duration = 0.5 if QUICK else 2.0
taus = (5, 10, 20) if QUICK else (5, 7.5, 10, 15, 20)
sweep = run_sweep(duration, taus)


# %%
# 1. PING at the default parameters
# ---------------------------------
# Spikes, population rates and the LFP proxy; the gamma peak of the spectrum and the
# locking of E spikes to the gamma phase of the LFP.


def ping_default(result):
    print("\n# 1. PING, 400 E + 100 I LIF cells, tau_GABA = 10 ms (the default)")
    m = measure(result, "E")
    rate_e, rate_i = result.mean_rate("E"), result.mean_rate("I")
    print(f"PING peak frequency (Hz)            {m['peak']:8.1f}   expected 30-80")
    print(f"PING peak / 150-250 Hz median power {m['ratio']:8.0f}   expected >= 100")
    print(f"PING rate E (Hz)                    {rate_e:8.1f}   expected 1-30")
    print(f"PING rate I (Hz)                    {rate_i:8.1f}   expected > rate E")
    print(f"PING E spike PLV                    {m['plv']:8.3f}   expected >= 0.5")

    fig, axes = plt.subplots(3, 1, figsize=(7, 7), sharex=True)
    plotting.plot_raster(result.spikes["E"], ax=axes[0], markersize=2)
    times, index = result.spikes["I"]
    plotting.plot_raster((times, index + result.sizes["E"]), ax=axes[0], color="r", markersize=2)
    axes[0].set_title("spikes: E (black), I (red)")
    for name, color in (("E", "k"), ("I", "r")):
        t, rate = qa.compute_population_rate(
            result.spikes[name], 1e-3, n_neurons=result.sizes[name], smooth_width=1e-3
        )
        plotting.plot_population_rate(t, rate, ax=axes[1], color=color, label=name)
    axes[1].legend()
    axes[2].plot(result.times, result.lfp * 1e9, "b")
    axes[2].set_ylabel("LFP proxy (nA)")
    axes[2].set_xlabel("time (s)")
    axes[2].set_xlim(0, min(result.duration, 0.5))
    fig.tight_layout()
    fig.savefig(OUT / "ping_activity.png", dpi=120)
    ax = plotting.plot_phase_histogram(m["phases"])
    ax.set_title("E spike phases in the gamma cycle")
    ax.figure.savefig(OUT / "ping_phase_histogram.png", dpi=120)


ping_default(sweep[10])


# %%
# 2. The gamma frequency against the GABA_A decay time
# ----------------------------------------------------
# The period grows linearly with tau_GABA; the slope is ``ln(g_peak / g_thr)``.


def gaba_sweep(sweep, duration):
    print("\n# 2. The gamma frequency against the GABA_A decay time (Börgers & Kopell)")
    params = ping(n_e=400, n_i=100).params
    taus = sorted(sweep)
    peaks, spectra = [], []
    for tau in taus:
        result = sweep[tau]
        m = measure(result, "E")
        peaks.append(m["peak"])
        spectra.append((m["freqs"], m["power"]))
        print(
            f"tau_GABA {tau:5.1f} ms   peak {m['peak']:6.1f} Hz   period "
            f"{1e3 / m['peak']:5.1f} ms   E PLV {m['plv']:.3f}   "
            f"rates E {result.mean_rate('E'):5.1f} / I {result.mean_rate('I'):5.1f} Hz"
        )
    falls = all(a > b for a, b in itertools.pairwise(peaks))
    resolution = 1 / (duration - T_START)
    print(
        f"frequency falls strictly with tau_GABA: {'yes' if falls else 'no'}"
        f" (spectral resolution {resolution:.1f} Hz)"
    )
    # Theory: the most strongly driven E cells fire first, once the inhibition
    # g_peak exp(-t/tau) falls below g_thr = (I_max - I_rheobase) / (V_th - E_GABA).
    g_peak = params["w_ie"] * params["p_ie"] * params["n_i"]
    i_max = params["drive_e"] * (1 + params["drive_e_spread"])
    i_rheobase = (-50 * mV - -70 * mV) / (100 * Mohm)
    g_thr = (i_max - i_rheobase) / (-50 * mV - -80 * mV)
    theory = float(np.log(g_peak / g_thr))
    periods = 1 / np.asarray(peaks)
    slope, intercept = np.polyfit(np.asarray(taus) * 1e-3, periods, 1)
    print(f"g_peak {g_peak / nS:.1f} nS, g_thr {g_thr / nS:.2f} nS")
    print(f"slope dT/dtau_GABA   measured {slope:6.2f}   theory ln(g_peak/g_thr) {theory:6.2f}")
    print(f"intercept d (ms)     measured {intercept * 1e3:6.1f}")

    fig, (left, right) = plt.subplots(1, 2, figsize=(10, 4))
    for tau, (freqs, power) in zip(taus, spectra, strict=True):
        keep = (freqs > 0) & (freqs <= 250)
        left.semilogy(freqs[keep], power[keep], label=f"tau_GABA {tau:g} ms")
    left.set_xlabel("frequency (Hz)")
    left.set_ylabel("LFP proxy power (A^2/Hz)")
    left.legend()
    grid = np.linspace(0, max(taus) * 1.1, 50)
    right.plot(taus, periods * 1e3, "ko", label="measured")
    right.plot(grid, (slope * grid * 1e-3 + intercept) * 1e3, "k-", label="linear fit")
    right.plot(
        grid, (theory * grid * 1e-3 + intercept) * 1e3, "r--", label="slope ln(g_peak/g_thr)"
    )
    right.set_xlabel("tau_GABA (ms)")
    right.set_ylabel("gamma period (ms)")
    right.legend()
    fig.tight_layout()
    fig.savefig(OUT / "tau_gaba_sweep.png", dpi=120)


gaba_sweep(sweep, duration)


# %%
# 3. Control: no I->E inhibition
# ------------------------------
# Without the synapses that make the rhythm, E spikes do not lock to any gamma phase.


def control(duration):
    print("\n# 3. Control: no I->E inhibition (w_ie = 0)")
    result = simulate(ping(n_e=400, n_i=100, w_ie=0 * nS), duration)
    m = measure(result, "E")
    print(f"control E spike PLV                 {m['plv']:8.3f}   expected < 0.1")
    print(f"control rate E (Hz)                 {result.mean_rate('E'):8.1f}")


control(duration)


# %%
# 4. ING: interneurons alone
# --------------------------
# Wang-Buzsáki interneurons coupled by GABA_A only; the frequency falls with tau_GABA.


def interneuron_gamma(duration, n_i, taus):
    print(f"\n# 4. ING: {n_i} Wang-Buzsaki interneurons, mutual GABA_A inhibition only")
    fig, ax = plt.subplots(figsize=(6, 4))
    for tau in taus:
        result = simulate(ing(n_i=n_i, tau_gaba=tau * ms), duration)
        m = measure(result, "I")
        print(
            f"ING tau_GABA {tau:5.1f} ms   peak {m['peak']:6.1f} Hz   I PLV {m['plv']:.3f}   "
            f"rate I {result.mean_rate('I'):5.1f} Hz   peak/background {m['ratio']:.0f}"
        )
        keep = (m["freqs"] > 0) & (m["freqs"] <= 250)
        ax.semilogy(m["freqs"][keep], m["power"][keep], label=f"tau_GABA {tau:g} ms")
        if tau == 10:
            raster = plotting.plot_raster(result.spikes["I"], markersize=2)
            raster.set_xlim(0, min(result.duration, 0.5))
            raster.set_title("ING: interneuron spikes")
            raster.figure.savefig(OUT / "ing_raster.png", dpi=120)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("LFP proxy power (A^2/Hz)")
    ax.legend()
    fig.savefig(OUT / "ing_spectra.png", dpi=120)


interneuron_gamma(duration, 50 if QUICK else 100, (5, 10, 20))
print(f"\nfigures saved to {OUT.resolve()}")
