"""The e-prop network's discrete model in plain numpy: forward pass, BPTT and e-prop.

An independent check of the Brian2 equations (:mod:`.eprop_models`): the same model
written as arrays, with

- :func:`bptt_gradients`: the exact gradient of ``E = 1/2 sum_n sum_k err_k[n]^2`` by
  backpropagation through time, with the pseudo-derivative ``psi`` as ``dz/dv`` and
  the reset taken as constant (as in Bellec et al. 2020);
- :func:`eprop_gradients`: e-prop's forward-only estimate (eligibility traces times
  learning signals), for comparison.

Bellec et al. 2020 (Methods, "Eligibility propagation"): ``dE/dW_ji = sum_t dE/dz_j^t
e_ji^t`` holds exactly; e-prop replaces the total derivative ``dE/dz_j^t`` by the
partial one, the error fed back through ``B = W_out^T``.  Where no cell's spikes reach
another cell (no recurrent weights) the two derivatives coincide, for LIF and ALIF
cells alike (the eligibility vector carries the cell's own adaptation), so e-prop *is*
the gradient.  With recurrent weights, or random feedback weights, it is an
approximation.

All values are plain floats: potentials and weights in millivolts (``theta`` too),
times in steps.
"""

import numpy as np

__all__ = ["bptt_gradients", "eprop_gradients", "forward", "readout_error"]


