"""Neural sampling: spiking networks whose states sample a Boltzmann distribution.

:func:`boltzmann_sampler` builds Buesing et al.'s (2011) abstract neural-sampling
network in Brian2 equations.  Unit k is *on* (:math:`z_k = 1`) for ``tau`` after each of
its spikes, and the network's states :math:`z(t)` sample
:math:`p(z) \\propto \\exp(z^T W z / 2 + b^T z)`.  A run returns the binary states on a
grid and the spikes (:class:`SamplingResult`); clamping units computes conditionals.
The plain numpy references it is checked against are in
:mod:`~quifer_brian.networks.boltzmann_exact`.
"""

from collections.abc import Sequence

import numpy as np
from brian2 import NeuronGroup, Quantity, Synapses, ms, second
from numpy.typing import ArrayLike

from ..checks import check_choice, check_count, check_scalar_quantity
from ..errors import CircuitError
from .boltzmann_exact import (
    check_clamps,
    check_machine,
    spike_probability,
)
from .boltzmann_lif import LifCalibration, lif_parts, lif_run_values
from .boltzmann_result import BoltzmannSampler, SamplingResult
from .circuit import Circuit, CircuitParts

__all__ = [
    "INTENSITIES",
    "LIF_SYNAPSES",
    "MODELS",
    "BoltzmannSampler",
    "SamplingResult",
    "boltzmann_sampler",
]

_OWNER = "boltzmann_sampler"
#: The sampler models: Buesing et al.'s abstract one, Petrovici et al.'s LIF one.
MODELS = ("abstract", "lif")
#: Synapses of the LIF sampler: each spike adds its jump, or renews the conductance.
LIF_SYNAPSES = ("renewing", "additive")
#: Per-step spike probabilities of a free unit: see :func:`boltzmann_exact.spike_probability`.
INTENSITIES = ("exponential", "logistic")

_EQUATIONS = """
b_eff : 1 (constant)  # own bias plus the input of the units clamped on
free : 1 (constant)   # 1: sampled; 0: clamped (never spikes)
kick : 1 (constant)   # 1: spikes in the first step (starts on)
I_rec : 1             # sum of W_ki z_i over the free units (rectangular PSPs)
u = b_eff + I_rec : 1
"""
_THRESHOLDS = {
    "exponential": "free > 0.5 and (rand() < exp(u)*dt/tau or (kick > 0.5 and t < 0.5*dt))",
    "logistic": "free > 0.5 and (rand() < 1/(1 + (tau/dt)*exp(-u)) or (kick > 0.5 and t < 0.5*dt))",
}


