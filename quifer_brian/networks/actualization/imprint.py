r"""Imprinting: the archetypes of an actualization loop grown by a plasticity rule.

A loop built with ``actualization_loop(n_dims, n_archetypes=K)`` has no archetypes.
:func:`simulate_imprint` (called by :meth:`ActualizationLoop.imprint
<quifer_brian.networks.actualization.loop.ActualizationLoop.imprint>`, which returns a
new loop that stores them) grows them in the F->M (read) and M->F (write-back) weights from
repeated, noisy presentations of K patterns, in one simulation whose every part is in
equations and :class:`~brian2.input.timedarray.TimedArray` s:

- **the schedule**: presentation ``p`` (``presentation`` long) shows pattern
  ``labels[p]`` (every pattern once per round, in a shuffled order) as a noisy version
  ``shown[p] = clip(pattern + N(0, noise), 0, 1)``; two TimedArrays hold ``shown`` and
  ``labels``, and the inputs are on for ``presentation - pause`` of each presentation.
- **the pattern** enters the feature layer F as the loop's tuned cue current (peak
  ``cue_gain``, width ``tuning_width``, over the same preferred values);
- **the label** (the supervision): memory assembly ``labels[p]`` gets a teacher current.
  One assembly per archetype is the loop's design (a conjunctive layer; see
  :mod:`.loop`): *which* assembly stores a pattern is given, *what* it stores
  is learned.  This is a supervised (teacher-forced) association.
- **the plasticity** is a rule of the equation library (default
  :data:`~quifer_brian.equations.istdp`) on every F->M and M->F synapse, starting from
  uniform weights ``initial_weight * w_max``.  During the imprint the plastic synapses
  learn but do not transmit: the activity is clamped by the pattern and the label (the
  clamped phase of supervised Hebbian learning), so a half-learned weight cannot recruit
  a wrong assembly and feed its own growth.

Why :data:`~quifer_brian.equations.istdp` (Vogels et al. 2011) on excitatory synapses:
its drift for uncorrelated pre and post rates is
:math:`\dot w = 2 \eta\, w_{max} \tau\, r_{pre} (r_{post} - \rho_0)`, a covariance
rule whose sign is set by the postsynaptic rate.  F->M (read, :data:`READ_RULE`,
:math:`\rho_0` = 20 Hz, :math:`\eta` = 0.02): a pattern's F cells (pre) potentiate onto
the taught assembly (post ~67 Hz, far above :math:`\rho_0`) and depress onto the silent
ones (~0 Hz).  An F cell that fires for two patterns j and k gains
:math:`\propto r_T - 2 \rho_0` per round (:math:`r_T` the taught rate) onto both
assemblies: with :math:`\rho_0` below half the taught rate a value that two patterns
share is *kept* in both reads, while a value only another pattern has is depressed.
(With :math:`\rho_0` = 30 Hz, the earlier default, shared values ended near or below the
untouched cells' start, so an assembly whose pattern lies near its neighbours read it
through one dimension, and noisy cues of it settled at a neighbour: issue 12,
``benchmarks/imprint_completion.md``.)  M->F
(write-back, :data:`WRITE_RULE`, :math:`\rho_0` = 20 Hz, :math:`\eta` = 0.02): the taught
assembly (pre) potentiates onto the F cells its noisy versions drive above 20 Hz on
average and depresses onto the rest, and saturates within 20 presentations.  Pair STDP
(``stdp_additive``) has no depression for a presynaptic cell whose target is silent, so
the weights between patterns would stay at their start.

What keeps it stable: the rule's hard bounds ``0 <= w <= w_max`` (the loop's ``w_fm`` and
``w_mf``); the clamping (no positive feedback through the learning weights); and the
rule's presynaptic depression term, which takes away from every assembly but the taught
one what the taught one gains (a competition between assemblies for each F cell, in
place of an explicit normalisation).  With a fixed number of presentations the weights
end between the bounds or at them; nothing grows without limit.
"""

import functools
import numbers
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

import numpy as np
from brian2 import Hz, Quantity, Synapses, TimedArray, amp, ms, pA, second
from numpy.typing import ArrayLike

from ...backends import backend_session
from ...checks import Checks
from ...equations import istdp, ou_current
from ...equations.plasticity_model import PlasticityModel
from ...errors import LoopError
from ..circuit import Circuit, CircuitParts
from .checks import check_patterns
from .layout import feature_cells
from .models import IMPRINT_FEATURE_LIF, IMPRINT_MEMORY_LIF, PRESENTED, TEACHER

__all__ = ["READ_RULE", "WRITE_RULE", "ImprintResult", "simulate_imprint", "weight_ratio"]

