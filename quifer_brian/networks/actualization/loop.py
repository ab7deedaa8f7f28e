"""The spiking actualization loop: a noisy cue settles into a stored archetype.

The continuous "mind's eye" loop moves a state vector under a focus force (a pull toward
a target), a potential field (wells at the stored archetypes) and annealed jitter, with a
schedule that shifts weight from the field to the focus.  :func:`actualization_loop`
builds the same loop as a spiking circuit whose every part is in equations, so it runs on
numpy, in one compiled cpp_standalone program (rerun with other archetypes, cues, targets,
gains and noise through ``run_args``) and as generated CUDA code:

- **feature layer F** (the state): per trial and dimension, ``neurons_per_dim`` LIF cells
  with preferred values spread evenly over a little more than the coded range (index
  layout and preferred values: :mod:`.layout`).
- **memory layer M** (the potential field): per trial, one assembly of ``memory_size``
  LIF cells per archetype.  F->M weights are the Gaussian match between the F cell's
  preferred value and the archetype's value in that cell's dimension, so an M assembly
  needs matching input in *all* dimensions to win; M->F weights are the same match, so
  the winner writes its archetype back into F.  (Pairwise Hebbian weights between the
  per-dimension populations settle into mixtures of archetypes; the conjunctive layer
  does not.)  The recurrent excitation (F->M, M->F, M->M) depresses (Tsodyks-Markram
  resource ``x_d`` per presynaptic cell): without depression it saturates at
  refractory-limited rates or dies out.
- **interneurons I** (PING): fast GABA_A-like inhibition onto F, M and I keeps the
  activity sparse, makes the M assemblies compete, and paces a gamma rhythm that emerges
  from the E-I loop.
- **cue**: the initial state, written into F as a tuned input current during the first
  ``t_cue``; **focus**: a tuned top-down current toward the target whose gain follows the
  schedule; **jitter**: an Ornstein-Uhlenbeck current per memory assembly (shared by its
  cells) times a decaying gain: noise on the potential field, so that a trial can leave a
  wrong basin while the focus grows.  (Independent noise per F cell averages out in the
  F->M sums and hardly moves the state.)
- **read-out**: the F spikes decoded in sliding windows by a local population vector
  (:func:`decode_states`).

Trials are independent copies side by side in one simulation (block-diagonal
connectivity), so a batch of trials costs one run.
"""

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, cast

import numpy as np
from brian2 import Quantity, amp, ms, pA, second
from numpy.typing import ArrayLike

from ...checks import (
    Checks,
)
from ...errors import LoopError
from ...results import Result
from ..circuit import Circuit
from ..params import REQUIRED, Param, ParamTable
from .checks import as_states, check_archetypes, check_cued, check_onsets, target_states
from .construct import TUNABLE, construct_loop, loop_run_values
from .imprint import ImprintResult, simulate_imprint
from .readout import READOUT_WINDOW, ActualizationResult, decode_states

#: Decays of the jitter's amplitude.
NOISE_DECAYS = ("exponential", "harmonic")

__all__ = ["NOISE_DECAYS", "ActualizationLoop", "actualization_loop", "random_archetypes"]


