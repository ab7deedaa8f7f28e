"""Population synchrony: Golomb's chi and the Kuramoto order parameter."""

import numpy as np
from scipy.ndimage import gaussian_filter1d

from ..errors import AnalysisError
from ._inputs import as_seconds, as_spike_trains, check_fs, check_positive

__all__ = [
    "compute_chi",
    "compute_kuramoto_order",
    "compute_kuramoto_order_spikes",
    "compute_spike_train_phases",
]


def _binned_rates(trains, bin_size, smooth_width, t_start, t_stop):
    t_start = float(trains.times.min()) if t_start is None else as_seconds(t_start, "t_start")
    t_stop = float(trains.times.max()) if t_stop is None else as_seconds(t_stop, "t_stop")
    n_bins = int(np.floor((t_stop - t_start) / bin_size)) + 1
    if n_bins < 3:
        raise AnalysisError(
            f"t_start, t_stop: the window {t_start:g} to {t_stop:g} s holds {n_bins} bin(s) "
            f"of {bin_size:g} s; at least 3 are needed."
        )
    position = np.floor((trains.times - t_start) / bin_size).astype(np.intp)
    keep = (position >= 0) & (position < n_bins)
    flat = trains.indices[keep] * n_bins + position[keep]
    counts = np.bincount(flat, minlength=trains.n_neurons * n_bins).reshape(-1, n_bins)
    rates = counts / bin_size
    if smooth_width is not None:
        rates = gaussian_filter1d(rates, smooth_width / bin_size, axis=1, mode="reflect")
    return rates


def compute_chi(data, bin_size=1e-3, smooth_width=2e-3, t_start=None, t_stop=None, n_neurons=None):
    r"""Compute Golomb's synchrony measure chi.

    Parameters
    ----------
    data : 2-D array, shape (n_neurons, n_times), or spike trains
        Membrane traces (V) or rates of each neuron on a common time grid; or spike trains
        in any accepted form, which are binned per neuron and smoothed first.
    bin_size : float (s)
        Bin of the per-neuron rates (spike input only).
    smooth_width : float (s) or None
        SD of the Gaussian kernel smoothing the per-neuron rates (spike input only).
    t_start, t_stop : float (s), optional
        Window (spike input only; default first to last spike).
    n_neurons : int, optional
        Population size counting silent neurons (spike input only).

    Returns
    -------
    chi : float (1)
        In [0, 1]: 1 for identical traces, about :math:`1/\sqrt{N}` for independent ones.

    Notes
    -----
    With :math:`V(t) = \frac1N \sum_i V_i(t)` and variances over time,
    :math:`\chi^2 = \mathrm{Var}_t[V] \big/ \frac1N \sum_i \mathrm{Var}_t[V_i]`.
    Spike-train input (Golomb's binned-rate variant) is binned at ``bin_size`` per
    neuron and smoothed with a Gaussian of SD ``smooth_width``.

    References
    ----------
    Golomb & Rinzel (1993) Phys Rev E 48:4810. Golomb (2007) Neuronal synchrony
    measures. Scholarpedia 2:1347.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.linspace(0, 1, 1000)
    >>> same = np.tile(np.sin(2 * np.pi * 10 * t), (5, 1))
    >>> round(compute_chi(same), 6)
    1.0
    """
    if isinstance(data, np.ndarray) and data.ndim == 2:
        traces = np.asarray(data, dtype=float)
        if traces.shape[0] < 2 or traces.shape[1] < 3:
            raise AnalysisError(
                f"data: needs at least 2 neurons and 3 time points (n_neurons, n_times); "
                f"got shape {traces.shape}."
            )
        if not np.all(np.isfinite(traces)):
            raise AnalysisError("data: contains NaN or inf; remove diverged neurons first.")
    else:
        trains = as_spike_trains(data, "data", n_neurons=n_neurons, min_spikes=2)
        if trains.n_neurons < 2:
            raise AnalysisError(f"data: chi needs at least 2 neurons; got {trains.n_neurons}.")
        bin_size = check_positive(bin_size, "bin_size")
        smooth_width = check_positive(smooth_width, "smooth_width", allow_none=True)
        traces = _binned_rates(trains, bin_size, smooth_width, t_start, t_stop)
    individual = np.mean(np.var(traces, axis=1))
    if individual == 0:
        raise AnalysisError("data: every trace is constant; chi is undefined.")
    return float(np.sqrt(np.var(traces.mean(axis=0)) / individual))


