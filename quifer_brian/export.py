"""Results that travel: a :class:`~quifer_brian.result.Result` as a Neo ``Block``.

Neo (https://neo.readthedocs.io) is the common data model of Elephant, NWB
converters and many electrophysiology tools.  :func:`to_neo` turns a result into one
``Block`` with one ``Segment``: one ``SpikeTrain`` per neuron (times in seconds,
``t_stop`` the simulated duration, annotated with its population and neuron index)
and, where the result has one, the LFP proxy as an ``AnalogSignal`` at ``result.fs``.
Neo is an optional dependency: ``pip install 'quifer-brian[neo]'``.
"""

import numpy as np

from .errors import AnalysisError, QuiferError

__all__ = ["to_neo"]


def _import_neo():
    try:
        import neo
        import quantities
    except ImportError as err:
        raise QuiferError(
            "to_neo: needs the neo package, an optional dependency; install it with "
            "pip install 'quifer-brian[neo]'."
        ) from err
    return neo, quantities


def to_neo(result, population=None):
    """Convert a result into a Neo ``Block`` (one ``Segment``).

    Parameters
    ----------
    result : Result
        From ``circuit.run(...)`` or :func:`quifer_brian.load`.
    population : str or sequence of str, optional
        Populations to export (default: all, in the order they were built).

    Returns
    -------
    neo.Block
        ``block.segments[0].spiketrains``: one ``SpikeTrain`` per neuron, population by
        population, neuron by neuron (silent neurons give empty trains), in seconds
        from ``t_start = 0`` to ``t_stop = result.duration``, with annotations
        ``population`` and ``neuron`` (index within the population).
        ``block.segments[0].analogsignals``: the LFP proxy (``name='lfp'``, units A,
        sampled at ``result.fs`` from t = 0) if the result has one.  The block is
        annotated with the result's ``meta`` (circuit, backend, seed) and the segment
        with the population sizes.

    Raises
    ------
    QuiferError
        If neo is not installed.
    AnalysisError
        If ``population`` names a population the result does not have.

    Examples
    --------
    >>> import numpy as np
    >>> from quifer_brian.result import Result
    >>> from quifer_brian.export import to_neo
    >>> result = Result(spikes={"E": (np.array([0.1, 0.2]), np.array([1, 0]))},
    ...                 sizes={"E": 2}, duration=0.5)
    >>> block = to_neo(result)
    >>> [st.magnitude.tolist() for st in block.segments[0].spiketrains]
    [[0.2], [0.1]]
    """
    neo, pq = _import_neo()
    if population is None:
        names = list(result.populations)
    elif isinstance(population, str):
        names = [population]
    else:
        names = list(population)
    for name in names:
        if name not in result.spikes:
            raise AnalysisError(
                f"to_neo.population: no population {name!r} in this result; its "
                f"populations are {result.populations}."
            )
    duration = float(result.duration)
    circuit = result.meta.get("circuit", "quifer_brian result")
    block = neo.Block(name=str(circuit))
    block.annotate(**{k: v for k, v in result.meta.items() if isinstance(v, (str, int, float))})
    segment = neo.Segment(
        name=str(circuit), sizes={name: int(result.sizes[name]) for name in names}
    )
    block.segments.append(segment)
    for name in names:
        times, indices = result.spikes[name]
        times = np.asarray(times, dtype=float)
        indices = np.asarray(indices)
        order = np.argsort(indices, kind="stable")  # keeps time order within a neuron
        times, indices = times[order], indices[order]
        bounds = np.searchsorted(indices, np.arange(int(result.sizes[name]) + 1))
        for neuron in range(int(result.sizes[name])):
            train = neo.SpikeTrain(
                times[bounds[neuron] : bounds[neuron + 1]],
                units=pq.s,
                t_start=0.0 * pq.s,
                t_stop=duration * pq.s,
                name=f"{name}[{neuron}]",
                population=name,
                neuron=neuron,
            )
            segment.spiketrains.append(train)
    if result.lfp is not None:
        signal = neo.AnalogSignal(
            np.asarray(result.lfp, dtype=float).reshape(-1, 1),
            units=pq.A,
            sampling_rate=float(result.fs) * pq.Hz,
            t_start=0.0 * pq.s,
            name="lfp",
            description="LFP proxy (Mazzoni et al. 2015): summed synaptic currents",
        )
        segment.analogsignals.append(signal)
    return block
