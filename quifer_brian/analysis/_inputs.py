"""Convert and check analysis inputs once, on entry.

Every public analysis function passes its data through one of these converters, so
spike trains, signals, sampling rates and frequency ranges are checked in one place
and the rest of the code works on plain ``float64`` arrays in seconds and Hz.

Accepted spike-train forms (``spikes``):

- a ``tuple`` ``(times, indices)`` of equal-length arrays, as a Brian2
  ``SpikeMonitor`` gives them (``mon.t``, ``mon.i``);
- a ``list`` of per-neuron spike-time arrays (neuron ``j`` is ``spikes[j]``);
- a 1-D array of spike times (one train; or pooled spikes where only times matter);
- a *result* object, recognised by duck typing: anything with a ``.spikes`` attribute
  that is a dict ``name -> (times_s, indices)``.  With one population it is used; with
  several, pass ``result.spikes[name]`` instead.  Its spikes are checked against the
  run (:func:`check_result`): times finite and within ``[0, duration]``, indices
  non-negative integers below the population's size.

Accepted signals (``sig``): a 1-D array with ``fs`` in Hz, or a result object with
``.lfp`` (1-D array) and ``.fs`` (Hz), in which case ``fs`` may be omitted.

Times may be floats in seconds or Brian2 quantities (converted with ``q / second``;
Brian2 is imported only when such a quantity is seen).
"""

import numbers

import numpy as np

from ..errors import AnalysisError

__all__ = [
    "SpikeTrains",
    "as_hertz",
    "as_seconds",
    "as_signal",
    "as_signal_and_fs",
    "as_spike_times",
    "as_spike_trains",
    "check_f_range",
    "check_fs",
    "check_phases",
    "check_positive",
    "check_result",
    "check_span",
    "check_times_within",
    "check_window",
]


class SpikeTrains:
    """Spike trains as flat arrays: ``times`` (s), ``indices``, ``n_neurons``.

    ``times`` are sorted within each neuron (checked on entry).
    """

    __slots__ = ("indices", "n_neurons", "times")

    def __init__(self, times, indices, n_neurons):
        self.times = times
        self.indices = indices
        self.n_neurons = n_neurons

    def per_neuron(self):
        """Return the list of per-neuron spike-time arrays (s)."""
        order = np.argsort(self.indices, kind="stable")
        counts = np.bincount(self.indices, minlength=self.n_neurons)
        return np.split(self.times[order], np.cumsum(counts)[:-1])


def _strip(value, name, dimension="second"):
    """Return ``value`` as a float array, converting a Brian2 quantity to SI."""
    if hasattr(value, "dim"):
        import brian2  # lazy: analysis runs without Brian2 unless quantities are given

        unit = getattr(brian2, dimension)
        if brian2.get_dimensions(value) != brian2.get_dimensions(unit):
            raise AnalysisError(
                f"{name}: expected a quantity in {dimension}; got dimensions "
                f"{brian2.get_dimensions(value)!r}. Give it in {dimension} "
                f"(e.g. 10*ms for times, 1*kHz for rates) or as a plain float in SI."
            )
        return np.asarray(value / unit, dtype=float)
    try:
        return np.asarray(value, dtype=float)
    except (TypeError, ValueError) as err:
        raise AnalysisError(
            f"{name}: cannot be read as numbers; got {type(value).__name__}."
        ) from err


def as_seconds(value, name):
    """Return ``value`` (float, array or Brian2 time quantity) in seconds as float(s)."""
    out = _strip(value, name, "second")
    return float(out) if out.ndim == 0 else out


def as_hertz(value, name):
    """Return ``value`` (float or Brian2 frequency quantity) in Hz as a float."""
    return float(_strip(value, name, "hertz"))


def check_fs(fs, name="fs"):
    """Return the sampling rate ``fs`` (Hz) as a float, refusing <= 0, NaN or inf."""
    if fs is None:
        raise AnalysisError(f"{name}: the sampling rate in Hz is required; got None.")
    value = as_hertz(fs, name)
    if not np.isfinite(value) or value <= 0:
        raise AnalysisError(f"{name}: must be a finite sampling rate > 0 Hz; got {fs!r}.")
    return value


