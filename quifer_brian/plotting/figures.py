"""Multi-panel figures of a run: built as :class:`matplotlib.figure.Figure` objects.

Each function returns figures (no pyplot state, no backend chosen, nothing written);
:func:`save_figures` writes them.  The command line and the demo call these.

Conventions, in every figure: constrained layout (no clipped titles or labels); the LFP
proxy in pA and its spectrum in pA^2/Hz (results hold amperes); spectra shown as Welch
estimates whose resolution is stated in the legend; phases in radians; every time axis
labelled.
"""

import os

import numpy as np
from matplotlib.figure import Figure

from ..analysis import compute_comodulogram, compute_spectrum, spike_phases
from ..checks import check_choice
from ..errors import FigureError
from ..results import save_figure
from .axes import (
    plot_comodulogram,
    plot_phase_histogram,
    plot_population_rate,
    plot_raster,
    plot_spectrum,
)

__all__ = [
    "FIGURE_DPI",
    "FIGURE_FORMATS",
    "analysis_figures",
    "display_spectrum",
    "loop_figure",
    "save_figures",
    "theta_gamma_figures",
]

#: Resolution (dots per inch) of raster formats (png) written by :func:`save_figures`.
FIGURE_DPI = 150
#: Formats :func:`save_figures` writes.
FIGURE_FORMATS = ("png", "svg", "pdf")
#: Results hold the LFP proxy in amperes; figures show it in pA.
_PICO = 1e12
#: Welch segments of the shown spectra: at least this many (50 % overlap) of at most 2 s,
#: but never shorter than 0.25 s (4 Hz resolution: a gamma peak stays resolved).
_MIN_SEGMENTS = 8
_MAX_SEGMENT_S = 2.0
_MIN_SEGMENT_S = 0.25
#: Highest frequency of a shown spectrum without a fit (Hz).
_MAX_SHOWN_HZ = 250.0


