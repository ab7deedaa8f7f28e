"""e-prop's updates from per-cell and per-input factors, without per-synapse state.

Every e-prop quantity of a synapse ``i -> j`` is linear in the presynaptic trace
``xbar_i`` with coefficients that depend on the postsynaptic cell only (Bellec et al.
2020, eqs. 13-14, 22-26; notation of :mod:`~quifer_brian.learning.eprop_models`).  For
LIF cells, with ``e_ji[n] = psi_j[n] xbar_i[n]`` and
``ebar_ji[n] = (1 - kappa) sum_{m<=n} kappa^(n-m) e_ji[m]``, exchanging the two sums of
``g_ji = sum_n L_j[n] ebar_ji[n]`` gives

``g_ji = sum_m psi_j[m] Lbar_j[m] xbar_i[m]`` with
``Lbar_j[m] = (1 - kappa) sum_{n>=m} kappa^(n-m) L_j[n]``,

a product of a (cells x steps) and a (steps x inputs) matrix.  For ALIF cells the
eligibility vector ``eps_ji[n+1] = rho ((1 - beta psi_j[n]) eps_ji[n] + psi_j[n]
xbar_i[n])`` is a linear recursion whose coefficients depend on ``j`` only, so its
adjoint ``lambda_j`` (one backward pass over the cells) gives the per-cell coefficient
``w_j[m] = psi_j[m] (c_j[m] + rho lambda_j[m+1])`` with
``lambda_j[n] = -beta c_j[n] psi_j[n] + rho (1 - beta psi_j[n]) lambda_j[n+1]``, and
``g = w^T xbar`` (``c = Lbar``; ``c = 1`` gives the summed traces ``sum_n e_ji[n]`` of
the rate regulariser).  The numbers are those of the synaptic formulation up to the
order of the floating-point sums; the cost per trial is ``O(n_rec (n_in + n_rec)
n_steps)`` multiply-adds in one matrix product instead of a per-synapse loop every step
inside the simulation.

Reference: Bellec G, Scherr F, Subramoney A, Hajek E, Salaj D, Legenstein R, Maass W
(2020). A solution to the learning dilemma for recurrent networks of spiking neurons.
Nat Commun 11:3625.
"""

import numpy as np

from .eprop_models import EpropSpec

__all__ = [
    "factorised_updates",
    "presynaptic_traces",
    "readout_traces",
    "spike_raster",
]


def presynaptic_traces(spikes: np.ndarray, alpha: float) -> np.ndarray:
    """``xbar[n] = alpha (xbar[n-1] + (1 - alpha) x[n-1])``, ``xbar[0] = 0``.

    Parameters
    ----------
    spikes : ndarray, shape (n_steps, n)
        0/1 per step.
    alpha : float
        Membrane decay per step.

    Returns
    -------
    ndarray, shape (n_steps, n)
        The trace each synapse reads during step ``n`` (before the step's resets).
    """
    spikes = np.asarray(spikes, dtype=float)
    # xbar[n] = alpha xbar[n-1] + alpha (1 - alpha) x[n-1], a first-order filter
    return _lfilter([0.0, alpha * (1 - alpha)], [1.0, -alpha], spikes)


def _lfilter(b, a, x):
    """``scipy.signal.lfilter`` along the steps (imported here: ~0.7 s, needed only
    once a trial's updates are formed)."""
    from scipy.signal import lfilter

    return lfilter(b, a, x, axis=0)


def readout_traces(spikes: np.ndarray, kappa: float) -> np.ndarray:
    """``zout[n] = kappa zout[n-1] + (1 - kappa) z[n]``: spikes filtered as the readouts see
    them, shape (n_steps, n)."""
    return _lfilter([1 - kappa], [1.0, -kappa], np.asarray(spikes, dtype=float))


def spike_raster(
    times: np.ndarray, indices: np.ndarray, n_steps: int, n: int, dt: float
) -> np.ndarray:
    """0/1 matrix ``(n_steps, n)`` of the spikes at ``times`` (s) of cells ``indices``."""
    raster = np.zeros((n_steps, n))
    steps = np.rint(np.asarray(times, dtype=float) / dt).astype(np.int64)
    raster[steps, np.asarray(indices, dtype=np.int64)] = 1.0
    return raster


def _anticausal_filter(signal, kappa):
    """``(1 - kappa) sum_{n>=m} kappa^(n-m) signal[n]`` for every ``m``."""
    backwards = _lfilter([1.0], [1.0, -kappa], signal[::-1])
    return (1 - kappa) * backwards[::-1]


def _cell_coefficients(psi, c, rho, beta):
    """Per-cell coefficients ``w[m]`` of ``xbar[m]`` (see the module's docstring)."""
    if beta == 0:
        return c * psi
    w = np.empty_like(psi)
    lam = np.zeros(psi.shape[1])  # lambda[n + 1]
    for n in range(len(psi) - 1, -1, -1):
        w[n] = psi[n] * (c[n] + rho * lam)
        lam = -beta * c[n] * psi[n] + rho * (1 - beta * psi[n]) * lam
    return w


def factorised_updates(
    spec: EpropSpec,
    inputs: np.ndarray,
    rec_spikes: np.ndarray,
    psi: np.ndarray,
    learning_signal: np.ndarray,
) -> tuple[dict, dict]:
    """``(updates, sum_e)`` of the input and recurrent weights, as matrices.

    Parameters
    ----------
    spec : EpropSpec
    inputs : ndarray, shape (n_steps, n_in)
        Input spikes (0/1).
    rec_spikes : ndarray, shape (n_steps, n_rec)
        Recurrent spikes (0/1), see :func:`spike_raster`.
    psi : ndarray, shape (n_steps, n_rec)
        Pseudo-derivative of each cell at each step (1/volt).
    learning_signal : ndarray, shape (n_steps, n_rec)
        ``L_j[n] = sum_k B_jk err_k[n]``.

    Returns
    -------
    updates, sum_e : dict of str -> ndarray, shape (n_rec, n_pre)
        ``'in'`` (and ``'rec'``): ``g_ji`` and ``sum_n e_ji[n]`` (per volt); the
        recurrent diagonal (autapses, no synapse) is to be ignored.
    """
    beta = float(np.asarray(spec.beta))  # volts; psi is per volt
    lbar = _anticausal_filter(np.asarray(learning_signal, dtype=float), spec.kappa)
    w_g = _cell_coefficients(psi, lbar, spec.rho, beta)
    w_s = _cell_coefficients(psi, np.ones_like(psi), spec.rho, beta)
    traces = {"in": presynaptic_traces(inputs, spec.alpha)}
    if spec.recurrent:
        traces["rec"] = presynaptic_traces(rec_spikes, spec.alpha)
    # einsum's own loops, not BLAS: a threaded BLAS on a loaded machine took 30-100x
    # longer for these (steps x cells)^T (steps x inputs) products (benchmarks/eprop.md)
    updates = {label: np.einsum("nj,ni->ji", w_g, xbar) for label, xbar in traces.items()}
    sum_e = {label: np.einsum("nj,ni->ji", w_s, xbar) for label, xbar in traces.items()}
    return updates, sum_e