def check_f_range(f_range, fs, name="f_range", allow_none=False):
    """Return ``(f_lo, f_hi)`` in Hz, checking 0 <= f_lo < f_hi <= fs / 2."""
    if f_range is None:
        if allow_none:
            return None
        raise AnalysisError(f"{name}: a frequency range (f_lo, f_hi) in Hz is required.")
    try:
        f_lo, f_hi = (as_hertz(f, name) for f in f_range)
    except (TypeError, ValueError) as err:
        raise AnalysisError(f"{name}: must be a pair (f_lo, f_hi) in Hz; got {f_range!r}.") from err
    nyquist = fs / 2.0
    if not (np.isfinite(f_lo) and np.isfinite(f_hi)) or f_lo < 0:
        raise AnalysisError(f"{name}: frequencies must be finite and >= 0 Hz; got {f_range!r}.")
    if f_lo >= f_hi:
        raise AnalysisError(
            f"{name}: range is inverted or empty; got {f_range!r}. Give (f_lo, f_hi) "
            f"with f_lo < f_hi."
        )
    if f_hi > nyquist:
        raise AnalysisError(
            f"{name}: upper frequency {f_hi:g} Hz is above the Nyquist frequency "
            f"{nyquist:g} Hz (fs = {fs:g} Hz). Lower it or sample faster."
        )
    return f_lo, f_hi


def as_signal(sig, name="sig", min_length=2):
    """Return ``sig`` as a finite 1-D float64 array, refusing NaN, inf and short input."""
    # A Brian2 quantity of any dimension (volt, amp, ...) keeps its SI magnitude.
    array = np.asarray(sig, dtype=float)
    if array.ndim != 1:
        raise AnalysisError(f"{name}: must be a 1-D signal; got shape {array.shape}.")
    if array.size < min_length:
        raise AnalysisError(f"{name}: needs at least {min_length} samples; got {array.size}.")
    if not np.all(np.isfinite(array)):
        n_bad = int(np.count_nonzero(~np.isfinite(array)))
        first = int(np.flatnonzero(~np.isfinite(array))[0])
        raise AnalysisError(
            f"{name}: contains {n_bad} NaN or inf value(s) (first at sample {first}). "
            f"Remove or interpolate them before the analysis."
        )
    return array


def as_signal_and_fs(sig, fs, name="sig", min_length=2):
    """Return ``(signal, fs)`` from an array and ``fs`` or from a result object."""
    if hasattr(sig, "lfp") and hasattr(sig, "fs"):
        if fs is None:
            fs = sig.fs
        sig = sig.lfp
    fs = check_fs(fs)
    return as_signal(sig, name, min_length), fs


def _from_result(spikes, name):
    populations = spikes.spikes
    if len(populations) != 1:
        raise AnalysisError(
            f"{name}: the result holds {len(populations)} populations "
            f"({', '.join(map(str, populations))}); pass one, e.g. "
            f"{name}=result.spikes[{next(iter(populations), 'name')!r}]."
        )
    if hasattr(spikes, "sizes") and hasattr(spikes, "duration"):
        check_result(spikes, name)
    return next(iter(populations.values()))


def _check_run_length(duration, name):
    if (
        isinstance(duration, bool)
        or not isinstance(duration, numbers.Real)
        or not np.isfinite(duration)
        or duration <= 0
    ):
        raise AnalysisError(
            f"{name}.duration: must be a finite simulated time > 0 (s); got {duration!r}."
        )
    return float(duration)


def check_result(result, name="result"):
    """Return ``result`` if its spikes fit its run; raise :class:`AnalysisError` otherwise.

    Checks, per population: the size is an integer >= 1; the spike times are finite and
    within ``[0, duration]``; the indices are integers in ``[0, size)``; the duration is
    finite and > 0.  A rate computed from spikes outside the run or from indices beyond
    the population would come out wrong without a word (10x too high, or negative).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> bad = SimpleNamespace(spikes={"E": ([0.1, 0.2], [0, 12])}, sizes={"E": 10},
    ...                       duration=1.0)
    >>> check_result(bad)
    Traceback (most recent call last):
    ...
    quifer_brian.errors.AnalysisError: result.spikes['E']: index 12 is beyond the population's size 10 (indices 0..9); the result does not hold together.
    """  # noqa: E501
    duration = _check_run_length(getattr(result, "duration", None), name)
    sizes = getattr(result, "sizes", None)
    if not isinstance(sizes, dict):
        raise AnalysisError(f"{name}.sizes: must be a dict population -> size; got {sizes!r}.")
    for population, (times, indices) in result.spikes.items():
        label = f"{name}.spikes[{population!r}]"
        size = sizes.get(population)
        if isinstance(size, bool) or not isinstance(size, numbers.Integral) or size < 1:
            raise AnalysisError(
                f"{name}.sizes[{population!r}]: must be an integer >= 1; got {size!r}."
            )
        times = _strip(times, f"{label} times")
        indices = np.asarray(indices)
        if times.shape != indices.shape or times.ndim != 1:
            raise AnalysisError(
                f"{label}: times and indices must be 1-D and of equal length; got shapes "
                f"{times.shape} and {indices.shape}."
            )
        check_times_within(times, 0.0, duration, label, "the run")
        if indices.size == 0:
            continue
        if not np.issubdtype(indices.dtype, np.integer):
            raise AnalysisError(f"{label}: indices must be integers; got {indices.dtype}.")
        low, high = int(indices.min()), int(indices.max())
        if low < 0 or high >= size:
            bad = low if low < 0 else high
            raise AnalysisError(
                f"{label}: index {bad} is beyond the population's size {size} (indices "
                f"0..{size - 1}); the result does not hold together."
            )
    return result


