"""Read-out of the spiking actualization loop: decoded states, distances, rhythm."""

from dataclasses import dataclass, field

import numpy as np
from brian2 import ms, second

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
    times,
    indices,
    batch,
    n_dims,
    neurons_per_dim,
    duration,
    window=READOUT_WINDOW,
    step=READOUT_STEP,
    radius=0.15,
):
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

    Attributes
    ----------
    times : 1-D array (s)
        Ends of the read-out windows.
    trajectory : array (n_windows, batch, n_dims)
        Decoded states (NaN: a dimension without spikes).
    targets : array (batch, n_dims) or None
        The target of every trial (None without focus).
    archetypes : array (K, n_dims)
    result : Result
        The spikes (populations ``'F'``, ``'M'``, ``'I'``) for the analysis functions.
    onsets : 1-D array (batch,)
        Each trial's cue onset (s); None gives zeros.
    distance : array (n_windows, batch)
        Euclidean distance (value units) to the target, or without a target to the
        nearest archetype; NaN where the state is undecodable.  Computed from the rest.
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
    distance: np.ndarray = field(init=False, repr=False)

    def __post_init__(self):
        trajectory = _read_only(self.trajectory)
        onsets = np.zeros(trajectory.shape[1]) if self.onsets is None else self.onsets
        targets, archetypes = self.targets, self.archetypes
        if targets is None:
            gaps = trajectory[:, :, np.newaxis, :] - archetypes[np.newaxis, np.newaxis]
            distance = np.sqrt((gaps**2).sum(axis=-1)).min(axis=-1)
        else:
            distance = np.sqrt(((trajectory - targets[np.newaxis]) ** 2).sum(axis=-1))
        values = {"times": self.times, "trajectory": trajectory, "onsets": onsets}
        values.update(targets=targets, archetypes=archetypes, distance=distance)
        for name, value in values.items():
            object.__setattr__(self, name, _read_only(value))

    @property
    def n_trials(self):
        """Trials run side by side (``batch``)."""
        return self.trajectory.shape[1]

    @property
    def final_states(self):
        """The states decoded in the last window, ``(batch, n_dims)``."""
        return self.trajectory[-1]

    @property
    def silent(self):
        """Trials whose final state cannot be decoded."""
        return np.isnan(self.final_states).any(axis=-1)

    def _index(self, time):
        if time is None:
            return -1
        time = float(time / second) if hasattr(time, "dim") else float(time)
        return int(np.argmin(np.abs(self.times - time)))

    def success(self, threshold=0.1, time=None):
        """Trials within ``threshold`` (value units) of their target at ``time``.

        Parameters
        ----------
        threshold : float
        time : brian2.Quantity or float (s), optional
            Read-out time (the window ending nearest to it); default the end.

        Returns
        -------
        1-D bool array (batch,)
            Silent trials count as failures.
        """
        distance = self.distance[self._index(time)]
        return np.nan_to_num(distance, nan=np.inf) <= threshold

    def states_at(self, times):
        """Each trial's state in the read-out window ending nearest to its time.

        Parameters
        ----------
        times : array (batch,) (s)

        Returns
        -------
        array (batch, n_dims)
        """
        times = np.asarray(times, dtype=float)
        windows = np.argmin(np.abs(self.times[:, np.newaxis] - times[np.newaxis]), axis=0)
        return self.trajectory[windows, np.arange(self.trajectory.shape[1])]

    def settling_times(self, threshold=0.1):
        """When each trial settles: the end of the first read-out window after which
        its distance stays within ``threshold`` to the end of the run, counted from the
        trial's cue onset (s).

        Returns
        -------
        1-D float array (batch,)
            NaN for trials that never settle (or end silent).
        """
        inside = np.nan_to_num(self.distance, nan=np.inf) <= threshold
        after_cue = self.times[:, np.newaxis] > self.onsets[np.newaxis]
        first = first_settled(inside, after_cue)
        return np.where(first >= 0, self.times[first] - self.onsets, np.nan)

    def nearest_archetype(self, time=None):
        """Index of the archetype nearest to each trial's state at ``time``."""
        states = self.trajectory[self._index(time)]
        gaps = states[:, np.newaxis, :] - self.archetypes[np.newaxis]
        return np.argmin(np.nan_to_num((gaps**2).sum(axis=-1), nan=np.inf), axis=-1)


def _read_only(value):
    """``value`` as a read-only array view (None stays None; the caller's array keeps
    its flags)."""
    if value is None:
        return None
    view = np.asarray(value).view()
    view.flags.writeable = False
    return view
