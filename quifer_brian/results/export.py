"""Results that travel: a :class:`~quifer_brian.results.Result` as Neo or NWB.

Two exports, each to a common data model of electrophysiology; both are optional
dependencies, imported only when called.

- :func:`to_neo` gives a Neo ``Block`` (https://neo.readthedocs.io), the data model of
  Elephant and many analysis tools: one ``Segment`` with one ``SpikeTrain`` per neuron
  (times in seconds, ``t_stop`` the simulated duration, annotated with its population
  and neuron index) and, where the result has one, the LFP proxy as an
  ``AnalogSignal`` at ``result.fs``.  ``pip install 'quifer-brian[neo]'``.
- :func:`to_nwb` gives an ``NWBFile`` (https://pynwb.readthedocs.io), the Neurodata
  Without Borders format of data archives such as DANDI, and writes it to a ``.nwb``
  file atomically when given a path: one row of the ``Units`` table per neuron, the
  LFP proxy and the recorded states as ``TimeSeries`` in ``acquisition``, and the
  parameters and metadata as JSON text in ``notes``.  ``pip install 'quifer-brian[nwb]'``.

Both export the same neurons in the same order: population by population (``population``
selects and orders them), neuron by neuron, silent neurons included.
"""

import datetime
import json
import os
import uuid
from typing import TYPE_CHECKING, Any, cast

import numpy as np

from ..errors import AnalysisError, QuiferError
from .files import atomic_path, strict_json

if TYPE_CHECKING:
    from .result import Result

__all__ = ["to_neo", "to_nwb"]

LFP_DESCRIPTION = "LFP proxy (Mazzoni et al. 2015): summed synaptic currents"


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


def _import_pynwb():
    try:
        import pynwb
    except ImportError as err:
        raise QuiferError(
            "to_nwb: needs the pynwb package, an optional dependency; install it with "
            "pip install 'quifer-brian[nwb]'."
        ) from err
    return pynwb


def _select_populations(result, population, owner):
    """The population names ``population`` selects (all by default), checked."""
    if population is None:
        names = list(result.populations)
    elif isinstance(population, str):
        names = [population]
    else:
        names = list(population)
    for name in names:
        if name not in result.spikes:
            raise AnalysisError(
                f"{owner}.population: no population {name!r} in this result; its "
                f"populations are {result.populations}."
            )
    if not names:
        raise AnalysisError(
            f"{owner}.population: selects no population; got {population!r}. Name one or "
            f"more of {result.populations}, or leave it out for all."
        )
    return names


def _spikes_by_neuron(result, name):
    """Spike times (s) of population ``name`` grouped by neuron, and the group bounds.

    Neuron ``k``'s spikes, in time order, are ``times[bounds[k] : bounds[k + 1]]``.
    """
    times = np.asarray(result.spikes[name][0], dtype=float)
    indices = np.asarray(result.spikes[name][1])
    order = np.lexsort((times, indices))
    times, indices = times[order], indices[order]
    bounds = np.searchsorted(indices, np.arange(int(result.sizes[name]) + 1))
    return times, bounds


