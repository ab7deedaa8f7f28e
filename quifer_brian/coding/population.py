"""Population code: Gaussian tuning curves over a value range, maximum-likelihood read-out."""

import numpy as np
from brian2 import Quantity, second
from numpy.typing import ArrayLike

from ..checks import MAX_COUNT, check_count, check_real
from ..errors import ModelError
from ._common import (
    check_neurons,
    decoder_setup,
    generator,
    number,
    rate_bounds,
    spike_trains,
    to_values,
)

__all__ = ["decode_population", "encode_population", "population_rates"]

_N_GRID = 1001  # candidate values of the maximum-likelihood decoder
_CHUNK = 2048  # trials x dimensions per block of the likelihood table (~16 MB)


def _population_setup(neurons_per_dim, value_range, width, r_min, r_max, owner):
    """Checked ``(value_range, width, r_min, r_max, preferred values)``."""
    n_neurons = check_count(
        "neurons_per_dim", neurons_per_dim, owner=owner, minimum=2, maximum=MAX_COUNT
    )
    try:
        low, high = (float(v) for v in value_range)
    except (TypeError, ValueError) as err:
        raise ModelError(
            f"{owner}.value_range: must be a pair (low, high); got {value_range!r}."
        ) from err
    if not (np.isfinite(low) and np.isfinite(high) and low < high):
        raise ModelError(
            f"{owner}.value_range: must be finite with low < high; got {value_range!r}."
        )
    width = (
        0.1 * (high - low) if width is None else check_real("width", width, owner, allow_zero=False)
    )
    r_min, r_max = rate_bounds(r_min, r_max, owner)
    return (low, high), width, r_min, r_max, np.linspace(low, high, n_neurons)


def _tuning(values, preferred, width, r_min, r_max):
    """Rates (Hz), shape ``values.shape + (K,)``."""
    bump = np.exp(-0.5 * ((values[..., np.newaxis] - preferred) / width) ** 2)
    return r_min + (r_max - r_min) * bump


def _population_rates(values, code, owner):
    value_range, width, r_min, r_max, preferred = _population_setup(*code, owner)
    values = to_values(values, owner, value_range)
    check_neurons(values.size * preferred.size, owner)
    return _tuning(values, preferred, width, r_min, r_max).ravel()


def population_rates(
    values: ArrayLike,
    *,
    neurons_per_dim: int = 50,
    value_range: tuple[float, float] = (0.0, 1.0),
    width: float | None = None,
    r_min: float | Quantity = 0.0,
    r_max: float | Quantity = 100.0,
) -> np.ndarray:
    r"""Firing rate of every neuron of a population code, in the index layout.

    Parameters
    ----------
    values : array, shape (n_trials, n_dims) or (n_dims,)
        Inside ``value_range``.
    neurons_per_dim : int
        At least 2, with preferred values ``np.linspace(low, high, neurons_per_dim)``.
    value_range : (float, float)
        ``(low, high)``.
    width : float (value units), optional
        Standard deviation of the Gaussian tuning curves; default a tenth of the range.
    r_min, r_max : float (Hz)
        Baseline and peak rate.

    Returns
    -------
    rates : 1-D array (Hz)
        ``n_trials * n_dims * neurons_per_dim`` rates, ready for
        ``PoissonGroup(rates.size, rates=rates * Hz)`` or a ``TimedArray``.

    Notes
    -----
    :math:`r_k(v) = r_{min} + (r_{max} - r_{min}) \exp(-(v - p_k)^2 / 2 w^2)`.

    Examples
    --------
    >>> np.round(population_rates([0.5], neurons_per_dim=5, width=0.25), 1).tolist()
    [13.5, 60.7, 100.0, 60.7, 13.5]
    """
    code = (neurons_per_dim, value_range, width, r_min, r_max)
    return _population_rates(values, code, "population_rates")


