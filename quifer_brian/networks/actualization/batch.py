"""The loop as a registered circuit: random archetypes, noisy cues, one batch of trials.

:func:`actualization` is what ``quifer-brian run actualization`` and
``sweep("actualization", ...)`` build: a loop storing ``n_archetypes`` random archetypes
(:func:`random_archetypes`, seeded), trial ``b`` cued with archetype ``b mod
n_archetypes`` plus Gaussian noise, optionally focused on one archetype.  The focus and
jitter settings are tunable (a compiled program reruns with new values); sizes, weights,
archetypes and cues are structural.  :func:`read_out` decodes a run of it into an
:class:`ActualizationResult` that knows each trial's cued archetype, and
:func:`summarise_batch` reports settling on the target, the cued and the nearest
archetype apart (what ``quifer-brian run actualization`` prints).  For your own
archetypes and cues use :func:`actualization_loop` and :meth:`ActualizationLoop.actualize`.
"""

from typing import Any

import numpy as np
from brian2 import pA

from ..circuit import Circuit
from ..params import Param, ParamTable, Target
from ..registry import register_network
from .construct import construct_loop
from .loop import LOOP, actualization_loop, loop_size, random_archetypes
from .readout import ActualizationResult, decode_states

__all__ = ["ACTUALIZATION", "actualization", "read_out", "summarise_batch"]


def _focus_gain(value, params):
    return value if params["target"] is not None else 0 * pA


def _release(value, params):
    return float(value) if params["target"] is not None and params["force_schedule"] else 0.0


#: The loop's own parameters that a batch keeps as they are (structure).
_STRUCTURE = tuple(
    name
    for name in LOOP.names
    if name not in ("n_dims", "archetypes", "n_archetypes", "focus_gain", "release")
)

#: The parameters of :func:`actualization`: the loop's, plus archetypes, cues and focus.
ACTUALIZATION = ParamTable(
    "actualization",
    [
        Param("n_dims", 3, "count", ">= 1", "dimension of the state vector"),
        Param("n_archetypes", 4, "count", ">= 1", "stored archetypes, drawn at random"),
        Param(
            "archetype_seed",
            0,
            "count",
            "[0, 4294967295]",
            "seed of the archetypes and the cues",
        ),
        Param("cue_noise", 0.15, "number", ">= 0", "SD of the noise added to each cue"),
        Param("target", None, "count", ">= 0", "archetype to focus on", optional=True),
        *(LOOP[name] for name in _STRUCTURE),
        Param(
            "focus_gain",
            300 * pA,
            pA,
            ">= 0",
            "peak focus current (0 without a target)",
            tunable=True,
            target=Target("F", "I_peak_focus", _focus_gain),
        ),
        Param(
            "release",
            0.7,
            "number",
            "[0, 1]",
            "field gain the schedule removes",
            tunable=True,
            target=Target("F", "release", _release),
        ),
        Param(
            "force_schedule",
            True,
            "bool",
            meaning="shift weight from the field to the focus after the cue",
            tunable=True,
            target=Target("F", "scheduled", lambda value, _: float(value)),
        ),
        Param(
            "noise_amplitude",
            0 * pA,
            pA,
            ">= 0",
            "initial SD of the jitter current per memory assembly",
            tunable=True,
            target=("J", "A"),
        ),
        Param(
            "noise_decay",
            "exponential",
            "choice",
            meaning="decay of the jitter",
            options=("exponential", "harmonic"),
            tunable=True,
            target=Target("J", "harmonic", lambda value, _: float(value == "harmonic")),
        ),
        Param(
            "decay_rate",
            0.05,
            "number",
            ">= 0",
            "exponential decay of the jitter per 10 ms step",
            tunable=True,
            target=Target("J", "rate", lambda value, _: float(value)),
        ),
    ],
    error=LOOP.error,
    size=loop_size,
)