def check_times_within(times, t_start, t_stop, name, what="the window"):
    """Refuse spike ``times`` (s) that are NaN/inf or outside ``[t_start, t_stop]``."""
    _check_times(times, name)
    if times.size and (times.min() < t_start or times.max() > t_stop):
        outside = int(np.count_nonzero((times < t_start) | (times > t_stop)))
        first = float(times[(times < t_start) | (times > t_stop)][0])
        raise AnalysisError(
            f"{name}: spike times must lie within {what} [{t_start:g}, {t_stop:g}] s; got "
            f"{first:g} s ({outside} outside)."
        )


def check_window(t_start, t_stop, t_start_name="t_start", t_stop_name="t_stop"):
    """Return ``(t_start, t_stop)`` in seconds, both finite, ``t_start >= 0`` and
    ``t_stop > t_start``."""
    t_start = as_seconds(t_start, t_start_name)
    t_stop = as_seconds(t_stop, t_stop_name)
    for value, label in ((t_start, t_start_name), (t_stop, t_stop_name)):
        if np.ndim(value) != 0 or not np.isfinite(value):
            raise AnalysisError(f"{label}: must be a finite time (s); got {value!r}.")
    if t_start < 0:
        raise AnalysisError(f"{t_start_name}: must be >= 0 s (runs start at 0); got {t_start:g}.")
    if not t_stop > t_start:
        raise AnalysisError(
            f"{t_stop_name}: must be > {t_start_name} ({t_start:g} s); got {t_stop:g} s."
        )
    return float(t_start), float(t_stop)


def _check_times(times, name):
    if not np.all(np.isfinite(times)):
        n_bad = int(np.count_nonzero(~np.isfinite(times)))
        raise AnalysisError(f"{name}: spike times contain NaN or inf ({n_bad} of {times.size}).")


def as_spike_trains(spikes, name="spikes", n_neurons=None, min_spikes=1):
    """Return :class:`SpikeTrains` from any accepted spike-train form (see module doc).

    Spike times must be sorted within each neuron: unsorted trains raise, since ISIs and
    per-neuron phases depend on the order.
    """
    if isinstance(spikes, SpikeTrains):
        return spikes
    if hasattr(spikes, "spikes") and isinstance(spikes.spikes, dict):
        result, spikes = spikes, _from_result(spikes, name)
        if n_neurons is None and isinstance(getattr(result, "sizes", None), dict):
            n_neurons = result.sizes[next(iter(result.spikes))]  # silent cells count too
    if isinstance(spikes, tuple):
        if len(spikes) != 2:
            raise AnalysisError(
                f"{name}: a tuple must be (times, indices); got a tuple of {len(spikes)}."
            )
        times = np.atleast_1d(as_seconds(spikes[0], f"{name} times"))
        indices = np.asarray(spikes[1])
        if times.shape != indices.shape or times.ndim != 1:
            raise AnalysisError(
                f"{name}: times and indices must be 1-D and of equal length; got shapes "
                f"{times.shape} and {indices.shape}."
            )
        if indices.size and (
            not np.issubdtype(indices.dtype, np.integer) and np.any(indices != np.round(indices))
        ):
            raise AnalysisError(f"{name}: indices must be integers.")
        indices = indices.astype(np.int64, copy=False)
        if indices.size and indices.min() < 0:
            raise AnalysisError(f"{name}: indices must be >= 0; got {indices.min()}.")
        _check_times(times, name)
        order = np.argsort(indices, kind="stable")  # keeps each neuron's given order
        backwards = (np.diff(times[order]) < 0) & (np.diff(indices[order]) == 0)
        if np.any(backwards):
            raise AnalysisError(
                f"{name}: spike times are not sorted in time within neuron "
                f"{indices[order][np.flatnonzero(backwards)[0]]}. Sort them with "
                f"order = np.argsort(times, kind='stable'); times, indices = "
                f"times[order], indices[order]."
            )
        n_found = int(indices.max()) + 1 if indices.size else 0
    elif isinstance(spikes, list):
        trains = [np.atleast_1d(as_seconds(t, f"{name}[{j}]")) for j, t in enumerate(spikes)]
        for j, train in enumerate(trains):
            if train.ndim != 1:
                raise AnalysisError(f"{name}[{j}]: must be 1-D; got shape {train.shape}.")
            if np.any(np.diff(train) < 0):
                raise AnalysisError(
                    f"{name}[{j}]: spike times are not sorted. Sort them with np.sort."
                )
        times = np.concatenate(trains) if trains else np.empty(0)
        indices = np.repeat(np.arange(len(trains)), [t.size for t in trains])
        _check_times(times, name)
        n_found = len(trains)
    else:
        times = np.atleast_1d(as_seconds(spikes, name))
        if times.ndim != 1:
            raise AnalysisError(
                f"{name}: expected (times, indices), a list of arrays or a 1-D array; "
                f"got an array of shape {times.shape}."
            )
        _check_times(times, name)
        if np.any(np.diff(times) < 0):
            raise AnalysisError(
                f"{name}: spike times are not sorted. Sort them with np.sort, or pass "
                f"(times, indices) for several neurons."
            )
        indices = np.zeros(times.size, dtype=np.int64)
        n_found = 1
    if n_neurons is None:
        n_neurons = n_found
    elif n_neurons < n_found:
        raise AnalysisError(
            f"n_neurons: is {n_neurons} but the spike indices go up to {n_found - 1}."
        )
    if times.size < min_spikes:
        raise AnalysisError(f"{name}: needs at least {min_spikes} spike(s); got {times.size}.")
    return SpikeTrains(times, indices, int(n_neurons))


