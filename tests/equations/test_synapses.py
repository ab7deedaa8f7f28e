"""Tests of the synaptic current models against their closed forms.

One presynaptic spike (a ``SpikeGeneratorGroup``) reaches a target group that carries
every kernel at once.  The target is a LIF neuron with an enormous membrane time constant
and an unreachable threshold, so its ``v`` stays where it was set (leak and synaptic currents
move it by < 1e-5 mV): three neurons clamped at -70, -40 and 0 mV.

Closed forms (Dayan & Abbott 2001, ch. 5.8; Roth & van Rossum 2009):

- exponential: s(t) = w exp(-t/tau);
- alpha: s(t) = w (t/tau) exp(1 - t/tau), peak w at t = tau;
- bi-exponential: peak w at t_peak = tau_r tau_d/(tau_d - tau_r) ln(tau_d/tau_r);
- conductance kernels: I = g (E - v); NMDA: I = g (E - v) B(v) with the Mg2+ block
  B(v) = 1/(1 + [Mg]/3.57 mM exp(-0.062 v/mV)) (Jahr & Stevens 1990);
- delta: a spike adds w to v.

The target integrates with the midpoint method (rk2) at DT: its relative error on these
kernels is about (DT/tau)^2/6 < 1e-4, far inside the 1 % tolerance on the peak (RK4 would
do as well but costs seconds more of code generation on numpy).  Sampled peak times are
compared within one DT.
"""

import numpy as np
import pytest
from brian2 import (
    Network,
    SpikeGeneratorGroup,
    StateMonitor,
    defaultclock,
    mM,
    ms,
    mV,
    nS,
    pA,
    second,
    volt,
)

from quifer_brian.equations import (
    alpha_cond,
    alpha_current,
    ampa,
    biexp_cond,
    biexp_current,
    delta,
    exp_cond,
    exp_current,
    gaba_a,
    gaba_b,
    lif,
    nmda,
    peak_time_biexp,
)
from quifer_brian.errors import ModelError, UnitsError

DT = 0.05 * ms
DURATION = 75 * ms  # covers the latest peak (GABA_B, 60.4 ms)
SPIKE_TIME = 1 * ms
CLAMP = np.array([-70.0, -40.0, 0.0])  # mV, the clamped membrane potentials
CLAMP_PARAMS = dict(tau_m=1e6 * second, V_th=1 * volt)  # v does not move, never spikes
CLAMP_DRIFT_MV = 1e-4  # leak + synaptic drift of v over DURATION: (70 mV/1e6 s) 75 ms = 5e-6 mV
W_CURRENT = 50 * pA
W_COND = 1 * nS
W_DELTA = 2 * mV
PEAK_TOLERANCE = 0.01  # relative: one spike of weight w peaks at w

CURRENT_KERNELS = [exp_current, alpha_current, biexp_current]
COND_KERNELS = [exp_cond, alpha_cond, biexp_cond, ampa, gaba_a, gaba_b, nmda]
ALL_KERNELS = CURRENT_KERNELS + COND_KERNELS

# Mg2+ block at the clamped potentials, by hand: 1/(1 + (1/3.57) exp(-0.062 v)).
MG_BLOCK = {-70.0: 0.04447, -40.0: 0.23017, 0.0: 0.78118}


def expected_peak_time(model):
    """Closed-form time from the spike's arrival to the kernel's peak (exp: 0)."""
    params = model.params
    if "tau_r" in params:
        return peak_time_biexp(params["tau_r"], params["tau_d"])
    if model.name.startswith("alpha"):
        return params["tau"]
    return 0 * ms


@pytest.fixture(scope="module")
def kernels():
    """Run one spike into every kernel; return the recorded traces (numpy, SI units)."""
    # Synapses run on the default clock: give it DT so that source, synapses and target
    # share one time step.
    previous_dt = defaultclock.dt
    defaultclock.dt = DT
    try:
        return _simulate_kernels()
    finally:
        defaultclock.dt = previous_dt


