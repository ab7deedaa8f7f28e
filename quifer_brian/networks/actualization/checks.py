"""Argument checks of the actualization loop: states, archetypes, targets, onsets.

Each raises :class:`~quifer_brian.errors.LoopError` naming the owner and the argument,
the value received and the fix, before anything is built.
"""

import numbers
from typing import Any

import numpy as np
from brian2 import second

from ...checks import Checks, check_quantity, check_within
from ...errors import LoopError
from .layout import VALUE_RANGE

__all__ = [
    "as_states",
    "check_archetypes",
    "check_cued",
    "check_onsets",
    "check_patterns",
    "check_separation",
    "target_states",
]


def as_states(name: str, values: Any, rows: int | None, n_dims: int, owner: str) -> np.ndarray:
    """``values`` as a float (rows, n_dims) array in [0, 1] (any number of rows if None)."""
    try:
        array = np.array(values, dtype=float)
    except (TypeError, ValueError) as err:
        raise LoopError(f"{owner}.{name}: must be an array of numbers; got {values!r}.") from err
    expected = f"({rows if rows is not None else 'K'}, {n_dims})"
    if array.ndim != 2 or array.shape[1] != n_dims or (rows is not None and len(array) != rows):
        raise LoopError(f"{owner}.{name}: must have shape {expected}; got shape {array.shape}.")
    if len(array) == 0:
        raise LoopError(f"{owner}.{name}: must not be empty; got shape {array.shape}.")
    low, high = VALUE_RANGE
    fix = "States are coded in that range; rescale or np.clip them."
    return check_within(name, array, low, high, owner, LoopError, "values ", fix)


def check_separation(
    name: str, states: np.ndarray, min_separation: float, owner: str
) -> np.ndarray:
    """``states`` (K, n_dims) if every pair is at least ``min_separation`` apart, else an
    error."""
    gaps = np.sqrt(((states[:, np.newaxis] - states[np.newaxis]) ** 2).sum(axis=-1))
    gaps[np.diag_indices(len(states))] = np.inf
    if gaps.min() < min_separation:
        a, b = np.unravel_index(np.argmin(gaps), gaps.shape)
        raise LoopError(
            f"{owner}.{name}: rows {a} and {b} are {gaps[a, b]:.3g} apart (Euclidean); "
            f"the code separates states at least match_width = {min_separation:g} apart. "
            f"Move them apart or merge them."
        )
    return states


def check_archetypes(
    archetypes: Any, n_archetypes: int, n_dims: int, min_separation: float, owner: str
) -> np.ndarray | None:
    """The archetypes as a float (K, n_dims) array (None when they are to be imprinted)."""
    if n_archetypes is not None:
        n_archetypes = Checks(owner, LoopError).count("n_archetypes", n_archetypes)
    if archetypes is None:
        if n_archetypes is None:
            raise LoopError(
                f"{owner}: give the stored states as archetypes=(K x n_dims array) or their "
                f"number as n_archetypes=K (to imprint them); got neither."
            )
        return None
    array = as_states("archetypes", archetypes, None, n_dims, owner)
    if n_archetypes is not None and n_archetypes != len(array):
        raise LoopError(
            f"{owner}.n_archetypes: must equal the number of archetypes ({len(array)}); "
            f"got {n_archetypes}."
        )
    return check_separation("archetypes", array, min_separation, owner)


def check_patterns(
    patterns: Any, n_patterns: int | None, n_dims: int, min_separation: float, owner: str
) -> np.ndarray:
    """The patterns to imprint as a float (K, n_dims) array: shape, range, number and
    separation checked."""
    array = as_states("patterns", patterns, None, n_dims, owner)
    if len(array) != n_patterns:
        raise LoopError(
            f"{owner}.patterns: the loop has {n_patterns} memory assemblies "
            f"(n_archetypes); got {len(array)} patterns."
        )
    return check_separation("patterns", array, min_separation, owner)


def check_onsets(onsets: Any, batch: int, owner: str) -> np.ndarray:
    """Every trial's cue onset (s), ``(batch,)`` floats >= 0 (zeros if None)."""
    if onsets is None:
        return np.zeros(batch)
    if hasattr(onsets, "dim"):
        check_quantity("onsets", onsets, second, owner)
        onsets = np.asarray(onsets / second, dtype=float)
    try:
        array = np.asarray(onsets, dtype=float)
    except (TypeError, ValueError) as err:
        raise LoopError(f"{owner}.onsets: must be times in seconds; got {onsets!r}.") from err
    if array.ndim == 0:
        array = np.full(batch, float(array))
    if array.shape != (batch,):
        raise LoopError(
            f"{owner}.onsets: must be one cue onset per trial, shape ({batch},); "
            f"got shape {np.shape(onsets)}."
        )
    if not np.all(np.isfinite(array) & (array >= 0)):
        raise LoopError(f"{owner}.onsets: must be finite times >= 0 (s); got {onsets!r}.")
    return array


def target_states(target: Any, archetypes: np.ndarray, batch: int, owner: str) -> np.ndarray | None:
    """The target of every trial, ``(batch, n_dims)``, or None: ``target`` is None, an
    archetype index, one state ``(n_dims,)`` or one per trial ``(batch, n_dims)``."""
    if target is None:
        return None
    n_archetypes, n_dims = archetypes.shape
    if np.ndim(target) == 0:
        if isinstance(target, bool) or not isinstance(target, numbers.Integral):
            raise LoopError(
                f"{owner}.target: must be an archetype index, a state or None; got {target!r}."
            )
        if not 0 <= int(target) < n_archetypes:
            raise LoopError(
                f"{owner}.target: archetype index out of range; got {target}, the loop "
                f"stores {n_archetypes} archetypes (0..{n_archetypes - 1})."
            )
        return np.tile(archetypes[int(target)], (batch, 1))
    states = np.asarray(target, dtype=float)
    if states.ndim == 1:
        states = np.tile(states, (batch, 1)) if states.size == n_dims else states
    return as_states("target", states, batch, n_dims, owner)


def check_cued(cued: Any, batch: int, n_archetypes: int, owner: str) -> np.ndarray | None:
    """The archetype each trial was cued with, ``(batch,)`` ints in [0, K) (None stays
    None: the run then declares no cued archetypes)."""
    if cued is None:
        return None
    array = np.asarray(cued)
    integral = array.dtype.kind in "iu" or (
        array.dtype.kind == "f" and np.all(np.isfinite(array)) and np.all(array == np.round(array))
    )
    if array.shape != (batch,) or not integral:
        raise LoopError(
            f"{owner}.cued: must be one archetype index per trial, integers of shape "
            f"({batch},); got {cued!r}."
        )
    if array.size and not np.all((array >= 0) & (array < n_archetypes)):
        raise LoopError(
            f"{owner}.cued: archetype indices must be in 0..{n_archetypes - 1} (the loop "
            f"stores {n_archetypes}); got {cued!r}."
        )
    return array.astype(int)