def as_spike_times(spikes, name="spike_times", min_spikes=1):
    """Return all spike times (s) pooled into one 1-D array; order is not required."""
    if hasattr(spikes, "spikes") and isinstance(spikes.spikes, dict):
        spikes = _from_result(spikes, name)
    if isinstance(spikes, tuple) and len(spikes) == 2:
        spikes = spikes[0]
    elif isinstance(spikes, list):
        spikes = np.concatenate([np.atleast_1d(as_seconds(t, name)) for t in spikes] or [[]])
    times = np.atleast_1d(as_seconds(spikes, name))
    if times.ndim != 1:
        raise AnalysisError(f"{name}: must be 1-D; got shape {times.shape}.")
    if times.size < min_spikes:
        raise AnalysisError(f"{name}: needs at least {min_spikes} spike(s); got {times.size}.")
    _check_times(times, name)
    return times


def check_span(times, n_samples, fs, name="spike_times"):
    """Refuse spike times outside the recording ``[0, n_samples / fs]`` (s).

    A simulation sampled at ``fs`` from t = 0 for a duration T has ``T * fs`` samples,
    the last at ``T - 1/fs``; its spikes run up to T.  Phases in the last sample
    interval are extrapolated linearly from the last two samples.
    """
    t_end = n_samples / fs
    t_min, t_max = float(times.min()), float(times.max())
    if t_min < 0 or t_max > t_end:
        raise AnalysisError(
            f"{name}: spikes from {t_min:g} s to {t_max:g} s fall outside the signal's "
            f"span 0 to {t_end:g} s ({n_samples} samples at {fs:g} Hz; the signal starts "
            f"at t = 0). Drop those spikes or pass a longer signal."
        )


def check_phases(phases, name="phases", min_count=1):
    """Return ``phases`` (rad) as a finite float64 array with at least ``min_count`` values."""
    array = np.asarray(phases, dtype=float)
    if array.size < min_count:
        raise AnalysisError(f"{name}: needs at least {min_count} phase(s); got {array.size}.")
    if not np.all(np.isfinite(array)):
        raise AnalysisError(f"{name}: contains NaN or inf.")
    return array


def check_positive(value, name, dimension="second", allow_none=False):
    """Return ``value`` (float in SI or Brian2 quantity) as a finite float > 0."""
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not (isinstance(value, numbers.Real) or hasattr(value, "dim")):
        raise AnalysisError(f"{name}: must be a number > 0; got {value!r}.")
    number = float(_strip(value, name, dimension))
    if not (np.isfinite(number) and number > 0):
        raise AnalysisError(f"{name}: must be a finite number > 0; got {value!r}.")
    return number
