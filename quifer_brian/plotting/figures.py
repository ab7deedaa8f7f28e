"""Multi-panel figures of a run: built as :class:`matplotlib.figure.Figure` objects.

Each function returns figures (no pyplot state, no backend chosen, nothing written);
:func:`save_figures` writes them.  The command line and the demo call these.
"""

import os

import numpy as np
from matplotlib.figure import Figure

from ..analysis import compute_comodulogram, spike_phases
from ..results import save_figure
from .axes import (
    plot_comodulogram,
    plot_phase_histogram,
    plot_population_rate,
    plot_raster,
    plot_spectrum,
)

__all__ = ["analysis_figures", "loop_figure", "save_figures", "theta_gamma_figures"]


def analysis_figures(result, measures):
    """``{'spectrum': Figure, 'raster': Figure}`` of a measured result.

    Parameters
    ----------
    result : Result
    measures : dict
        From :func:`quifer_brian.analysis.analyse_result` (``'spectrum'`` is optional).
    """
    figures = {}
    if "spectrum" in measures:
        freqs, power, fit = measures["spectrum"]
        figure = Figure(figsize=(6, 4))
        axis = figure.subplots()
        plot_spectrum(freqs, power, peaks=fit, ax=axis)
        axis.set_title("LFP proxy")
        figures["spectrum"] = figure
    figures["raster"] = _raster_figure(result, (0.0, min(result.duration, 1.0)))
    return figures


def _raster_figure(result, window):
    names = result.populations
    figure = Figure(figsize=(8, 1.5 + 1.5 * len(names)))
    axes = np.atleast_1d(figure.subplots(len(names), 1, sharex=True))
    for axis, name in zip(axes, names, strict=True):
        times, indices = result.spikes[name]
        keep = (times >= window[0]) & (times < window[1])
        plot_raster((times[keep], indices[keep]), ax=axis)
        axis.set_ylabel(f"{name} neuron")
        axis.set_xlim(window)
        axis.set_ylim(-0.5, result.sizes[name] - 0.5)
        if axis is not axes[-1]:
            axis.set_xlabel("")
    figure.tight_layout()
    return figure


def theta_gamma_figures(result, measures, t_start):
    """The flagship's figures: raster and rates, spectrum, comodulogram, gamma phases.

    Parameters
    ----------
    result : Result
        A ``theta_gamma`` run.
    measures : dict
        From :func:`quifer_brian.analysis.analyse_theta_gamma`.
    t_start : float
        Seconds of onset transient left out (s).
    """
    figures = {}
    window = (t_start, min(result.duration, t_start + 1.0))
    figure = Figure(figsize=(8, 6))
    axes = figure.subplots(2, 1, sharex=True)
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
    figures["raster_rates"] = figure

    freqs, power, fit = measures["spectrum"]
    figure = Figure(figsize=(6, 4))
    plot_spectrum(freqs, power, peaks=fit, ax=figure.subplots())
    figures["spectrum"] = figure

    lfp = np.asarray(result.lfp)[int(t_start * result.fs) :]
    phase_freqs, amp_freqs, mi = compute_comodulogram(
        lfp, result.fs, np.arange(3.0, 14.0, 1.0), np.arange(30.0, 101.0, 5.0), amp_bandwidth=30.0
    )
    figure = Figure(figsize=(6, 4))
    plot_comodulogram(phase_freqs, amp_freqs, mi, ax=figure.subplots())
    figures["comodulogram"] = figure

    spikes = times[(times > t_start + 0.05) & (times < result.duration - 0.05)] - t_start
    phases = spike_phases(spikes, lfp, result.fs, measures["bands"][1])
    figure = Figure(figsize=(4, 4))
    axis = figure.add_subplot(projection="polar")
    plot_phase_histogram(phases, ax=axis)
    axis.set_title("E spikes vs gamma phase")
    figures["phase_histogram"] = figure
    return figures


def loop_figure(theta_result, start, run, onsets, readouts, archetypes, threshold):
    """The theta-clocked loop: LFP with cue/read-out marks, trajectories, distances.

    Parameters
    ----------
    theta_result : Result
        The first act (its LFP clocks the loop).
    start : float
        Time of the first theta trough (s): loop time 0.
    run : ActualizationResult
    onsets, readouts : ndarray
        Each trial's cue and read-out times (s, loop time).
    archetypes : ndarray (n_archetypes, n_dims)
    threshold : float
        Distance that counts as settled.
    """
    figure = Figure(figsize=(15, 4))
    axes = figure.subplots(1, 3)
    lfp_times = theta_result.times - start
    shown = (lfp_times >= -0.05) & (lfp_times <= readouts[-1] + 0.05)
    axes[0].plot(lfp_times[shown] * 1000, np.asarray(theta_result.lfp)[shown], color="0.4", lw=0.6)
    for onset in onsets:
        axes[0].axvline(onset * 1000, color="tab:blue", lw=0.8)
    for readout in readouts:
        axes[0].axvline(readout * 1000, color="tab:red", lw=0.8, ls="--")
    axes[0].set(xlabel="loop time (ms)", ylabel="LFP proxy (first act)")
    axes[0].set_title("Theta clocks the loop: cues (blue), read-outs (red)")
    for trial, (onset, readout) in enumerate(zip(onsets, readouts, strict=True)):
        span = (run.times > onset) & (run.times <= readout + 1e-9)
        path = run.trajectory[span, trial]
        axes[1].plot(path[:, 0], path[:, 1], lw=0.8)
        since = (run.times[span] - onset) * 1000
        axes[2].plot(since, run.distance[span, trial], color="0.6", lw=0.7)
    axes[1].scatter(archetypes[:, 0], archetypes[:, 1], c="k", marker="x", s=60, zorder=3)
    axes[1].set(xlabel="dimension 0", ylabel="dimension 1", xlim=(0, 1), ylim=(0, 1))
    axes[1].set_title("Decoded trajectories, cue to read-out")
    axes[2].axhline(threshold, color="r", ls="--", lw=0.8)
    axes[2].set(
        xlabel="time since the trial's cue (ms)",
        ylabel="distance to the target",
        title="Convergence within a few theta cycles",
    )
    figure.tight_layout()
    return figure


def save_figures(figures, folder, dpi=120):
    """Write ``{name: Figure}`` as ``folder/<name>.png``, each atomically; return the names."""
    written = []
    for name, figure in figures.items():
        save_figure(figure, os.path.join(folder, f"{name}.png"), dpi=dpi)
        written.append(f"{name}.png")
    return written
