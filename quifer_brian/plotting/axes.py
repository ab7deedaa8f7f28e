"""Figures for spiking-network analysis: raster, rates, spectra, phases, coupling.

Every function takes ``ax=None`` (a new pyplot figure is made when it is None) and
returns the axes it drew on. Inputs are the outputs of :mod:`quifer_brian.analysis`.
Nothing here chooses a matplotlib backend.
"""

import numpy as np

from ..analysis._inputs import as_spike_trains

__all__ = [
    "plot_comodulogram",
    "plot_phase_histogram",
    "plot_population_rate",
    "plot_raster",
    "plot_spectrogram",
    "plot_spectrum",
]


def _axes(ax, polar=False):
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    _, ax = plt.subplots(subplot_kw={"projection": "polar"} if polar else None)
    return ax


def plot_raster(spikes, ax=None, markersize=1.0, color="k"):
    """Draw a spike raster.

    Parameters
    ----------
    spikes : (times (s), indices), list of arrays (s), 1-D array (s) or result
    ax : matplotlib.axes.Axes, optional
    markersize : float (points)
    color : str

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_raster(([0.1, 0.2, 0.3], [0, 1, 0]))
    >>> ax.get_xlabel()
    'time (s)'
    """
    trains = as_spike_trains(spikes, min_spikes=0)
    ax = _axes(ax)
    ax.plot(trains.times, trains.indices, "|", markersize=markersize, color=color)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("neuron")
    return ax


def plot_population_rate(times, rate, ax=None, **kwargs):
    """Draw a population rate.

    Parameters
    ----------
    times : 1-D array (s)
    rate : 1-D array (Hz)
        As from :func:`~quifer_brian.analysis.compute_population_rate`.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``ax.plot``.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> ax = plot_population_rate([0.0, 0.1], [5.0, 7.0])
    >>> ax.get_ylabel()
    'rate (Hz)'
    """
    ax = _axes(ax)
    ax.plot(times, rate, **kwargs)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("rate (Hz)")
    return ax


def plot_spectrum(freqs, power, peaks=None, ax=None, **kwargs):
    """Draw a power spectrum in log-log axes, with fitted peaks and aperiodic fit.

    Parameters
    ----------
    freqs : 1-D array (Hz)
    power : 1-D array (signal units^2 / Hz)
    peaks : PeakFit, optional
        From :func:`~quifer_brian.analysis.compute_spectral_peaks`: the aperiodic fit is drawn
        dashed over its range, and each peak is marked at its frequency.
    ax : matplotlib.axes.Axes, optional
    **kwargs
        Passed to ``ax.loglog`` for the spectrum.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.arange(1.0, 100.0)
    >>> ax = plot_spectrum(freqs, 1 / freqs)
    >>> ax.get_xscale(), ax.get_yscale()
    ('log', 'log')
    """
    freqs = np.asarray(freqs, dtype=float)
    power = np.asarray(power, dtype=float)
    ax = _axes(ax)
    positive = freqs > 0
    kwargs.setdefault("label", "spectrum")
    ax.loglog(freqs[positive], power[positive], **kwargs)
    if peaks is not None:
        f_lo, f_hi = peaks.f_range
        span = freqs[(freqs >= f_lo) & (freqs <= f_hi)]
        ax.loglog(
            span, peaks.aperiodic(span), "--", label=f"aperiodic fit, chi = {peaks.exponent:.2f}"
        )
        for frequency, height, _width in peaks.peaks:
            level = peaks.aperiodic(frequency) * 10**height
            ax.plot(frequency, level, "v", color="C3")
            ax.annotate(
                f"{frequency:.1f} Hz",
                (frequency, level),
                textcoords="offset points",
                xytext=(0, 6),
                ha="center",
                fontsize="small",
            )
        ax.legend(loc="lower left", fontsize="small")
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel("power (units$^2$/Hz)")
    return ax


def plot_phase_histogram(phases, n_bins=36, ax=None, show_mean=True):
    """Draw a polar histogram of spike phases, with the mean resultant vector.

    Parameters
    ----------
    phases : 1-D array (rad)
    n_bins : int
    ax : matplotlib.axes.Axes (polar), optional
    show_mean : bool
        Draw the mean resultant vector (length PLV, scaled to the largest bin).

    Returns
    -------
    ax : matplotlib.projections.polar.PolarAxes

    Examples
    --------
    >>> import numpy as np
    >>> ax = plot_phase_histogram(np.random.default_rng(0).vonmises(1.0, 2.0, 500))
    >>> ax.name
    'polar'
    """
    phases = np.asarray(phases, dtype=float).ravel()
    ax = _axes(ax, polar=True)
    counts, edges = np.histogram(np.angle(np.exp(1j * phases)), n_bins, (-np.pi, np.pi))
    width = edges[1] - edges[0]
    ax.bar(edges[:-1], counts, width=width, align="edge", edgecolor="k", alpha=0.6)
    if show_mean and phases.size:
        z = np.exp(1j * phases).mean()
        ax.annotate(
            "",
            xy=(np.angle(z), abs(z) * counts.max()),
            xytext=(0, 0),
            arrowprops={"color": "C3", "width": 2},
        )
        ax.set_title(f"PLV = {abs(z):.3f}, preferred phase = {np.angle(z):.2f} rad")
    return ax


def plot_comodulogram(phase_freqs, amp_freqs, mi, ax=None, cmap="viridis"):
    """Draw a comodulogram (modulation index over phase and amplitude frequencies).

    Parameters
    ----------
    phase_freqs : 1-D array (Hz)
    amp_freqs : 1-D array (Hz)
    mi : 2-D array (1), shape (n_amp_freqs, n_phase_freqs)
        As from :func:`~quifer_brian.analysis.compute_comodulogram`.
    ax : matplotlib.axes.Axes, optional
    cmap : str

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> ax = plot_comodulogram([4, 6, 8], [40, 60], np.ones((2, 3)))
    >>> ax.get_xlabel()
    'phase frequency (Hz)'
    """
    ax = _axes(ax)
    mesh = ax.pcolormesh(phase_freqs, amp_freqs, mi, shading="nearest", cmap=cmap)
    ax.figure.colorbar(mesh, ax=ax, label="modulation index")
    ax.set_xlabel("phase frequency (Hz)")
    ax.set_ylabel("amplitude frequency (Hz)")
    return ax


def plot_spectrogram(freqs, times, power, ax=None, cmap="magma", log=True):
    """Draw a spectrogram.

    Parameters
    ----------
    freqs : 1-D array (Hz)
    times : 1-D array (s)
    power : 2-D array (signal units^2 / Hz), shape (n_freqs, n_times)
        As from :func:`~quifer_brian.analysis.compute_spectrogram`.
    ax : matplotlib.axes.Axes, optional
    cmap : str
    log : bool
        Show ``log10(power)``.

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> ax = plot_spectrogram([10, 20], [0.5, 1.0], np.ones((2, 2)))
    >>> ax.get_ylabel()
    'frequency (Hz)'
    """
    ax = _axes(ax)
    values = np.log10(np.maximum(power, np.finfo(float).tiny)) if log else power
    mesh = ax.pcolormesh(times, freqs, values, shading="nearest", cmap=cmap)
    ax.figure.colorbar(mesh, ax=ax, label="log10 power" if log else "power")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    return ax
