"""
Lab 3: theta-nested gamma from pyramidal, PV-like and O-LM-like cells
=====================================================================

``theta_gamma()`` wires three populations driven only by constant currents and Poisson
input: pyramidal cells E, fast-spiking PV-like cells I (gamma by PING: fast GABA_A) and
slow O-LM-like cells O (theta: slow dendritic GABA_A onto E plus the O cells' own
after-hyperpolarisation). Nothing in the equations oscillates. The lab measures the
LFP proxy's spectrum, the phase locking of E spikes to gamma and the theta-phase /
gamma-amplitude coupling (Tort 2010), then removes every GABA synapse as a control.
Each number is printed next to the criterion it should meet.

Learning goals
--------------
- See two rhythms at once emerge from two inhibitory time scales (fast PV-like, slow
  O-LM-like), with no oscillator in the equations.
- Find theta and gamma both in the LFP spectrum (peaks above the aperiodic background)
  and in the E spikes (rate autocorrelation), and see why the two can disagree
  (harmonics).
- Measure cross-frequency coupling with Tort's modulation index, a surrogate test and a
  comodulogram, and falsify it with a control network without inhibition.

Run time on 2 cores
-------------------
Full (4 s per network, numpy): about 40 s (estimated: twice the quick run). Quick
(``QUIFER_LAB_QUICK=1``, 2 s per network): about 20 s.

Course topics
-------------
- Gerstner et al., *Neuronal Dynamics*, ch. 13 (oscillations in excitatory-inhibitory
  populations).
- Dayan & Abbott, *Theoretical Neuroscience*, ch. 7.5 (network oscillations).
- Tort et al. 2010, *J Neurophysiol* 104:1195 (modulation index); Lisman & Jensen 2013,
  *Neuron* 77:1002 (the theta-gamma code); Gloveli et al. 2005 / Tort et al. 2007 (O-LM
  cells and theta).

Exercises
---------
1. Make the O-LM inhibition faster (``tau_gaba_slow=20*ms``) or slower (60 ms): how do
   the theta frequency and the number of gamma cycles per theta cycle change?
2. Double ``tau_gaba_fast``: how does the E spikes' gamma rhythm move (Börgers &
   Kopell)? Does the LFP's strongest 30-100 Hz peak agree? (It can be a harmonic.)
3. Set ``w_oe=0*nS``: is there still theta? Is there still gamma? Check the comodulogram.
4. Switch on the teaching "septum" (``septal_frequency=6*Hz``): theta is now imposed
   from outside. Compare its spectrum with the emergent one, then lower ``septal_rate``
   to 2000 Hz: which rhythm wins?

Solutions: ``solutions.md`` beside this file.
"""

# %%
# Settings
# --------
# ``QUIFER_LAB_QUICK=1`` selects the 2 s runs of the test suite; ``QUIFER_LAB_OUT`` names
# the figure folder. ``BACKEND = "cpp_standalone"`` runs the same networks compiled
# (a compile of about a minute, then faster runs).

import os
import time
from pathlib import Path

import brian2
import matplotlib.pyplot as plt
import numpy as np
from brian2 import second

from quifer_brian import analysis as qa
from quifer_brian import plotting
from quifer_brian.networks import theta_gamma

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)
BACKEND = "numpy"  # or "cpp_standalone"
DURATION, MIN_SHIFT = (2.0, 0.5) if QUICK else (4.0, 1.0)  # s

T_START = 0.2  # s: transient left out of the analysis
SEED = 1


def report(name, measured, criterion):
    print(f"{name:<40s} measured {measured:9.4f}   criterion {criterion}")


def simulate(duration, backend, **params):
    brian2.seed(SEED)  # connectivity and initial values are drawn when the circuit builds
    start = time.perf_counter()
    result = theta_gamma(**params).run(duration * second, backend=backend, seed=SEED)
    print(f"simulated {duration:g} s on {backend} in {time.perf_counter() - start:.1f} s")
    return result


def strongest_peak(fit, band):
    """(frequency, height) of the highest fitted peak in ``band``, or (nan, 0)."""
    peak = fit.strongest(band)
    return (float("nan"), 0.0) if peak is None else (peak.frequency, peak.height)


def e_spikes(result):
    times, _ = result.spikes["E"]
    keep = (times > T_START + 0.05) & (times < result.duration - 0.05)
    return times[keep] - T_START


# %%
# 1. The default network: theta and nested gamma emerge
# -----------------------------------------------------
# Rates, the LFP spectrum and its fitted peaks, the rhythms of the E spikes, their
# locking to gamma, the theta-gamma modulation index and the comodulogram.