def readout_error(
    y: np.ndarray, target: np.ndarray, loss: str = "mse", mask: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """``(dE/dy, E)`` of the readout traces ``y`` (n_steps, n_out) for ``loss``.

    ``'mse'``: ``E = 1/2 sum_n sum_k (y_k[n] - y*_k[n])^2``.  ``'cross_entropy'``
    (classification, Bellec et al. 2020, Methods, eq. 30; NEST's ``eprop_readout``
    ``loss='cross_entropy'``): ``pi[n] = softmax(y[n])`` over the readouts,
    ``E = -sum_n m[n] sum_k y*_k[n] log pi_k[n]`` with ``m`` the steps where the loss
    counts (``mask``; default every step), and ``dE/dy_k[n] = m[n] (pi_k[n] - y*_k[n])``
    for targets that sum to 1 at each counted step (one-hot classes).
    """
    y, target = np.asarray(y, dtype=float), np.asarray(target, dtype=float)
    if loss == "mse":
        err = y - target
        return err, 0.5 * float(np.sum(err**2))
    mask = np.ones(len(y)) if mask is None else np.asarray(mask, dtype=float)
    shifted = y - y.max(axis=1, keepdims=True)
    log_pi = shifted - np.log(np.sum(np.exp(shifted), axis=1, keepdims=True))
    err = mask[:, None] * (np.exp(log_pi) - target)
    return err, -float(np.sum(mask[:, None] * target * log_pi))


def forward(params, w_in, w_rec, w_out, x, target, loss="mse", mask=None):
    """Run the model; return its trajectories.

    Parameters
    ----------
    params : dict
        ``alpha``, ``kappa``, ``rho``, ``theta`` (mV), ``beta`` (mV), ``gamma``.
    w_in : ndarray, shape (n_rec, n_in) (mV)
    w_rec : ndarray, shape (n_rec, n_rec) (mV) or None
    w_out : ndarray, shape (n_out, n_rec)
    x : ndarray, shape (n_steps, n_in)
        Input spikes (0/1).
    target : ndarray, shape (n_steps, n_out)
    loss : {'mse', 'cross_entropy'}
    mask : ndarray, shape (n_steps,), optional
        Steps where the cross-entropy counts (see :func:`readout_error`).

    Returns
    -------
    dict
        ``v``, ``a``, ``z``, ``psi`` (n_steps, n_rec) at the threshold, ``y`` and ``err``
        (``dE/dy``, n_steps, n_out), ``loss`` (float).
    """
    alpha, kappa, rho = params["alpha"], params["kappa"], params["rho"]
    theta, beta, gamma = params["theta"], params["beta"], params["gamma"]
    n_steps, n_rec = len(x), w_in.shape[0]
    w_rec = np.zeros((n_rec, n_rec)) if w_rec is None else w_rec
    out = {name: np.zeros((n_steps, n_rec)) for name in ("v", "a", "z", "psi")}
    y_all = np.zeros((n_steps, w_out.shape[0]))
    v, a, y = np.zeros(n_rec), np.zeros(n_rec), np.zeros(w_out.shape[0])
    z_last = np.zeros(n_rec)
    x_last = np.zeros(x.shape[1])
    for n in range(n_steps):
        if n > 0:
            v = alpha * (v + (1 - alpha) * (w_in @ x_last + w_rec @ z_last) - theta * z_last)
            a = rho * (a + z_last)
        threshold = theta + beta * a
        z = (v > threshold).astype(float)
        psi = gamma / theta * np.maximum(0.0, 1.0 - np.abs(v - threshold) / theta)
        y = kappa * y + (1 - kappa) * (w_out @ z)
        for name, value in (("v", v), ("a", a), ("z", z), ("psi", psi)):
            out[name][n] = value
        y_all[n] = y
        z_last, x_last = z, x[n]
    out["y"] = y_all
    out["err"], out["loss"] = readout_error(y_all, target, loss, mask)
    return out


def bptt_gradients(params, w_in, w_rec, w_out, x, target, loss="mse", mask=None):
    """Exact gradients of the loss by backpropagation through time.

    ``loss`` and ``mask`` as for :func:`forward` (mean-squared error by default).

    Returns
    -------
    dict
        ``in`` (n_rec, n_in), ``rec`` (n_rec, n_rec; None without ``w_rec``), ``out``
        (n_out, n_rec), all per mV of weight (``out``: per unit), and ``loss``.
    """
    alpha, kappa, rho = params["alpha"], params["kappa"], params["rho"]
    beta = params["beta"]
    run = forward(params, w_in, w_rec, w_out, x, target, loss, mask)
    z, psi, err = run["z"], run["psi"], run["err"]
    n_steps, n_rec = z.shape
    w_rec_used = np.zeros((n_rec, n_rec)) if w_rec is None else w_rec
    grad_in, grad_rec = np.zeros_like(w_in), np.zeros((n_rec, n_rec))
    grad_out = np.zeros_like(w_out)
    d_y = np.zeros(w_out.shape[0])  # dE/dy[n] through y[n] and later
    d_v_next = np.zeros(n_rec)  # dE/dv[n+1]
    d_a_next = np.zeros(n_rec)  # dE/da[n+1]
    for n in range(n_steps - 1, -1, -1):
        d_y = err[n] + kappa * d_y
        grad_out += (1 - kappa) * np.outer(d_y, z[n])
        d_z = (1 - kappa) * (w_out.T @ d_y) + rho * d_a_next
        if n + 1 < n_steps:
            drive = alpha * (1 - alpha) * d_v_next  # dE/d(input of step n)
            d_z += w_rec_used.T @ drive
            grad_in += np.outer(drive, x[n])
            grad_rec += np.outer(drive, z[n])
        d_v = psi[n] * d_z + alpha * d_v_next
        d_a = -beta * psi[n] * d_z + rho * d_a_next
        d_v_next, d_a_next = d_v, d_a
    return {
        "in": grad_in,
        "rec": None if w_rec is None else grad_rec,
        "out": grad_out,
        "loss": run["loss"],
    }


def eprop_gradients(params, w_in, w_rec, w_out, x, target, feedback=None):
    """e-prop's estimate of the same gradients (forward traces, learning signals).

    Parameters
    ----------
    feedback : ndarray, shape (n_rec, n_out), optional
        ``B``; default ``w_out.T`` (symmetric e-prop).

    Returns
    -------
    dict
        As :func:`bptt_gradients`.
    """
    alpha, kappa, rho = params["alpha"], params["kappa"], params["rho"]
    beta = params["beta"]
    run = forward(params, w_in, w_rec, w_out, x, target)
    z, psi, err = run["z"], run["psi"], run["err"]
    feedback = w_out.T if feedback is None else feedback
    n_steps, n_rec = z.shape
    pre = np.concatenate([x, z], axis=1)  # every presynaptic source
    trace = np.zeros(pre.shape[1])
    eps_a = np.zeros((n_rec, pre.shape[1]))
    e_bar = np.zeros_like(eps_a)
    grad = np.zeros_like(eps_a)
    z_out = np.zeros(n_rec)
    grad_out = np.zeros_like(w_out)
    for n in range(n_steps):
        if n > 0:
            trace = alpha * (trace + (1 - alpha) * pre[n - 1])
        e = psi[n][:, None] * (trace[None, :] - beta * eps_a)
        eps_a = rho * (eps_a + e)
        e_bar = kappa * e_bar + (1 - kappa) * e
        z_out = kappa * z_out + (1 - kappa) * z[n]
        grad += (feedback @ err[n])[:, None] * e_bar
        grad_out += np.outer(err[n], z_out)
    n_in = x.shape[1]
    return {
        "in": grad[:, :n_in],
        "rec": None if w_rec is None else grad[:, n_in:],
        "out": grad_out,
        "loss": run["loss"],
    }
