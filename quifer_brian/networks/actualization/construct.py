"""Construction of the spiking actualization loop (see :mod:`.loop`).

One function per part, called by :func:`construct_loop` in this order (the order of
object creation and of random draws is part of the seeded result): the feature layer F
with its cue and focus inputs, the memory layer M, the interneurons I, their starting
potentials, the recurrent projections (F->M, M->F, M->M, E->I, I->E, I->I, all
block-diagonal: one block per trial), the jitter sources into M; then where the tunable
values live in the circuit (``run_args`` of a compiled program).
"""

from typing import Any

import numpy as np
from brian2 import NeuronGroup, Synapses, amp, ms, pA, second

from ...equations import lif, ou_current
from ...equations.synapses import exp_current
from ..circuit import CircuitParts
from .layout import feature_cells, per_feature_cell, per_memory_cell
from .models import (
    CUE,
    FEATURE_LIF,
    FOCUS,
    JITTER,
    JITTER_CONSTANTS,
    JITTER_SOURCE,
    memory_lif,
)

__all__ = [
    "TUNABLE",
    "block_pairs",
    "construct_loop",
    "feature_layer",
    "focus_inputs",
    "interneurons",
    "jitter_sources",
    "loop_run_values",
    "memory_layer",
    "recurrent_projections",
]


# ------------------------------------------------------------------ helpers
def block_pairs(n_blocks, pre_size, post_size, exclude_self=False):
    """``(i, j)`` connecting every pre cell of block ``b`` to every post cell of block ``b``."""
    i = np.repeat(np.arange(pre_size), post_size)
    j = np.tile(np.arange(post_size), pre_size)
    if exclude_self:
        keep = i != j
        i, j = i[keep], j[keep]
    offsets = np.arange(n_blocks)
    pre = (offsets[:, np.newaxis] * pre_size + i).ravel()
    post = (offsets[:, np.newaxis] * post_size + j).ravel()
    return pre.astype(np.int32), post.astype(np.int32)


def _projection(source, target, pairs, on_pre, name, delay, model="", namespace=None):
    synapses = Synapses(
        source,
        target,
        model=model,
        on_pre=on_pre,
        delay=delay,
        dt=target.clock.dt,
        namespace=namespace or {},
        name=name,
    )
    synapses.connect(i=pairs[0], j=pairs[1])
    return synapses


def _selected_archetype(n_dims, side):
    """Expression of the archetype value of an M cell (``side``) in the F cell's dimension."""
    other = "pre" if side == "post" else "post"
    return " + ".join(f"int(dimension_{other} == {d})*a_{d}_{side}" for d in range(n_dims))


def _set_match_weights(synapses, n_dims, feature_side, peak, width):
    """At t = 0, ``w = peak * exp(-(pref - a)^2 / 2 width^2)``: the Gaussian match between
    the F cell's preferred value and the M cell's archetype value in the F cell's
    dimension (F is the ``feature_side`` of the synapses)."""
    memory_side = "post" if feature_side == "pre" else "pre"
    synapses.run_at(
        f"w = w_peak*exp(-(pref_{feature_side} - ({_selected_archetype(n_dims, memory_side)}))**2"
        "/(2*w_width**2))",
        times=[0 * ms],
        when="start",
        name=f"{synapses.name}_weights",
    )
    synapses.namespace.update({"w_peak": peak, "w_width": width})


# ------------------------------------------------------------------ layers
def focus_inputs(cue_gain, tuning_width, t_cue):
    """The tuned inputs into F: the cue (the initial state) and the focus (the target)."""
    cue = CUE.labelled("cue").with_params(I_peak=cue_gain, width=tuning_width, t_cue=t_cue)
    focus = FOCUS.labelled("focus").with_params(width=tuning_width)
    return [cue, focus]


def feature_layer(batch, n_dims, neurons_per_dim, currents, drive, dt, **model_params):
    """Layer F, the state: ``neurons_per_dim`` cells per trial and dimension (layout in
    :mod:`.layout`), the focus gain a shared variable (a run value)."""
    feature = FEATURE_LIF.group(
        batch * n_dims * neurons_per_dim,
        name="actualization_F",
        currents=currents,
        dt=dt,
        as_variables=("I_peak_focus",),
        **model_params,
    )
    feature.pref, feature.dimension = feature_cells(batch, n_dims, neurons_per_dim)
    feature.I_ext = drive
    feature.scheduled = 1.0
    feature.release = 0.0
    return feature


def memory_layer(batch, n_dims, n_archetypes, memory_size, currents, drive, dt, **model_params):
    """Layer M, the potential field: one assembly of ``memory_size`` cells per trial and
    archetype, each cell holding its archetype's values ``a_<d>``."""
    memory = memory_lif(n_dims).group(
        batch * n_archetypes * memory_size,
        name="actualization_M",
        currents=currents,
        dt=dt,
        **model_params,
    )
    memory.I_ext = drive
    return memory


