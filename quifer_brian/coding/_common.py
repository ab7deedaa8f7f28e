"""Checks and spike-train helpers shared by the codes (see :mod:`quifer_brian.coding`)."""

import numpy as np
from brian2 import Hz, second

from ..analysis._inputs import as_seconds
from ..checks import check_count, check_real, check_scalar_quantity, check_within
from ..errors import AnalysisError, ModelError

__all__ = [
    "decoder_setup",
    "encoder_setup",
    "number",
    "ranks",
    "rate_bounds",
    "sort_spikes",
    "spike_arrays",
    "spike_trains",
    "to_values",
]


def number(name, value, unit, owner, allow_zero=False):
    """A scalar > 0 (>= 0 with ``allow_zero``) in SI, from a float or a Brian2 quantity."""
    if hasattr(value, "dim"):
        check_scalar_quantity(name, value, unit, owner=owner, allow_zero=allow_zero)
        return float(value / unit)
    return check_real(name, value, owner=owner, allow_zero=allow_zero)


def rate_bounds(r_min, r_max, owner):
    r_min = number("r_min", r_min, Hz, owner, allow_zero=True)
    r_max = number("r_max", r_max, Hz, owner)
    if not r_max > r_min:
        raise ModelError(f"{owner}.r_max: must be > r_min ({r_min:g} Hz); got {r_max:g} Hz.")
    return r_min, r_max


def to_values(values, owner, value_range=(0.0, 1.0)):
    """``values`` as a float (n_trials, n_dims) array inside ``value_range``."""
    try:
        array = np.asarray(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise ModelError(f"{owner}.values: must be numbers; got {values!r}.") from err
    array = array[np.newaxis] if array.ndim == 1 else array
    if array.ndim != 2 or array.size == 0:
        raise ModelError(
            f"{owner}.values: must be a non-empty array of shape (n_trials, n_dims) or "
            f"(n_dims,); got shape {np.shape(values)}."
        )
    low, high = value_range
    return check_within("values", array, low, high, owner, fix="Rescale or np.clip them first.")


def encoder_setup(values, duration, neurons_per_dim, t_start, owner, name="duration"):
    values = to_values(values, owner)
    duration = number(name, duration, second, owner)
    neurons_per_dim = check_count("neurons_per_dim", neurons_per_dim, owner=owner)
    return (
        values,
        duration,
        neurons_per_dim,
        number("t_start", t_start, second, owner, allow_zero=True),
    )


def spike_arrays(times, indices, n_neurons, owner, window=(-np.inf, np.inf)):
    """Checked float times (s) and int indices, restricted to ``window``."""
    times = np.atleast_1d(as_seconds(times, f"{owner}.times"))
    indices = np.atleast_1d(np.asarray(indices))
    if times.ndim != 1 or times.shape != indices.shape:
        raise AnalysisError(
            f"{owner}: times and indices must be 1-D and of equal length; got shapes "
            f"{times.shape} and {indices.shape}."
        )
    if not np.all(np.isfinite(times)):
        raise AnalysisError(f"{owner}.times: contain NaN or inf.")
    if indices.size and not np.all(indices == np.round(indices)):
        raise AnalysisError(f"{owner}.indices: must be integers.")
    indices = indices.astype(np.int64)
    if indices.size and (indices.min() < 0 or indices.max() >= n_neurons):
        raise AnalysisError(
            f"{owner}.indices: must lie in [0, {n_neurons}); got {indices.min()} to "
            f"{indices.max()}. Give the encoder's shape and neurons_per_dim."
        )
    inside = (times >= window[0]) & (times < window[1])
    return times[inside], indices[inside]


def decoder_setup(times, indices, shape, neurons_per_dim, t_start, t_stop, owner, need_stop):
    """Checked ``(shape, neurons_per_dim, (t_start, t_stop), times, indices)`` in the window."""
    if not (isinstance(shape, tuple | list) and len(shape) == 2):
        raise ModelError(f"{owner}.shape: must be a pair (n_trials, n_dims); got {shape!r}.")
    shape = tuple(check_count(f"shape[{j}]", n, owner=owner) for j, n in enumerate(shape))
    neurons_per_dim = check_count("neurons_per_dim", neurons_per_dim, owner=owner)
    t_start = as_seconds(t_start, f"{owner}.t_start")
    if t_stop is None and need_stop:
        raise AnalysisError(f"{owner}.t_stop: the end of the counting window (s) is needed.")
    t_stop = np.inf if t_stop is None else as_seconds(t_stop, f"{owner}.t_stop")
    if not (np.ndim(t_start) == np.ndim(t_stop) == 0 and t_stop > t_start):
        raise AnalysisError(
            f"{owner}: the window must have t_stop > t_start; got t_start={t_start!r} s, "
            f"t_stop={t_stop!r} s."
        )
    n_neurons = shape[0] * shape[1] * neurons_per_dim
    spikes = spike_arrays(times, indices, n_neurons, owner, (t_start, t_stop))
    return shape, neurons_per_dim, (t_start, t_stop), *spikes


def sort_spikes(times, indices):
    order = np.lexsort((indices, times))
    return times[order], indices[order]


def ranks(counts):
    """0, 1, ..., counts[j] - 1 for each j in turn (the k-th spike of each neuron)."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def spike_trains(rates, duration, t_start, process, rng):
    """Spike trains of the given rates (Hz) in ``[t_start, t_start + duration)``."""
    if process == "poisson":  # a Poisson count, then uniform times: exactly Poisson
        counts = rng.poisson(rates * duration)
        offsets = rng.uniform(0.0, duration, counts.sum())
    else:  # regular: spikes at (k + 1/2) / rate
        counts = np.ceil(rates * duration - 0.5).clip(0).astype(np.int64)
        offsets = (ranks(counts) + 0.5) / np.repeat(rates, counts)
    return sort_spikes(t_start + offsets, np.repeat(np.arange(rates.size), counts))
