"""Between trials: the optimisers that apply e-prop's updates, and rate regularisation.

The weights live here as plain arrays (input and recurrent weights in millivolts,
output weights dimensionless); a compiled program takes them as run values and gives
back the accumulated updates.  Two optimisers, as in NEST's ``eprop_synapse_bsshslm_2020``:

- gradient descent: ``W <- W - eta g``;
- Adam (Kingma & Ba 2015): first and second moments with bias correction,
  ``W <- W - eta m_hat / (sqrt(v_hat) + epsilon)``.

Firing-rate regularisation (Bellec et al. 2020, Methods, eq. 33; NEST's ``c_reg``,
``f_target``): ``E_reg = c_reg / 2 sum_j (f_j - f*)^2`` with ``f_j`` cell ``j``'s spike
count per step over the trial and ``f* = f_target dt``; its gradient is
``c_reg (f_j - f*) / n_steps sum_n e_ji[n]``.
"""

import numpy as np

from ..checks import check_choice, check_finite, check_positive
from ..errors import ModelError

__all__ = ["OPTIMISERS", "Adam", "GradientDescent", "make_optimiser", "rate_regularisation"]

_OWNER = "fit"


class GradientDescent:
    """Plain gradient descent, ``W <- W - learning_rate * g``.

    Parameters
    ----------
    learning_rate : float
        ``eta`` (> 0).
    """

    def __init__(self, learning_rate: float):
        self.learning_rate = _check_rate(learning_rate)

    def step(self, weights: dict, gradients: dict) -> dict:
        """New weights (the arguments are not changed)."""
        return {name: weights[name] - self.learning_rate * gradients[name] for name in weights}


class Adam:
    """Adam (Kingma & Ba 2015), one moment pair per weight array.

    Parameters
    ----------
    learning_rate : float
    beta_1, beta_2, epsilon : float
        Decay of the first and second moments, and the denominator's floor.
    """

    def __init__(self, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = _check_rate(learning_rate)
        self.beta_1, self.beta_2, self.epsilon = float(beta_1), float(beta_2), float(epsilon)
        self.t = 0
        self.m, self.v = {}, {}

    def step(self, weights: dict, gradients: dict) -> dict:
        """New weights; the moments advance by one step."""
        self.t += 1
        new = {}
        for name, w in weights.items():
            g = gradients[name]
            m = self.beta_1 * self.m.get(name, 0.0) + (1 - self.beta_1) * g
            v = self.beta_2 * self.v.get(name, 0.0) + (1 - self.beta_2) * g**2
            self.m[name], self.v[name] = m, v
            m_hat = m / (1 - self.beta_1**self.t)
            v_hat = v / (1 - self.beta_2**self.t)
            new[name] = w - self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon)
        return new


OPTIMISERS = {"gd": GradientDescent, "adam": Adam}


def make_optimiser(name: str, learning_rate: float):
    """``'gd'`` or ``'adam'`` with ``learning_rate``, checked."""
    check_choice("optimizer", name, tuple(OPTIMISERS), owner=_OWNER)
    return OPTIMISERS[name](learning_rate)


def _check_rate(value):
    check_finite("learning_rate", value, owner=_OWNER)
    check_positive("learning_rate", value, owner=_OWNER)
    if np.ndim(value) != 0:
        raise ModelError(
            owner=_OWNER, argument="learning_rate", value=value, problem="must be one number > 0"
        )
    return float(value)


def rate_regularisation(counts, sum_e, n_steps, c_reg, f_target_per_step):
    """``(loss, gradients)`` of the firing-rate regulariser for one trial.

    Parameters
    ----------
    counts : ndarray, shape (n_rec,)
        Spikes per recurrent cell.
    sum_e : dict of str -> ndarray, shape (n_rec, n_pre)
        Summed eligibility traces of the input and recurrent weights (per mV).
    n_steps : int
    c_reg : float
    f_target_per_step : float
        Target spikes per step (``f_target * dt``).

    Returns
    -------
    loss : float
        ``c_reg / 2 sum_j (f_j - f*)^2``.
    gradients : dict of str -> ndarray
        Same keys and shapes as ``sum_e``.
    """
    deviation = np.asarray(counts, dtype=float) / n_steps - f_target_per_step
    loss = 0.5 * c_reg * float(np.sum(deviation**2))
    factor = c_reg * deviation / n_steps
    return loss, {name: factor[:, None] * traces for name, traces in sum_e.items()}