def to_neo(result: "Result", population: str | None = None) -> Any:
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

    See Also
    --------
    to_nwb : the same result as an NWB file.

    Examples
    --------
    >>> import numpy as np
    >>> from quifer_brian.results import Result
    >>> from quifer_brian.results.export import to_neo
    >>> result = Result(spikes={"E": (np.array([0.1, 0.2]), np.array([1, 0]))},
    ...                 sizes={"E": 2}, duration=0.5)
    >>> block = to_neo(result)
    >>> [st.magnitude.tolist() for st in block.segments[0].spiketrains]
    [[0.2], [0.1]]
    """
    neo, pq = _import_neo()
    names = _select_populations(result, population, "to_neo")
    duration = float(result.duration)
    circuit = result.meta.get("circuit", "quifer_brian result")
    block = neo.Block(name=str(circuit))
    block.annotate(**{k: v for k, v in result.meta.items() if isinstance(v, (str, int, float))})
    segment = neo.Segment(
        name=str(circuit), sizes={name: int(result.sizes[name]) for name in names}
    )
    block.segments.append(segment)
    for name in names:
        times, bounds = _spikes_by_neuron(result, name)
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
            sampling_rate=float(cast(float, result.fs)) * pq.Hz,
            t_start=0.0 * pq.s,
            name="lfp",
            description=LFP_DESCRIPTION,
        )
        segment.analogsignals.append(signal)
    return block


def to_nwb(
    result: "Result",
    path: str | os.PathLike[str] | None = None,
    session_description: str | None = None,
    identifier: str | None = None,
    session_start_time: datetime.datetime | None = None,
    population: str | None = None,
) -> Any:
    """Convert a result into an NWB file, and write it to ``path`` if given.

    Parameters
    ----------
    result : Result
        From ``circuit.run(...)`` or :func:`quifer_brian.load`.
    path : str or os.PathLike, optional
        A ``.nwb`` file to write.  The file is written under a temporary name in the
        same folder and renamed over ``path`` only once complete: an existing file is
        replaced whole or, if writing fails, left as it was.
    session_description : str, optional
        Default: ``"quifer_brian simulation of the <circuit> circuit (<duration> s)"``.
    identifier : str, optional
        Unique identifier of the file (default: a new random UUID).
    session_start_time : datetime.datetime, optional
        Timezone-aware start of the session (default: now, in UTC).
    population : str or sequence of str, optional
        Populations to put in the ``Units`` table (default: all, in the order they were
        built).  The LFP proxy and the states are exported whatever the selection.

    Returns
    -------
    pynwb.NWBFile
        ``nwbfile.units``: one unit per neuron, population by population, neuron by
        neuron (silent neurons have no spikes), with columns ``spike_times`` (s, from
        t = 0), ``obs_intervals`` (``[[0, result.duration]]`` s), ``population`` and
        ``neuron`` (index within the population).
        ``nwbfile.acquisition['lfp']``: the LFP proxy (units A) if the result has one,
        and ``nwbfile.acquisition[name]`` for each recorded state (units ``'a.u.'``: a
        result does not record the states' units), all sampled at ``result.fs`` from
        t = 0.  ``nwbfile.notes``: the JSON text ``{"params": ..., "meta": ...}``, so
        ``json.loads(nwbfile.notes)["params"] == result.params``.
        When ``path`` is given, this is the file that was written; pynwb writes a file
        object once, so call :func:`to_nwb` again for another copy.

    Raises
    ------
    QuiferError
        If pynwb is not installed.
    AnalysisError
        If ``population`` names a population the result does not have, ``path`` does
        not end in ``.nwb``, ``session_start_time`` is not a timezone-aware datetime,
        or ``result.params`` / ``result.meta`` cannot be written as JSON.

    See Also
    --------
    to_neo : the same result as a Neo block.

    Examples
    --------
    >>> import json
    >>> import numpy as np
    >>> from quifer_brian.results import Result
    >>> from quifer_brian.results.export import to_nwb
    >>> result = Result(spikes={"E": (np.array([0.1, 0.2]), np.array([1, 0]))},
    ...                 sizes={"E": 2}, duration=0.5, meta={"circuit": "demo"})
    >>> nwbfile = to_nwb(result)
    >>> [nwbfile.units.get_unit_spike_times(k).tolist() for k in range(2)]
    [[0.2], [0.1]]
    >>> json.loads(nwbfile.notes)["meta"]
    {'circuit': 'demo'}
    """
    pynwb = _import_pynwb()
    names = _select_populations(result, population, "to_nwb")
    if path is not None:
        path = _check_nwb_path(path)
    start = _check_start_time(session_start_time)
    duration = float(result.duration)
    circuit = result.meta.get("circuit", "quifer_brian")
    if session_description is None:
        session_description = f"quifer_brian simulation of the {circuit} circuit ({duration:g} s)"
    nwbfile = pynwb.NWBFile(
        session_description=session_description,
        identifier=str(uuid.uuid4()) if identifier is None else identifier,
        session_start_time=start,
        notes=_notes(result),
    )
    nwbfile.units = _units_table(result, names)
    for name, (unit, description, values) in _signals(result).items():
        series = pynwb.TimeSeries(
            name=name,
            data=np.asarray(values, dtype=float),
            unit=unit,
            rate=float(cast(float, result.fs)),
            starting_time=0.0,
            description=description,
        )
        nwbfile.add_acquisition(series)
    if path is not None:
        _write_atomically(pynwb, nwbfile, path)
    return nwbfile


def _signals(result):
    """The sampled signals to export: name -> (unit, description, values)."""
    signals = {} if result.lfp is None else {"lfp": ("A", LFP_DESCRIPTION, result.lfp)}
    for name, values in result.states.items():
        if name in signals:
            raise AnalysisError(
                f"to_nwb.result: a recorded state is named {name!r}, the name of the LFP "
                f"proxy's TimeSeries; rename the state."
            )
        signals[name] = ("a.u.", f"recorded state {name!r} of the circuit", values)
    if signals and result.fs is None:
        raise AnalysisError(
            f"to_nwb.result: has sampled signals {sorted(signals)} but no sampling rate; "
            f"got fs=None."
        )
    return signals


def _check_nwb_path(path):
    text = os.fspath(path) if isinstance(path, (str, os.PathLike)) else None
    if not isinstance(text, str) or not text.endswith(".nwb"):
        raise AnalysisError(
            f"to_nwb.path: an NWB file name must end in '.nwb'; got {path!r}. "
            f"Use e.g. path='result.nwb'."
        )
    return text


def _check_start_time(start):
    if start is None:
        return datetime.datetime.now(datetime.UTC)
    if not isinstance(start, datetime.datetime) or start.utcoffset() is None:
        raise AnalysisError(
            f"to_nwb.session_start_time: must be a timezone-aware datetime; got {start!r}. "
            f"Use e.g. datetime.datetime.now(datetime.UTC)."
        )
    return start


def _notes(result):
    """``params`` and ``meta`` as one JSON text."""
    try:
        content = strict_json({"params": result.params, "meta": result.meta})
        return json.dumps(content, allow_nan=False)  # NaN and inf as null
    except (TypeError, ValueError) as err:
        raise AnalysisError(
            f"to_nwb.result: its params and meta must be JSON-able (as Result.save writes "
            f"them); {err}."
        ) from err


def _units_table(result, names):
    """The ``Units`` table: one row per neuron of the populations ``names``."""
    from pynwb.core import VectorData, VectorIndex
    from pynwb.misc import Units

    times, ends, populations, neurons = [], [], [], []
    n_spikes = 0
    for name in names:
        population_times, bounds = _spikes_by_neuron(result, name)
        times.append(population_times[bounds[0] : bounds[-1]])
        ends.append(n_spikes + bounds[1:] - bounds[0])
        n_spikes += bounds[-1] - bounds[0]
        size = int(result.sizes[name])
        populations += [name] * size
        neurons.append(np.arange(size))
    n_units = len(populations)
    spike_times = VectorData(
        name="spike_times", data=np.concatenate(times), description="spike times (s) from t = 0"
    )
    obs_intervals = VectorData(
        name="obs_intervals",
        data=np.tile([0.0, float(result.duration)], (n_units, 1)),
        description="simulated interval (s)",
    )
    columns = [
        spike_times,
        VectorIndex(name="spike_times_index", data=np.concatenate(ends), target=spike_times),
        obs_intervals,
        VectorIndex(
            name="obs_intervals_index", data=np.arange(1, n_units + 1), target=obs_intervals
        ),
        VectorData(name="population", data=populations, description="population of the neuron"),
        VectorData(
            name="neuron", data=np.concatenate(neurons), description="index within its population"
        ),
    ]
    return Units(
        name="units",
        id=np.arange(n_units),
        columns=columns,
        description=f"simulated neurons of the populations {names}, one unit per neuron",
    )


def _write_atomically(pynwb, nwbfile, path):
    """Write ``nwbfile`` to a temporary file next to ``path``, then rename it over ``path``."""
    with atomic_path(path, ".nwb") as temporary, pynwb.NWBHDF5IO(temporary, mode="w") as io:
        io.write(nwbfile)
