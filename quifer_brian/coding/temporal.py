"""Temporal codes: latency (time to first spike) and phase relative to a reference rhythm."""

import numpy as np
from brian2 import Hz, Quantity, second
from numpy.typing import ArrayLike

from ..analysis._inputs import as_signal, check_fs
from ..errors import AnalysisError, ModelError
from ._common import (
    check_spike_count,
    decoder_setup,
    encoder_setup,
    generator,
    number,
    ranks,
    sort_spikes,
)

__all__ = ["decode_latency", "decode_phase", "encode_latency", "encode_phase"]


def encode_latency(
    values: ArrayLike,
    *,
    t_max: float | Quantity = 0.05,
    dt: float | Quantity = 1e-4,
    neurons_per_dim: int = 1,
    t_start: float | Quantity = 0.0,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Encode values in [0, 1] as the time of one spike per neuron (time to first spike).

    Parameters
    ----------
    values : array (1), shape (n_trials, n_dims) or (n_dims,)
    t_max : float (s)
        Latency of the value 0; the value 1 fires at ``t_start``.
    dt : float (s)
        Spike times are rounded to the nearest multiple of ``dt`` (the simulation's).
    neurons_per_dim : int
        Neurons carrying each dimension; all fire together.
    t_start : float (s)
        Stimulus onset.

    Returns
    -------
    times : 1-D array (s)
    indices : 1-D array of int

    Notes
    -----
    :math:`t = t_{start} + t_{max} (1 - v)` rounded to the ``dt`` grid: off by at most
    ``dt / 2``, i.e. ``dt / (2 t_max)`` in value.

    Examples
    --------
    >>> times, indices = encode_latency([[1.0, 0.25]], t_max=0.04, dt=0.001)
    >>> np.round(times, 6).tolist(), indices.tolist()
    ([0.0, 0.03], [0, 1])
    """
    owner = "encode_latency"
    t_max = number("t_max", t_max, second, owner)
    values, dt, per_dim, t_start = encoder_setup(
        values, dt, neurons_per_dim, t_start, owner, name="dt"
    )
    latency = np.repeat((t_max * (1.0 - values)).ravel(), per_dim)
    times = np.round((t_start + latency) / dt) * dt
    return sort_spikes(times, np.arange(times.size))


def decode_latency(
    times: ArrayLike,
    indices: ArrayLike,
    shape: int | tuple[int, ...],
    t_start: float | Quantity = 0.0,
    t_stop: float | Quantity | None = None,
    *,
    t_max: float | Quantity = 0.05,
    neurons_per_dim: int = 1,
) -> np.ndarray:
    r"""Decode a latency code (:func:`encode_latency`) from each neuron's first spike.

    Parameters
    ----------
    times, indices, shape
        Spikes and the encoded shape (see :mod:`quifer_brian.coding`).
    t_start : float (s)
        Stimulus onset, from which latencies are measured.
    t_stop : float (s), optional
        End of the window (excluded); default: none.
    t_max : float (s)
    neurons_per_dim : int

    Returns
    -------
    values : 2-D array
        :math:`1 - (t_{first} - t_{start}) / t_{max}`, averaged over the neurons of the
        dimension that fired.

    Examples
    --------
    >>> times, indices = encode_latency([0.1, 0.9], t_max=0.05, dt=1e-4)
    >>> decode_latency(times, indices, (1, 2), t_max=0.05).round(6).tolist()
    [[0.1, 0.9]]
    """
    owner = "decode_latency"
    t_max = number("t_max", t_max, second, owner)
    shape, per_dim, (t_start, _), times, indices = decoder_setup(
        times, indices, shape, neurons_per_dim, t_start, t_stop, owner, need_stop=False
    )
    first: np.ndarray = np.full(shape[0] * shape[1] * per_dim, np.inf)
    np.minimum.at(first, indices, times)
    first = first.reshape(*shape, per_dim)
    fired = np.isfinite(first)
    total = np.where(fired, 1.0 - (first - t_start) / t_max, 0.0).sum(axis=2)
    n_fired = fired.sum(axis=2)
    return np.divide(total, n_fired, out=np.full(shape, np.nan), where=n_fired > 0)


class _Rhythm:
    """Unwrapped reference phase (rad): ``2 pi f t``, or a sampled phase signal's."""

    def __init__(self, frequency, reference, fs, owner):
        if (frequency is None) == (reference is None):
            raise ModelError(
                f"{owner}: give exactly one of frequency (Hz, a sinusoidal reference) or "
                f"reference (phases in rad sampled at fs, e.g. from "
                f"quifer_brian.analysis.compute_phase); got frequency={frequency!r} and "
                f"reference={'None' if reference is None else 'an array'}."
            )
        self.frequency = None if frequency is None else number("frequency", frequency, Hz, owner)
        if reference is not None:
            self.fs = check_fs(fs, f"{owner}.fs")
            # the running maximum: a phase that steps back does not fire a neuron again
            self.phase_max = np.maximum.accumulate(
                np.unwrap(as_signal(reference, f"{owner}.reference"))
            )

    def phase(self, times):
        if self.frequency is not None:
            return 2 * np.pi * self.frequency * times
        return np.interp(times * self.fs, np.arange(self.phase_max.size), self.phase_max)

    def crossings(self, targets):
        """Times (s) at which the phase first reaches each target (rad)."""
        if self.frequency is not None:
            return targets / (2 * np.pi * self.frequency)
        phi = self.phase_max
        right = np.searchsorted(phi, targets).clip(1, phi.size - 1)
        fraction = (targets - phi[right - 1]) / (phi[right] - phi[right - 1])
        return (right - 1 + fraction) / self.fs

    def check_span(self, t_last, owner):
        t_end = np.inf if self.frequency is not None else (self.phase_max.size - 1) / self.fs
        if t_last > t_end:
            raise AnalysisError(
                f"{owner}: spikes or the window reach {t_last:g} s but the reference ends at "
                f"{t_end:g} s (its last sample). Pass a longer reference, or an earlier "
                f"t_stop or duration."
            )


def encode_phase(
    values: ArrayLike,
    duration: float | Quantity,
    *,
    frequency: float | Quantity | None = None,
    reference: ArrayLike | None = None,
    fs: float | Quantity | None = None,
    neurons_per_dim: int = 1,
    t_start: float | Quantity = 0.0,
    jitter: float | Quantity = 0.0,
    seed: int | np.random.Generator | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    r"""Encode values in [0, 1] as the phase at which neurons fire in a reference rhythm.

    Parameters
    ----------
    values : array (1), shape (n_trials, n_dims) or (n_dims,)
        The code is circular: 0 and 1 are the same phase.
    duration : float (s)
        Spikes fall in ``[t_start, t_start + duration)`` (before jitter).
    frequency : float (Hz), optional
        A sinusoidal reference, phase :math:`2 \pi f t` (0 at the peaks of
        :math:`\cos 2 \pi f t`).
    reference : 1-D array (rad), optional
        Instead, the reference phase sampled at ``fs`` from t = 0, e.g.
        ``quifer_brian.analysis.compute_phase(lfp, fs, f_range)`` of a circuit's LFP.
    fs : float (Hz)
        Sampling rate of ``reference``.
    neurons_per_dim : int
    t_start : float (s)
    jitter : float (s)
        Standard deviation of Gaussian noise added to each spike time.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    times : 1-D array (s)
    indices : 1-D array of int

    Notes
    -----
    Each neuron fires once a cycle, when the unwrapped reference phase :math:`\Phi(t)`
    (linear between samples) first reaches :math:`2 \pi (v + m)`, :math:`m` integer.

    Examples
    --------
    >>> times, indices = encode_phase([0.25], 0.3, frequency=10.0)
    >>> np.round(times, 6).tolist()
    [0.025, 0.125, 0.225]
    """
    owner = "encode_phase"
    values, duration, per_dim, t_start = encoder_setup(
        values, duration, neurons_per_dim, t_start, owner
    )
    jitter = number("jitter", jitter, second, owner, allow_zero=True)
    rhythm = _Rhythm(frequency, reference, fs, owner)
    rhythm.check_span(t_start + duration, owner)
    cycles = np.repeat(values.ravel(), per_dim)
    start, stop = (rhythm.phase(t) / (2 * np.pi) for t in (t_start, t_start + duration))
    check_spike_count(cycles.size * (stop - start + 1), owner)
    first = np.ceil(start - cycles)  # first whole cycle m with v + m >= start
    counts = (np.ceil(stop - cycles) - first).astype(np.int64)
    indices = np.repeat(np.arange(cycles.size), counts)
    times = rhythm.crossings(2 * np.pi * (cycles[indices] + first[indices] + ranks(counts)))
    if jitter > 0:
        times = times + generator(seed, owner).normal(0.0, jitter, times.size)
    return sort_spikes(times, indices)


def decode_phase(
    times: ArrayLike,
    indices: ArrayLike,
    shape: int | tuple[int, ...],
    t_start: float | Quantity = 0.0,
    t_stop: float | Quantity | None = None,
    *,
    frequency: float | Quantity | None = None,
    reference: ArrayLike | None = None,
    fs: float | Quantity | None = None,
    neurons_per_dim: int = 1,
) -> np.ndarray:
    r"""Decode a phase code (:func:`encode_phase`) by the circular mean of spike phases.

    Parameters
    ----------
    times, indices, shape, t_start, t_stop
        Spikes, the encoded shape and the window (see :mod:`quifer_brian.coding`); default
        ``t_stop``: none. A sampled reference must cover the spikes in the window.
    frequency, reference, fs
        The encoder's reference rhythm (see :func:`encode_phase`).
    neurons_per_dim : int

    Returns
    -------
    values : 2-D array
        In [0, 1): :math:`\arg \sum_j e^{i \Phi(t_j)} / 2 \pi \bmod 1` over the spikes of
        the dimension's neurons. Compare with the encoded values on the circle:
        ``(decoded - values + 0.5) % 1 - 0.5``.

    Examples
    --------
    >>> times, indices = encode_phase([0.1, 0.6], 1.0, frequency=8.0)
    >>> decode_phase(times, indices, (1, 2), frequency=8.0).round(6).tolist()
    [[0.1, 0.6]]
    """
    owner = "decode_phase"
    rhythm = _Rhythm(frequency, reference, fs, owner)
    shape, per_dim, _, times, indices = decoder_setup(
        times, indices, shape, neurons_per_dim, t_start, t_stop, owner, need_stop=False
    )
    if times.size:
        rhythm.check_span(float(times.max()), owner)
    phases, rows, n_rows = rhythm.phase(times), indices // per_dim, shape[0] * shape[1]
    resultant = np.bincount(rows, np.cos(phases), n_rows) + 1j * np.bincount(
        rows, np.sin(phases), n_rows
    )
    value = np.angle(resultant) / (2 * np.pi) % 1.0
    value[np.bincount(rows, minlength=n_rows) == 0] = np.nan
    return value.reshape(shape)
