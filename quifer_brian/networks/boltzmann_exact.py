"""Boltzmann machines in plain numpy: checks, exact distributions and the reference chain.

What the spiking sampler (:func:`~quifer_brian.networks.boltzmann_sampler`) is checked
against: the exact distribution :math:`p(z) \\propto \\exp(z^T W z / 2 + b^T z)` over all
:math:`2^n` states (:func:`boltzmann_distribution`), the Kullback-Leibler divergence
(:func:`kl_divergence`), and the same discrete-time neural-sampling chain written in
numpy (:func:`sample_abstract_reference`), event by event.  States are indexed by
:math:`\\sum_k z_k 2^k` everywhere.
"""

import numpy as np

from ..errors import CircuitError

__all__ = [
    "MAX_EXACT_UNITS",
    "boltzmann_distribution",
    "check_clamps",
    "check_machine",
    "kl_divergence",
    "random_machine",
    "sample_abstract_reference",
    "spike_probability",
    "state_frequencies",
    "states_from_spikes",
]

#: Largest machine whose distribution :func:`boltzmann_distribution` enumerates.
MAX_EXACT_UNITS = 20


def check_machine(weights, biases, owner="boltzmann_sampler", error=CircuitError):
    """Return ``(W, b)`` as float arrays if they define a Boltzmann machine.

    ``W`` must be a finite, square, symmetric matrix with a zero diagonal and ``b`` a
    finite vector of the same size; each fault raises ``error`` naming the argument.
    """
    try:
        w = np.array(weights, dtype=float)
        b = np.array(biases, dtype=float)
    except (TypeError, ValueError):
        raise error(
            owner=owner,
            argument="W",
            message=f"{owner}.W, b: must be arrays of numbers; got {weights!r}, {biases!r}.",
        ) from None
    if w.ndim != 2 or w.shape[0] != w.shape[1] or w.shape[0] == 0:
        raise error(
            owner=owner, argument="W", value=w.shape, problem="must be a square (n, n) matrix"
        )
    if b.shape != (w.shape[0],):
        raise error(
            owner=owner,
            argument="b",
            value=b.shape,
            problem=f"must be a vector of length n = {w.shape[0]} (one bias per row of W)",
        )
    for name, array in (("W", w), ("b", b)):
        if not np.all(np.isfinite(array)):
            raise error(owner=owner, argument=name, value="NaN/inf", problem="must be finite")
    if np.any(np.diag(w) != 0):
        raise error(
            owner=owner,
            argument="W",
            value=f"diagonal {np.diag(w)}",
            problem="must have a zero diagonal (no self-coupling in a Boltzmann machine)",
            fix="Fold W[k, k] into b[k] (z_k**2 = z_k) and set the diagonal to 0.",
        )
    asymmetry = float(np.max(np.abs(w - w.T)))
    if asymmetry > 1e-9 * max(1.0, float(np.max(np.abs(w)))):
        raise error(
            owner=owner,
            argument="W",
            value=f"max |W - W.T| = {asymmetry:.3g}",
            problem="must be symmetric (neural sampling needs W[k, i] == W[i, k])",
            fix="Use (W + W.T) / 2.",
        )
    return w, b


