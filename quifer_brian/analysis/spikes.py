"""Spike-train statistics: firing rates, population rate, CV of ISIs, Fano factor."""

import numpy as np
from scipy.ndimage import gaussian_filter1d

from ..errors import AnalysisError
from ._inputs import as_seconds, as_spike_trains, check_positive, check_window

__all__ = [
    "compute_cv_isi",
    "compute_fano_factor",
    "compute_population_rate",
    "compute_rates",
]


def _window(trains, t_start, t_stop, need_stop=True):
    t_start = 0.0 if t_start is None else as_seconds(t_start, "t_start")
    if t_stop is None:
        if need_stop:
            raise AnalysisError(
                "t_stop: the end of the recording (s) is needed here; got None. Pass "
                "t_stop=duration, since the last spike would underestimate it."
            )
        t_stop = float(trains.times.max()) if trains.times.size else t_start
        if not t_stop > t_start:
            raise AnalysisError(f"t_stop: must be > t_start ({t_start:g} s); got {t_stop:g} s.")
    return check_window(t_start, t_stop)


def compute_rates(spikes, t_start=0.0, t_stop=None, n_neurons=None):
    r"""Compute the mean firing rate of each neuron.

    Parameters
    ----------
    spikes : (times (s), indices), list of arrays (s), 1-D array (s) or result
        Spike trains (see :mod:`quifer_brian.analysis._inputs`).
    t_start, t_stop : float (s)
        Counting window (both ends included). ``t_stop`` is required.
    n_neurons : int, optional
        Number of neurons, counting silent ones (default: highest index + 1).

    Returns
    -------
    rates : 1-D array (Hz), shape (n_neurons,)

    Notes
    -----
    :math:`\nu_j = \#\{t_{j,k} \in [t_{start}, t_{stop}]\} / (t_{stop} - t_{start})`, the
    definition of ``elephant.statistics.mean_firing_rate``.

    References
    ----------
    Dayan & Abbott (2001) Theoretical Neuroscience, section 1.2.

    Examples
    --------
    >>> compute_rates(([0.1, 0.2, 0.5], [0, 1, 0]), t_stop=1.0).tolist()
    [2.0, 1.0]
    """
    trains = as_spike_trains(spikes, n_neurons=n_neurons, min_spikes=0)
    t_start, t_stop = _window(trains, t_start, t_stop)
    inside = (trains.times >= t_start) & (trains.times <= t_stop)
    counts = np.bincount(trains.indices[inside], minlength=trains.n_neurons)
    return counts / (t_stop - t_start)


def compute_population_rate(
    spikes, bin_size=1e-3, smooth_width=None, t_start=0.0, t_stop=None, n_neurons=None
):
    r"""Compute the population firing rate, binned and optionally smoothed.

    Parameters
    ----------
    spikes : (times (s), indices), list of arrays (s), 1-D array (s) or result
    bin_size : float (s)
    smooth_width : float (s), optional
        Standard deviation of a Gaussian smoothing kernel.
    t_start, t_stop : float (s)
        Window; ``t_stop`` defaults to the last spike.
    n_neurons : int, optional
        Population size (default: highest index + 1).

    Returns
    -------
    times : 1-D array (s)
        Bin centres.
    rate : 1-D array (Hz)
        Mean rate per neuron.

    Notes
    -----
    :math:`r(t_b) = n_b / (N\,\Delta t)` with :math:`n_b` the spikes of all N neurons in
    bin b, then :math:`r * g_\sigma` for a Gaussian :math:`g_\sigma` (reflecting edges).
    The sum of the rate times ``bin_size`` is kept by the smoothing.

    References
    ----------
    Brunel & Hakim (1999) Neural Comput 11:1621 (population rate of a spiking network).

    Examples
    --------
    >>> times, rate = compute_population_rate(([0.0, 0.0005, 0.0015], [0, 1, 0]), 1e-3,
    ...                                       t_stop=0.002)
    >>> times.tolist(), rate.tolist()
    ([0.0005, 0.0015], [1000.0, 500.0])
    """
    trains = as_spike_trains(spikes, n_neurons=n_neurons, min_spikes=0)
    bin_size = check_positive(bin_size, "bin_size")
    smooth_width = check_positive(smooth_width, "smooth_width", allow_none=True)
    t_start, t_stop = _window(trains, t_start, t_stop, need_stop=False)
    n_bins = max(1, int(np.ceil((t_stop - t_start) / bin_size - 1e-9)))
    position = np.floor((trains.times - t_start) / bin_size).astype(np.intp)
    position = position[(position >= 0) & (trains.times <= t_stop)]
    counts = np.bincount(np.minimum(position, n_bins - 1), minlength=n_bins)
    rate = counts / (max(trains.n_neurons, 1) * bin_size)
    if smooth_width is not None:
        rate = gaussian_filter1d(rate, smooth_width / bin_size, mode="reflect")
    return t_start + (np.arange(n_bins) + 0.5) * bin_size, rate


