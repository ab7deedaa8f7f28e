"""Equations and construction of the spiking actualization loop (see :mod:`.loop`).

The models (depressing LIF cells, tuned cue and focus currents, annealed jitter), the
construction of the F, M and I populations and their block-diagonal projections, and
where the tunable values live in the circuit (``run_args`` of a compiled program).
"""

from dataclasses import replace

import numpy as np
from brian2 import NeuronGroup, Synapses, amp, ms, pA, second

from ...equations import lif, ou_current
from ...equations.current_model import CurrentModel
from ...equations.model import Parameter
from ...equations.synapses import exp_current
from ..circuit import CircuitParts

__all__ = ["JITTER_STEP", "PREFERRED_RANGE", "TUNABLE", "construct_loop", "loop_run_values"]

#: Range of the F cells' preferred values (wider than the coded range: no edge bias).
PREFERRED_RANGE = (-0.1, 1.1)
#: Time per step of the continuous loop that the jitter's decay counts in.
JITTER_STEP = 10 * ms

P = Parameter

# ------------------------------------------------------------------------ models
#: Per-presynaptic-cell short-term depression (Tsodyks & Markram 1997): the resource
#: x_d recovers with tau_d; a spike transmits U_d x_d (read by the synapses before the
#: reset) and uses that fraction up.
_DEPRESSION = "dx_d/dt = (1 - x_d)/tau_d : 1"
_DEPRESSION_PARAMETERS = (
    P("tau_d", 100 * ms, "recovery time of the synaptic resource", positive=True),
    P("U_d", 0.3, "fraction of the resource a spike uses", positive=True),
)


def _depressing_lif(name, extra_equations="", extra_parameters=()):
    """:data:`~quifer_brian.equations.lif` with a depressing output resource ``x_d``."""
    return replace(
        lif,
        name=name,
        description="leaky integrate-and-fire neuron with a short-term-depressing output "
        "resource x_d (Tsodyks-Markram, per presynaptic cell)",
        equations=lif.equations + "\n" + _DEPRESSION + "\n" + extra_equations,
        parameters=(*lif.parameters, *_DEPRESSION_PARAMETERS, *extra_parameters),
        reset="v = V_reset\nx_d -= U_d*x_d",
        initial=(*lif.initial, ("x_d", "1")),
        method="euler",
        reference=lif.reference + "; Tsodyks & Markram 1997, PNAS 94:719",
    )


#: Feature cells: preferred value, dimension, their trial's cue onset t_on, and the
#: force schedule (shared by the focus current and the M->F synapses): s(t) ramps
#: 0 -> 1 over t_ramp after the cue (``scheduled = 1``) or is 1 from the onset on
#: (``scheduled = 0``); the field gain is 1 - release s.
_FEATURE_EQUATIONS = """
pref : 1 (constant)
dimension : integer (constant)
t_on : second (constant)
schedule = scheduled*clip((t - t_on - t_cue)/t_ramp, 0, 1) + (1 - scheduled)*int(t >= t_on) : 1
field = 1 - release*schedule : 1
scheduled : 1 (shared, constant)
release : 1 (shared, constant)
"""
_SCHEDULE_PARAMETERS = (
    P("t_cue", 40 * ms, "duration of the cue (the schedule starts after it)", positive=True),
    P("t_ramp", 200 * ms, "duration of the schedule's ramp", positive=True),
)


def _tuned_current(name, gain, description):
    """A current ``I_peak * gain * exp(-(pref - value)^2 / 2 width^2)`` toward ``value``."""
    return CurrentModel(
        name=name,
        description=description,
        equations=f"I = I_peak*{gain}*exp(-(pref - value)**2/(2*width**2)) : amp\n"
        "value : 1 (constant)",
        parameters=(
            P("I_peak", 0 * pA, "peak current (into the cell preferring the value)"),
            P("width", 0.05, "tuning width (value units)", positive=True),
            P("t_cue", 40 * ms, "duration of the cue", positive=True),
        ),
        output="I",
        initial=(("value", "0.5"),),
        reference="Ben-Yishai, Bar-Or & Sompolinsky 1995 (tuned input to a feature map)",
    )


