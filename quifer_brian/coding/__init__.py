r"""Encode vectors as spike trains and decode them back: rate, population, latency, phase.

Layout. Encoders take ``values`` of shape ``(n_trials, n_dims)`` (a 1-D array is one
trial) and return ``(times, indices)``: spike times (s) and neuron indices as 1-D
arrays, sorted by time then index like a Brian2 ``SpikeMonitor``'s. Each dimension is
carried by ``neurons_per_dim`` (K) neurons: trial ``b``, dimension ``d``, neuron ``k``
has index ``(b * n_dims + d) * K + k``, so many trials run side by side in one
simulation and ``reshape(n_trials, n_dims, K)`` recovers the structure.

Decoders take ``times`` (s, or a monitor's ``t``), ``indices``, ``shape`` (the
``(n_trials, n_dims)`` of the encoded values), a window ``[t_start, t_stop)`` (s;
half-open, so consecutive windows tile) and the encoder's parameters; they return an
array of ``shape``, NaN where a dimension has no spike in the window.

Times are floats in seconds or Brian2 quantities, rates floats in Hz or quantities;
``seed`` is an int or a ``numpy.random.Generator``. :func:`to_spike_generator` turns
spikes into a ``SpikeGeneratorGroup``, :func:`population_rates` gives a ``PoissonGroup``'s
rates. Bad code parameters or values raise :class:`~quifer_brian.errors.ModelError`; bad
spikes, windows or reference signals :class:`~quifer_brian.errors.AnalysisError` (both
are ``ValueError``).
"""

from .brian_input import to_spike_generator
from .population import decode_population, encode_population, population_rates
from .rate import decode_rate, encode_rate
from .temporal import decode_latency, decode_phase, encode_latency, encode_phase

__all__ = [
    "decode_latency",
    "decode_phase",
    "decode_population",
    "decode_rate",
    "encode_latency",
    "encode_phase",
    "encode_population",
    "encode_rate",
    "population_rates",
    "to_spike_generator",
]
