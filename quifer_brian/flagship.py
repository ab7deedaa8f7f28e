"""The flagship demo: emergent theta-nested gamma, measured end to end.

``run_flagship()`` builds :func:`~quifer_brian.networks.theta_gamma`, runs it on the
fastest backend that works here (cpp_standalone where a C++ compiler exists, numpy
otherwise), and measures what the package is for: the theta and gamma peaks of the LFP
proxy above its aperiodic background, theta-gamma phase-amplitude coupling against
time-shift surrogates, and the locking of excitatory spikes to gamma.  Then the second
act (:mod:`quifer_brian.flagship_loop`): that theta clocks the spiking actualization
loop, one actualization per theta cycle.  It writes the figures, ``summary.json`` and
the result into an output folder.
"""

import os
import time

import numpy as np
from brian2 import second

from .analysis import (
    compute_comodulogram,
    compute_mi_surrogates,
    compute_plv,
    compute_spectrum,
    find_peaks,
    spike_phases,
)
from .backends import backend_status, check_backend
from .flagship_loop import run_loop_act
from .results import write_json

__all__ = ["analyse_theta_gamma", "run_flagship"]

THETA_BAND = (4.0, 12.0)  # Hz
GAMMA_BAND = (30.0, 100.0)  # Hz
T_START = 0.2  # s of onset transient left out of every measure
MIN_DURATION = 2.0  # s: shorter runs leave too few theta cycles for a theta peak
MIN_PEAK_HEIGHT = 0.3  # log10 power above the aperiodic fit (a factor of 2)


def _strongest_peak(fit, band):
    """(frequency, height) of the highest fitted peak in ``band``, or (nan, 0)."""
    rows = fit.peaks[(fit.peaks[:, 0] >= band[0]) & (fit.peaks[:, 0] <= band[1])]
    if rows.size == 0:
        return float("nan"), 0.0
    row = rows[np.argmax(rows[:, 1])]
    return float(row[0]), float(row[1])


def analyse_theta_gamma(result, bands=None, n_surrogates=200, min_shift=None, seed=0):
    """Measure theta, gamma, their coupling and the gamma locking of E spikes.

    Parameters
    ----------
    result : Result
        From ``theta_gamma().run(...)`` (needs ``lfp`` and the ``'E'`` population).
    bands : ((float, float), (float, float)) (Hz), optional
        Theta phase band and gamma band to use instead of the measured peaks +- 2 Hz and
        +- 10 Hz (a control without rhythms has no peaks to centre them on).
    n_surrogates : int
        Time-shift surrogates for the modulation index's p-value.
    min_shift : float (s), optional
        Smallest surrogate shift; default 1 s, or a quarter of the analysed signal for
        runs shorter than 4.2 s.
    seed : int
        Seed of the surrogate shifts.

    Returns
    -------
    dict
        ``theta_hz``, ``gamma_hz`` (strongest peak in 4-12 / 30-100 Hz, nan if none),
        ``theta_height``, ``gamma_height`` (log10 power above the aperiodic fit),
        ``aperiodic_exponent``, ``gamma_plv`` (E spikes vs the gamma band of the LFP
        proxy), ``mi``, ``mi_p_value``, ``mi_over_p95`` (MI / 95th percentile of the
        surrogates), ``bands``, ``rates_hz`` per population, and ``spectrum``
        ``(freqs, power, PeakFit)`` for plotting.
    """
    fs = result.fs
    sig = np.asarray(result.lfp)[int(T_START * fs) :]
    freqs, power = compute_spectrum(sig, fs)
    fit = find_peaks(freqs, power, f_range=(2.0, 100.0))
    if min_shift is None:
        min_shift = min(1.0, len(sig) / fs / 4)
    f_theta, h_theta = _strongest_peak(fit, THETA_BAND)
    f_gamma, h_gamma = _strongest_peak(fit, GAMMA_BAND)
    if bands is None:
        bands = ((f_theta - 2.0, f_theta + 2.0), (f_gamma - 10.0, f_gamma + 10.0))
    phase_band, gamma_band = bands
    times, _ = result.spikes["E"]
    times = times[(times > T_START + 0.05) & (times < result.duration - 0.05)] - T_START
    plv, _ = compute_plv(spike_phases(times, sig, fs, gamma_band))
    amp_band = (gamma_band[0] - 5.0, gamma_band[1] + 5.0)  # holds the theta side bands
    test = compute_mi_surrogates(
        sig,
        fs,
        phase_band,
        amp_band,
        n_surrogates=n_surrogates,
        min_shift=min_shift,
        seed=seed,
    )
    return {
        "theta_hz": f_theta,
        "theta_height": h_theta,
        "gamma_hz": f_gamma,
        "gamma_height": h_gamma,
        "aperiodic_exponent": float(fit.exponent),
        "gamma_plv": float(plv),
        "mi": float(test.mi),
        "mi_p_value": float(test.p_value),
        "mi_over_p95": float(test.mi / np.percentile(test.surrogates, 95)),
        "bands": bands,
        "rates_hz": {name: result.mean_rate(name) for name in result.populations},
        "spectrum": (freqs, power, fit),
    }