def boltzmann_sampler(
    W: ArrayLike,
    b: ArrayLike,
    tau: Quantity = 10 * ms,
    model: str = "abstract",
    dt: Quantity = 0.1 * ms,
    clamp: dict[int, int] | Sequence[dict[int, int]] | None = None,
    n_chains: int | None = None,
    intensity: str = "exponential",
    support: ArrayLike | None = None,
    initial: ArrayLike | None = None,
    calibration: LifCalibration | None = None,
    lif_synapses: str = "renewing",
) -> BoltzmannSampler:
    r"""A spiking network whose states sample :math:`p(z) \propto \exp(z^TWz/2 + b^Tz)`.

    Buesing et al.'s abstract model: outside its refractory period unit k fires with
    intensity :math:`e^{u_k}/\tau`, :math:`u_k = b_k + \sum_i W_{ki} z_i`; after a
    spike it is refractory and on (:math:`z_k = 1`) for ``tau``; each spike adds a
    rectangular PSP of height :math:`W_{ki}` and duration ``tau`` to every unit i.

    Parameters
    ----------
    W : array_like, shape (n, n)
        Symmetric weights with a zero diagonal.
    b : array_like, shape (n,)
        Biases.
    tau : brian2.Quantity (s)
        Refractory period = on-time = PSP duration (10 ms); a whole number of ``dt``.
    model : {'abstract', 'lif'}
        ``'abstract'``: Buesing et al.'s model (below).  ``'lif'``: conductance-based
        LIF neurons in a high-conductance state (Petrovici et al. 2016), W and b
        translated through ``calibration``
        (:mod:`~quifer_brian.networks.boltzmann_lif`); ``intensity`` and ``initial``
        do not apply.  For both models ``W``, ``b``, the clamps (and the
        ``calibration``) are run values: one compiled program per structure.
    dt : brian2.Quantity (s)
        Time step (0.1 ms).
    clamp : dict or sequence of dict, optional
        ``{unit: 0 or 1}`` held fixed in every chain, or one dict per chain: the free
        units then sample the conditional distribution.
    n_chains : int, optional
        Independent copies simulated side by side (default: 1, or one per clamp dict).
    intensity : {'exponential', 'logistic'}
        Per-step spike probability: ``'exponential'`` is :math:`e^{u}dt/\tau`, the
        continuous-time model on a grid, refused when the largest reachable ``u``
        would make it exceed 1; ``'logistic'`` is :math:`\sigma(u - \ln(\tau/dt))`,
        Buesing et al.'s discrete-time version, the same for small :math:`e^{u}dt/\tau`
        and below 1 for every ``u`` (for large weights, e.g. trained RBMs).
    support : array_like of bool, shape (n, n), optional
        Which pairs get a synapse (default: ``W != 0``).  Samplers with the same
        support, sizes, ``tau`` and ``dt`` share one compiled program (``cache=``).
    calibration : LifCalibration, optional
        For ``model='lif'``: the activation function measured by
        :func:`~quifer_brian.networks.boltzmann_lif.calibrate_lif` with the same ``tau``
        and ``dt``.
    lif_synapses : {'renewing', 'additive'}
        For ``model='lif'``: each spike tops the synapse's conductance up to its jump
        (``'renewing'``: a Tsodyks-Markram synapse with U = 1 and tau_rec = ``tau``, as
        the authors' ``sbs`` library), so that a burst of spikes keeps one PSP up, as
        the abstract model's rectangular PSPs do; or adds its jump (``'additive'``), so
        that the PSPs of a burst pile up.  ``'renewing'`` samples about 3x closer
        (KL 0.008-0.015 against 0.024-0.044 on three 5-unit draws,
        ``benchmarks/sampling.md``).
    initial : array_like of 0/1, shape (n,) or (n_chains, n), optional
        The state at t = 0 (default: all off): the free units given 1 spike in the
        first step.  A chain started away from a deep spurious mode (an RBM's empty
        image) does not have to escape it.

    Returns
    -------
    BoltzmannSampler
        ``run(duration, ...)`` returns a :class:`SamplingResult`.

    Raises
    ------
    CircuitError
        Before anything is built, for an asymmetric ``W``, a non-zero diagonal, NaN,
        shapes that do not match, clamps out of range or not 0/1, a ``tau`` that is not
        a whole number of steps, or an ``'exponential'`` intensity that can reach one
        spike per step.

    Notes
    -----
    In discrete time (step ``dt``, :math:`K = \tau/dt`): a unit that last spiked K or
    more steps ago spikes at step m with probability
    :math:`e^{u_k(m)}dt/\tau`, where :math:`u_k(m)` counts the spikes of steps m - K ..
    m - 1 (a synapse pathway adds ``w`` at a spike, another removes it ``tau`` later).
    For one unit with fixed u, the on-fraction is :math:`\sigma(u)` up to
    :math:`O(dt/\tau)` (exactly, for ``'logistic'``).  The numpy reference
    (:func:`~quifer_brian.networks.boltzmann_exact.sample_abstract_reference`) runs
    the same chain.

    References
    ----------
    Buesing, Bill, Nessler & Maass (2011) PLoS Comput Biol 7:e1002211.
    Petrovici, Bill, Bytschok, Schemmel & Meier (2016) Phys Rev E 94:042312.

    Examples
    --------
    >>> from brian2 import ms, second
    >>> sampler = boltzmann_sampler([[0, 1], [1, 0]], [-0.5, -0.5], clamp={0: 1})
    >>> sampler.n_units, sampler.n_chains, sampler.tau_steps
    (2, 1, 100)
    """
    owner = _OWNER
    check_choice("model", model, MODELS, owner, error=CircuitError)
    check_choice("intensity", intensity, INTENSITIES, owner, error=CircuitError)
    check_choice("lif_synapses", lif_synapses, LIF_SYNAPSES, owner, error=CircuitError)
    weights, biases = check_machine(W, b, owner)
    n = len(biases)
    check_scalar_quantity("tau", tau, second, owner, error=CircuitError)
    check_scalar_quantity("dt", dt, second, owner, error=CircuitError)
    ratio = float(tau / dt)
    if abs(ratio - round(ratio)) > 1e-6 or round(ratio) < 2:
        raise CircuitError(
            owner=owner,
            argument="tau",
            value=tau,
            problem=f"must be a whole number (>= 2) of time steps dt = {dt}; tau/dt = {ratio:g}",
        )
    tau_steps = round(ratio)
    if n_chains is None:
        # one chain per clamp dict of a sequence (or per row of the initial states)
        n_chains = 1
        if clamp is not None and not isinstance(clamp, dict):
            n_chains = len(clamp)
        elif clamp is None and initial is not None and np.ndim(initial) == 2:
            n_chains = np.shape(initial)[0]
    check_count("n_chains", n_chains, owner, error=CircuitError)
    table = check_clamps(clamp, n, n_chains, owner)
    mask = weights != 0 if support is None else np.asarray(support, dtype=bool)
    if mask.shape != weights.shape or np.any(weights[~mask] != 0) or np.any(mask != mask.T):
        raise CircuitError(
            owner=owner,
            argument="support",
            value=getattr(mask, "shape", mask),
            problem="must be a symmetric (n, n) bool mask covering every non-zero W",
        )
    np.fill_diagonal(mask, False)
    if (model == "lif" or calibration is not None) and not isinstance(calibration, LifCalibration):
        raise CircuitError(
            owner=owner,
            argument="calibration",
            value=type(calibration).__name__,
            problem="model='lif' needs the measured activation function (a LifCalibration)",
            fix="Pass calibration=calibrate_lif(tau, dt) (quifer_brian.networks.boltzmann_lif).",
        )
    if intensity == "exponential" and model == "abstract":
        _check_intensity(weights, biases, table, tau, dt, tau_steps)
    start = np.zeros((n_chains, n), dtype=int)
    if initial is not None:
        try:
            given: np.ndarray | None = np.broadcast_to(np.asarray(initial), (n_chains, n))
        except ValueError:
            given = None
        if given is None or not np.all((given == 0) | (given == 1)):
            raise CircuitError(
                owner=owner,
                argument="initial",
                value=getattr(initial, "shape", initial),
                problem=f"must be 0/1 values of shape ({n},) or ({n_chains}, {n})",
            )
        start = given
    params = {
        "W": weights,
        "b": biases,
        "clamp": table,
        "support": mask.astype(int),
        "n_chains": n_chains,
        "tau": tau,
        "dt": dt,
        "intensity": intensity,
        "initial": start.astype(int),
        "model": model,
        "lif_synapses": lif_synapses,
        "calibration": None if calibration is None else calibration.as_dict(),  # JSON-able
    }
    tunable = ("W", "b", "clamp", "initial") + (("calibration",) if model == "lif" else ())
    circuit = Circuit("boltzmann", _construct, params, tunable=_run_values, tunable_params=tunable)
    return BoltzmannSampler(circuit, weights, biases, table, tau, dt, intensity)


