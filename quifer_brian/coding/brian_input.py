"""Brian2 input from encoded spikes."""

import numpy as np
from brian2 import Quantity, SpikeGeneratorGroup, defaultclock, get_logger, second
from numpy.typing import ArrayLike

from ..checks import check_count
from ..errors import AnalysisError
from ._common import number, spike_arrays

__all__ = ["to_spike_generator"]

logger = get_logger(__name__)


def to_spike_generator(
    times: ArrayLike,
    indices: ArrayLike,
    n_neurons: int,
    dt: float | Quantity | None = None,
    name: str = "coded_input",
) -> SpikeGeneratorGroup:
    """Return a ``brian2.SpikeGeneratorGroup`` emitting the given spikes.

    Parameters
    ----------
    times : 1-D array (s) or brian2.Quantity
        Any order, >= 0.
    indices : 1-D array of int
    n_neurons : int
        Size of the group (``n_trials * n_dims * neurons_per_dim`` for a code).
    dt : float (s), optional
        Time step of the group; default ``brian2.defaultclock.dt``.
    name : str
        Name of the group, unique within its network.

    Returns
    -------
    brian2.SpikeGeneratorGroup
        Each spike moved to the start of its ``dt`` step (binned as Brian2 bins them);
        repeated spikes of one neuron in one step, which the group refuses, kept once.

    Examples
    --------
    >>> group = to_spike_generator([0.0101, 0.0102, 0.03], [0, 0, 1], 2, dt=0.001)
    >>> np.round(group.spike_time[:] / second, 6).tolist(), group.neuron_index[:].tolist()
    ([0.01, 0.03], [0, 1])
    """
    owner = "to_spike_generator"
    n_neurons = check_count("n_neurons", n_neurons, owner=owner)
    dt = float(defaultclock.dt_) if dt is None else number("dt", dt, second, owner)
    times, indices = spike_arrays(times, indices, n_neurons, owner)
    if times.size and times.min() < 0:
        raise AnalysisError(f"{owner}.times: must be >= 0 s; got {times.min():g} s.")
    steps = np.floor((times + 1e-3 * dt) / dt).astype(np.int64)  # Brian2's own binning
    keys = np.unique(steps * n_neurons + indices)  # sorted by step, then index
    if keys.size < times.size:
        logger.debug(f"{name}: kept once {times.size - keys.size} spike(s) repeated in a step.")
    return SpikeGeneratorGroup(
        n_neurons,
        keys % n_neurons,
        (keys // n_neurons) * dt * second,
        dt=dt * second,
        sorted=True,
        name=name,
    )