def _default_backend():
    runnable = {s.name for s in backend_status() if s.runs}
    return "cpp_standalone" if "cpp_standalone" in runnable else "numpy"


def run_flagship(out_dir="quifer-out", backend=None, duration=4 * second, seed=1, progress=True):
    """Run the flagship demo and write its figures and ``summary.json`` to ``out_dir``.

    Parameters
    ----------
    out_dir : str
        Output folder (created).
    backend : str, optional
        Default: cpp_standalone where a C++ compiler works, numpy otherwise.
    duration : brian2.Quantity (second)
        At least 2 s (checked before anything is built).
    seed : int
    progress : bool
        Print the simulation's progress.

    Returns
    -------
    dict
        The summary written to ``summary.json``.
    """
    from .checks import check_quantity
    from .errors import CircuitError
    from .networks import theta_gamma

    backend = check_backend(backend) if backend is not None else _default_backend()
    check_quantity("duration", duration, second, owner="demo")
    if float(duration / second) < MIN_DURATION:
        raise CircuitError(
            f"demo.duration: must be >= {MIN_DURATION:g} s ({T_START:g} s of onset transient "
            f"are left out and the theta-gamma measures need several theta cycles); got "
            f"{duration}."
        )
    os.makedirs(out_dir, exist_ok=True)
    start = time.perf_counter()
    result = theta_gamma().run(duration, backend=backend, seed=seed, progress=progress)
    simulated = time.perf_counter() - start
    measures = analyse_theta_gamma(result, seed=seed)
    summary = {
        key: value for key, value in measures.items() if key not in ("spectrum", "comodulogram")
    }
    summary.update(
        backend=backend,
        seed=seed,
        duration_s=result.duration,
        simulation_wall_s=round(simulated, 2),
    )
    _write_figures(result, measures, out_dir)
    result.save(os.path.join(out_dir, "result.npz"))
    summary["loop"] = run_loop_act(result, measures["theta_hz"], out_dir, seed, T_START)
    summary["total_wall_s"] = round(time.perf_counter() - start, 2)
    write_json(summary, os.path.join(out_dir, "summary.json"))
    return summary


def _write_figures(result, measures, out_dir):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .plotting import (
        plot_comodulogram,
        plot_phase_histogram,
        plot_population_rate,
        plot_raster,
        plot_spectrum,
    )

    window = (T_START, min(result.duration, T_START + 1.0))
    figure, axes = plt.subplots(2, 1, figsize=(8, 6), sharex=True)
    times, indices = result.spikes["E"]
    keep = (times >= window[0]) & (times < window[1])
    plot_raster((times[keep], indices[keep]), ax=axes[0])
    axes[0].set_title("E spikes")
    for name, rate in result.rates.items():
        t = np.arange(len(rate)) * result.rate_dt
        inside = (t >= window[0]) & (t < window[1])
        smooth = np.convolve(rate, np.ones(20) / 20, mode="same")
        plot_population_rate(t[inside], smooth[inside], ax=axes[1], label=name)
    axes[1].legend()
    figure.savefig(os.path.join(out_dir, "raster_rates.png"), dpi=120)
    plt.close(figure)

    freqs, power, fit = measures["spectrum"]
    figure, axis = plt.subplots(figsize=(6, 4))
    plot_spectrum(freqs, power, peaks=fit, ax=axis)
    figure.savefig(os.path.join(out_dir, "spectrum.png"), dpi=120)
    plt.close(figure)

    lfp = np.asarray(result.lfp)[int(T_START * result.fs) :]
    phase_freqs, amp_freqs, mi = compute_comodulogram(
        lfp, result.fs, np.arange(3.0, 14.0, 1.0), np.arange(30.0, 101.0, 5.0), amp_bandwidth=30.0
    )
    figure, axis = plt.subplots(figsize=(6, 4))
    plot_comodulogram(phase_freqs, amp_freqs, mi, ax=axis)
    figure.savefig(os.path.join(out_dir, "comodulogram.png"), dpi=120)
    plt.close(figure)

    spikes = times[(times > T_START + 0.05) & (times < result.duration - 0.05)] - T_START
    phases = spike_phases(spikes, lfp, result.fs, measures["bands"][1])
    figure = plt.figure(figsize=(4, 4))
    axis = figure.add_subplot(projection="polar")
    plot_phase_histogram(phases, ax=axis)
    axis.set_title("E spikes vs gamma phase")
    figure.savefig(os.path.join(out_dir, "phase_histogram.png"), dpi=120)
    plt.close(figure)