def _check_intensity(weights, biases, table, tau, dt, tau_steps):
    """Refuse an 'exponential' intensity that can reach one spike per step (worst case u)."""
    u_max = -np.inf
    for clamp in table:
        reachable = np.where(clamp < 0, np.maximum(weights, 0), 0.0)
        reachable += np.where(clamp == 1, weights, 0.0)
        u = biases + reachable.sum(axis=1)
        u_max = max(u_max, float(np.max(u[clamp < 0], initial=-np.inf)))
    p_max = float(spike_probability(u_max, tau_steps, "exponential"))
    if p_max >= 1:
        raise CircuitError(
            owner=_OWNER,
            argument="tau",
            value=f"tau = {tau}, dt = {dt}",
            problem=f"the largest reachable intensity exp(u)/tau (u = {u_max:.3g}, "
            f"b + the positive weights) gives {p_max:.3g} spikes per step: more than one, "
            f"so the sampling would be wrong",
            fix=f"Use dt <= {float(tau / second) * np.exp(-u_max) * 1e3 / 2:.3g} ms, a "
            f"larger tau, or intensity='logistic'.",
        )


def _run_values(
    W, b, clamp, support, n_chains, initial, model="abstract", calibration=None, tau=None, **_
):
    """The tunable values ``{"object.variable": array}``: biases, clamps, weights, start
    (for ``model='lif'``: leak potentials, clamps and conductance jumps)."""
    weights = np.asarray(W, dtype=float)
    table = np.asarray(clamp)
    b_eff, free = _effective_biases(weights, np.asarray(b, dtype=float), table)
    source, target = _pairs(np.asarray(support, dtype=bool), n_chains)
    if model == "lif":
        return lif_run_values(weights, b_eff, free, source, target, calibration, tau)
    n = len(weights)
    kick = np.asarray(initial, dtype=float).reshape(-1)
    values = {"boltzmann_units.b_eff": b_eff, "boltzmann_units.free": free}
    values["boltzmann_units.kick"] = kick
    if len(source):  # no coupled pair: no synapses
        values["boltzmann_synapses.w"] = weights[target % n, source % n]
    return values


