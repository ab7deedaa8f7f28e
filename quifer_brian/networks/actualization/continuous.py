"""The continuous actualization loop: the reference the spiking loop is built after.

A state vector ``x`` (batch x n_dims) moves in steps under a pull toward a target (focus),
the gradient of a potential with a Gaussian well at every archetype (field) and noise
whose amplitude decays exponentially or harmonically (jitter); the force schedule moves
weight from the field to the focus.  One step stands for :data:`JITTER_STEP` (10 ms) of
the spiking loop, so settling times of the two can be compared directly
(:func:`settling_times`).
"""

import numpy as np
from brian2 import second
from numpy.typing import ArrayLike

from ...checks import Checks
from ...errors import LoopError
from .models import JITTER_STEP
from .readout import first_settled

__all__ = ["continuous_loop", "settling_times"]


def continuous_loop(
    archetypes: ArrayLike,
    initial_states: ArrayLike,
    steps: int = 50,
    target: ArrayLike | int | None = None,
    focus: float = 0.2,
    field: float = 0.3,
    width: float = 0.15,
    release: float = 0.7,
    cue_steps: int = 4,
    ramp_steps: int = 20,
    force_schedule: bool = True,
    noise_amplitude: float = 0.0,
    noise_decay: str = "exponential",
    decay_rate: float = 0.05,
    seed: int | np.random.Generator | None = None,
) -> np.ndarray:
    r"""Run the continuous loop; returns the trajectory ``(steps + 1, batch, n_dims)``.

    .. math::

        x_{i+1} = x_i + s_i\, f\,(x^* - x_i)
                  + (1 - r s_i)\, c \sum_k (a_k - x_i)\, e^{-|x_i - a_k|^2 / 2 w^2}
                  + \sigma_i \xi_i

    with :math:`s_i` ramping from 0 to 1 over ``ramp_steps`` after ``cue_steps`` (the
    spiking loop's cue) or 1 throughout (no schedule), :math:`\sigma_i = A e^{-\lambda i}`
    or :math:`A / (1 + i)`, :math:`\xi_i` standard normal; states are clipped to [0, 1].
    During the cue the state stays at the initial one.

    Parameters
    ----------
    archetypes : array (K, n_dims)
    initial_states : array (batch, n_dims)
    steps : int
    target : array (n_dims,) or (batch, n_dims), optional
        None: no focus.
    focus, field : float
        Focus rate ``f`` and well depth ``c`` per step.
    width : float
        Width of the wells (value units).
    release : float
        Fraction of the field the schedule takes away (with a target only, as in the
        spiking loop).
    cue_steps, ramp_steps : int
    force_schedule : bool
    noise_amplitude, decay_rate : float
        ``A`` (value units per step) and ``lambda``.
    noise_decay : {'exponential', 'harmonic'}
    seed : int, optional
    """
    owner = "continuous_loop"
    check = Checks(owner, LoopError)
    archetypes = np.asarray(archetypes, dtype=float)
    states = np.array(initial_states, dtype=float)
    if archetypes.ndim != 2 or states.ndim != 2 or states.shape[1] != archetypes.shape[1]:
        raise LoopError(
            f"{owner}: archetypes must be (K, dim) and initial_states (batch, dim) with the "
            f"same dim; got shapes {archetypes.shape} and {states.shape}."
        )
    steps = check.count("steps", steps)
    cue_steps = check.count("cue_steps", cue_steps, minimum=0)
    ramp_steps = check.count("ramp_steps", ramp_steps)
    for name, value in {"focus": focus, "field": field, "noise_amplitude": noise_amplitude}.items():
        check.real(name, value, allow_zero=True)
    check.real("width", width, allow_zero=False)
    check.real("decay_rate", decay_rate)
    release = check.fraction("release", release, "a fraction")
    check.choice("noise_decay", noise_decay, ("exponential", "harmonic"))
    goal = None if target is None else np.broadcast_to(np.asarray(target, float), states.shape)
    rng = np.random.default_rng(seed)
    trajectory = [states.copy()]
    for i in range(steps):
        if i < cue_steps:
            trajectory.append(states.copy())
            continue
        schedule = min((i - cue_steps) / ramp_steps, 1.0) if force_schedule else 1.0
        gaps = archetypes[np.newaxis] - states[:, np.newaxis]  # (batch, K, dim)
        wells = np.exp(-(gaps**2).sum(-1) / (2 * width**2))[..., np.newaxis]
        released = release * schedule if goal is not None else 0.0  # as the spiking loop
        step = (1 - released) * field * (gaps * wells).sum(axis=1)
        if goal is not None:
            step += schedule * focus * (goal - states)
        sigma = noise_amplitude * (
            np.exp(-decay_rate * i) if noise_decay == "exponential" else 1 / (1 + i)
        )
        states = np.clip(states + step + sigma * rng.standard_normal(states.shape), 0, 1)
        trajectory.append(states.copy())
    return np.array(trajectory)


def settling_times(
    trajectory: np.ndarray, target: ArrayLike, threshold: float = 0.1, step: float = JITTER_STEP
) -> np.ndarray:
    """When each trial enters ``threshold`` of ``target`` for good (s; NaN: never).

    Measured as :meth:`ActualizationResult.settling_times` measures the spiking loop.
    """
    goal = np.broadcast_to(np.asarray(target, float), trajectory.shape[1:])
    inside = np.sqrt(((trajectory - goal) ** 2).sum(-1)) <= threshold
    first = first_settled(inside)
    return np.where(first >= 0, first * float(step / second), np.nan)