@ACTUALIZATION.builder
def actualization(**params: Any) -> Circuit:
    """A batch of actualization trials on random archetypes, as a circuit.

    Parameters
    ----------
    n_dims, n_archetypes : int
        State dimension and number of archetypes, drawn by :func:`random_archetypes`
        (uniform in [0.1, 0.9], pairwise 0.4 apart).
    archetype_seed : int
        Seed of the archetypes (and, plus one, of the cue noise).
    cue_noise : float
        SD of the Gaussian noise added to trial ``b``'s archetype ``b mod n_archetypes``
        (clipped to [0, 1]).
    target : int or None
        The archetype the focus pulls toward; None: pattern completion.
    neurons_per_dim, batch, memory_size, n_inh : int
    drive_f, drive_m, drive_i, noise_e, noise_i : brian2.Quantity (amp)
    w_fm, w_mf, w_mm, w_ei, w_ie, w_im, w_ii : brian2.Quantity (amp)
    match_width, write_width, tuning_width : float
    cue_gain : brian2.Quantity (amp)
    t_cue, t_ramp, tau_d : brian2.Quantity (second)
    U_d : float
    tau_ampa, tau_ampa_i, tau_slow, tau_gaba, delay, dt : brian2.Quantity (second)
        As in :func:`actualization_loop`.
    focus_gain, release, force_schedule, noise_amplitude, noise_decay, decay_rate : tunable
        As in :meth:`ActualizationLoop.actualize`: a compiled program reruns with new
        values.

    Returns
    -------
    Circuit
        Populations ``F``, ``M``, ``I``; its result's spikes decode with
        :func:`decode_states`.

    Examples
    --------
    >>> from brian2 import ms
    >>> circuit = actualization(n_dims=2, n_archetypes=2, batch=2, neurons_per_dim=8)
    >>> sorted(circuit.populations), circuit.tunable_params[:2]
    (['F', 'I', 'M'], ('focus_gain', 'release'))
    """
    p = params
    archetypes = random_archetypes(p["n_archetypes"], p["n_dims"], seed=p["archetype_seed"])
    loop = actualization_loop(
        p["n_dims"],
        archetypes,
        focus_gain=p["focus_gain"],
        release=p["release"],
        **{name: p[name] for name in _STRUCTURE},
    )
    if p["target"] is not None and p["target"] >= p["n_archetypes"]:
        raise LOOP.error(
            owner="actualization",
            argument="target",
            value=p["target"],
            problem=f"must be an archetype index below n_archetypes ({p['n_archetypes']})",
        )
    rng = np.random.default_rng(p["archetype_seed"] + 1)
    cued = archetypes[np.arange(p["batch"]) % p["n_archetypes"]]
    cues = np.clip(cued + rng.normal(0.0, p["cue_noise"], cued.shape), 0.0, 1.0)
    options = ("force_schedule", "noise_amplitude", "noise_decay", "decay_rate")
    run = loop.circuit(cues, p["target"], **{name: p[name] for name in options})
    return Circuit("actualization", construct_loop, {**run.params, **p}, table=ACTUALIZATION)


def read_out(circuit, result):
    """Decode a run of an :func:`actualization` circuit, knowing its trials' cues.

    Parameters
    ----------
    circuit : Circuit
        From :func:`actualization`.
    result : Result
        ``circuit.run(...)``'s.

    Returns
    -------
    ActualizationResult
        With ``cued`` (trial ``b`` was cued with archetype ``b mod n_archetypes``) and the
        focus targets (None without ``target``): its ``success`` is the target's, else
        the cued archetype's.
    """
    p = circuit.params
    times, indices = result.spikes["F"]
    stops, states = decode_states(
        times, indices, p["batch"], p["n_dims"], p["neurons_per_dim"], result.duration
    )
    cued = np.arange(p["batch"]) % p["n_archetypes"]
    return ActualizationResult(
        stops, states, p["target_states"], p["archetypes"], result, p["onsets"], cued
    )


def summarise_batch(circuit, result, threshold=0.1):
    """Fractions of trials settled at the end of a run of an :func:`actualization` circuit.

    Returns
    -------
    dict
        ``goal`` (``'target'`` with a focus target, else ``'cued'``), ``success`` (at the
        goal), ``reached_target`` (None without a target), ``reached_cued``,
        ``reached_nearest`` (within ``threshold`` of *some* archetype: settled, but maybe
        not where it was cued or sent) and ``silent`` (no decodable final state).
    """
    run = read_out(circuit, result)
    target = run.reached_target(threshold).mean() if run.goal == "target" else None
    return {
        "goal": run.goal,
        "threshold": threshold,
        "success": float(run.success(threshold).mean()),
        "reached_target": None if target is None else float(target),
        "reached_cued": float(run.reached_cued(threshold).mean()),
        "reached_nearest": float(run.reached_nearest(threshold).mean()),
        "silent": float(run.silent.mean()),
    }


register_network("actualization", actualization)