#: Rule parameters of the read (F->M) and write-back (M->F) synapses for ``istdp``:
#: any F activity under a taught assembly potentiates its read weight, and a value two
#: patterns share stays in both reads (rho_0 below half the taught rate); only F cells
#: the pattern drives above rho_0 keep a write-back weight (a narrow write-back).
READ_RULE = {"eta": 0.02, "rho_0": 20 * Hz}
WRITE_RULE = {"eta": 0.02, "rho_0": 20 * Hz}


# ------------------------------------------------------------------------ result
@dataclass(frozen=True, eq=False)
class ImprintResult:
    """What :func:`simulate_imprint` returns (frozen; its arrays are read-only).

    Attributes
    ----------
    patterns : array (K, n_dims)
    fm_weights : brian2.Quantity (amp), array (n_dims * neurons_per_dim, K * memory_size)
        Learned F->M weights of one trial (row: F cell, column: M cell).
    mf_weights : brian2.Quantity (amp), array (K * memory_size, n_dims * neurons_per_dim)
        Learned M->F weights of one trial (row: M cell, column: F cell).
    labels : 1-D int array (n_presentations,)
        The pattern shown in each presentation.
    shown : array (n_presentations, n_dims)
        The noisy version shown in each presentation.
    ratio : mapping
        ``{'FM': ..., 'MF': ...}``: :func:`weight_ratio` of the learned weights.
    result : Result or None
        The spikes of the imprint (populations ``'F'``, ``'M'``); None without
        presentations.
    """

    patterns: np.ndarray
    fm_weights: object
    mf_weights: object
    labels: np.ndarray
    shown: np.ndarray
    ratio: dict
    result: object

    def __post_init__(self):
        for name in ("patterns", "fm_weights", "mf_weights", "labels", "shown"):
            view = getattr(self, name).view()
            view.flags.writeable = False
            object.__setattr__(self, name, view)
        object.__setattr__(self, "ratio", MappingProxyType(dict(self.ratio)))

    def __repr__(self):
        return (
            f"<ImprintResult patterns={len(self.patterns)} presentations={len(self.labels)} "
            f"ratio FM={self.ratio['FM']:.3g} MF={self.ratio['MF']:.3g}>"
        )


def weight_ratio(
    weights: ArrayLike,
    patterns: ArrayLike,
    neurons_per_dim: int,
    memory_size: int,
    radius: float = 0.05,
) -> float:
    """Mean weight within the patterns over the mean weight between them.

    Parameters
    ----------
    weights : array (n_dims * neurons_per_dim, K * memory_size)
        F->M weights of one trial, or M->F weights transposed.
    patterns : array (K, n_dims)
    neurons_per_dim, memory_size : int
    radius : float (value units)
        The F cells *tuned to* pattern ``k``: those whose preferred value lies within
        ``radius`` of the pattern's value in their dimension.

    Returns
    -------
    float
        Mean of the weights between pattern ``k``'s F cells and memory assembly ``k``
        (over all k) over the mean of the weights between pattern ``j``'s F cells and
        assembly ``k != j``.  An F cell tuned to both ``j`` and ``k`` (the patterns are
        close in its dimension) belongs to both and counts as within for both.  Inf when
        every weight between is 0.

    Examples
    --------
    >>> import numpy as np
    >>> patterns = np.array([[0.2], [0.8]])
    >>> from quifer_brian.networks.actualization.layout import preferred_values
    >>> preferred = preferred_values(13)  # the preferred values of 13 cells
    >>> tuned = np.abs(preferred[:, None] - patterns[:, 0]) <= 0.05
    >>> weights = np.repeat(np.where(tuned, 1.0, 0.1), 2, axis=1)  # 2 cells per assembly
    >>> float(weight_ratio(weights, patterns, 13, 2))
    10.0
    """
    patterns = np.asarray(patterns, dtype=float)
    weights = np.asarray(weights, dtype=float)
    k, n_dims = patterns.shape
    preferred, dimension = feature_cells(1, n_dims, neurons_per_dim)
    tuned = np.abs(preferred[np.newaxis] - patterns[:, dimension]) <= radius + 1e-12
    assembly = np.repeat(np.arange(k), memory_size)
    within = np.zeros(weights.shape, dtype=bool)
    between = np.zeros(weights.shape, dtype=bool)
    for j in range(k):
        within |= np.outer(tuned[j], assembly == j)
        for other in range(k):
            if other != j:
                between |= np.outer(tuned[j] & ~tuned[other], assembly == other)
    mean_between = weights[between].mean()
    return np.inf if mean_between == 0 else weights[within].mean() / mean_between


