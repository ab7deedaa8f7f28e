"""What a simulation produced, as plain numpy arrays with SI units, saved atomically.

A :class:`Result` is what circuits return from ``run`` and what the analysis functions
accept: ``result.spikes['E']`` is ``(times_in_seconds, indices)``, ``result.lfp`` a 1-D
array sampled at ``result.fs`` Hz starting at t = 0.  ``result.save(path)`` writes one
``.npz`` file (arrays + a JSON metadata record); :func:`load` reads it back without loss.
"""

from dataclasses import dataclass, field

import numpy as np

__all__ = ["Result"]


@dataclass
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
        :func:`quantity_to_json`).
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

    @property
    def populations(self):
        """Names of the populations, in the order they were built."""
        return list(self.spikes)

    @property
    def times(self):
        """Sample times (s) of ``lfp`` and ``states``."""
        n = len(self.lfp) if self.lfp is not None else len(next(iter(self.states.values())))
        return np.arange(n) / self.fs

    def state(self, name):
        """A recorded signal (``states[name]``) as a float array; a clear error if absent."""
        if name not in self.states:
            from .errors import AnalysisError

            raise AnalysisError(
                f"result.state: no recorded state {name!r} in this "
                f"{self.meta.get('circuit', 'circuit')} result; its states are "
                f"{sorted(self.states)}."
            )
        return np.asarray(self.states[name], dtype=float)

    def mean_rate(self, population):
        """Mean firing rate (Hz) of one population over the whole run."""
        times, _ = self.spikes[population]
        return len(times) / (self.sizes[population] * self.duration)

    def save(self, path):
        """Write the result to ``path`` (``.npz``) atomically; see :func:`quifer_brian.io.save`."""
        from .io import save

        return save(self, path)
