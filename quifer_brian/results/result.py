"""What a simulation produced, as plain numpy arrays with SI units, saved atomically.

A :class:`Result` is what circuits return from ``run`` and what the analysis functions
accept: ``result.spikes['E']`` is ``(times_in_seconds, indices)``, ``result.lfp`` a 1-D
array sampled at ``result.fs`` Hz starting at t = 0.  ``result.save(path)`` writes one
``.npz`` file (arrays + a JSON metadata record); :func:`load` reads it back without loss.
"""

import os
from dataclasses import dataclass, field, replace
from typing import Any, cast

import numpy as np

from ..errors import AnalysisError, ResultFileError
from .files import write_record
from .schema import check_result_fields, read_result_file

__all__ = ["Result", "load"]

FORMAT = "quifer-result"
FORMAT_VERSION = 1


@dataclass(frozen=True)
class Result:
    """The output of one simulation.

    Attributes
    ----------
    spikes : dict of str -> (ndarray, ndarray)
        Per population: spike times (s, float64) and neuron indices (int32), in time order.
    sizes : dict of str -> int
        Number of neurons per population.
    rates : dict of str -> ndarray
        Instantaneous population rate (Hz) per population, sampled every ``rate_dt`` s.
    rate_dt : float
        Sampling interval of ``rates`` (s).
    lfp : ndarray or None
        LFP proxy (arbitrary units: amperes of the summed currents), sampled at ``fs``.
    fs : float or None
        Sampling rate of ``lfp`` and ``states`` (Hz).
    states : dict of str -> ndarray
        Other recorded signals (population sums, phases ...), sampled at ``fs``.
    duration : float
        Simulated time (s).
    params : dict
        Builder parameters; quantities as ``{"value": ..., "unit": ...}`` (see
        :func:`quifer_brian.units.quantity_to_json`).
    meta : dict
        Backend, seed, versions, wall times, circuit name.
    """

    spikes: dict
    sizes: dict
    duration: float
    rates: dict = field(default_factory=dict)
    rate_dt: float | None = None
    lfp: np.ndarray | None = None
    fs: float | None = None
    states: dict = field(default_factory=dict)
    params: dict = field(default_factory=dict)
    meta: dict = field(default_factory=dict)

    def __repr__(self) -> str:
        """A few lines: network, duration, backend, populations with their counts, keys.

        Examples
        --------
        >>> r = Result({"E": (np.array([0.1, 0.2]), np.array([0, 1]))}, {"E": 4}, 1.0)
        >>> print(repr(r))
        Result(network=?, 1 s, backend=?, seed=?)
          E: 4 neurons, 2 spikes (0.5 Hz)
          lfp: none; states: none; rates: none
          params: none
        """
        meta = self.meta
        lines = [
            f"Result(network={meta.get('circuit', '?')}, {self.duration:g} s, "
            f"backend={meta.get('backend', '?')}, seed={meta.get('seed', '?')})"
        ]
        for name in self.populations:
            count = len(self.spikes[name][0])
            size = self.sizes.get(name, 0)
            rate = f" ({count / (size * self.duration):.3g} Hz)" if size and self.duration else ""
            lines.append(f"  {name}: {size} neurons, {count} spikes{rate}")
        lfp = "none" if self.lfp is None else f"{len(self.lfp)} samples at {self.fs:g} Hz"
        lines.append(f"  lfp: {lfp}; states: {_keys(self.states)}; rates: {_keys(self.rates)}")
        lines.append(f"  params: {_keys(self.params)}")
        return "\n".join(lines)

    def with_meta(self, **items: Any) -> "Result":
        """A copy of the result with ``items`` added to its ``meta`` (this one unchanged)."""
        return replace(self, meta={**self.meta, **items})

    @property
    def populations(self) -> list[str]:
        """Names of the populations, in the order they were built."""
        return list(self.spikes)

    @property
    def times(self) -> np.ndarray:
        """Sample times (s) of ``lfp`` and ``states``."""
        n = len(self.lfp) if self.lfp is not None else len(next(iter(self.states.values())))
        return np.arange(n) / cast(float, self.fs)

    def state(self, name: str) -> np.ndarray:
        """A recorded signal (``states[name]``) as a float array; a clear error if absent."""
        if name not in self.states:
            raise AnalysisError(
                f"result.state: no recorded state {name!r} in this "
                f"{self.meta.get('circuit', 'circuit')} result; its states are "
                f"{sorted(self.states)}."
            )
        return np.asarray(self.states[name], dtype=float)

    def mean_rate(self, population: str) -> float:
        """Mean firing rate (Hz) of one population over the whole run."""
        times, _ = self.spikes[population]
        return len(times) / (self.sizes[population] * self.duration)

    def save(self, path: str | os.PathLike[str]) -> str | os.PathLike[str]:
        """Write the result to ``path`` (``.npz``), atomically.

        The file is written to a temporary file in the same folder and renamed over
        ``path`` only once complete, so a crash mid-write leaves any old file intact.
        :func:`load` reads it back without loss.
        """
        arrays = {}
        for name, (times, indices) in self.spikes.items():
            arrays[f"spikes/{name}/t"] = np.asarray(times, dtype=float)
            arrays[f"spikes/{name}/i"] = np.asarray(indices, dtype=np.int32)
        for name, rate in self.rates.items():
            arrays[f"rates/{name}"] = np.asarray(rate, dtype=float)
        for name, state in self.states.items():
            arrays[f"states/{name}"] = np.asarray(state)
        if self.lfp is not None:
            arrays["lfp"] = np.asarray(self.lfp, dtype=float)
        metadata = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "sizes": self.sizes,
            "duration": self.duration,
            "rate_dt": self.rate_dt,
            "fs": self.fs,
            "params": self.params,
            "meta": self.meta,
            "populations": self.populations,
        }
        return write_record(os.fspath(path), arrays, metadata)

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> "Result":
        """The result saved at ``path`` (see :func:`load`)."""
        return load(path)


def _keys(mapping, shown=8):
    """``mapping``'s keys as short text: at most ``shown`` names, then how many more."""
    names = [str(key) for key in mapping]
    if not names:
        return "none"
    more = f" ... (+{len(names) - shown})" if len(names) > shown else ""
    return ", ".join(names[:shown]) + more


def load(path: str | os.PathLike[str]) -> Result:
    """Read a :class:`Result` saved with :meth:`Result.save`, checked against its schema.

    Every array's declared type and shape is checked before it is read (a damaged or
    crafted file cannot ask for a huge allocation), then the content: spike times finite
    and within the run (put in time order if they are not), neuron indices within the
    population sizes, sizes and sampling rates sane.

    Raises
    ------
    ResultFileError
        If the file cannot be read, is not a quifer result, or fails the schema (the
        message names the file and the field).
    """
    path = os.fspath(path)
    arrays, metadata = read_result_file(path)
    if metadata is None:
        raise ResultFileError(f"load: {path!r} is not a quifer result (no metadata record).")
    if not isinstance(metadata, dict) or metadata.get("format") != FORMAT:
        raise ResultFileError(f"load: {path!r} is not a quifer result file.")
    version = metadata.get("format_version")
    if version != FORMAT_VERSION:
        raise ResultFileError(
            f"load: {path!r} has format_version {version!r}; this version of quifer_brian "
            f"reads version {FORMAT_VERSION}."
        )
    return Result(**check_result_fields(path, arrays, metadata))