# ------------------------------------------------------------------------ imprint
def simulate_imprint(
    loop: Any,
    patterns: ArrayLike,
    repetitions: int,
    noise: float = 0.1,
    presentation: Quantity = 100 * ms,
    pause: Quantity = 20 * ms,
    teacher_gain: Quantity = 200 * pA,
    initial_weight: float = 0.5,
    rule: PlasticityModel = istdp,
    read_rule: Mapping[str, Any] | None = None,
    write_rule: Mapping[str, Any] | None = None,
    backend: str = "numpy",
    seed: int | None = None,
) -> "ImprintResult":
    """Grow archetypes from noisy presentations into the loop's weights (see the module
    docstring); the loop is not changed.

    :meth:`ActualizationLoop.imprint
    <quifer_brian.networks.actualization.loop.ActualizationLoop.imprint>` calls this and
    returns, with its result, a new loop that runs with the learned weights.

    Parameters
    ----------
    loop : ActualizationLoop
        Built with ``n_archetypes=K`` (or a loop returned by an earlier imprint).
    patterns : array (K, n_dims)
        In [0, 1], pairwise at least the loop's ``match_width`` apart.
    repetitions : int
        Presentations of each pattern (>= 0; 0 keeps the uniform start: the untrained
        control).
    noise : float (value units)
        Standard deviation of the presented versions (clipped to [0, 1]).
    presentation, pause : brian2.Quantity (second)
        Duration of one presentation; the inputs are off for its last ``pause``.
    teacher_gain : brian2.Quantity (amp)
        Teacher current into the assembly of the presented pattern.
    initial_weight : float
        The uniform start, as a fraction of ``w_max`` (the loop's ``w_fm``, ``w_mf``).
    rule : PlasticityModel
        The plasticity rule of both projections.
    read_rule, write_rule : dict, optional
        Parameter overrides of the rule on F->M and M->F (default, for ``istdp``:
        :data:`READ_RULE`, :data:`WRITE_RULE`).
    backend : {'numpy', 'cython', 'cpp_standalone'}
    seed : int, optional
        Seeds the presentation schedule, the noisy versions and the simulation.

    Returns
    -------
    ImprintResult

    Raises
    ------
    LoopError
        For a loop built with archetypes, or bad patterns (shape, range, number,
        separation), repetitions, durations or weights, before anything is built.

    Examples
    --------
    >>> from quifer_brian.networks import actualization_loop
    >>> loop = actualization_loop(2, n_archetypes=2, batch=1, neurons_per_dim=10,
    ...                           memory_size=2)
    >>> imprinted = simulate_imprint(loop, [[0.2, 0.3], [0.8, 0.7]], 2, seed=1)
    >>> imprinted.fm_weights.shape, imprinted.labels.tolist()
    ((20, 4), [0, 1, 0, 1])
    >>> loop.archetypes is None
    True
    """
    p = loop.params
    owner = "imprint"
    check = Checks(owner, LoopError)
    if p["archetypes"] is not None and not p.get("learned_weights", False):
        raise LoopError(
            f"{owner}: the loop was built with archetypes; build it with "
            f"n_archetypes=K (no archetypes) to imprint them."
        )
    patterns = check_patterns(patterns, p["n_archetypes"], p["n_dims"], p["match_width"], owner)
    repetitions = check.count("repetitions", repetitions, minimum=0)
    noise = check.real("noise", noise)
    check.scalar_quantity("presentation", presentation, second)
    check.scalar_quantity("pause", pause, second, allow_zero=True)
    if not float(pause / presentation) < 1:
        raise LoopError(
            f"{owner}.pause: must be shorter than the presentation ({presentation}); got {pause}."
        )
    check.scalar_quantity("teacher_gain", teacher_gain, amp)
    initial_weight = check.real("initial_weight", initial_weight)
    if initial_weight > 1:
        raise LoopError(
            f"{owner}.initial_weight: a fraction of w_max in [0, 1]; got {initial_weight!r}."
        )
    if not isinstance(rule, PlasticityModel):
        raise LoopError(f"{owner}.rule: must be a PlasticityModel; got {rule!r}.")
    default_read, default_write = (READ_RULE, WRITE_RULE) if rule is istdp else ({}, {})
    read_rule = dict(default_read if read_rule is None else read_rule)
    write_rule = dict(default_write if write_rule is None else write_rule)
    rule.check_params(read_rule)
    rule.check_params(write_rule)
    if seed is not None and not isinstance(seed, numbers.Integral):
        raise LoopError(f"{owner}.seed: must be an integer or None; got {seed!r}.")

    k, n_dims = patterns.shape
    rng = np.random.default_rng(seed)
    labels = np.array([rng.permutation(k) for _ in range(repetitions)], dtype=int).reshape(-1)
    shown = np.clip(patterns[labels] + rng.normal(0, noise, (len(labels), n_dims)), 0, 1)
    n_f, n_m = n_dims * p["neurons_per_dim"], k * p["memory_size"]
    fm = np.full((n_f, n_m), initial_weight) * p["w_fm"]
    mf = np.full((n_m, n_f), initial_weight) * p["w_mf"]
    result = None
    if repetitions:
        params = dict(
            p,
            shown=shown,
            labels=labels,
            presentation=presentation,
            duty=1 - float(pause / presentation),
            teacher_gain=teacher_gain,
            initial_weight=initial_weight,
            rule=rule.name,
            read_rule=read_rule,
            write_rule=write_rule,
        )
        with backend_session(backend) as session:
            construct = functools.partial(_construct_imprint, plasticity=rule)
            circuit = Circuit("imprint", construct, params)
            result = circuit.run(len(labels) * presentation, session=session, seed=seed)
            fm = _weight_matrix(circuit.synapses["FM"], n_f, n_m)
            mf = _weight_matrix(circuit.synapses["MF"], n_m, n_f)
    radius = p["tuning_width"]
    sizes = (p["neurons_per_dim"], p["memory_size"])
    ratio = {
        "FM": weight_ratio(np.asarray(fm), patterns, *sizes, radius),
        "MF": weight_ratio(np.asarray(mf).T, patterns, *sizes, radius),
    }
    return ImprintResult(patterns, fm, mf, labels, shown, ratio, result)