def _effective_biases(weights, biases, table):
    """Per neuron of all chains: b plus the input of the units clamped on; free flags."""
    b_eff = biases[None, :] + (table == 1).astype(float) @ weights.T
    return b_eff.reshape(-1), (table < 0).astype(float).reshape(-1)


def _pairs(mask, n_chains):
    """Presynaptic and postsynaptic neuron indices of every synapse of every chain."""
    target, source = np.nonzero(mask)  # mask[k, i]: i -> k
    n = len(mask)
    offsets = (np.arange(n_chains) * n)[:, None]
    return (source[None, :] + offsets).reshape(-1), (target[None, :] + offsets).reshape(-1)


def _construct(
    W, b, clamp, support, n_chains, tau, dt, intensity, initial, model, calibration, lif_synapses
):
    n = len(b)
    if model == "lif":
        b_eff, free = _effective_biases(np.asarray(W), np.asarray(b), np.asarray(clamp))
        source, target = _pairs(np.asarray(support, dtype=bool), n_chains)
        return lif_parts(
            np.asarray(W), b_eff, free, source, target, calibration, tau, dt, lif_synapses
        )
    units = NeuronGroup(
        n * n_chains,
        _EQUATIONS,
        threshold=_THRESHOLDS[intensity],
        refractory=tau,
        dt=dt,
        namespace={"tau": tau},
        name="boltzmann_units",
    )
    values = _run_values(W, b, clamp, support, n_chains, initial)
    for name in ("b_eff", "free", "kick"):
        setattr(units, name, values[f"boltzmann_units.{name}"])
    source, target = _pairs(np.asarray(support, dtype=bool), n_chains)
    if not len(source):
        return CircuitParts(populations={"Z": units})
    synapses = Synapses(
        units,
        units,
        "w : 1",
        on_pre={"up": "I_rec_post += w", "down": "I_rec_post -= w"},
        delay={"down": tau},
        dt=dt,
        namespace={},
        name="boltzmann_synapses",
    )
    synapses.connect(i=source, j=target)
    synapses.w = values["boltzmann_synapses.w"]
    return CircuitParts(populations={"Z": units}, synapses={"W": synapses})