def _simulate_kernels():
    source = SpikeGeneratorGroup(1, [0], [SPIKE_TIME], dt=DT, name="spike_source")
    target = lif.group(
        len(CLAMP), name="kernel_target", currents=ALL_KERNELS, method="rk2", dt=DT, **CLAMP_PARAMS
    )
    target.v = CLAMP * mV
    synapses = [
        model.synapses(source, target, W_CURRENT if model in CURRENT_KERNELS else W_COND)
        for model in ALL_KERNELS
    ]
    delta_target = lif.group(1, name="delta_target", dt=DT, **CLAMP_PARAMS)
    synapses.append(delta.synapses(source, delta_target, W_DELTA))
    variables = ["v", "B_nmda"]
    for model in ALL_KERNELS:
        prefix = "I" if model in CURRENT_KERNELS else "g"
        variables.append(f"{prefix}_{model.name}")
        if _has_rise(model):
            variables.append(f"x_{model.name}")
        if model in COND_KERNELS:
            variables.append(f"I_{model.name}")
    monitor = StateMonitor(target, variables, record=True, name="kernel_monitor")
    delta_monitor = StateMonitor(delta_target, "v", record=0, name="delta_monitor")
    network = Network(source, target, delta_target, *synapses, monitor, delta_monitor)
    network.run(DURATION, namespace={})
    traces = {name: np.asarray(getattr(monitor, name)) for name in variables}
    traces["t"] = np.asarray(monitor.t)
    traces["delta_v"] = np.asarray(delta_monitor.v[0])
    return traces


def _signal(kernels, model):
    """The kernel's state variable of neuron 0 (current in A or conductance in S)."""
    prefix = "I" if model in CURRENT_KERNELS else "g"
    return kernels[f"{prefix}_{model.name}"][0]


def _has_rise(model):
    """Alpha and bi-exponential kernels rise through a hidden variable ``x``."""
    return "dx/dt" in model.equations


def _arrival(kernels, model):
    """Time (s) of the first sample where the spike has reached the kernel.

    That is the first sample where the variable the spike increments is non-zero: ``x``
    for kernels with a rise, the kernel itself for the exponential.
    """
    trace = kernels[f"x_{model.name}"][0] if _has_rise(model) else _signal(kernels, model)
    return kernels["t"][np.flatnonzero(trace > 0)[0]]


# ---------------------------------------------------------------- kernel shapes
@pytest.mark.parametrize("model", ALL_KERNELS, ids=lambda m: m.name)
def test_one_spike_peaks_at_w(kernels, model):
    weight = W_CURRENT if model in CURRENT_KERNELS else W_COND
    peak = _signal(kernels, model).max()
    assert peak == pytest.approx(float(weight), rel=PEAK_TOLERANCE, abs=0), (
        f"{model.name}: peak {peak:.4g} for w = {weight}"
    )


@pytest.mark.parametrize("model", ALL_KERNELS, ids=lambda m: m.name)
def test_peak_time_matches_closed_form(kernels, model):
    trace = _signal(kernels, model)
    measured = kernels["t"][trace.argmax()] - _arrival(kernels, model)
    expected = float(expected_peak_time(model))
    assert abs(measured - expected) <= float(DT) * 1.001, (
        f"{model.name}: peak {measured * 1e3:.3f} ms after arrival, closed form "
        f"{expected * 1e3:.3f} ms (dt {DT})"
    )


def test_biexp_peak_time_formula():
    """peak_time_biexp against the numbers of its docstring and of the presets."""
    assert float(peak_time_biexp(1 * ms, 5 * ms) / ms) == pytest.approx(2.0118, abs=1e-4)
    assert float(peak_time_biexp(2 * ms, 100 * ms) / ms) == pytest.approx(7.9837, abs=1e-4)
    assert float(peak_time_biexp(30 * ms, 150 * ms) / ms) == pytest.approx(60.354, abs=1e-3)


@pytest.mark.parametrize("model", [exp_current, exp_cond, ampa, gaba_a], ids=lambda m: m.name)
def test_exp_kernel_decays_with_tau(kernels, model):
    trace = _signal(kernels, model)
    t = kernels["t"]
    start = np.flatnonzero(trace > 0)[0]
    tau = float(model.params["tau"])
    for n_tau in (1, 2):
        k = start + round(n_tau * tau / float(DT))
        ratio = trace[k] / trace[start]
        assert ratio == pytest.approx(np.exp(-n_tau), rel=1e-3), (
            f"{model.name}: s(t0 + {n_tau} tau)/s(t0) = {ratio:.4f} at t = {t[k] * 1e3:.2f} ms"
        )


