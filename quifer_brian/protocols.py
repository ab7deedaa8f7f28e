"""Standard stimulation protocols run on any backend (f-I curves)."""

from typing import Any

import numpy as np
from brian2 import Network, Quantity, SpikeMonitor, amp, ms, second

from .backends import backend_session
from .checks import (
    MAX_COUNT,
    check_duration,
    check_finite,
    check_quantity,
    check_scalar_quantity,
    check_seed,
)
from .equations import NeuronModel, lif
from .errors import ModelError

__all__ = ["simulate_fi_curve"]


def simulate_fi_curve(
    currents: Quantity,
    model: NeuronModel = lif,
    duration: Quantity = 1 * second,
    dt: Quantity = 0.01 * ms,
    backend: str = "numpy",
    seed: int | None = None,
    **params: Any,
) -> np.ndarray:
    """Firing rate of ``model`` under constant currents, one neuron per current.

    Parameters
    ----------
    currents : brian2.Quantity (amp), 1-D
        Constant input currents (``I_ext``).
    model : NeuronModel
        Default: the library's ``lif``.
    duration : brian2.Quantity (second)
        Simulated time.
    dt : brian2.Quantity (second)
        Time step; the threshold is detected at the first step past it, so each
        interspike interval is late by up to one ``dt``.
    backend : str
        See :mod:`quifer_brian.backends`.
    seed : int, optional
    **params
        Overrides of the model's parameters.

    Returns
    -------
    numpy.ndarray
        Rate in Hz of each neuron: (number of intervals) / (last - first spike time), so
        the onset transient does not bias it; 0 for fewer than two spikes.

    Examples
    --------
    >>> from brian2 import nA, ms
    >>> rates = simulate_fi_curve([0.1, 0.3] * nA, duration=200 * ms, dt=0.1 * ms)
    >>> float(rates[0]), round(float(rates[1]))
    (0.0, 63)
    """
    owner = "simulate_fi_curve"
    check_quantity("currents", currents, amp, owner=owner)
    check_finite("currents", currents, owner=owner)
    check_duration("duration", duration, owner, minimum=dt if _is_time(dt) else None)
    check_scalar_quantity("dt", dt, second, owner=owner)
    check_seed("seed", seed, owner=owner)
    currents = np.atleast_1d(np.asarray(currents / amp, dtype=float))
    if currents.ndim != 1 or currents.size == 0:
        raise ModelError(
            f"simulate_fi_curve.currents: expected a non-empty 1-D array; got shape "
            f"{currents.shape}."
        )
    model.check_params(params)
    if len(currents) > MAX_COUNT:
        raise ModelError(
            f"{owner}.currents: one neuron per current, at most {MAX_COUNT}; got {len(currents)}."
        )
    with backend_session(backend) as session:
        group = model.group(len(currents), dt=dt, **params)
        group.I_ext = currents * amp
        spikes = SpikeMonitor(group)
        session.run(Network(group, spikes), duration, seed=seed)
        trains = spikes.spike_trains()
        rates = np.zeros(len(currents))
        for index, train in trains.items():
            times = np.asarray(train / second)
            if times.size >= 2:
                rates[index] = (times.size - 1) / (times[-1] - times[0])
    return rates


def _is_time(value):
    """Whether ``value`` is a scalar time quantity (its own check comes next)."""
    try:
        return check_scalar_quantity("dt", value, second) is not None
    except (TypeError, ValueError):
        return False