def network(duration, backend, min_shift):
    print("\n# 1. The default network: theta and nested gamma emerge")
    result = simulate(duration, backend)
    fs = result.fs
    sig = result.lfp[int(T_START * fs) :]
    for name in ("E", "I", "O"):
        report(f"rate {name} (Hz)", result.mean_rate(name), "> 0")

    freqs, power = qa.compute_spectrum(sig, fs)
    # A 2 s quick run's periodogram is noisy, so its aperiodic fit explains little (r^2
    # about 0.3, which would warn); the peaks are still read against it, and the r^2 is
    # printed so that the reader sees how much to trust them. The full run keeps the
    # warning on.
    fit = qa.compute_spectral_peaks(freqs, power, f_range=qa.LFP_FIT_RANGE, warn=not QUICK)
    print(f"{'spectral model r^2 (trust the peaks >= 0.5)':<40s} measured {fit.r_squared:9.4f}")
    f_theta, h_theta = strongest_peak(fit, qa.THETA_BAND)
    f_gamma, h_gamma = strongest_peak(fit, qa.GAMMA_BAND)
    report("theta peak (Hz)", f_theta, "4-12")
    report("theta peak above background (log10)", h_theta, ">= 0.3")
    report("gamma peak (Hz)", f_gamma, "30-100")
    report("gamma peak above background (log10)", h_gamma, ">= 0.3")
    # the rhythms themselves: the E spike rate's autocorrelation peaks at their periods,
    # where an LFP peak can be a harmonic (sharp volleys, theta-nested bursts)
    rhythms = qa.compute_rate_rhythms(result, T_START)
    report("theta rhythm of E spikes (Hz)", rhythms["theta_hz"], "4-12")
    report("gamma rhythm of E spikes (Hz)", rhythms["gamma_hz"], "30-100")
    ax = plotting.plot_spectrum(freqs[freqs > 0], power[freqs > 0], peaks=fit)
    ax.set_xlim(1, 120)
    ax.figure.savefig(OUT / "spectrum.png", dpi=120)

    # bands around the rhythms: +- 2 Hz (theta) and +- 10 Hz (gamma)
    theta_band, gamma_band = qa.theta_gamma_bands(rhythms["theta_hz"], rhythms["gamma_hz"])
    phases = qa.spike_phases(e_spikes(result), sig, fs, gamma_band)
    plv, preferred = qa.compute_plv(phases)
    report("E spike PLV to gamma", plv, ">= 0.5")
    print(f"{'E preferred gamma phase (rad)':<40s} measured {preferred:9.4f}")
    ax = plotting.plot_phase_histogram(phases)
    ax.set_title("E spikes on the gamma cycle")
    ax.figure.savefig(OUT / "spike_phase_histogram.png", dpi=120)

    # gamma amplitude in gamma_band +- 5 Hz (theta's side bands) on theta phase
    test = qa.compute_theta_gamma_coupling(
        sig, fs, theta_band, gamma_band, n_surrogates=200, min_shift=min_shift, seed=0
    )
    ratio = test.mi / np.percentile(test.surrogates, 95)
    report("theta-gamma MI (Tort 2010)", test.mi, "> all 200 surrogates")
    report("MI surrogate p-value", test.p_value, f"= {1 / 201:.4f} (beats all)")
    report("MI / 95th percentile of surrogates", ratio, ">= 3 (4 s)")
    pf, af, mi = qa.compute_comodulogram(
        sig, fs, np.arange(3.0, 14.0), np.arange(25.0, 96.0, 5.0), amp_bandwidth=30.0
    )
    i, j = np.unravel_index(np.argmax(mi), mi.shape)
    report("comodulogram max, phase freq (Hz)", pf[j], "4-12")
    report("comodulogram max, amp freq (Hz)", af[i], "30-100")
    ax = plotting.plot_comodulogram(pf, af, mi)
    ax.figure.savefig(OUT / "comodulogram.png", dpi=120)

    fig, axes = plt.subplots(2, 1, figsize=(9, 6), sharex=True)
    offset = 0
    for name, color in (("E", "tab:blue"), ("I", "tab:red"), ("O", "tab:green")):
        times, indices = result.spikes[name]
        plotting.plot_raster((times, indices + offset), ax=axes[0], color=color)
        offset += result.sizes[name]
    axes[0].set_ylabel("E | I | O")
    axes[1].plot(np.arange(result.lfp.size) / fs, result.lfp * 1e9, lw=0.7)
    axes[1].set_ylabel("LFP proxy (nA)")
    axes[1].set_xlabel("time (s)")
    axes[1].set_xlim(T_START, min(result.duration, T_START + 1.0))
    fig.tight_layout()
    fig.savefig(OUT / "raster.png", dpi=120)
    return theta_band, gamma_band, plv


theta_band, gamma_band, _ = network(DURATION, BACKEND, MIN_SHIFT)

# %%
# 2. Control: every GABA synapse removed
# --------------------------------------
# Without inhibition neither rhythm exists: no locking, no coupling.


def control(duration, backend, theta_band, gamma_band, min_shift):
    print("\n# 2. Control: every GABA synapse removed (gaba=False)")
    result = simulate(duration, backend, gaba=False)
    fs = result.fs
    sig = result.lfp[int(T_START * fs) :]
    report("control rate E (Hz)", result.mean_rate("E"), "> the full network's")
    plv, _ = qa.compute_plv(qa.spike_phases(e_spikes(result), sig, fs, gamma_band))
    report("control E spike PLV to gamma", plv, "< 0.1")
    test = qa.compute_theta_gamma_coupling(
        sig, fs, theta_band, gamma_band, n_surrogates=200, min_shift=min_shift, seed=0
    )
    report("control MI surrogate p-value", test.p_value, "> 0.05 (not significant)")


control(DURATION, BACKEND, theta_band, gamma_band, MIN_SHIFT)
