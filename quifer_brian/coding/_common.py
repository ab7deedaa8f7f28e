"""Checks and spike-train helpers shared by the codes (see :mod:`quifer_brian.coding`)."""

from typing import Any

import numpy as np
from brian2 import Hz, second

from ..analysis._inputs import as_seconds
from ..checks import (
    MAX_COUNT,
    check_count,
    check_memory,
    check_real,
    check_scalar_quantity,
    check_seed,
    check_within,
)
from ..errors import AnalysisError, ModelError

__all__ = [
    "BYTES_PER_SPIKE",
    "check_neurons",
    "check_spike_count",
    "decoder_setup",
    "encoder_setup",
    "generator",
    "number",
    "ranks",
    "rate_bounds",
    "sort_spikes",
    "spike_arrays",
    "spike_trains",
    "to_values",
]


#: Memory one encoded spike takes while the trains are drawn and sorted (a float64 time,
#: an int64 index, the offsets and the sort's copies).
BYTES_PER_SPIKE = 48


def generator(seed: Any, owner: str) -> np.random.Generator:
    """A :class:`numpy.random.Generator` from ``seed`` (None, an int in [0, 2**32 - 1],
    or a Generator, used as it is)."""
    if isinstance(seed, np.random.Generator):
        return seed
    return np.random.default_rng(check_seed("seed", seed, owner=owner))


def check_neurons(n_neurons, owner):
    """Refuse a code whose ``n_trials * n_dims * neurons_per_dim`` cells cannot be held."""
    if n_neurons > MAX_COUNT:
        raise ModelError(
            f"{owner}: values x neurons_per_dim make {n_neurons} neurons, more than "
            f"{MAX_COUNT}; encode fewer values or use fewer neurons per dimension."
        )
    return n_neurons


def check_spike_count(n_spikes, owner):
    """Refuse a code whose expected ``n_spikes`` would not fit in memory (before drawing)."""
    if not np.isfinite(n_spikes):
        raise ModelError(f"{owner}: the expected number of spikes is not finite ({n_spikes}).")
    what = f"about {n_spikes:.3g} spikes (rates x duration)"
    check_memory(what, n_spikes * BYTES_PER_SPIKE, owner=owner)
    return n_spikes


def number(name: str, value: Any, unit: Any, owner: str, allow_zero: bool = False) -> float:
    """A scalar > 0 (>= 0 with ``allow_zero``) in SI, from a float or a Brian2 quantity."""
    if hasattr(value, "dim"):
        check_scalar_quantity(name, value, unit, owner=owner, allow_zero=allow_zero)
        return float(value / unit)
    return check_real(name, value, owner=owner, allow_zero=allow_zero)


def rate_bounds(r_min: Any, r_max: Any, owner: str) -> tuple[float, float]:
    r_min = number("r_min", r_min, Hz, owner, allow_zero=True)
    r_max = number("r_max", r_max, Hz, owner)
    if not r_max > r_min:
        raise ModelError(f"{owner}.r_max: must be > r_min ({r_min:g} Hz); got {r_max:g} Hz.")
    return r_min, r_max


def to_values(values: Any, owner: str, value_range: Any = (0.0, 1.0)) -> np.ndarray:
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


def encoder_setup(
    values: Any,
    duration: Any,
    neurons_per_dim: Any,
    t_start: Any,
    owner: str,
    name: str = "duration",
) -> tuple[np.ndarray, float, int, float]:
    values = to_values(values, owner)
    duration = number(name, duration, second, owner)
    neurons_per_dim = check_count("neurons_per_dim", neurons_per_dim, owner=owner)
    check_neurons(values.size * neurons_per_dim, owner)
    return (
        values,
        duration,
        neurons_per_dim,
        number("t_start", t_start, second, owner, allow_zero=True),
    )


def spike_arrays(
    times: Any, indices: Any, n_neurons: int, owner: str, window: Any = (-np.inf, np.inf)
) -> tuple[np.ndarray, np.ndarray]:
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


def decoder_setup(
    times: Any,
    indices: Any,
    shape: Any,
    neurons_per_dim: Any,
    t_start: Any,
    t_stop: Any,
    owner: str,
    need_stop: bool,
) -> tuple[tuple[int, int], int, tuple[float, float], np.ndarray, np.ndarray]:
    """Checked ``(shape, neurons_per_dim, (t_start, t_stop), times, indices)`` in the window."""
    if not (isinstance(shape, tuple | list) and len(shape) == 2):
        raise ModelError(f"{owner}.shape: must be a pair (n_trials, n_dims); got {shape!r}.")
    shape = tuple(check_count(f"shape[{j}]", n, owner=owner) for j, n in enumerate(shape))
    neurons_per_dim = check_count("neurons_per_dim", neurons_per_dim, owner=owner)
    t_start = as_seconds(t_start, f"{owner}.t_start")
    if t_stop is None and need_stop:
        raise AnalysisError(f"{owner}.t_stop: the end of the counting window (s) is needed.")
    for label, value in (("t_start", t_start), ("t_stop", t_stop)):
        if value is not None and not (np.ndim(value) == 0 and np.isfinite(value)):
            raise AnalysisError(
                f"{owner}.{label}: must be a finite time (s); got {value!r}. Give the "
                f"window's end, e.g. the duration of the run."
            )
    t_stop = np.inf if t_stop is None else as_seconds(t_stop, f"{owner}.t_stop")
    if not (np.ndim(t_start) == np.ndim(t_stop) == 0 and t_stop > t_start):
        raise AnalysisError(
            f"{owner}: the window must have t_stop > t_start; got t_start={t_start!r} s, "
            f"t_stop={t_stop!r} s."
        )
    n_neurons = shape[0] * shape[1] * neurons_per_dim
    spikes = spike_arrays(times, indices, n_neurons, owner, (t_start, t_stop))
    return shape, neurons_per_dim, (t_start, t_stop), *spikes


def sort_spikes(times: np.ndarray, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    order = np.lexsort((indices, times))
    return times[order], indices[order]


def ranks(counts):
    """0, 1, ..., counts[j] - 1 for each j in turn (the k-th spike of each neuron)."""
    return np.arange(counts.sum()) - np.repeat(np.cumsum(counts) - counts, counts)


def spike_trains(rates, duration, t_start, process, rng, owner="encode"):
    """Spike trains of the given rates (Hz) in ``[t_start, t_start + duration)``."""
    check_spike_count(float(np.sum(rates)) * duration, owner)
    if process == "poisson":  # a Poisson count, then uniform times: exactly Poisson
        counts = rng.poisson(rates * duration)
        offsets = rng.uniform(0.0, duration, counts.sum())
    else:  # regular: spikes at (k + 1/2) / rate
        counts = np.ceil(rates * duration - 0.5).clip(0).astype(np.int64)
        offsets = (ranks(counts) + 0.5) / np.repeat(rates, counts)
    return sort_spikes(t_start + offsets, np.repeat(np.arange(rates.size), counts))
