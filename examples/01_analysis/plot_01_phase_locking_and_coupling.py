"""
Lab 1: rhythms, phase locking and coupling on data with known answers
=====================================================================

Each section builds synthetic data whose true value is known from theory, measures it
with :mod:`quifer_brian.analysis`, prints the measurement next to the theory and saves a
figure. No network is simulated: this lab is about the measuring instruments that the
other labs point at spiking networks.

Learning goals
--------------
- Read a spike-field phase-locking value (PLV) and its bias-free cousin, the pairwise
  phase consistency (PPC), against the von Mises theory ``I1(kappa) / I0(kappa)``.
- Tell a spectral peak from the aperiodic ``1/f^chi`` background (specparam) and read
  the fitted exponent.
- Measure theta-phase / gamma-amplitude coupling with Tort's modulation index, and
  judge it against surrogates.
- Compare three synchrony measures (Golomb's chi, the Kuramoto order parameter of
  spikes, the spike PLV) on a jittered population rhythm.
- Check the CV and Fano factor of Poisson and gamma-process spike trains.

Run time on 2 cores
-------------------
Full: about 25 s. Quick (``QUIFER_LAB_QUICK=1``): about 4 s.

Course topics
-------------
- Dayan & Abbott, *Theoretical Neuroscience*, ch. 1.4 (spike-train statistics: Poisson
  process, CV, Fano factor).
- Gerstner et al., *Neuronal Dynamics*, ch. 7.3-7.5 (interval distributions, CV,
  renewal and Poisson processes).
- Tort et al. 2010, *J Neurophysiol* 104:1195 (modulation index); Vinck et al. 2010,
  *NeuroImage* 51:112 (PPC); Donoghue et al. 2020, *Nat Neurosci* 23:1655 (specparam).

Exercises
---------
1. Lower the number of spikes to 50 (``N_SPIKES``): which of PLV and PPC drifts away from
   theory, and why?
2. Shift the gamma band of the modulation index to (80, 100) Hz: what happens to the MI
   and its p-value?
3. In section 4, give each neuron one fixed jitter instead of one per spike: compare
   Kuramoto R and the spike PLV with the per-spike case.

Solutions: ``solutions.md`` beside this file.
"""

# %%
# Settings
# --------
# ``QUIFER_LAB_QUICK=1`` selects the smaller data of the test suite;
# ``QUIFER_LAB_OUT`` names the folder for the figures.

import os
from pathlib import Path

import numpy as np
from scipy.special import i0e, i1e

from quifer_brian import analysis as qa
from quifer_brian import plotting

QUICK = os.environ.get("QUIFER_LAB_QUICK") == "1"
OUT = Path(os.environ.get("QUIFER_LAB_OUT", "lab_output"))
OUT.mkdir(parents=True, exist_ok=True)

FS = 1000.0  # Hz
N_SPIKES = 5000 if QUICK else 20_000
rng = np.random.default_rng(2024)


def report(name, measured, theory):
    print(f"{name:<34s} measured {measured:9.4f}   theory {theory:9.4f}")


# %%
# 1. Spike-field phase locking
# ----------------------------
# Spikes fall on a 40 Hz cosine at von Mises phases of concentration ``kappa`` around
# 1 rad. The PLV of von Mises phases is ``I1(kappa) / I0(kappa)``, the PPC its square.

print("# 1. Spike-field phase locking (von Mises phases on a 40 Hz rhythm)")
duration = 50.0
t = np.arange(int(duration * FS)) / FS
lfp = np.cos(2 * np.pi * 40 * t)
for kappa in (0.0, 0.5, 1.0, 2.0, 5.0):
    cycles = rng.integers(2, int(duration * 40) - 2, N_SPIKES)
    phases = rng.vonmises(1.0, kappa, N_SPIKES) if kappa else rng.uniform(-np.pi, np.pi, N_SPIKES)
    times = (cycles + phases / (2 * np.pi)) / 40
    measured = qa.spike_phases(times, lfp, FS, (35, 45))
    plv, preferred = qa.compute_plv(measured)
    a = i1e(kappa) / i0e(kappa)
    report(f"kappa={kappa:<3} PLV", plv, a)
    report(f"kappa={kappa:<3} PPC", qa.compute_ppc(measured), a**2)
    print(f"{'':34s} Rayleigh p = {qa.rayleigh_test(measured).p_value:.2e}")
    if kappa == 2.0:
        report("kappa=2   preferred phase (rad)", preferred, 1.0)
        ax = plotting.plot_phase_histogram(measured)
        ax.set_title("spike phases, kappa = 2")
        ax.figure.savefig(OUT / "phase_histogram.png", dpi=120)

# %%
# 2. Spectral peaks above a 1/f background
# ----------------------------------------
# Gaussian noise shaped to a ``1/f^1.5`` power spectrum plus two sinusoids at 7 and
# 43 Hz. specparam separates the peaks from the aperiodic part and fits its exponent.

print("\n# 2. Spectral peaks above a 1/f^1.5 background")
n = int((30.0 if QUICK else 60.0) * FS)
freqs = np.fft.rfftfreq(n, 1 / FS)
shape = np.r_[0, freqs[1:] ** -0.75]
sig = np.fft.irfft(np.fft.rfft(rng.normal(size=n)) * shape, n)
t = np.arange(n) / FS
for f0 in (7.0, 43.0):
    sig += np.sqrt(2 * 10 * 2 / FS * f0**-1.5 * 0.75) * np.cos(2 * np.pi * f0 * t)