def check_clamps(clamp, n_units, n_chains, owner="boltzmann_sampler", error=CircuitError):
    """The clamps as a ``(n_chains, n_units)`` int array: 0 or 1 where clamped, -1 free.

    ``clamp`` is None, one dict ``{unit: 0 or 1}`` for every chain, or a sequence of
    ``n_chains`` such dicts (one per chain).
    """
    table = -np.ones((n_chains, n_units), dtype=int)
    if clamp is None:
        return table
    per_chain = [clamp] * n_chains if isinstance(clamp, dict) else list(clamp)
    if len(per_chain) != n_chains:
        raise error(
            owner=owner,
            argument="clamp",
            value=f"{len(per_chain)} dicts",
            problem=f"must be one dict or one dict per chain (n_chains = {n_chains})",
        )
    for chain, mapping in enumerate(per_chain):
        if not isinstance(mapping, dict):
            raise error(
                owner=owner,
                argument="clamp",
                value=mapping,
                problem="must map unit indices to 0 or 1",
            )
        for unit, value in mapping.items():
            if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)):
                raise error(
                    owner=owner, argument="clamp", value=unit, problem="keys must be integers"
                )
            if not 0 <= unit < n_units:
                raise error(
                    owner=owner,
                    argument="clamp",
                    value=unit,
                    problem=f"unit index out of range [0, {n_units - 1}]",
                )
            if value not in (0, 1):
                raise error(
                    owner=owner,
                    argument="clamp",
                    value=f"{{{unit}: {value!r}}}",
                    problem="a clamped state must be 0 or 1",
                )
            table[chain, int(unit)] = int(value)
    return table


def spike_probability(u, tau_steps, intensity="exponential"):
    """Probability that a free, non-refractory unit spikes in one step, given ``u``.

    ``'exponential'``: :math:`e^{u} dt / \\tau` (Buesing et al. 2011, continuous-time
    intensity :math:`e^{u}/\\tau` on a grid); ``'logistic'``: :math:`\\sigma(u - \\ln K)`,
    :math:`K = \\tau/dt` (their discrete-time version; below 1 for every ``u``).
    """
    u = np.asarray(u, dtype=float)
    if intensity == "exponential":
        return np.exp(u) / tau_steps
    return 1.0 / (1.0 + tau_steps * np.exp(-u))


def boltzmann_distribution(weights, biases):
    r"""The exact distribution :math:`p(z) \propto \exp(z^T W z / 2 + b^T z)`.

    Returns
    -------
    ndarray, shape (2**n,)
        Probability of each state, indexed by :math:`\sum_k z_k 2^k`.

    Examples
    --------
    >>> p = boltzmann_distribution([[0.0, 1.0], [1.0, 0.0]], [0.0, 0.0])
    >>> p.round(3).tolist()  # states 00, 10, 01, 11
    [0.175, 0.175, 0.175, 0.475]
    """
    w, b = check_machine(weights, biases, owner="boltzmann_distribution")
    n = len(b)
    if n > MAX_EXACT_UNITS:
        raise CircuitError(
            owner="boltzmann_distribution",
            argument="W",
            value=w.shape,
            problem=f"at most {MAX_EXACT_UNITS} units can be enumerated",
        )
    states = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
    energy = 0.5 * np.einsum("si,ij,sj->s", states, w, states) + states @ b
    energy -= energy.max()
    p = np.exp(energy)
    return p / p.sum()


def state_frequencies(states):
    """Fraction of samples in each of the :math:`2^n` states (``states``: (..., n) 0/1)."""
    states = np.asarray(states).reshape(-1, np.shape(states)[-1]).astype(np.int64)
    index = states @ (1 << np.arange(states.shape[1], dtype=np.int64))
    counts = np.bincount(index, minlength=2 ** states.shape[1])
    return counts / max(1, counts.sum())


def kl_divergence(p, q):
    """:math:`KL(p \\| q) = \\sum_s p_s \\ln(p_s / q_s)` (nats), over the states with p > 0."""
    p, q = np.asarray(p, dtype=float), np.asarray(q, dtype=float)
    mask = p > 0
    return float(np.sum(p[mask] * np.log(p[mask] / q[mask])))


def random_machine(n_units, seed, weight_sd=0.5, bias_mean=-0.5, bias_sd=0.5):
    """A random Boltzmann machine: symmetric W ~ N(0, sd^2), zero diagonal; b ~ N(mean, sd^2).

    The draws of the issue's exactness check (``n_units=5``, seeds 0, 1, 2).
    """
    rng = np.random.default_rng(seed)
    upper = np.triu(rng.normal(0.0, weight_sd, (n_units, n_units)), 1)
    return upper + upper.T, rng.normal(bias_mean, bias_sd, n_units)