def display_spectrum(
    sig: np.ndarray,
    fs: float,
    min_segments: int = _MIN_SEGMENTS,
    max_segment: float = _MAX_SEGMENT_S,
    min_segment: float = _MIN_SEGMENT_S,
) -> tuple[np.ndarray, np.ndarray, float, int]:
    """The Welch spectrum figures show: at least ``min_segments`` Hann segments (50 %
    overlap) of at most ``max_segment`` seconds, none shorter than ``min_segment`` (a
    short signal gets fewer segments rather than a coarser resolution).

    A single periodogram's bins scatter by a factor of ~10 (chi^2 with 2 degrees of
    freedom); averaging K segments narrows that by sqrt(K), at a resolution of
    ``fs / nperseg``.  The measures (:func:`~quifer_brian.analysis.compute_lfp_spectrum`)
    keep their own spectrum; this one is only drawn.

    Parameters
    ----------
    sig : 1-D array (signal units)
    fs : float (Hz)
    min_segments : int
    max_segment, min_segment : float (s)

    Returns
    -------
    freqs : 1-D array (Hz)
    power : 1-D array (signal units^2 / Hz)
    resolution : float (Hz)
        ``fs / nperseg``.
    n_segments : int

    Examples
    --------
    >>> sig = np.random.default_rng(0).normal(size=9000)
    >>> freqs, power, resolution, n_segments = display_spectrum(sig, 1000.0)
    >>> resolution, n_segments  # 2000-sample segments: 0.5 Hz; 8 of them in 9 s
    (0.5, 8)
    >>> display_spectrum(sig[:500], 1000.0)[2:]  # 0.5 s: three 0.25 s segments, 4 Hz
    (4.0, 3)
    """
    sig = np.asarray(sig, dtype=float)
    nperseg = min(round(max_segment * fs), 2 * sig.size // (min_segments + 1))
    nperseg = int(min(max(nperseg, round(min_segment * fs), 16), sig.size))
    freqs, power = compute_spectrum(sig, fs, method="welch", nperseg=nperseg)
    n_segments = 1 + (sig.size - nperseg) // (nperseg - nperseg // 2)
    return freqs, power, fs / nperseg, int(n_segments)


def _spectrum_figure(lfp, fs, measured, title):
    """The LFP proxy's Welch spectrum in pA^2/Hz with the measured fit (in A^2/Hz).

    ``measured``: ``(freqs, power, fit)`` of the measures; their spectrum is drawn too
    (light grey) when its resolution differs from the shown one by more than a quarter,
    so that the fitted peaks can be read against the spectrum they were fitted to.
    """
    freqs, power, resolution, n_segments = display_spectrum(lfp, fs)
    m_freqs, m_power, fit = measured
    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    axis = figure.subplots()
    # up to 2.5 times the fitted range (the noise floor beyond it says nothing)
    f_max = 2.5 * fit.f_range[1] if fit is not None else _MAX_SHOWN_HZ
    keep = (freqs > 0) & (freqs <= f_max)
    m_freqs, m_power = np.asarray(m_freqs, dtype=float), np.asarray(m_power, dtype=float)
    m_resolution = float(np.median(np.diff(m_freqs))) if m_freqs.size > 1 else resolution
    if abs(m_resolution / resolution - 1) > 0.25:
        shown = (m_freqs > 0) & (m_freqs <= f_max)
        axis.loglog(
            m_freqs[shown],
            m_power[shown] * _PICO**2,
            color="0.7",
            lw=0.7,
            label=f"as measured, $\\Delta f$ = {m_resolution:.3g} Hz",
        )
    plot_spectrum(
        freqs[keep],
        power[keep],
        peaks=fit,
        ax=axis,
        unit="pA",
        scale=_PICO**2,
        resolution=resolution,
        label=f"Welch ({n_segments} x {1 / resolution:.3g} s)",
    )
    axis.set_title(title)
    return figure


def analysis_figures(result, measures):
    """``{'spectrum': Figure, 'raster': Figure}`` of a measured result.

    Parameters
    ----------
    result : Result
    measures : dict
        From :func:`quifer_brian.analysis.analyse_result` (``'spectrum'`` is optional:
        its fit is drawn over a Welch spectrum of the same part of the LFP, the first
        0.2 s, or a quarter of a run shorter than 0.8 s, left out as the measures do).
    """
    figures = {}
    if "spectrum" in measures and result.lfp is not None:
        t_start = min(0.2, result.duration / 4)  # as compute_lfp_spectrum
        lfp = np.asarray(result.lfp, dtype=float)[int(t_start * result.fs) :]
        name = result.meta.get("circuit", "run")
        figures["spectrum"] = _spectrum_figure(
            lfp,
            result.fs,
            measures["spectrum"],
            f"{name}: LFP proxy spectrum (after {t_start:g} s)",
        )
    figures["raster"] = _raster_figure(result, (0.0, min(result.duration, 1.0)))
    return figures


def _raster_figure(result, window):
    names = result.populations
    figure = Figure(figsize=(8, 1.2 + 1.6 * len(names)), layout="constrained")
    axes = np.atleast_1d(figure.subplots(len(names), 1, sharex=True))
    for axis, name in zip(axes, names, strict=True):
        times, indices = result.spikes[name]
        keep = (times >= window[0]) & (times < window[1])
        plot_raster((times[keep], indices[keep]), ax=axis)
        axis.set_ylabel(f"{name} neuron index")
        axis.set_xlim(window)
        axis.set_ylim(-0.5, result.sizes[name] - 0.5)
        axis.set_title(
            f"{name}: {result.sizes[name]} neurons, {result.mean_rate(name):.1f} Hz mean rate",
            fontsize="medium",
            loc="left",
        )
    figure.suptitle(f"{result.meta.get('circuit', 'run')}: spikes")
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
    figure = Figure(figsize=(8, 6), layout="constrained")
    axes = figure.subplots(2, 1, sharex=True)
    times, indices = result.spikes["E"]
    keep = (times >= window[0]) & (times < window[1])
    plot_raster((times[keep], indices[keep]), ax=axes[0])
    axes[0].set_ylabel("E neuron index")
    axes[0].set_title("E spikes")
    width = 20
    for name, rate in result.rates.items():
        t = np.arange(len(rate)) * result.rate_dt
        inside = (t >= window[0]) & (t < window[1])
        smooth = np.convolve(rate, np.ones(width) / width, mode="same")
        plot_population_rate(t[inside], smooth[inside], ax=axes[1], label=name, lw=0.8)
    axes[1].set_title(f"Population rates ({width * result.rate_dt * 1e3:g} ms boxcar)")
    axes[1].legend(loc="upper right", fontsize="small", ncols=len(result.rates))
    axes[1].set_xlim(window)
    figures["raster_rates"] = figure

    lfp = np.asarray(result.lfp, dtype=float)[int(t_start * result.fs) :]
    figures["spectrum"] = _spectrum_figure(
        lfp, result.fs, measures["spectrum"], f"LFP proxy spectrum (after {t_start:g} s)"
    )

    phase_freqs, amp_freqs, mi = compute_comodulogram(
        lfp, result.fs, np.arange(3.0, 14.0, 1.0), np.arange(30.0, 101.0, 5.0), amp_bandwidth=30.0
    )
    figure = Figure(figsize=(6.4, 4.4), layout="constrained")
    axis = figure.subplots()
    plot_comodulogram(phase_freqs, amp_freqs, mi, ax=axis)
    axis.set_title("Phase-amplitude coupling of the LFP proxy")
    figures["comodulogram"] = figure

    spikes = times[(times > t_start + 0.05) & (times < result.duration - 0.05)] - t_start
    band = measures["bands"][1]
    phases = spike_phases(spikes, lfp, result.fs, band)
    figure = Figure(figsize=(5, 5.2), layout="constrained")
    axis = figure.add_subplot(projection="polar")
    plot_phase_histogram(phases, ax=axis)
    axis.set_title(f"E spikes vs gamma phase ({band[0]:.0f}-{band[1]:.0f} Hz)\n{axis.get_title()}")
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
    figure = Figure(figsize=(15, 4.6), layout="constrained")
    axes = figure.subplots(1, 3)
    lfp_times = theta_result.times - start
    shown = (lfp_times >= -0.05) & (lfp_times <= readouts[-1] + 0.05)
    lfp = np.asarray(theta_result.lfp)[shown] * _PICO
    axes[0].plot(lfp_times[shown] * 1000, lfp, color="0.4", lw=0.6)
    for onset in onsets:
        axes[0].axvline(onset * 1000, color="tab:blue", lw=0.8)
    for readout in readouts:
        axes[0].axvline(readout * 1000, color="tab:red", lw=0.8, ls="--")
    axes[0].set(xlabel="loop time (ms)", ylabel="LFP proxy of the first act (pA)")
    axes[0].ticklabel_format(axis="y", style="sci", scilimits=(-3, 4), useMathText=True)
    axes[0].set_title("Theta clocks the loop:\ncues (blue), read-outs (red)")
    for trial, (onset, readout) in enumerate(zip(onsets, readouts, strict=True)):
        span = (run.times > onset) & (run.times <= readout + 1e-9)
        path = run.trajectory[span, trial]
        axes[1].plot(path[:, 0], path[:, 1], lw=0.8)
        since = (run.times[span] - onset) * 1000
        axes[2].plot(since, run.distance[span, trial], color="0.6", lw=0.7)
    axes[1].scatter(archetypes[:, 0], archetypes[:, 1], c="k", marker="x", s=60, zorder=3)
    axes[1].set(
        xlabel="decoded dimension 0 (1)",
        ylabel="decoded dimension 1 (1)",
        xlim=(0, 1),
        ylim=(0, 1),
        aspect="equal",
    )
    axes[1].set_title("Decoded trajectories, cue to read-out\n(x: archetypes)")
    axes[2].axhline(threshold, color="r", ls="--", lw=0.8, label=f"settled: < {threshold:g}")
    axes[2].legend(loc="upper right", fontsize="small")
    axes[2].set(
        xlabel="time since the trial's cue (ms)",
        ylabel="distance to the target (1)",
    )
    axes[2].set_title("Convergence within a few theta cycles")
    return figure


def save_figures(
    figures: dict, folder: str | os.PathLike, dpi: int = FIGURE_DPI, fmt: str = "png"
) -> list[str]:
    """Write ``{name: Figure}`` as ``folder/<name>.<fmt>``, each atomically; return the names.

    Parameters
    ----------
    figures : dict of str -> matplotlib.figure.Figure
    folder : str
    dpi : int
        Dots per inch of png files (svg and pdf are vector formats).
    fmt : {'png', 'svg', 'pdf'}
    """
    check_choice("fmt", fmt, FIGURE_FORMATS, owner="save_figures", error=FigureError)
    written = []
    for name, figure in figures.items():
        save_figure(figure, os.path.join(folder, f"{name}.{fmt}"), dpi=dpi)
        written.append(f"{name}.{fmt}")
    return written