f, p = qa.compute_spectrum(sig, FS)
fit = qa.compute_spectral_peaks(f, p, f_range=(2, 100))
for target in (7.0, 43.0):
    report(
        f"peak near {target:g} Hz (Hz)",
        fit.frequencies[np.argmin(abs(fit.frequencies - target))],
        target,
    )
report("aperiodic exponent", fit.exponent, 1.5)
ax = plotting.plot_spectrum(f[f > 0], p[f > 0], peaks=fit)
ax.figure.savefig(OUT / "spectrum.png", dpi=120)
fs_, ts_, sx = qa.compute_spectrogram(sig, FS, f_range=(1, 100))
ax = plotting.plot_spectrogram(fs_, ts_, sx)
ax.figure.savefig(OUT / "spectrogram.png", dpi=120)

# %%
# 3. Theta-gamma phase-amplitude coupling
# ---------------------------------------
# A 6 Hz theta whose phase modulates the amplitude of a 60 Hz gamma by ``depth``. The
# modulation index is tested against time-shifted surrogates; the comodulogram should
# peak at (6 Hz, 60 Hz).

print("\n# 3. Theta (6 Hz) phase - gamma (60 Hz) amplitude coupling")
n = int((20.0 if QUICK else 30.0) * FS)
t = np.arange(n) / FS
for depth in (0.0, 0.2, 0.5, 0.9):
    theta_phase = 2 * np.pi * 6 * t + np.cumsum(rng.normal(0, 0.01, n))
    theta = np.cos(theta_phase)
    sig = theta + 0.3 * (1 + depth * theta) * np.cos(2 * np.pi * 60 * t)
    sig = sig + 0.2 * rng.normal(size=n)
    test = qa.compute_mi_surrogates(
        sig, FS, (4, 8), (45, 75), n_surrogates=50 if QUICK else 200, seed=1
    )
    print(
        f"depth {depth:<3}  MI {test.mi:.5f}   surrogate p = {test.p_value:.3f}"
        f"   ({'significant' if test.p_value < 0.05 else 'not significant'})"
    )
pf, af, mi = qa.compute_comodulogram(
    sig, FS, np.arange(2.0, 15.0), np.arange(30.0, 101.0, 5.0), amp_bandwidth=20
)
i, j = np.unravel_index(np.argmax(mi), mi.shape)
report("comodulogram max, phase freq (Hz)", pf[j], 6.0)
report("comodulogram max, amp freq (Hz)", af[i], 60.0)
ax = plotting.plot_comodulogram(pf, af, mi)
ax.figure.savefig(OUT / "comodulogram.png", dpi=120)

# %%
# 4. Synchrony of a jittered population rhythm
# --------------------------------------------
# Every neuron fires once per 40 Hz cycle, jittered by a Gaussian of width ``s``. For
# such spikes the PLV to the 40 Hz clock is ``exp(-(2 pi f s)^2 / 2)``.

print("\n# 4. Synchrony of a jittered 40 Hz population rhythm")
n_neurons = 300 if QUICK else 2000
base = np.arange(1, 80) / 40.0
for jitter in (0.5e-3, 2e-3, 5e-3, 10e-3, 20e-3):
    trains = [np.sort(base + rng.normal(0, jitter, base.size)) for _ in range(n_neurons)]
    chi = qa.compute_chi(trains, t_start=0.1, t_stop=1.9)
    _, order = qa.compute_kuramoto_order_spikes(trains, t_start=0.1, t_stop=1.9)
    plv, _ = qa.compute_plv(2 * np.pi * 40 * np.concatenate(trains))
    theory = np.exp(-((2 * np.pi * 40 * jitter) ** 2) / 2)
    print(
        f"jitter {jitter * 1e3:4.1f} ms  chi {chi:.3f}  Kuramoto R {np.nanmean(order):.3f}"
        f"  spike PLV {plv:.3f}  theory exp(-(2 pi f s)^2/2) {theory:.3f}"
    )
    if jitter == 5e-3:
        ax = plotting.plot_raster(list(trains[:50]))
        ax.set_title("50 neurons, 5 ms jitter")
        ax.figure.savefig(OUT / "raster.png", dpi=120)
        times, rate = qa.compute_population_rate(trains, 1e-3, smooth_width=1e-3, t_stop=2.0)
        ax = plotting.plot_population_rate(times, rate)
        ax.figure.savefig(OUT / "population_rate.png", dpi=120)

# %%
# 5. Spike statistics
# -------------------
# Gamma-process trains of shape ``k`` have CV ``1/sqrt(k)``; a Poisson process (k = 1)
# has CV 1 and Fano factor 1.

print("\n# 5. Spike statistics of Poisson and gamma-process trains (10 Hz, 50 s)")
n_neurons = 100 if QUICK else 200
for shape_k in (1.0, 4.0):
    isis = rng.gamma(shape_k, 1 / (shape_k * 10.0), size=(n_neurons, 800))
    trains = [row[row < 50.0] for row in np.cumsum(isis, axis=1)]
    report(f"gamma k={shape_k:g} CV of ISI", np.nanmean(qa.compute_cv_isi(trains)), shape_k**-0.5)
    if shape_k == 1.0:
        report("Poisson rate (Hz)", qa.compute_rates(trains, t_stop=50.0).mean(), 10.0)
        report("Poisson Fano factor", qa.compute_fano_factor(trains, t_stop=50.0), 1.0)

print(f"\nfigures saved to {OUT.resolve()}")