_CUE = _tuned_current(
    "cue", "int(t >= t_on)*int(t < t_on + t_cue)", "the initial state, a brief input at t_on"
)
_FOCUS = _tuned_current("focus", "schedule", "top-down focus toward the target, scheduled")
_JITTER = CurrentModel(
    name="jitter",
    description="annealed jitter: the current of the memory assembly's jitter source "
    "(summed in from actualization_J)",
    equations="I : amp",
    parameters=(),
    output="I",
    reference="Kirkpatrick, Gelatt & Vecchi 1983 (annealing)",
)
#: A jitter source per memory assembly: an Ornstein-Uhlenbeck variable z (unit variance,
#: correlation time tau_jitter) times the annealed gain A exp(-rate u/step) (harmonic = 0)
#: or A/(1 + u/step) (harmonic = 1), u = t - t_on from its trial's cue onset on (0 before).
#: Every cell of the assembly receives sigma*z.
_JITTER_SOURCE = """
dz/dt = -z/tau_jitter + sqrt(2/tau_jitter)*xi : 1
u = t - t_on : second
sigma = A*int(u >= 0*ms)*(harmonic/(1 + u/step) + (1 - harmonic)*exp(-rate*u/step)) : amp
t_on : second (constant)
A : amp (shared, constant)
rate : 1 (shared, constant)
harmonic : 1 (shared, constant)
"""
_JITTER_CONSTANTS = {"tau_jitter": 5 * ms, "step": JITTER_STEP}


# ------------------------------------------------------------------ construction
def _block_pairs(n_blocks, pre_size, post_size, exclude_self=False):
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


def _selected_archetype(dim, side):
    """Expression of the archetype value of an M cell (``side``) in the F cell's dimension."""
    other = "pre" if side == "post" else "post"
    return " + ".join(f"int(dimension_{other} == {d})*a_{d}_{side}" for d in range(dim))


def _set_match_weights(synapses, dim, feature_side, peak, width):
    """At t = 0, ``w = peak * exp(-(pref - a)^2 / 2 width^2)``: the Gaussian match between
    the F cell's preferred value and the M cell's archetype value in the F cell's
    dimension (F is the ``feature_side`` of the synapses)."""
    memory_side = "post" if feature_side == "pre" else "pre"
    synapses.run_at(
        f"w = w_peak*exp(-(pref_{feature_side} - ({_selected_archetype(dim, memory_side)}))**2"
        "/(2*w_width**2))",
        times=[0 * ms],
        when="start",
        name=f"{synapses.name}_weights",
    )
    synapses.namespace.update({"w_peak": peak, "w_width": width})