def interneurons(batch, n_inh, currents, drive, dt):
    """The interneurons I (PING): ``n_inh`` fast LIF cells per trial."""
    inh = lif.group(
        batch * n_inh,
        name="actualization_I",
        currents=currents,
        dt=dt,
        method="euler",
        tau_m=10 * ms,
        t_ref=1 * ms,
    )
    inh.I_ext = drive
    return inh


def start_potentials(groups):
    """Every cell starts uniform between reset and threshold (one draw per cell, in the
    order of ``groups``)."""
    for group in groups:
        group.v = "V_reset + rand()*(V_th - V_reset)"


def recurrent_projections(feature, memory, inh, p):
    """F->M, M->F and M->M (depressing), E->I, I->E and I->I synapses, block-diagonal.

    ``p`` holds the loop's parameters (sizes, the peak currents ``w_fm, w_mf, w_mm,
    w_ei, w_ie, w_im, w_ii``, widths, depression, schedule, delay).  F->M and M->F
    weights are the Gaussian match of the archetypes (set at t = 0), or with
    ``p["learned_weights"]`` run values (the imprint's).
    """
    batch, n_dims, n_archetypes = p["batch"], p["n_dims"], p["n_archetypes"]
    memory_size, n_inh, delay, U_d = p["memory_size"], p["n_inh"], p["delay"], p["U_d"]
    learned_weights = p.get("learned_weights", False)
    weights = {name: p[name] for name in ("w_fm", "w_mf", "w_mm", "w_ei", "w_ie", "w_im", "w_ii")}
    n_f, n_m = n_dims * p["neurons_per_dim"], n_archetypes * memory_size
    depressing = "I_ampa_post += w*U_d*x_d_pre"
    fm = _projection(
        feature,
        memory,
        block_pairs(batch, n_f, n_m),
        depressing,
        "actualization_FM",
        delay,
        "w : amp",
        {"U_d": U_d},
    )
    if not learned_weights:
        _set_match_weights(fm, n_dims, "pre", weights["w_fm"], p["match_width"])
    mf = _projection(
        memory,
        feature,
        block_pairs(batch, n_m, n_f),
        "I_ampa_post += w*field_post",
        "actualization_MF",
        delay,
        "w : amp",
        {"t_cue": p["t_cue"], "t_ramp": p["t_ramp"]},
    )
    if not learned_weights:
        _set_match_weights(mf, n_dims, "post", weights["w_mf"], p["write_width"])
    mm = _projection(
        memory,
        memory,
        block_pairs(batch * n_archetypes, memory_size, memory_size, exclude_self=True),
        "I_slow_post += w_mm*U_d*x_d_pre",
        "actualization_MM",
        delay,
        namespace={"U_d": U_d, "w_mm": weights["w_mm"]},
    )
    synapses = {"FM": fm, "MF": mf, "MM": mm}
    for name, source, size in (("F", feature, n_f), ("M", memory, n_m)):
        synapses[f"{name}I"] = _projection(
            source,
            inh,
            block_pairs(batch, size, n_inh),
            "I_ampa_post += w_ei",
            f"actualization_{name}I",
            delay,
            namespace={"w_ei": weights["w_ei"]},
        )
    for name, target, size, weight in (
        ("F", feature, n_f, weights["w_ie"]),
        ("M", memory, n_m, weights["w_im"]),
    ):
        synapses[f"I{name}"] = _projection(
            inh,
            target,
            block_pairs(batch, n_inh, size),
            "I_gaba_post -= w_ie",
            f"actualization_I{name}",
            delay,
            namespace={"w_ie": weight},
        )
    synapses["II"] = _projection(
        inh,
        inh,
        block_pairs(batch, n_inh, n_inh, exclude_self=True),
        "I_gaba_post -= w_ii",
        "actualization_II",
        delay,
        namespace={"w_ii": weights["w_ii"]},
    )
    return synapses


def jitter_sources(memory, batch, n_archetypes, memory_size, dt):
    """One jitter source per memory assembly (:data:`~.models.JITTER_SOURCE`) and the
    synapses that sum its current into every cell of the assembly."""
    jitter = NeuronGroup(
        batch * n_archetypes,
        JITTER_SOURCE,
        method="euler",
        dt=dt,
        namespace=JITTER_CONSTANTS,
        name="actualization_J",
    )
    jitter.z = "randn()"
    into_memory = Synapses(
        jitter,
        memory,
        model="I_jitter_post = sigma_pre*z_pre : amp (summed)",
        dt=dt,
        namespace=JITTER_CONSTANTS,
        name="actualization_JM",
    )
    assembly_of_cell, cell = block_pairs(batch * n_archetypes, 1, memory_size)
    into_memory.connect(i=assembly_of_cell, j=cell)
    return jitter, into_memory


