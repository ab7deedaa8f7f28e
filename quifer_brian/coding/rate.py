"""Rate code: each value sets the firing rate of its neurons."""

import numpy as np
from brian2 import Quantity
from numpy.typing import ArrayLike

from ..checks import check_choice
from ._common import decoder_setup, encoder_setup, generator, rate_bounds, spike_trains

__all__ = ["decode_rate", "encode_rate"]


def encode_rate(
    values: ArrayLike,
    duration: float | Quantity,
    *,
    r_min: float | Quantity = 0.0,
    r_max: float | Quantity = 100.0,
    neurons_per_dim: int = 1,
    process: str = "poisson",
    t_start: float | Quantity = 0.0,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Encode values in [0, 1] as firing rates :math:`r_{min} + v (r_{max} - r_{min})`.

    Parameters
    ----------
    values : array (1), shape (n_trials, n_dims) or (n_dims,)
    duration : float (s)
        Spikes fall in ``[t_start, t_start + duration)``.
    r_min, r_max : float (Hz)
        Rates coding 0 and 1.
    neurons_per_dim : int
        Neurons carrying each dimension, all at the same rate.
    process : {'poisson', 'regular'}
        Poisson trains, or regular trains with spikes at :math:`(k + 1/2) / r`.
    t_start : float (s)
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    times : 1-D array (s)
    indices : 1-D array of int

    Examples
    --------
    >>> times, indices = encode_rate([[0.5, 1.0]], 1.0, r_max=10.0, process="regular")
    >>> np.bincount(indices).tolist()
    [5, 10]
    """
    owner = "encode_rate"
    values, duration, per_dim, t_start = encoder_setup(
        values, duration, neurons_per_dim, t_start, owner
    )
    r_min, r_max = rate_bounds(r_min, r_max, owner)
    check_choice("process", process, ("poisson", "regular"), owner=owner)
    rates = np.repeat((r_min + values * (r_max - r_min)).ravel(), per_dim)
    return spike_trains(rates, duration, t_start, process, generator(seed, owner), owner)


def decode_rate(
    times: ArrayLike,
    indices: ArrayLike,
    shape: int | tuple[int, ...],
    t_start: float | Quantity = 0.0,
    t_stop: float | Quantity | None = None,
    *,
    r_min: float | Quantity = 0.0,
    r_max: float | Quantity = 100.0,
    neurons_per_dim: int = 1,
) -> np.ndarray:
    r"""Decode a rate code (:func:`encode_rate`) from the spike counts in a window.

    Parameters
    ----------
    times, indices, shape, t_start, t_stop
        Spikes, the encoded shape and the window (see :mod:`quifer_brian.coding`);
        ``t_stop`` is required.
    r_min, r_max : float (Hz)
    neurons_per_dim : int

    Returns
    -------
    values : 2-D array (1)
        :math:`(n / (K T) - r_{min}) / (r_{max} - r_{min})`, :math:`n` the spikes of the
        dimension's K neurons in the window of length T. Not clipped, so unbiased: noise
        can take it slightly outside [0, 1].

    Examples
    --------
    >>> times, indices = encode_rate([0.2, 0.7], 1.0, r_max=50.0, process="regular")
    >>> decode_rate(times, indices, (1, 2), 0.0, 1.0, r_max=50.0).tolist()
    [[0.2, 0.7]]
    """
    owner = "decode_rate"
    shape, per_dim, (t_start, t_stop), times, indices = decoder_setup(
        times, indices, shape, neurons_per_dim, t_start, t_stop, owner, need_stop=True
    )
    r_min, r_max = rate_bounds(r_min, r_max, owner)
    counts = np.bincount(indices // per_dim, minlength=shape[0] * shape[1]).reshape(shape)
    return (counts / (per_dim * (t_stop - t_start)) - r_min) / (r_max - r_min)
