"""Lab 1: measuring rhythms, phase locking and coupling on data with known answers.

Each section builds synthetic data whose true value is known from theory, measures it
with ``quifer_brian.analysis``, prints the measurement next to the theory and saves a
figure. Run ``python plot_01_phase_locking_and_coupling.py [--quick] [--out DIR]``.

Exercises
---------
1. Lower the number of spikes to 50: which of PLV and PPC drifts away from theory, and why?
2. Shift the gamma band of the modulation index to (80, 100) Hz: what happens to the MI?
3. Make the jitter per neuron instead of per spike (``per_spike=False``): compare R.
"""

import argparse
import os

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from scipy.special import i0e, i1e

from quifer_brian import analysis as qa
from quifer_brian import plotting

FS = 1000.0  # Hz


def report(name, measured, theory):
    print(f"{name:<34s} measured {measured:9.4f}   theory {theory:9.4f}")


def phase_locking(out, n_spikes, rng):
    print("\n# 1. Spike-field phase locking (von Mises phases on a 40 Hz rhythm)")
    duration = 50.0
    t = np.arange(int(duration * FS)) / FS
    lfp = np.cos(2 * np.pi * 40 * t)
    for kappa in (0.0, 0.5, 1.0, 2.0, 5.0):
        cycles = rng.integers(2, int(duration * 40) - 2, n_spikes)
        phases = (
            rng.vonmises(1.0, kappa, n_spikes) if kappa else rng.uniform(-np.pi, np.pi, n_spikes)
        )
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
            ax.figure.savefig(os.path.join(out, "phase_histogram.png"), dpi=80)


def spectrum(out, duration, rng):
    print("\n# 2. Spectral peaks above a 1/f^1.5 background")
    n = int(duration * FS)
    freqs = np.fft.rfftfreq(n, 1 / FS)
    shape = np.r_[0, freqs[1:] ** -0.75]
    sig = np.fft.irfft(np.fft.rfft(rng.normal(size=n)) * shape, n)
    t = np.arange(n) / FS
    for f0 in (7.0, 43.0):
        sig += np.sqrt(2 * 10 * 2 / FS * f0**-1.5 * 0.75) * np.cos(2 * np.pi * f0 * t)
    f, p = qa.compute_spectrum(sig, FS)
    fit = qa.find_peaks(f, p, f_range=(2, 100))
    for target in (7.0, 43.0):
        report(
            f"peak near {target:g} Hz (Hz)",
            fit.frequencies[np.argmin(abs(fit.frequencies - target))],
            target,
        )
    report("aperiodic exponent", fit.exponent, 1.5)
    ax = plotting.plot_spectrum(f[f > 0], p[f > 0], peaks=fit)
    ax.figure.savefig(os.path.join(out, "spectrum.png"), dpi=80)
    fs_, ts_, sx = qa.compute_spectrogram(sig, FS, f_range=(1, 100))
    ax = plotting.plot_spectrogram(fs_, ts_, sx)
    ax.figure.savefig(os.path.join(out, "spectrogram.png"), dpi=80)


def coupling(out, duration, n_surrogates, rng):
    print("\n# 3. Theta (6 Hz) phase - gamma (60 Hz) amplitude coupling")
    n = int(duration * FS)
    t = np.arange(n) / FS
    for depth in (0.0, 0.2, 0.5, 0.9):
        theta_phase = 2 * np.pi * 6 * t + np.cumsum(rng.normal(0, 0.01, n))
        theta = np.cos(theta_phase)
        sig = theta + 0.3 * (1 + depth * theta) * np.cos(2 * np.pi * 60 * t)
        sig = sig + 0.2 * rng.normal(size=n)
        test = qa.compute_mi_surrogates(
            sig, FS, (4, 8), (45, 75), n_surrogates=n_surrogates, seed=1
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
    ax.figure.savefig(os.path.join(out, "comodulogram.png"), dpi=80)


def synchrony(out, n_neurons, rng):
    print("\n# 4. Synchrony of a jittered 40 Hz population rhythm")
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
            ax = plotting.plot_raster([tr for tr in trains[:50]])
            ax.figure.savefig(os.path.join(out, "raster.png"), dpi=80)
            times, rate = qa.compute_population_rate(trains, 1e-3, smooth_width=1e-3, t_stop=2.0)
            ax = plotting.plot_population_rate(times, rate)
            ax.figure.savefig(os.path.join(out, "population_rate.png"), dpi=80)


def spike_statistics(n_neurons, rng):
    print("\n# 5. Spike statistics of Poisson and gamma-process trains (10 Hz, 50 s)")
    for shape in (1.0, 4.0):
        isis = rng.gamma(shape, 1 / (shape * 10.0), size=(n_neurons, 800))
        trains = [row[row < 50.0] for row in np.cumsum(isis, axis=1)]
        report(f"gamma k={shape:g} CV of ISI", np.nanmean(qa.compute_cv_isi(trains)), shape**-0.5)
        if shape == 1.0:
            report("Poisson rate (Hz)", qa.compute_rates(trains, t_stop=50.0).mean(), 10.0)
            report("Poisson Fano factor", qa.compute_fano_factor(trains, t_stop=50.0), 1.0)


def main(argv=None):
    parser = argparse.ArgumentParser(description="Analysis lab: phase locking and coupling.")
    parser.add_argument("--quick", action="store_true", help="smaller data, for tests")
    parser.add_argument("--out", default="figures", help="folder for the figures")
    args = parser.parse_args(argv)
    os.makedirs(args.out, exist_ok=True)
    rng = np.random.default_rng(2024)
    phase_locking(args.out, 5000 if args.quick else 20_000, rng)
    spectrum(args.out, 30.0 if args.quick else 60.0, rng)
    coupling(args.out, 20.0 if args.quick else 30.0, 50 if args.quick else 200, rng)
    synchrony(args.out, 300 if args.quick else 2000, rng)
    spike_statistics(100 if args.quick else 200, rng)
    plt.close("all")
    print(f"\nfigures saved to {os.path.abspath(args.out)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