def compute_cv_isi(spikes, n_neurons=None):
    r"""Compute the coefficient of variation of the inter-spike intervals of each neuron.

    Parameters
    ----------
    spikes : (times (s), indices), list of arrays (s), 1-D array (s) or result
        Spike times must be sorted within each neuron.
    n_neurons : int, optional

    Returns
    -------
    cv : 1-D array (1), shape (n_neurons,)
        NaN for neurons with fewer than 3 spikes (2 intervals).

    Notes
    -----
    :math:`\mathrm{CV} = \sigma_{ISI} / \mu_{ISI}` with the population standard
    deviation (``ddof=0``), as ``elephant.statistics.cv(elephant.statistics.isi(st))``.
    A Poisson train has CV = 1; a gamma process of shape k has :math:`1/\sqrt{k}`.

    References
    ----------
    Softky & Koch (1993) J Neurosci 13:334. Gerstein & Mandelbrot (1964) Biophys J 4:41.

    Examples
    --------
    >>> compute_cv_isi([[0.0, 0.1, 0.2, 0.3], [0.0, 0.1, 0.3]]).round(3).tolist()
    [0.0, 0.333]
    """
    trains = as_spike_trains(spikes, n_neurons=n_neurons, min_spikes=0)
    order = np.lexsort((trains.times, trains.indices))
    times, indices = trains.times[order], trains.indices[order]
    isi = np.diff(times)
    same = np.diff(indices) == 0
    isi, owner = isi[same], indices[1:][same]
    n = np.bincount(owner, minlength=trains.n_neurons).astype(float)
    if not np.any(n >= 2):
        raise AnalysisError(
            f"spikes: the CV needs a neuron with at least 3 spikes; the most any of the "
            f"{trains.n_neurons} neuron(s) has is "
            f"{int(np.bincount(indices, minlength=1).max()) if indices.size else 0}."
        )
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = np.bincount(owner, weights=isi, minlength=trains.n_neurons) / n
        var = np.bincount(owner, weights=(isi - mean[owner]) ** 2, minlength=trains.n_neurons) / n
        cv = np.sqrt(var) / mean
    cv[n < 2] = np.nan
    return cv


def compute_fano_factor(spikes, bin_size=None, t_start=0.0, t_stop=None, n_neurons=None):
    r"""Compute the Fano factor of spike counts.

    Parameters
    ----------
    spikes : (times (s), indices), list of arrays (s), 1-D array (s) or result
    bin_size : float (s), optional
        ``None``: count each train over the whole window and return the Fano factor
        across trains (trials), as ``elephant.statistics.fanofactor``. A window length:
        count each train in consecutive windows and return one Fano factor per train.
    t_start, t_stop : float (s)
        Window (``t_stop`` required).
    n_neurons : int, optional

    Returns
    -------
    fano : float (1), or 1-D array (1) of shape (n_neurons,) when ``bin_size`` is given
        NaN where no spike was counted.

    Notes
    -----
    :math:`F = \mathrm{Var}[n] / E[n]` (``ddof=0``); F = 1 for a Poisson process.

    References
    ----------
    Fano (1947) Phys Rev 72:26. Eden & Kramer (2010) J Neurosci Methods 190:149.

    Examples
    --------
    >>> compute_fano_factor([[0.1, 0.2], [0.3, 0.4, 0.5, 0.6]], t_stop=1.0)
    0.3333333333333333
    """
    trains = as_spike_trains(spikes, n_neurons=n_neurons, min_spikes=0)
    t_start, t_stop = _window(trains, t_start, t_stop)
    inside = (trains.times >= t_start) & (trains.times <= t_stop)
    if bin_size is None:
        if trains.n_neurons < 2:
            raise AnalysisError(
                "spikes: the Fano factor across trains needs at least 2 trains; got "
                f"{trains.n_neurons}. Give bin_size to use windows of one train instead."
            )
        counts = np.bincount(trains.indices[inside], minlength=trains.n_neurons)
        mean = counts.mean()
        return float(counts.var() / mean) if mean > 0 else float("nan")
    bin_size = check_positive(bin_size, "bin_size")
    n_bins = int(np.floor((t_stop - t_start) / bin_size + 1e-9))
    if n_bins < 2:
        raise AnalysisError(
            f"bin_size: {bin_size:g} s leaves {n_bins} window(s) in {t_stop - t_start:g} s; "
            f"at least 2 are needed."
        )
    position = np.floor((trains.times[inside] - t_start) / bin_size).astype(np.intp)
    keep = position < n_bins
    flat = trains.indices[inside][keep] * n_bins + position[keep]
    counts = np.bincount(flat, minlength=trains.n_neurons * n_bins).reshape(-1, n_bins)
    mean = counts.mean(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(mean > 0, counts.var(axis=1) / mean, np.nan)
