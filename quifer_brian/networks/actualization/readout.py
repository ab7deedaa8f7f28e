"""Read-out of the spiking actualization loop: decoded states, distances, rhythm."""

from dataclasses import dataclass, field
from typing import cast

import numpy as np
from brian2 import ms, second
from numpy.typing import ArrayLike

from ...errors import LoopError
from .layout import VALUE_RANGE, preferred_values

__all__ = [
    "READOUT_STEP",
    "READOUT_WINDOW",
    "ActualizationResult",
    "decode_states",
    "first_settled",
]

#: Read-out: sliding windows of this length, every READOUT_STEP.
READOUT_WINDOW = 50 * ms
READOUT_STEP = 10 * ms


# ------------------------------------------------------------------------ read-out
def decode_states(
    times: ArrayLike,
    indices: ArrayLike,
    batch: int,
    n_dims: int,
    neurons_per_dim: int,
    duration: float,
    window: float = READOUT_WINDOW,
    step: float = READOUT_STEP,
    radius: float = 0.15,
) -> tuple[np.ndarray, np.ndarray]:
    """Decode F spikes into states in sliding windows (local population vector).

    Parameters
    ----------
    times : 1-D array (s)
    indices : 1-D array of int
        F cell indices (layout in :mod:`.layout`).
    batch, n_dims, neurons_per_dim : int
    duration : float (s) or brian2.Quantity
        End of the last window.
    window, step : brian2.Quantity (second)
        Window length and spacing (the step must divide the window).
    radius : float (value units)
        Cells whose preferred value is within ``radius`` of the most active cell's (in
        the window, counts smoothed over 3 neighbours) enter the weighted mean.

    Returns
    -------
    stops : 1-D array (s)
        End of each window (the state at ``stops[i]`` is read from ``[stops[i] - window,
        stops[i])``).
    states : array (n_windows, batch, n_dims)
        Decoded values, clipped to [0, 1]; NaN where a dimension has no spike in the
        window's neighbourhood.
    """
    step_s = float(step / second)
    width = round(float(window / second) / step_s)
    duration = float(duration / second) if hasattr(duration, "dim") else float(duration)
    n_bins = round(duration / step_s)
    n_cells = batch * n_dims * neurons_per_dim
    times = np.asarray(times, dtype=float)
    bins = np.minimum((times / step_s).astype(int), n_bins - 1)
    counts = np.bincount(
        bins * n_cells + np.asarray(indices, dtype=int), minlength=n_bins * n_cells
    ).reshape(n_bins, n_cells)
    cumulative = np.concatenate([np.zeros((1, n_cells)), np.cumsum(counts, axis=0)])
    window_counts = cumulative[width:] - cumulative[:-width]  # windows ending at bins >= width
    window_counts = window_counts.reshape(-1, batch, n_dims, neurons_per_dim)
    stops = (np.arange(width, n_bins + 1)) * step_s
    preferred = preferred_values(neurons_per_dim)
    padded = np.pad(window_counts, [(0, 0)] * 3 + [(1, 1)])
    smoothed = padded[..., :-2] + 2 * padded[..., 1:-1] + padded[..., 2:]
    peak = preferred[np.argmax(smoothed, axis=-1)]
    near = np.abs(preferred - peak[..., np.newaxis]) <= radius + 1e-12
    weights = window_counts * near
    total = weights.sum(axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        states = (weights * preferred).sum(axis=-1) / total
    states = np.where(total > 0, np.clip(states, *VALUE_RANGE), np.nan)
    return stops, states


def first_settled(inside, eligible=True):
    """Per column of ``inside`` (time x trials, bool): the first eligible row from which
    on every row is inside (a reversed running "all"); -1 where there is none."""
    stays = np.flip(np.logical_and.accumulate(np.flip(inside, axis=0), axis=0), axis=0)
    stays &= eligible
    return np.where(stays.any(axis=0), np.argmax(stays, axis=0), -1)


# -------------------------------------------------------------------------- result
@dataclass(frozen=True, eq=False)
class ActualizationResult:
    """What :meth:`ActualizationLoop.actualize` returns (frozen: nothing changes it
    after construction; its arrays are read-only).

    Three distances are kept apart, so that settling *somewhere* is never read as
    settling where the trial was meant to go:

    - to the **target**: the focus target of each trial (None without focus);
    - to the **cued** archetype: the archetype each trial's cue was made from, as the
      caller declared it (``actualize(..., cued=...)``; None when not declared);
    - to the **nearest** archetype: whichever stored state the trial is closest to.

    :meth:`success` means the declared goal: the focus target, or without focus the
    cued archetype; a run that declares neither has no success to report (it raises).

    Attributes
    ----------
    times : 1-D array (s)
        Ends of the read-out windows.
    trajectory : array (n_windows, batch, n_dims)
        Decoded states (NaN: a dimension without spikes).
    targets : array (batch, n_dims) or None
        The focus target of every trial (None without focus).
    archetypes : array (K, n_dims)
    result : Result
        The spikes (populations ``'F'``, ``'M'``, ``'I'``) for the analysis functions.
    onsets : 1-D array (batch,)
        Each trial's cue onset (s); None gives zeros.
    cued : 1-D int array (batch,) or None
        The archetype each trial was cued with (None: not declared).
    distance_to_target, distance_to_cued : array (n_windows, batch) or None
        Euclidean distance (value units) to the focus target and to the cued archetype
        (None where the run has none); NaN where the state is undecodable.
    distance_to_nearest : array (n_windows, batch)
        Distance to the nearest archetype.
    distance : array (n_windows, batch)
        Distance to the goal (the target, else the cued archetype).
    final_states : array (batch, n_dims)
        The state decoded in the last window.
    silent : 1-D bool array (batch,)
        Trials whose final state has a dimension without spikes.
    """

    times: np.ndarray
    trajectory: np.ndarray
    targets: np.ndarray | None
    archetypes: np.ndarray
    result: object
    onsets: np.ndarray | None = None
    cued: np.ndarray | None = None
    distance_to_target: np.ndarray | None = field(init=False, repr=False)
    distance_to_cued: np.ndarray | None = field(init=False, repr=False)
    distance_to_nearest: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        trajectory = _read_only(self.trajectory)
        onsets = np.zeros(trajectory.shape[1]) if self.onsets is None else self.onsets
        targets, archetypes = self.targets, np.asarray(self.archetypes)
        cued = None if self.cued is None else np.asarray(self.cued, dtype=int)
        gaps = trajectory[:, :, np.newaxis, :] - archetypes[np.newaxis, np.newaxis]
        values = {"times": self.times, "trajectory": trajectory, "onsets": onsets}
        values.update(targets=targets, archetypes=archetypes, cued=cued)
        values.update(
            distance_to_target=None if targets is None else _distance(trajectory, targets),
            distance_to_cued=None if cued is None else _distance(trajectory, archetypes[cued]),
            distance_to_nearest=np.sqrt((gaps**2).sum(axis=-1)).min(axis=-1),
        )
        for name, value in values.items():
            object.__setattr__(self, name, _read_only(value))

    @property
    def n_trials(self) -> int:
        """Trials run side by side (``batch``)."""
        return self.trajectory.shape[1]

    @property
    def final_states(self) -> np.ndarray:
        """The states decoded in the last window, ``(batch, n_dims)``."""
        return self.trajectory[-1]

    @property
    def silent(self) -> np.ndarray:
        """Trials whose final state cannot be decoded."""
        return np.isnan(self.final_states).any(axis=-1)

    @property
    def goal(self) -> str | None:
        """What :meth:`success` measures: ``'target'`` (focus), ``'cued'`` (no focus, cued
        archetypes declared) or None (neither: no success to report)."""
        if self.targets is not None:
            return "target"
        return "cued" if self.cued is not None else None

    @property
    def distance(self) -> np.ndarray:
        """Distance to the goal (:attr:`goal`), ``(n_windows, batch)``.

        Raises
        ------
        LoopError
            When the run declares no goal (no focus target, no cued archetypes).
        """
        return self._distance_to(self._require_goal("distance"), "distance")

    def success(self, threshold: float = 0.1, time: float | None = None) -> np.ndarray:
        """Trials within ``threshold`` of their declared goal at ``time``: the focus
        target, or without focus the archetype they were cued with.

        Parameters
        ----------
        threshold : float (value units)
        time : brian2.Quantity or float (s), optional
            Read-out time (the window ending nearest to it); default the end.

        Returns
        -------
        1-D bool array (batch,)
            Silent trials count as failures.

        Raises
        ------
        LoopError
            When the run declares no goal: pass ``cued=`` to ``actualize`` (or a
            ``target``), or ask :meth:`reached_nearest` for settling into *any* archetype.
        """
        return self._within(self._require_goal("success"), threshold, time)

    def reached_target(self, threshold: float = 0.1, time: float | None = None) -> np.ndarray:
        """Trials within ``threshold`` of their focus target at ``time`` (as
        :meth:`success`); raises for a run without focus."""
        return self._within("target", threshold, time)

    def reached_cued(self, threshold: float = 0.1, time: float | None = None) -> np.ndarray:
        """Trials within ``threshold`` of the archetype they were cued with at ``time``
        (as :meth:`success`); raises for a run whose cued archetypes were not declared."""
        return self._within("cued", threshold, time)

    def reached_nearest(self, threshold: float = 0.1, time: float | None = None) -> np.ndarray:
        """Trials within ``threshold`` of *some* archetype at ``time``: settled, wherever
        (as :meth:`success`).  Not a success measure: a trial that settles into the wrong
        archetype counts here."""
        return self._within("nearest", threshold, time)

    def states_at(self, times: ArrayLike) -> np.ndarray:
        """Each trial's state in the read-out window ending nearest to its time.

        Parameters
        ----------
        times : array (batch,) (s)

        Returns
        -------
        array (batch, n_dims)
        """
        return self.trajectory[self._windows(times), np.arange(self.n_trials)]

    def reached_at(
        self, times: ArrayLike, threshold: float = 0.1, to: str | None = None
    ) -> np.ndarray:
        """Each trial within ``threshold`` of ``to`` at its own read-out time.

        Parameters
        ----------
        times : array (batch,) (s)
            One read-out time per trial (the window ending nearest to it).
        threshold : float (value units)
        to : {'target', 'cued', 'nearest'}, optional
            Default: the goal (:attr:`goal`).

        Returns
        -------
        1-D bool array (batch,)
        """
        to = self._require_goal("reached_at") if to is None else to
        distance = self._distance_to(to, "reached_at")
        reached = distance[self._windows(times), np.arange(self.n_trials)]
        return np.nan_to_num(reached, nan=np.inf) <= threshold

    def settling_times(self, threshold: float = 0.1, to: str | None = None) -> np.ndarray:
        """When each trial settles: the end of the first read-out window after which
        its distance to ``to`` stays within ``threshold`` to the end of the run, counted
        from the trial's cue onset (s).

        Parameters
        ----------
        threshold : float (value units)
        to : {'target', 'cued', 'nearest'}, optional
            Default: the goal (:attr:`goal`).

        Returns
        -------
        1-D float array (batch,)
            NaN for trials that never settle (or end silent).
        """
        to = self._require_goal("settling_times") if to is None else to
        distance = self._distance_to(to, "settling_times")
        inside = np.nan_to_num(distance, nan=np.inf) <= threshold
        after_cue = self.times[:, np.newaxis] > cast(np.ndarray, self.onsets)[np.newaxis]
        first = first_settled(inside, after_cue)
        return np.where(first >= 0, self.times[first] - self.onsets, np.nan)

    def nearest_archetype(self, time: float | None = None) -> np.ndarray:
        """Index of the archetype nearest to each trial's state at ``time``."""
        states = self.trajectory[self._index(time)]
        gaps = states[:, np.newaxis, :] - self.archetypes[np.newaxis]
        return np.argmin(np.nan_to_num((gaps**2).sum(axis=-1), nan=np.inf), axis=-1)

    # -------------------------------------------------------------------- helpers
    def _index(self, time):
        if time is None:
            return -1
        time = float(time / second) if hasattr(time, "dim") else float(time)
        return int(np.argmin(np.abs(self.times - time)))

    def _windows(self, times):
        times = np.asarray(times, dtype=float)
        return np.argmin(np.abs(self.times[:, np.newaxis] - times[np.newaxis]), axis=0)

    def _within(self, to, threshold, time):
        distance = self._distance_to(to, f"reached_{to}")[self._index(time)]
        return np.nan_to_num(distance, nan=np.inf) <= threshold

    def _require_goal(self, method):
        if self.goal is None:
            raise LoopError(
                f"ActualizationResult.{method}: this run declares no goal (no focus target "
                f"and no cued archetypes), so there is no success to measure; pass cued= "
                f"(the archetype each cue was made from) or target= to actualize, or use "
                f"reached_nearest() / to='nearest' for settling into any archetype."
            )
        return self.goal

    def _distance_to(self, to, method):
        distances = {
            "target": self.distance_to_target,
            "cued": self.distance_to_cued,
            "nearest": self.distance_to_nearest,
        }
        if to not in distances:
            raise LoopError(
                f"ActualizationResult.{method}.to: must be one of 'target', 'cued', "
                f"'nearest'; got {to!r}."
            )
        if distances[to] is None:
            how = "target= (a focus)" if to == "target" else "cued= (archetype indices)"
            raise LoopError(
                f"ActualizationResult.{method}: this run has no {to} archetype per trial; "
                f"pass {how} to actualize, or use reached_nearest() for any archetype."
            )
        return distances[to]


def _distance(trajectory, states):
    """Euclidean distance of every decoded state to its trial's row of ``states``."""
    return np.sqrt(((trajectory - states[np.newaxis]) ** 2).sum(axis=-1))


def _read_only(value):
    """``value`` as a read-only array view (None stays None; the caller's array keeps
    its flags)."""
    if value is None:
        return None
    view = np.asarray(value).view()
    view.flags.writeable = False
    return view