def states_from_spikes(times, indices, n_units, dt, tau_steps, n_steps, every=1, t_start=0.0):
    """Binary states on a grid from spikes: :math:`z_k(m) = 1` iff k spiked in (m - K, m].

    Parameters
    ----------
    times : ndarray (s)
        Spike times; ``indices`` the units.
    dt : float (s)
        The simulation step; ``tau_steps`` = tau / dt (K); ``n_steps`` steps simulated.
    every : int
        Grid spacing in steps; ``t_start`` (s): first grid time.

    Returns
    -------
    grid_steps : ndarray of int
        The step of each sample.
    states : ndarray of uint8, shape (n_samples, n_units)
    """
    steps = np.rint(np.asarray(times, dtype=float) / dt).astype(np.int64)
    indices = np.asarray(indices, dtype=np.int64)
    first = int(np.ceil(t_start / dt - 1e-9))
    grid = np.arange(first, n_steps, every, dtype=np.int64)
    states = np.zeros((len(grid), n_units), dtype=np.uint8)
    for unit in range(n_units):
        own = np.sort(steps[indices == unit])
        if len(own) == 0:
            continue
        last = np.searchsorted(own, grid, side="right") - 1
        valid = last >= 0
        on = np.zeros(len(grid), dtype=bool)
        on[valid] = grid[valid] - own[last[valid]] < tau_steps
        states[:, unit] = on
    return grid, states


def sample_abstract_reference(
    weights, biases, n_steps, tau_steps, seed=None, intensity="exponential", clamp=None
):
    """The discrete-time abstract neural-sampling chain in numpy, event by event.

    The same chain as the spiking sampler: at step m a free unit whose last spike was
    at least K = ``tau_steps`` steps ago spikes with probability
    :func:`spike_probability` of :math:`u_k = b_k + \\sum_i W_{ki} z_i(m-1)`, where
    :math:`z_i(m) = 1` iff unit i spiked in (m - K, m].  Between state changes each unit's
    waiting time is geometric, so the loop runs once per event, not once per step.

    Parameters
    ----------
    clamp : dict, optional
        ``{unit: 0 or 1}``: units held fixed (a clamped 1 never spikes but counts as on).

    Returns
    -------
    times_steps : ndarray of int
        The step of every spike, in order; ``units`` the spiking unit (as a pair).
    """
    w, b = check_machine(weights, biases, owner="sample_abstract_reference")
    n = len(b)
    table = check_clamps(clamp, n, 1, owner="sample_abstract_reference")[0]
    free = table < 0
    b_eff = b + w[:, table == 1].sum(axis=1)
    rng = np.random.default_rng(seed)
    never = -(10 * tau_steps + 10)
    last = np.full(n, never, dtype=np.int64)
    spike_steps, spike_units = [], []
    m = 0
    while m < n_steps:
        z = (last >= m - tau_steps) & (last <= m - 1)  # z(m - 1)
        u = b_eff + w @ z
        eligible = free & (m - last >= tau_steps)
        change = last[z] + tau_steps
        change = np.concatenate([change, change + 1])
        change = change[change > m]
        next_change = int(change.min()) if len(change) else n_steps
        candidates = np.full(n, np.iinfo(np.int64).max, dtype=np.int64)
        if np.any(eligible):
            p = np.minimum(spike_probability(u[eligible], tau_steps, intensity), 1.0)
            candidates[eligible] = m + rng.geometric(p) - 1
        first = int(candidates.min())
        if first < min(next_change, n_steps):
            units = np.flatnonzero(candidates == first)
            last[units] = first
            spike_steps.extend([first] * len(units))
            spike_units.extend(units.tolist())
            m = first + 1
        else:
            m = next_change
    return np.asarray(spike_steps, dtype=np.int64), np.asarray(spike_units, dtype=np.int64)
