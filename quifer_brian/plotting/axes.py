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
    """Draw a spike raster, with its time axis labelled (tick labels shown even when the
    axes shares its x axis with others).

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
    ax.set_ylabel("neuron index")
    ax.tick_params(axis="x", labelbottom=True)
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


def plot_spectrum(
    freqs,
    power,
    peaks=None,
    ax=None,
    unit: str = "units",
    scale: float = 1.0,
    resolution: float | None = None,
    label_min_height: float = 0.0,
    **kwargs,
):
    r"""Draw a power spectrum in log-log axes, with fitted peaks and aperiodic fit.

    The legend states the frequency resolution and the fit's r^2; peak labels sit in a
    band at the top of the axes, joined to their markers, pushed apart so that none
    overlaps another.

    Parameters
    ----------
    freqs : 1-D array (Hz)
    power : 1-D array (``unit``^2 / Hz, after ``scale``)
    peaks : PeakFit, optional
        From :func:`~quifer_brian.analysis.compute_spectral_peaks`: the aperiodic fit is
        drawn dashed over its range (with its exponent and r^2), and each peak is marked
        at its frequency.
    ax : matplotlib.axes.Axes, optional
    unit : str
        Unit of the signal, for the y label: ``'pA'`` gives "PSD (pA$^2$/Hz)".
    scale : float
        Factor applied to ``power`` and to the fit before drawing (``1e24`` draws a
        spectrum in A^2/Hz in pA^2/Hz).
    resolution : float (Hz), optional
        Frequency resolution stated in the legend (default: the spacing of ``freqs``,
        ``fs / nperseg`` for a Welch spectrum).
    label_min_height : float (log10 power)
        Only peaks at least this high above the aperiodic fit get a frequency label (all
        are marked).
    **kwargs
        Passed to ``ax.loglog`` for the spectrum (``label=`` replaces "spectrum").

    Returns
    -------
    ax : matplotlib.axes.Axes

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.arange(1.0, 100.0)
    >>> ax = plot_spectrum(freqs, 1e24 / freqs, unit="pA", scale=1e-24)
    >>> ax.get_xscale(), ax.get_yscale(), ax.get_ylabel()
    ('log', 'log', 'PSD (pA$^2$/Hz)')
    >>> ax.get_legend().get_texts()[0].get_text()
    'spectrum, $\\Delta f$ = 1 Hz'
    """
    freqs = np.asarray(freqs, dtype=float)
    power = np.asarray(power, dtype=float) * scale
    ax = _axes(ax)
    positive = freqs > 0
    if resolution is None and freqs.size > 1:
        resolution = float(np.median(np.diff(freqs)))
    label = kwargs.pop("label", "spectrum")
    if resolution is not None:
        label = f"{label}, $\\Delta f$ = {resolution:.3g} Hz"
    ax.loglog(freqs[positive], power[positive], label=label, **kwargs)
    if np.count_nonzero(positive) > 1:
        ax.set_xlim(freqs[positive].min(), freqs[positive].max())
    if peaks is not None:
        f_lo, f_hi = peaks.f_range
        span = freqs[(freqs >= f_lo) & (freqs <= f_hi)]
        ax.loglog(
            span,
            peaks.aperiodic(span) * scale,
            "--",
            color="C1",
            label=f"aperiodic fit, $\\chi$ = {peaks.exponent:.2f} ($r^2$ = {peaks.r_squared:.2f})",
        )
        rows = np.asarray(peaks.peaks, dtype=float).reshape(-1, 3)
        levels = peaks.aperiodic(rows[:, 0]) * 10 ** rows[:, 1] * scale
        ax.plot(rows[:, 0], levels, "v", color="C3", label="fitted peaks")
        shown = rows[:, 1] >= label_min_height
        _label_peaks(ax, rows[shown, 0], levels[shown])
    ax.legend(loc="lower left", fontsize="small")
    _plain_log_ticks(ax)  # after every loglog call (each one resets the ticks)
    ax.set_xlabel("frequency (Hz)")
    ax.set_ylabel(f"PSD ({unit}$^2$/Hz)")
    return ax


def _plain_log_ticks(ax):
    """Frequency ticks at 1, 2, 5 x 10^k Hz written as plain numbers (``20``, not 2x10^1)."""
    from matplotlib.ticker import FixedLocator, NullFormatter

    low, high = ax.get_xlim()
    decades = 10.0 ** np.arange(np.floor(np.log10(low)), np.ceil(np.log10(high)) + 1)
    ticks = [t for t in np.outer(decades, (1, 2, 5)).ravel() if low <= t <= high]
    if len(ticks) < 2:
        return
    ax.xaxis.set_major_locator(FixedLocator(ticks))
    ax.xaxis.set_major_formatter(lambda value, _: f"{value:g}")
    ax.xaxis.set_minor_formatter(NullFormatter())


def _label_peaks(ax, frequencies, levels, gap_points=36.0, band=0.09):
    """Label peaks "<f> Hz" in a band at the top of the axes, joined to their markers.

    The labels keep their frequency order and are pushed apart along x until
    ``gap_points`` (a label's width) separates neighbours of a row (one row; two, every
    other label, when one cannot hold them), so no two overlap; the y range grows so
    that the data stay below the band.
    """
    if not len(frequencies):
        return
    order = np.argsort(frequencies)
    frequencies, levels = np.asarray(frequencies)[order], np.asarray(levels)[order]
    low, high = np.log10(ax.get_xlim())
    width = ax.figure.get_figwidth() * 72.0 * ax.get_position().width  # points
    wanted = (np.log10(frequencies) - low) / (high - low) * width
    rows = 1 if len(frequencies) * gap_points <= 0.9 * width else 2
    texts = np.empty_like(wanted)
    for row in range(rows):  # with two rows, every other label in each
        x = wanted[row::rows].copy()
        x[0] = max(x[0], gap_points / 2)
        for k in range(1, x.size):
            x[k] = max(x[k], x[k - 1] + gap_points)
        x[-1] = min(x[-1], width - gap_points / 2)
        for k in range(x.size - 2, -1, -1):
            x[k] = min(x[k], x[k + 1] - gap_points)
        texts[row::rows] = x
    bottom, top = np.log10(ax.get_ylim())
    top = max(top, float(np.log10(np.max(levels))))
    share = band * rows + 0.03
    ax.set_ylim(10**bottom, 10 ** (bottom + (top - bottom) / (1.0 - share)))
    for k, (frequency, level) in enumerate(zip(frequencies, levels, strict=True)):
        row = k % rows
        ax.annotate(
            f"{frequency:.1f} Hz",
            xy=(frequency, level),
            xytext=(10 ** (low + texts[k] / width * (high - low)), 1 - band * (row + 0.5)),
            textcoords=("data", "axes fraction"),
            ha="center",
            va="center",
            fontsize="x-small",
            arrowprops={"arrowstyle": "-", "color": "0.55", "lw": 0.5, "shrinkA": 2, "shrinkB": 4},
        )


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

    Notes
    -----
    The angle ticks are in radians (0 is the peak of the cosine, as in the JSON records
    and :func:`~quifer_brian.analysis.compute_plv`).

    Examples
    --------
    >>> import numpy as np
    >>> ax = plot_phase_histogram(np.random.default_rng(0).vonmises(1.0, 2.0, 500))
    >>> ax.name, ax.get_xlabel()
    ('polar', 'phase (rad); radius: spikes per bin')
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
    names = [
        "0",
        "$\\pi/4$",
        "$\\pi/2$",
        "$3\\pi/4$",
        "$\\pm\\pi$",
        "$-3\\pi/4$",
        "$-\\pi/2$",
        "$-\\pi/4$",
    ]
    ax.set_xticks(np.arange(8) * np.pi / 4, names)  # within [0, 2 pi): the full circle
    ax.set_xlabel("phase (rad); radius: spikes per bin")
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
    ax.figure.colorbar(mesh, ax=ax, label="modulation index (1)")
    ax.set_xlabel("phase frequency (Hz)")
    ax.set_ylabel("amplitude frequency (Hz)")
    return ax


def plot_spectrogram(freqs, times, power, ax=None, cmap="magma", log=True, unit="units"):
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
    unit : str
        Unit of the signal, for the colour bar: ``'pA'`` gives "PSD (pA$^2$/Hz)".

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
    label = f"PSD ({unit}$^2$/Hz)"
    ax.figure.colorbar(mesh, ax=ax, label=f"log10 {label}" if log else label)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz)")
    return ax