# ---------------------------------------------------------------------------- loop
class ActualizationLoop:
    """A spiking actualization circuit (see :func:`actualization_loop`).

    Immutable: its ``params`` are a read-only mapping, and :meth:`imprint` returns a new
    loop instead of changing this one.
    """

    def __init__(self, params: Mapping[str, Any]) -> None:
        self._params = MappingProxyType(dict(params))

    @property
    def params(self) -> Mapping[str, Any]:
        """The loop's parameters (read-only), as :func:`actualization_loop` checked them."""
        return self._params

    @property
    def n_dims(self) -> int:
        return self._params["n_dims"]

    @property
    def n_archetypes(self) -> int:
        return self._params["n_archetypes"]

    @property
    def batch(self) -> int:
        return self._params["batch"]

    @property
    def archetypes(self) -> np.ndarray | None:
        """The stored states, ``(K, n_dims)``, or None before an imprint."""
        return self._params["archetypes"]

    def __repr__(self):
        p = self._params
        return (
            f"<ActualizationLoop n_dims={p['n_dims']} n_archetypes={p['n_archetypes']} "
            f"batch={p['batch']} neurons_per_dim={p['neurons_per_dim']}>"
        )

    def imprint(
        self, patterns: ArrayLike, repetitions: int, **options: Any
    ) -> tuple["ActualizationLoop", ImprintResult]:
        """Grow the archetypes in the F<->M weights from noisy presentations.

        This loop is not changed: the learned weights come back in a new loop.

        Parameters
        ----------
        patterns : array (K, n_dims)
            In [0, 1], pairwise at least the loop's ``match_width`` apart, one per memory
            assembly (K = ``n_archetypes``).
        repetitions : int
            Presentations of each pattern (>= 0; 0 keeps the uniform start: the
            untrained control).
        **options
            ``noise``, ``presentation``, ``pause``, ``teacher_gain``,
            ``initial_weight``, ``rule``, ``read_rule``, ``write_rule``, ``backend``,
            ``seed``: see
            :func:`~quifer_brian.networks.actualization.imprint.simulate_imprint` for
            the schedule, the rule and what keeps it stable.

        Returns
        -------
        trained : ActualizationLoop
            A new loop, the same as this one but storing ``patterns`` and running
            (:meth:`actualize`) with the learned F->M and M->F weights.
        report : ImprintResult
            The learned weights, the presentations, the weight ratios and the spikes.

        Raises
        ------
        LoopError
            For a loop built with archetypes, or bad patterns or options, before
            anything is built.

        Examples
        --------
        >>> loop = actualization_loop(2, n_archetypes=2, batch=1, neurons_per_dim=10,
        ...                           memory_size=2)
        >>> trained, report = loop.imprint([[0.2, 0.3], [0.8, 0.7]], 2, seed=1)
        >>> trained.archetypes.tolist(), loop.archetypes is None
        ([[0.2, 0.3], [0.8, 0.7]], True)
        >>> report.fm_weights.shape
        (20, 4)
        """
        report = simulate_imprint(self, patterns, repetitions, **options)
        trained = dict(
            self._params,
            archetypes=np.asarray(report.patterns),
            learned_weights=True,
            fm_weights=report.fm_weights,
            mf_weights=report.mf_weights,
        )
        return ActualizationLoop(trained), report

    def circuit(
        self,
        initial_states: ArrayLike,
        target: ArrayLike | int | None = None,
        noise_amplitude: Quantity = 0 * pA,
        noise_decay: str = "exponential",
        decay_rate: float = 0.05,
        force_schedule: bool = True,
        focus_gain: Quantity | None = None,
        release: float | None = None,
        onsets: ArrayLike | None = None,
    ) -> Circuit:
        """The :class:`~quifer_brian.networks.Circuit` of one run.

        The arguments are :meth:`actualize`'s (documented there); every one is checked
        here, before anything is built or compiled.
        """
        p = self._params
        owner = "actualize"
        check = Checks(owner, LoopError)
        if self.archetypes is None:
            raise LoopError(
                f"{owner}: the loop has no archetypes yet (built with n_archetypes="
                f"{p['n_archetypes']}); imprint them first (trained, report = "
                f"loop.imprint(...)) or pass archetypes= to actualization_loop."
            )
        initial_states = as_states("initial_states", initial_states, p["batch"], p["n_dims"], owner)
        targets = target_states(target, self.archetypes, p["batch"], owner)
        check.scalar_quantity("noise_amplitude", noise_amplitude, amp, allow_zero=True)
        check.choice("noise_decay", noise_decay, NOISE_DECAYS)
        decay_rate = check.real("decay_rate", decay_rate)
        if focus_gain is not None:
            check.scalar_quantity("focus_gain", focus_gain, amp, allow_zero=True)
        if release is not None:
            release = check.fraction("release", release, "a fraction")
        onsets = check_onsets(onsets, p["batch"], owner)
        structure = {k: v for k, v in p.items() if k not in ("focus_gain", "release")}
        params = {
            **structure,
            "initial_states": initial_states,
            "target_states": targets,
            "focus_gain": p["focus_gain"] if focus_gain is None else focus_gain,
            "release": p["release"] if release is None else release,
            "force_schedule": bool(force_schedule),
            "noise_amplitude": noise_amplitude,
            "noise_decay": noise_decay,
            "decay_rate": float(decay_rate),
            "onsets": onsets,
        }
        return Circuit(
            "actualization",
            construct_loop,
            params,
            tunable=loop_run_values,
            tunable_params=TUNABLE,
        )

    def actualize(
        self,
        initial_states: ArrayLike,
        duration: Quantity,
        target: ArrayLike | int | None = None,
        *,
        cued: ArrayLike | None = None,
        backend: str = "numpy",
        seed: int | None = None,
        cache: bool | str | None = True,
        **options: Any,
    ) -> ActualizationResult:
        """Run a batch of trials side by side in one simulation and decode them.

        Parameters
        ----------
        initial_states : array (batch, n_dims)
            In [0, 1]; written in as the cue.
        duration : brian2.Quantity (second)
            At least one read-out window (50 ms).
        target : int, array (n_dims,) or (batch, n_dims), optional
            An archetype index or target states for the focus; None: no focus
            (pattern completion).
        cued : array of int (batch,), optional
            The archetype each trial's cue was made from.  Declared, it lets the result
            tell settling on the cued archetype (:meth:`ActualizationResult.reached_cued`)
            from settling on any (``reached_nearest``), and without a target
            :meth:`ActualizationResult.success` measures it.
        **options
            The run's options (keywords of :meth:`circuit`), each checked before
            anything is built:

        noise_amplitude : brian2.Quantity (amp), default 0 pA
            Initial standard deviation of the jitter current (0: no jitter), one
            Ornstein-Uhlenbeck source per memory assembly shared by its cells.
        noise_decay : {'exponential', 'harmonic'}, default 'exponential'
        decay_rate : float, default 0.05
            Exponential decay per step (10 ms) of the jitter; the default 0.05 anneals
            it over the schedule's ramp (e-folding time 200 ms = ``t_ramp``).
        force_schedule : bool, default True
            Shift weight from the field to the focus after the cue (see
            :func:`actualization_loop`); False: constant gains.
        focus_gain : brian2.Quantity (amp), optional
            Peak focus current (default: the loop's).
        release : float, optional
            Fraction of the field gain the schedule removes (default: the loop's).
        onsets : array (batch,) or brian2.Quantity, optional
            When each trial's cue starts (s; default 0 for all): the schedule and the
            jitter's decay count from there, so trials can be clocked by a rhythm (the
            flagship cues one trial per theta cycle).  Each onset must leave the cue and
            one read-out window before ``duration``.
        backend : {'numpy', 'cython', 'cpp_standalone', 'cuda_standalone'}
        seed : int, optional
        cache : bool, str or BuildCache
            cpp_standalone only: compile once per structure (size, duration) and rerun
            the program with new archetypes, states, targets, gains and noise
            (``run_args``); see :class:`~quifer_brian.backends.BuildCache`.

        Returns
        -------
        ActualizationResult
            Its ``success`` means the declared goal: the focus target, or without focus
            the cued archetype (it raises when the run declares neither).
        """
        Checks("actualize", LoopError).scalar_quantity("duration", duration, second)
        Checks("actualize", LoopError).seed("seed", seed)
        if float(duration / second) < float(READOUT_WINDOW / second):
            raise LoopError(
                f"actualize.duration: must cover at least one read-out window "
                f"({READOUT_WINDOW}); got {duration}."
            )
        circuit = self.circuit(initial_states, target, **options)
        cued = check_cued(cued, self.batch, self.n_archetypes, "actualize")
        onsets = circuit.params["onsets"]
        last = onsets.max() + float((self._params["t_cue"] + READOUT_WINDOW) / second)
        if last > float(duration / second) + 1e-9:
            raise LoopError(
                f"actualize.onsets: the last onset ({onsets.max():g} s) leaves no time for "
                f"the cue and one read-out window before duration ({duration}); end the run "
                f"at least {last:g} s or cue earlier."
            )
        use_cache = cache if backend == "cpp_standalone" else None
        result = cast(Result, circuit.run(duration, backend=backend, seed=seed, cache=use_cache))
        times, indices = result.spikes["F"]
        stops, states = decode_states(
            times, indices, self.batch, self.n_dims, self._params["neurons_per_dim"], duration
        )
        targets = circuit.params["target_states"]
        archetypes = cast(np.ndarray, self.archetypes)  # checked by circuit() above
        return ActualizationResult(stops, states, targets, archetypes, result, onsets, cued)