# ------------------------------------------------------------------ the circuit
def _build(p):
    """The Brian2 objects of the loop (before the run values are set), from its
    parameters ``p``."""
    batch, n_dims, n_archetypes, dt = p["batch"], p["n_dims"], p["n_archetypes"], p["dt"]
    depression = {"tau_d": p["tau_d"], "U_d": p["U_d"]}
    excitation = exp_current.labelled("ampa").with_params(tau=p["tau_ampa"])
    persistent = exp_current.labelled("slow").with_params(tau=p["tau_slow"])
    inhibition = exp_current.labelled("gaba").with_params(tau=p["tau_gaba"])
    background = ou_current.labelled("bg").with_params(sigma=p["noise_e"], tau=5 * ms)
    cue_and_focus = focus_inputs(p["cue_gain"], p["tuning_width"], p["t_cue"])
    feature = feature_layer(
        batch,
        n_dims,
        p["neurons_per_dim"],
        [excitation, inhibition, background, *cue_and_focus],
        p["drive_f"],
        dt,
        t_cue=p["t_cue"],
        t_ramp=p["t_ramp"],
        **depression,
    )
    memory = memory_layer(
        batch,
        n_dims,
        n_archetypes,
        p["memory_size"],
        [excitation, persistent, inhibition, background, JITTER],
        p["drive_m"],
        dt,
        **depression,
    )
    inh = interneurons(
        batch,
        p["n_inh"],
        [
            excitation.with_params(tau=p["tau_ampa_i"]),
            inhibition,
            ou_current.labelled("bg").with_params(sigma=p["noise_i"], tau=5 * ms),
        ],
        p["drive_i"],
        dt,
    )
    start_potentials((feature, memory, inh))
    synapses = recurrent_projections(feature, memory, inh, p)
    jitter, synapses["JM"] = jitter_sources(memory, batch, n_archetypes, p["memory_size"], dt)
    return CircuitParts(
        populations={"F": feature, "M": memory, "I": inh}, synapses=synapses, others=[jitter]
    )


#: Parameters of the circuit a compiled program changes between runs (run_args).
TUNABLE = (
    "archetypes",
    "initial_states",
    "target_states",
    "focus_gain",
    "release",
    "force_schedule",
    "noise_amplitude",
    "noise_decay",
    "decay_rate",
    "onsets",
    "fm_weights",
    "mf_weights",
)


def loop_run_values(
    archetypes,
    initial_states,
    target_states,
    focus_gain,
    release,
    force_schedule,
    noise_amplitude,
    noise_decay,
    decay_rate,
    neurons_per_dim,
    memory_size,
    batch,
    n_dims,
    n_archetypes,
    onsets=None,
    fm_weights=None,
    mf_weights=None,
    learned_weights=False,
    **structure,
):
    """Where :data:`TUNABLE` live in the circuit (see ``Circuit.run_values``)."""
    n, m = neurons_per_dim, memory_size
    focused = target_states is not None
    targets = target_states if focused else np.zeros_like(initial_states)
    values = {
        "actualization_F.value_cue": per_feature_cell(initial_states, n),
        "actualization_F.value_focus": per_feature_cell(targets, n),
        "actualization_F.I_peak_focus": focus_gain if focused else 0 * pA,
        "actualization_F.scheduled": float(bool(force_schedule)),
        "actualization_F.release": float(release) if (focused and force_schedule) else 0.0,
        "actualization_J.A": noise_amplitude,
        "actualization_J.rate": float(decay_rate),
        "actualization_J.harmonic": float(noise_decay == "harmonic"),
    }
    onsets = np.zeros(batch) if onsets is None else np.asarray(onsets, dtype=float)
    values["actualization_F.t_on"] = np.repeat(onsets, n_dims * n) * second
    values["actualization_J.t_on"] = np.repeat(onsets, n_archetypes) * second
    per_cell = per_memory_cell(archetypes, batch, m)
    for d in range(per_cell.shape[1]):
        values[f"actualization_M.a_{d}"] = per_cell[:, d].copy()
    if learned_weights:  # one trial's (pre, post) matrices, the same in every trial
        values["actualization_FM.w"] = np.tile(np.asarray(fm_weights).ravel(), batch) * amp
        values["actualization_MF.w"] = np.tile(np.asarray(mf_weights).ravel(), batch) * amp
    return values


def construct_loop(**params: Any) -> CircuitParts:
    """The ``construct`` of the loop's :class:`~quifer_brian.networks.Circuit`: the
    objects, with the run values (:func:`loop_run_values`) set."""
    parts = _build(params)
    groups = parts.populations
    owners = {"actualization_F": groups["F"], "actualization_M": groups["M"]}
    owners["actualization_J"] = parts.others[0]
    owners.update(actualization_FM=parts.synapses["FM"], actualization_MF=parts.synapses["MF"])
    for target, value in loop_run_values(**params).items():
        owner, variable = target.split(".")
        setattr(owners[owner], variable, value)
    return parts