def _construct(
    dim,
    n_archetypes,
    batch,
    neurons_per_dim,
    memory_size,
    n_inh,
    drive_f,
    drive_m,
    drive_i,
    noise_e,
    noise_i,
    w_fm,
    w_mf,
    w_mm,
    w_ei,
    w_ie,
    w_im,
    w_ii,
    match_width,
    write_width,
    tuning_width,
    cue_gain,
    t_cue,
    t_ramp,
    tau_d,
    U_d,
    tau_ampa,
    tau_ampa_i,
    tau_slow,
    tau_gaba,
    delay,
    dt,
    learned_weights=False,
    **tunable,
):
    n, m, k = neurons_per_dim, memory_size, n_archetypes
    depression = {"tau_d": tau_d, "U_d": U_d}
    excitation = exp_current.labelled("ampa").with_params(tau=tau_ampa)
    persistent = exp_current.labelled("slow").with_params(tau=tau_slow)
    inhibition = exp_current.labelled("gaba").with_params(tau=tau_gaba)
    background = ou_current.labelled("bg").with_params(sigma=noise_e, tau=5 * ms)
    feature_model = _depressing_lif("feature_lif", _FEATURE_EQUATIONS, _SCHEDULE_PARAMETERS)
    cue = _CUE.labelled("cue").with_params(I_peak=cue_gain, width=tuning_width, t_cue=t_cue)
    focus = _FOCUS.labelled("focus").with_params(width=tuning_width)
    feature = feature_model.group(
        batch * dim * n,
        name="actualization_F",
        currents=[excitation, inhibition, background, cue, focus],
        dt=dt,
        as_variables=("I_peak_focus",),
        t_cue=t_cue,
        t_ramp=t_ramp,
        **depression,
    )
    low, high = PREFERRED_RANGE
    cells = np.arange(batch * dim * n)
    feature.pref = low + (high - low) * (cells % n) / (n - 1)
    feature.dimension = (cells // n) % dim
    feature.I_ext = drive_f
    feature.scheduled = 1.0
    feature.release = 0.0

    archetype_equations = "\n".join(f"a_{d} : 1 (constant)" for d in range(dim))
    memory = _depressing_lif("memory_lif", archetype_equations).group(
        batch * k * m,
        name="actualization_M",
        currents=[excitation, persistent, inhibition, background, _JITTER],
        dt=dt,
        **depression,
    )
    memory.I_ext = drive_m
    inh = lif.group(
        batch * n_inh,
        name="actualization_I",
        currents=[
            excitation.with_params(tau=tau_ampa_i),
            inhibition,
            ou_current.labelled("bg").with_params(sigma=noise_i, tau=5 * ms),
        ],
        dt=dt,
        method="euler",
        tau_m=10 * ms,
        t_ref=1 * ms,
    )
    inh.I_ext = drive_i
    for group in (feature, memory, inh):
        group.v = "V_reset + rand()*(V_th - V_reset)"

    depressing = "I_ampa_post += w*U_d*x_d_pre"
    fm = _projection(
        feature,
        memory,
        _block_pairs(batch, dim * n, k * m),
        depressing,
        "actualization_FM",
        delay,
        "w : amp",
        {"U_d": U_d},
    )
    # learned_weights (imprint): w comes from fm_weights / mf_weights (loop_run_values)
    if not learned_weights:
        _set_match_weights(fm, dim, "pre", w_fm, match_width)
    mf = _projection(
        memory,
        feature,
        _block_pairs(batch, k * m, dim * n),
        "I_ampa_post += w*field_post",
        "actualization_MF",
        delay,
        "w : amp",
        {"t_cue": t_cue, "t_ramp": t_ramp},
    )
    if not learned_weights:
        _set_match_weights(mf, dim, "post", w_mf, write_width)
    mm = _projection(
        memory,
        memory,
        _block_pairs(batch * k, m, m, exclude_self=True),
        "I_slow_post += w_mm*U_d*x_d_pre",
        "actualization_MM",
        delay,
        namespace={"U_d": U_d, "w_mm": w_mm},
    )
    synapses = {"FM": fm, "MF": mf, "MM": mm}
    for name, source, size in (("F", feature, dim * n), ("M", memory, k * m)):
        synapses[f"{name}I"] = _projection(
            source,
            inh,
            _block_pairs(batch, size, n_inh),
            "I_ampa_post += w_ei",
            f"actualization_{name}I",
            delay,
            namespace={"w_ei": w_ei},
        )
    for name, target, size, weight in (("F", feature, dim * n, w_ie), ("M", memory, k * m, w_im)):
        synapses[f"I{name}"] = _projection(
            inh,
            target,
            _block_pairs(batch, n_inh, size),
            "I_gaba_post -= w_ie",
            f"actualization_I{name}",
            delay,
            namespace={"w_ie": weight},
        )
    synapses["II"] = _projection(
        inh,
        inh,
        _block_pairs(batch, n_inh, n_inh, exclude_self=True),
        "I_gaba_post -= w_ii",
        "actualization_II",
        delay,
        namespace={"w_ii": w_ii},
    )
    jitter = NeuronGroup(
        batch * k,
        _JITTER_SOURCE,
        method="euler",
        dt=dt,
        namespace=_JITTER_CONSTANTS,
        name="actualization_J",
    )
    jitter.z = "randn()"
    synapses["JM"] = Synapses(
        jitter,
        memory,
        model="I_jitter_post = sigma_pre*z_pre : amp (summed)",
        dt=dt,
        namespace=_JITTER_CONSTANTS,
        name="actualization_JM",
    )
    assembly_of_cell, cell = _block_pairs(batch * k, 1, m)
    synapses["JM"].connect(i=assembly_of_cell, j=cell)
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
    dim,
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
        "actualization_F.value_cue": np.repeat(np.asarray(initial_states).ravel(), n),
        "actualization_F.value_focus": np.repeat(np.asarray(targets).ravel(), n),
        "actualization_F.I_peak_focus": focus_gain if focused else 0 * pA,
        "actualization_F.scheduled": float(bool(force_schedule)),
        "actualization_F.release": float(release) if (focused and force_schedule) else 0.0,
        "actualization_J.A": noise_amplitude,
        "actualization_J.rate": float(decay_rate),
        "actualization_J.harmonic": float(noise_decay == "harmonic"),
    }
    onsets = np.zeros(batch) if onsets is None else np.asarray(onsets, dtype=float)
    values["actualization_F.t_on"] = np.repeat(onsets, dim * n) * second
    values["actualization_J.t_on"] = np.repeat(onsets, n_archetypes) * second
    per_cell = np.repeat(np.tile(np.asarray(archetypes), (batch, 1)), m, axis=0)
    for d in range(per_cell.shape[1]):
        values[f"actualization_M.a_{d}"] = per_cell[:, d].copy()
    if learned_weights:  # one trial's (pre, post) matrices, the same in every trial
        values["actualization_FM.w"] = np.tile(np.asarray(fm_weights).ravel(), batch) * amp
        values["actualization_MF.w"] = np.tile(np.asarray(mf_weights).ravel(), batch) * amp
    return values


def construct_loop(**params):
    parts = _construct(**params)
    groups = parts.populations
    owners = {"actualization_F": groups["F"], "actualization_M": groups["M"]}
    owners["actualization_J"] = parts.others[0]
    owners.update(actualization_FM=parts.synapses["FM"], actualization_MF=parts.synapses["MF"])
    for target, value in loop_run_values(**params).items():
        owner, variable = target.split(".")
        setattr(owners[owner], variable, value)
    return parts