def loop_size(p):
    """``(neurons, synapses)`` of a loop: ``batch`` trials of F, M and I cells, each
    trial's cells connected about all to all (F<->M, M->M, E<->I)."""
    n_archetypes = p["n_archetypes"]
    if n_archetypes is None:
        try:
            n_archetypes = len(p["archetypes"])
        except TypeError:  # none yet, or not an array: its own check says what is wrong
            n_archetypes = 1
    per_trial = p["n_dims"] * p["neurons_per_dim"] + n_archetypes * p["memory_size"] + p["n_inh"]
    return p["batch"] * per_trial, p["batch"] * per_trial**2


def _current(name, default, meaning):
    return Param(name, default, pA, ">= 0", meaning)


def _time(name, default, meaning, bounds="> 0"):
    return Param(name, default, ms, bounds, meaning)


#: The parameters of :func:`actualization_loop`, declared once (checks, signature, list).
LOOP = ParamTable(
    "actualization_loop",
    [
        Param("n_dims", REQUIRED, "count", ">= 1", "dimension of the state vector"),
        Param("archetypes", None, "any", meaning="stored states (K, n_dims) in [0, 1]"),
        Param("n_archetypes", None, "count", ">= 1", "K, when imprinted later", optional=True),
        Param("neurons_per_dim", 40, "count", ">= 8", "feature cells per dimension"),
        Param("batch", 32, "count", ">= 1", "trials side by side"),
        Param("memory_size", 12, "count", ">= 1", "cells per memory assembly"),
        Param("n_inh", 20, "count", ">= 1", "interneurons per trial"),
        _current("drive_f", 150 * pA, "constant drive of the F cells"),
        _current("drive_m", 120 * pA, "constant drive of the M cells"),
        _current("drive_i", 50 * pA, "constant drive of the interneurons"),
        _current("noise_e", 40 * pA, "background OU noise into F and M"),
        _current("noise_i", 100 * pA, "background OU noise into the interneurons"),
        _current("w_fm", 500 * pA, "peak F->M current (times the match)"),
        _current("w_mf", 150 * pA, "peak M->F current (times the match and field gain)"),
        _current("w_mm", 160 * pA, "peak M->M current within an assembly"),
        _current("w_ei", 60 * pA, "peak E->I current"),
        _current("w_ie", 40 * pA, "peak I->F current"),
        _current("w_im", 80 * pA, "peak I->M current"),
        _current("w_ii", 20 * pA, "peak I->I current"),
        Param("match_width", 0.15, "number", "> 0", "width of the F->M Gaussian match"),
        Param("write_width", 0.05, "number", "> 0", "width of the M->F Gaussian match"),
        Param("tuning_width", 0.05, "number", "> 0", "width of the cue and focus tuning"),
        _current("cue_gain", 250 * pA, "peak cue current"),
        _current("focus_gain", 300 * pA, "default peak focus current"),
        Param("release", 0.7, "number", "[0, 1]", "field gain the schedule removes"),
        _time("t_cue", 40 * ms, "cue duration"),
        _time("t_ramp", 200 * ms, "ramp of the schedule after the cue"),
        _time("tau_d", 200 * ms, "recovery time of the depressing resource"),
        Param("U_d", 0.5, "number", "[0, 1]", "fraction of the resource used per spike"),
        _time("tau_ampa", 5 * ms, "fast excitatory decay onto F and M"),
        _time("tau_ampa_i", 2 * ms, "fast excitatory decay onto I"),
        _time("tau_slow", 50 * ms, "slow (NMDA-like) M->M decay"),
        _time("tau_gaba", 3 * ms, "inhibitory decay"),
        _time("delay", 1 * ms, "delay of every projection", bounds=">= 0"),
        _time("dt", 0.1 * ms, "integration time step"),
    ],
    error=LoopError,
    size=loop_size,
)


