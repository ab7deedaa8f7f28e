"""From a run's monitors to a :class:`~quifer_brian.results.Result`, with its checks.

A circuit tells what it records through two small calls: ``circuit.recorded()`` (``{key:
(Brian2 object, variable)}``) and ``circuit.result_layout()`` (sizes, sampling, LFP
spec, parameters; JSON-able).  :func:`read_recorded` copies the recorded arrays out of
Brian2 (runs in this process); a compiled program's files give the same arrays
(:mod:`.compiled`).  Both end in :func:`assemble_result`, which checks the run: NaN in
the LFP or the membrane potentials, a membrane potential or conductance out of its
physiological range during the run (:mod:`.watch`), or a silent network, raise
:class:`~quifer_brian.errors.SimulationError`.
"""

import logging
from typing import Any

import numpy as np

from ..errors import SimulationError
from ..results import Result, package_versions

__all__ = ["assemble_result", "read_recorded"]

logger = logging.getLogger("quifer_brian.backends")


def read_recorded(recorded: dict[str, Any]) -> dict[str, np.ndarray]:
    """Every recorded signal as a plain array (a copy), by key.

    Parameters
    ----------
    recorded : dict of str -> (object, str)
        ``circuit.recorded()``: the Brian2 object and variable of each signal (a
        trailing ``_`` asks for the unitless array); a StateMonitor records neuron 0.
    """
    from brian2 import StateMonitor

    arrays = {}
    for key, (monitor, variable) in recorded.items():
        values = getattr(monitor, variable)
        values = values[:] if variable in ("i", "v") else values
        if isinstance(monitor, StateMonitor):
            values = values[0]  # the one recorded neuron
        # a copy: the device's memory goes away with the session
        arrays[key] = np.array(np.asarray(values), copy=True)
    return arrays


def assemble_result(
    layout: dict[str, Any],
    arrays: dict[str, np.ndarray],
    duration: float,
    backend: str,
    seed: int | None,
    wall: float,
    check: bool = True,
) -> Result:
    """A :class:`Result` from plain arrays and a ``circuit.result_layout()``.

    Shared by runs whose monitors live in this process and runs of a compiled program
    read back from its files (:mod:`quifer_brian.backends.compiled`).
    """
    # here, not at the top: importing the analysis package takes scipy (a second), and a
    # compiled program's rerun imports it while the program runs (see quifer_brian.rerun)
    from ..analysis.lfp import mazzoni_lfp

    sizes = dict(layout["sizes"])
    spikes, rates = {}, {}
    for name in sizes:
        spikes[name] = (
            np.asarray(arrays[f"spikes_{name}_t"], dtype=float),
            np.asarray(arrays[f"spikes_{name}_i"], dtype=np.int32),
        )
        rates[name] = np.asarray(arrays[f"rate_{name}"], dtype=float)
    fs = layout["fs"]
    lfp = None
    if layout["lfp"] is not None:
        spec = layout["lfp"]
        lfp = mazzoni_lfp(
            arrays["lfp_exc"], arrays["lfp_inh"], fs, delay_s=spec["delay_s"], alpha=spec["alpha"]
        )
    states = {
        key[len("state_") :]: np.asarray(values, dtype=float).reshape(len(values), -1)[:, 0]
        for key, values in arrays.items()
        if key.startswith("state_")
    }
    result = Result(
        spikes=spikes,
        sizes=sizes,
        duration=float(duration),
        rates=rates,
        rate_dt=layout["rate_dt"],
        lfp=lfp,
        fs=fs,
        states=states,
        params=dict(layout["params"]),
        meta={
            "circuit": layout["circuit"],
            "backend": backend,
            "seed": seed,
            "wall_time_s": wall,
            "versions": package_versions(),
        },
    )
    if check:
        _check_ranges(layout["circuit"], layout.get("watch", ()), arrays)
        final_v = {name: arrays[f"v_{name}"] for name in sizes if f"v_{name}" in arrays}
        _check_result(layout["circuit"], result, final_v, layout["lfp"])
    return result


def _check_ranges(name, watch, arrays):
    """Raise on the earliest range violation the run's watch groups saw (see :mod:`.watch`)."""
    seen = [
        (float(np.asarray(arrays[entry["key"]]).reshape(-1)[0]), entry)
        for entry in watch
        if entry["key"] in arrays
    ]
    seen = [(first, entry) for first, entry in seen if first >= 0]
    if seen:
        first, entry = min(seen, key=lambda item: item[0])
        raise SimulationError(
            f"{name}: population {entry['population']!r}: {entry['variable']} went out of "
            f"its physiological range ({entry['variable']} {entry['problem']}) first at "
            f"t = {first:.4f} s; the integration diverged or the parameters are wrong "
            f"(reduce dt, check the weights and drives)."
        )


def _check_result(name, result, final_v, lfp):
    if result.lfp is not None and not np.all(np.isfinite(result.lfp)):
        first = int(np.argmax(~np.isfinite(result.lfp)))
        raise SimulationError(
            f"{name}: the LFP proxy of population {lfp['population']!r} became NaN/inf at "
            f"t = {first / result.fs:.4f} s; the integration is unstable (reduce dt or "
            f"check the parameters)."
        )
    for population, v in final_v.items():
        if not np.all(np.isfinite(v)):
            raise SimulationError(
                f"{name}: population {population!r} has NaN membrane potentials at the end "
                f"of the run (t = {result.duration:g} s); reduce dt or check the parameters."
            )
    silent = [p for p, (times, _) in result.spikes.items() if len(times) == 0]
    if len(silent) == len(result.spikes):
        raise SimulationError(
            f"{name}: no population fired a single spike in 0-{result.duration:g} s "
            f"({', '.join(silent)}); the drive is too weak or the network is broken."
        )
    for population in silent:
        logger.warning(
            "%s: population %r fired no spikes in 0-%g s.", name, population, result.duration
        )