def encode_population(
    values: ArrayLike,
    duration: float | Quantity,
    *,
    neurons_per_dim: int = 50,
    value_range: tuple[float, float] = (0.0, 1.0),
    width: float | None = None,
    r_min: float | Quantity = 0.0,
    r_max: float | Quantity = 100.0,
    t_start: float | Quantity = 0.0,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Encode values as Poisson spikes of populations with Gaussian tuning curves.

    Parameters
    ----------
    values : array, shape (n_trials, n_dims) or (n_dims,)
    duration : float (s)
    neurons_per_dim, value_range, width, r_min, r_max
        See :func:`population_rates`.
    t_start : float (s)
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    times : 1-D array (s)
    indices : 1-D array of int

    Examples
    --------
    >>> times, indices = encode_population([0.3, 0.8], 0.1, seed=0)
    >>> decoded = decode_population(times, indices, (1, 2), 0.0, 0.1)
    >>> bool(np.abs(decoded - [0.3, 0.8]).max() < 0.02)
    True
    """
    owner = "encode_population"
    rates = _population_rates(values, (neurons_per_dim, value_range, width, r_min, r_max), owner)
    duration = number("duration", duration, second, owner)
    t_start = number("t_start", t_start, second, owner, allow_zero=True)
    return spike_trains(rates, duration, t_start, "poisson", generator(seed, owner), owner)


def decode_population(
    times: ArrayLike,
    indices: ArrayLike,
    shape: int | tuple[int, ...],
    t_start: float | Quantity = 0.0,
    t_stop: float | Quantity | None = None,
    *,
    neurons_per_dim: int = 50,
    value_range: tuple[float, float] = (0.0, 1.0),
    width: float | None = None,
    r_min: float | Quantity = 0.0,
    r_max: float | Quantity = 100.0,
) -> np.ndarray:
    r"""Decode a population code (:func:`encode_population`) by maximum likelihood.

    Parameters
    ----------
    times, indices, shape, t_start, t_stop
        Spikes, the encoded shape and the window (see :mod:`quifer_brian.coding`);
        ``t_stop`` is required.
    neurons_per_dim, value_range, width, r_min, r_max
        The encoder's (see :func:`population_rates`).

    Returns
    -------
    values : 2-D array
        In ``value_range``.

    Notes
    -----
    For independent Poisson counts :math:`n_k` in a window :math:`T`,
    :math:`\log L(v) = \sum_k n_k \log r_k(v) - T \sum_k r_k(v)` + const, maximised over
    1001 values spread evenly over the range (resolution range / 1000). Chosen over a
    baseline-subtracted centre of mass because it uses the baseline exactly (subtracting
    it leaves noisy negative weights) and, through :math:`\sum_k r_k(v)`, accounts for
    the tuning curves cut off at the ends of the range: values at the ends decode there
    (a centre of mass is pulled inward by about a tuning width). With many spikes it
    reaches the Cramér-Rao bound, standard deviation
    :math:`\sqrt{w / (T \rho r_{max} \sqrt{2\pi})}` for ``r_min = 0`` and :math:`\rho`
    neurons per unit value.

    References
    ----------
    Seung & Sompolinsky (1993) Simple models for reading neuronal population codes.
    PNAS 90:10749. Dayan & Abbott (2001) Theoretical Neuroscience, section 3.3.
    """
    owner = "decode_population"
    (low, high), width, r_min, r_max, preferred = _population_setup(
        neurons_per_dim, value_range, width, r_min, r_max, owner
    )
    shape, per_dim, (t_start, t_stop), times, indices = decoder_setup(
        times, indices, shape, neurons_per_dim, t_start, t_stop, owner, need_stop=True
    )
    counts: np.ndarray = np.bincount(indices, minlength=shape[0] * shape[1] * per_dim)
    counts = counts.reshape(-1, per_dim).astype(float)
    grid = np.linspace(low, high, _N_GRID)
    distance = 0.5 * ((grid[:, np.newaxis] - preferred) / width) ** 2
    log_base = np.log(r_min) if r_min > 0 else -np.inf  # log r_k(v) without underflow
    log_rates = np.logaddexp(log_base, np.log(r_max - r_min) - distance).T
    expected = (t_stop - t_start) * _tuning(grid, preferred, width, r_min, r_max).sum(axis=1)
    decoded = np.empty(len(counts))
    for start in range(0, len(counts), _CHUNK):
        log_likelihood = counts[start : start + _CHUNK] @ log_rates - expected
        decoded[start : start + _CHUNK] = grid[np.argmax(log_likelihood, axis=1)]
    decoded[counts.sum(axis=1) == 0] = np.nan
    return decoded.reshape(shape)