@LOOP.builder
def actualization_loop(**params: Any) -> "ActualizationLoop":
    r"""Build a spiking actualization loop: stored archetypes, focus, annealed jitter.

    Parameters
    ----------
    n_dims : int
        Dimension of the state vector (> 0).
    archetypes : array (K, n_dims), optional
        The stored states, in [0, 1], pairwise at least ``match_width`` apart (Euclidean):
        closer ones drive each other's memory assembly almost as much as their own.
    n_archetypes : int, optional
        K when the archetypes are to be grown by plasticity (:meth:`ActualizationLoop.imprint`);
        with ``archetypes`` it must equal ``len(archetypes)``.
    neurons_per_dim : int
        Feature cells per dimension (>= 8), preferred values spread evenly over
        [-0.1, 1.1].
    batch : int
        Independent trials run side by side (> 0).
    memory_size, n_inh : int
        Cells per memory assembly and interneurons per trial (> 0).
    drive_f, drive_m, drive_i : brian2.Quantity (amp)
        Constant drive of the F, M and I cells (the LIF rheobase is 200 pA).
    noise_e, noise_i : brian2.Quantity (amp)
        Standard deviation of the background OU current (tau 5 ms) into the F and M
        cells, and into the interneurons.  The interneurons' noise spreads their volleys
        over the cycle: without it they fire in sharp volleys whose harmonics take most
        of the spectrum.
    w_fm, w_mf, w_mm : brian2.Quantity (amp)
        Peak current of F->M (times the Gaussian match and the depressing release
        ``U_d x_d``), M->F (times the match and the field gain) and M->M (within an
        assembly, slow, depressing) synapses.
    w_ei, w_ie, w_im, w_ii : brian2.Quantity (amp)
        E->I (from F and M), I->F, I->M and I->I peak currents.
    match_width, write_width : float (value units)
        Widths of the Gaussian match of F->M (read) and M->F (write-back) weights.
    tuning_width : float (value units)
        Width of the cue's and the focus's tuning over the preferred values.
    cue_gain : brian2.Quantity (amp)
        Peak cue current, on during the first ``t_cue``.
    focus_gain : brian2.Quantity (amp)
        Default peak focus current (``actualize`` can change it).
    release : float
        Default fraction of the field gain (M->F) the schedule takes away by its end.
    t_cue, t_ramp : brian2.Quantity (second)
        Cue duration; the schedule ramps over ``t_ramp`` after the cue.
    tau_d, U_d : brian2.Quantity (second), float
        Short-term depression: resource recovery time and fraction used per spike.
    tau_ampa, tau_ampa_i, tau_slow, tau_gaba : brian2.Quantity (second)
        Decay of the fast excitatory current onto F/M and onto I, of the slow
        (NMDA-like) M->M current, and of the inhibitory current.
    delay : brian2.Quantity (second)
        Delay of every projection.
    dt : brian2.Quantity (second)

    Returns
    -------
    ActualizationLoop
        ``loop.actualize(initial_states, duration, target=...)`` runs it.

    Raises
    ------
    LoopError
        For a bad dimension, batch, size, or archetypes (shape, range, separation),
        before anything is built.

    Notes
    -----
    Focus schedule (with ``force_schedule``): after the cue,
    :math:`s(t) = \mathrm{clip}((t - t_{cue}) / t_{ramp}, 0, 1)`; the focus current is
    :math:`g_{focus}\, s(t)\, e^{-(p - x^*)^2 / 2 w^2}` and the field (M->F) gain
    :math:`1 - r\, s(t)` (``r = release``); without the schedule both gains are
    constant (``s = 1``, field gain 1).  Jitter: an OU variable
    :math:`\tau_n \dot n = -n + \sqrt{2 \tau_n}\,\xi` (:math:`\tau_n` = 5 ms) per
    memory assembly, into each of its cells, times
    :math:`\sigma(t) = A e^{-\lambda t / \Delta}` (exponential) or
    :math:`A / (1 + t / \Delta)` (harmonic, the continuous loop's 1/(i+1)) with one
    step of the continuous loop :math:`\Delta` = 10 ms.

    References
    ----------
    Tsodyks & Markram (1997) PNAS 94:719 (depression).  Wang (1999) J Neurosci 19:9587
    (slow recurrent excitation and persistent activity).  Börgers & Kopell (2003)
    Neural Comput 15:509 (PING gamma).

    Examples
    --------
    >>> from brian2 import ms
    >>> loop = actualization_loop(2, [[0.2, 0.3], [0.8, 0.7]], batch=2, neurons_per_dim=20)
    >>> run = loop.actualize([[0.25, 0.3], [0.7, 0.75]], 150 * ms, seed=1)
    >>> run.final_states.shape, run.trajectory.shape
    ((2, 2), (11, 2, 2))
    """
    params["archetypes"] = check_archetypes(
        params["archetypes"],
        params["n_archetypes"],
        params["n_dims"],
        params["match_width"],
        LOOP.owner,
    )
    if params["archetypes"] is not None:
        params["n_archetypes"] = len(params["archetypes"])
    return ActualizationLoop(params)