def _weight_matrix(synapses, n_pre, n_post):
    """The synapses' ``w`` as a (pre, post) matrix (amp)."""
    matrix = np.zeros((n_pre, n_post))
    matrix[np.asarray(synapses.i[:]), np.asarray(synapses.j[:])] = np.asarray(synapses.w_[:])
    return matrix * amp


def _plastic(source, target, rule, w_max, start, name, overrides):
    """All-to-all synapses that only learn: ``rule``'s equations and event code, no effect."""
    namespace = rule.namespace(**overrides)
    namespace["w_max"] = w_max
    synapses = Synapses(
        source,
        target,
        model="w : amp\n" + rule.equations,
        on_pre=rule.on_pre,
        on_post=rule.on_post,
        namespace=namespace,
        method=rule.method,
        dt=target.clock.dt,
        name=name,
    )
    synapses.connect()
    synapses.w = start * w_max
    return synapses


def _construct_imprint(
    n_dims,
    n_archetypes,
    neurons_per_dim,
    memory_size,
    drive_f,
    drive_m,
    noise_e,
    w_fm,
    w_mf,
    tuning_width,
    cue_gain,
    dt,
    shown,
    labels,
    presentation,
    duty,
    teacher_gain,
    initial_weight,
    plasticity,
    read_rule,
    write_rule,
    **unused,
):
    n, m, k = neurons_per_dim, memory_size, n_archetypes
    timing = {"period": presentation, "duty": duty}
    background = ou_current.labelled("bg").with_params(sigma=noise_e, tau=5 * ms)
    presented = PRESENTED.with_params(I_peak=cue_gain, width=tuning_width, **timing)
    teacher = TEACHER.with_params(I_peak=teacher_gain, **timing)
    feature = IMPRINT_FEATURE_LIF.group(
        n_dims * n, name="imprint_F", currents=[background, presented], dt=dt
    )
    feature.pref, feature.dimension = feature_cells(1, n_dims, n)
    feature.I_ext = drive_f
    feature.namespace["shown"] = TimedArray(shown, dt=presentation, name="imprint_shown")
    memory = IMPRINT_MEMORY_LIF.group(
        k * m, name="imprint_M", currents=[background, teacher], dt=dt
    )
    memory.assembly = np.arange(k * m) // m
    memory.I_ext = drive_m
    memory.namespace["label"] = TimedArray(
        labels.astype(float), dt=presentation, name="imprint_label"
    )
    for group in (feature, memory):
        group.v = "V_reset + rand()*(V_th - V_reset)"
    fm = _plastic(feature, memory, plasticity, w_fm, initial_weight, "imprint_FM", read_rule)
    mf = _plastic(memory, feature, plasticity, w_mf, initial_weight, "imprint_MF", write_rule)
    return CircuitParts(populations={"F": feature, "M": memory}, synapses={"FM": fm, "MF": mf})
