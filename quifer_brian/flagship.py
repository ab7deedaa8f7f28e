"""The flagship demo: emergent theta-nested gamma, measured end to end.

``run_flagship()`` builds :func:`~quifer_brian.networks.theta_gamma`, runs it on the
fastest backend that works here (cpp_standalone where a C++ compiler exists, numpy
otherwise), and measures what the package is for: the theta and gamma peaks of the LFP
proxy above its aperiodic background, theta-gamma phase-amplitude coupling against
time-shift surrogates, and the locking of excitatory spikes to gamma.  Then the second
act (:mod:`quifer_brian.flagship_loop`): that theta clocks the spiking actualization
loop, one actualization per theta cycle.  It writes the figures, ``summary.json`` and
the result into an output folder.  The measures are
:func:`quifer_brian.analysis.analyse_theta_gamma`.
"""

import os
import time

import numpy as np
from brian2 import second

from .analysis import analyse_theta_gamma, compute_comodulogram, spike_phases
from .analysis.measures import THETA_GAMMA_T_START
from .backends import backend_status, check_backend
from .checks import check_quantity
from .errors import CircuitError
from .flagship_loop import run_loop_act
from .networks import theta_gamma
from .results import write_json

__all__ = ["run_flagship"]

T_START = THETA_GAMMA_T_START  # s of onset transient left out of every measure
MIN_DURATION = 2.0  # s: shorter runs leave too few theta cycles for a theta peak
MIN_PEAK_HEIGHT = 0.3  # log10 power above the aperiodic fit (a factor of 2)


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