def random_archetypes(
    n_archetypes: int,
    n_dims: int,
    separation: float = 0.4,
    low: float = 0.1,
    high: float = 0.9,
    seed: int | np.random.Generator | None = None,
    max_tries: int = 10_000,
) -> np.ndarray:
    """``n_archetypes`` archetypes uniform in ``[low, high]^n_dims``, pairwise at least
    ``separation`` apart (Euclidean): whole sets are drawn until one is separated
    (rejection sampling).

    Parameters
    ----------
    n_archetypes, n_dims : int
    separation, low, high : float (value units)
    seed : int or numpy.random.Generator, optional
    max_tries : int
        Sets drawn before giving up (the separation may be impossible in the box).

    Returns
    -------
    array (n_archetypes, n_dims)

    Examples
    --------
    >>> random_archetypes(4, 3, seed=0).shape
    (4, 3)
    """
    owner = "random_archetypes"
    check = Checks(owner, LoopError)
    k = check.count("n_archetypes", n_archetypes)
    n_dims = check.count("n_dims", n_dims)
    separation = check.real("separation", separation)
    if not 0 <= low < high <= 1:
        raise LoopError(
            f"{owner}: low and high must satisfy 0 <= low < high <= 1 (the coded range); "
            f"got low={low!r}, high={high!r}."
        )
    rng = np.random.default_rng(seed)
    pairs = np.triu_indices(k, 1)
    for _ in range(max_tries):
        archetypes = rng.uniform(low, high, (k, n_dims))
        gaps = np.sqrt(((archetypes[:, np.newaxis] - archetypes[np.newaxis]) ** 2).sum(-1))
        if k == 1 or gaps[pairs].min() >= separation:
            return archetypes
    raise LoopError(
        f"{owner}.separation: no set of {k} archetypes in [{low:g}, {high:g}]^{n_dims} "
        f"pairwise {separation:g} apart found in {max_tries} draws; lower separation or "
        f"n_archetypes."
    )