# ---------------------------------------------------------------- conductances
@pytest.mark.parametrize("model", [m for m in COND_KERNELS if m is not nmda], ids=lambda m: m.name)
def test_conductance_current_is_g_times_driving_force(kernels, model):
    g = kernels[f"g_{model.name}"]
    current = kernels[f"I_{model.name}"]
    v = kernels["v"]
    E = float(model.params["E"])
    peak = g[0].argmax()
    for k, v_clamp in enumerate(CLAMP):
        assert v[k, peak] == pytest.approx(v_clamp * 1e-3, abs=CLAMP_DRIFT_MV * 1e-3), (
            "v is not clamped"
        )
        expected = g[k, peak] * (E - v[k, peak])
        assert current[k, peak] == pytest.approx(expected, rel=1e-9, abs=1e-18), (
            f"{model.name} at {v_clamp} mV: I = {current[k, peak]:.4g} A, g (E - v) = "
            f"{expected:.4g} A"
        )
    # sign: excitatory receptors depolarise at rest, GABA hyperpolarises above E
    at_minus_40 = current[1, peak]
    assert np.sign(at_minus_40) == np.sign(E - (-40e-3))


@pytest.mark.parametrize("v_clamp", CLAMP)
def test_nmda_mg_block(kernels, v_clamp):
    k = list(CLAMP).index(v_clamp)
    mg = float(nmda.params["Mg"] / mM)
    by_formula = 1 / (1 + mg / 3.57 * np.exp(-0.062 * v_clamp))
    assert by_formula == pytest.approx(MG_BLOCK[v_clamp], rel=1e-4)
    v = kernels["v"][k] / 1e-3  # mV
    assert np.allclose(v, v_clamp, rtol=0, atol=CLAMP_DRIFT_MV), (
        f"v not clamped: {v.min()}..{v.max()}"
    )
    block = kernels["B_nmda"][k]
    assert np.allclose(block, 1 / (1 + mg / 3.57 * np.exp(-0.062 * v)), rtol=1e-12)
    assert block[0] == pytest.approx(by_formula, rel=1e-6), f"B_nmda({v_clamp} mV) = {block[0]}"
    g, current = kernels["g_nmda"][k], kernels["I_nmda"][k]
    E = float(nmda.params["E"])
    peak = g.argmax()
    expected = g[peak] * (E - v_clamp * 1e-3) * by_formula
    assert current[peak] == pytest.approx(expected, rel=1e-9, abs=1e-18), (
        f"I_nmda at {v_clamp} mV: {current[peak]:.4g} A, g (E - v) B = {expected:.4g} A"
    )
    if v_clamp != 0:
        assert current[peak] / (g[peak] * (E - v_clamp * 1e-3)) == pytest.approx(by_formula)


def test_delta_synapse_adds_w_to_v(kernels):
    v = kernels["delta_v"]
    jump = v[-1] - v[0]
    assert jump == pytest.approx(float(W_DELTA), rel=1e-6, abs=0), f"v jumped {jump * 1e3:.4f} mV"
    steps = np.flatnonzero(np.abs(np.diff(v)) > 1e-6)
    assert len(steps) == 1, "the jump must happen in one time step"


# ---------------------------------------------------------------- bad input
def test_synapses_onto_group_without_the_receptor():
    source = SpikeGeneratorGroup(1, [0], [SPIKE_TIME])
    target = lif.group(1)
    with pytest.raises(ModelError, match=r"ampa\.synapses: .* no variable 'g_ampa'.*currents="):
        ampa.synapses(source, target, W_COND)


def test_synapses_weight_in_wrong_units():
    source = SpikeGeneratorGroup(1, [0], [SPIKE_TIME])
    target = lif.group(1, currents=[ampa])
    with pytest.raises(UnitsError, match=r"ampa\.synapses\.w: expected .*; got 50\. \* pamp"):
        ampa.synapses(source, target, W_CURRENT)


def test_delta_on_unknown_variable():
    source = SpikeGeneratorGroup(1, [0], [SPIKE_TIME])
    target = lif.group(1)
    with pytest.raises(ModelError, match=r"on='g_e' is not a variable"):
        delta.synapses(source, target, W_DELTA, on="g_e")