def compute_kuramoto_order(phases, axis=0):
    r"""Compute the Kuramoto order parameter of a set of phases.

    Parameters
    ----------
    phases : array (rad)
        E.g. shape (n_oscillators,) for one time, or (n_oscillators, n_times). NaN marks
        an undefined phase (a neuron before its first spike) and is left out.
    axis : int
        Axis over the oscillators.

    Returns
    -------
    order : float or array (1)
        :math:`R \in [0, 1]`, over the remaining axes (NaN where no phase is defined).

    Notes
    -----
    :math:`R\,e^{i\psi} = \frac1N \sum_j e^{i\theta_j}`. For phases :math:`2\pi f
    (t - \delta_j)` with Gaussian offsets :math:`\delta_j \sim N(0, \sigma^2)`,
    :math:`R \to \exp(-(2\pi f\sigma)^2/2)`.

    References
    ----------
    Kuramoto (1984) Chemical Oscillations, Waves, and Turbulence. Strogatz (2000)
    Physica D 143:1.

    Examples
    --------
    >>> compute_kuramoto_order([0.0, 0.0, np.pi / 2, np.pi / 2]).round(4)
    np.float64(0.7071)
    """
    phases = np.asarray(phases, dtype=float)
    if phases.size == 0:
        raise AnalysisError("phases: needs at least one phase; got an empty array.")
    if np.any(np.isinf(phases)):
        raise AnalysisError("phases: contains inf.")
    n_defined = np.count_nonzero(~np.isnan(phases), axis=axis)
    cos_sum = np.nansum(np.cos(phases), axis=axis)
    sin_sum = np.nansum(np.sin(phases), axis=axis)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.hypot(cos_sum, sin_sum) / n_defined


def compute_spike_train_phases(spikes, times, n_neurons=None):
    r"""Compute each neuron's phase at given times, interpolated between its spikes.

    Parameters
    ----------
    spikes : (times (s), indices), list of arrays (s), 1-D array (s) or result
        Spike times must be sorted within each neuron.
    times : 1-D array (s)
        Times at which to evaluate the phases.
    n_neurons : int, optional

    Returns
    -------
    phases : 2-D array (rad), shape (n_neurons, n_times)
        In :math:`[-\pi, \pi)`; NaN before a neuron's first and after its last spike.

    Notes
    -----
    Between spikes :math:`t_k \le t < t_{k+1}`,
    :math:`\theta(t) = 2\pi (t - t_k)/(t_{k+1} - t_k)` (mod :math:`2\pi`): each spike is
    phase 0 and the phase grows linearly through the interval.

    References
    ----------
    Pikovsky, Rosenblum & Kurths (2001) Synchronization, section 6.1. Mormann et al.
    (2000) Physica D 144:358.

    Examples
    --------
    >>> compute_spike_train_phases([[0.0, 1.0, 2.0]], [0.25, 1.5]).round(4)
    array([[ 1.5708, -3.1416]])
    """
    trains = as_spike_trains(spikes, n_neurons=n_neurons, min_spikes=0)
    times = np.atleast_1d(as_seconds(times, "times"))
    out = np.full((trains.n_neurons, times.size), np.nan)
    for j, train in enumerate(trains.per_neuron()):
        if train.size >= 2:
            cycles = np.interp(times, train, np.arange(train.size), left=np.nan, right=np.nan)
            out[j] = 2 * np.pi * cycles
    return (out + np.pi) % (2 * np.pi) - np.pi


def compute_kuramoto_order_spikes(spikes, fs=1000.0, t_start=None, t_stop=None, n_neurons=None):
    r"""Compute the Kuramoto order parameter of a spiking population over time.

    Parameters
    ----------
    spikes : (times (s), indices), list of arrays (s), 1-D array (s) or result
        At least 2 neurons; spike times sorted within each neuron.
    fs : float (Hz)
        Rate of the time grid.
    t_start, t_stop : float (s), optional
        Window (default: first to last spike).
    n_neurons : int, optional

    Returns
    -------
    times : 1-D array (s)
    order : 1-D array (1)
        :math:`R(t)` over the neurons whose phase is defined at t (NaN where none is);
        ``np.nanmean(order)`` is the time-averaged synchrony.

    Notes
    -----
    Phases from :func:`compute_spike_train_phases`, then :func:`compute_kuramoto_order`
    across neurons at each time. For identical spike trains shifted by Gaussian offsets
    of SD :math:`\sigma` around a rhythm of frequency f,
    :math:`R = \exp(-(2\pi f \sigma)^2 / 2)` (plus an :math:`O(1/\sqrt N)` bias).

    References
    ----------
    Kuramoto (1984) Chemical Oscillations, Waves, and Turbulence. Pikovsky, Rosenblum &
    Kurths (2001) Synchronization.

    Examples
    --------
    >>> import numpy as np
    >>> train = np.arange(0, 1, 0.025)  # 40 Hz
    >>> times, order = compute_kuramoto_order_spikes([train, train + 0.001, train + 0.002])
    >>> round(float(np.nanmean(order)), 3)
    0.979
    """
    trains = as_spike_trains(spikes, n_neurons=n_neurons, min_spikes=2)
    fs = check_fs(fs)
    t_start = float(trains.times.min()) if t_start is None else as_seconds(t_start, "t_start")
    t_stop = float(trains.times.max()) if t_stop is None else as_seconds(t_stop, "t_stop")
    if not t_stop > t_start:
        raise AnalysisError(f"t_stop: must be > t_start ({t_start:g} s); got {t_stop:g} s.")
    times = t_start + np.arange(int(np.floor((t_stop - t_start) * fs)) + 1) / fs
    phases = compute_spike_train_phases(trains, times)
    return times, compute_kuramoto_order(phases, axis=0)
