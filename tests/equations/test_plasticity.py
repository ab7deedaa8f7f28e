"""Tests of the plasticity rules against closed forms and published protocols.

Every expected number comes from the rule's equations solved by hand (the traces are
deterministic between spikes) or from the literature:

- pair STDP window, Song, Miller & Abbott 2000; multiplicative depression, van Rossum et
  al. 2000;
- the Song, Miller & Abbott 2000 competition: additive STDP with hard bounds splits the
  weights of 1000 Poisson inputs into two groups, near 0 and near w_max;
- the pairing-frequency dependence of Sjostrom et al. 2001 as reproduced by the triplet
  rule (Pfister & Gerstner 2006): closed-form sums of the traces over the protocol;
- Vogels et al. 2011 inhibitory STDP and Izhikevich 2007 reward-modulated STDP, event by
  event.

Postsynaptic spikes are placed exactly: a ``SpikeGeneratorGroup`` "driver" kicks a LIF
neuron 100 mV above threshold one time step before the wanted spike time.
"""

import numpy as np
import pytest
from brian2 import (
    Hz,
    Network,
    SpikeGeneratorGroup,
    SpikeMonitor,
    defaultclock,
    ms,
    mV,
    nS,
    pF,
    prefs,
    second,
)

from quifer_brian.equations import (
    delta,
    istdp,
    lif,
    rstdp,
    stdp_additive,
    stdp_multiplicative,
    triplet_stdp,
    triplet_stdp_nearest,
)
from quifer_brian.errors import ModelError, UnitsError

W_MAX = 1 * mV  # weights of delta synapses onto v; plastic inputs never make v cross threshold


# ---------------------------------------------------------------- fixtures and helpers
@pytest.fixture(scope="module")
def numpy_target():
    """Run on the numpy target at the default 0.1 ms step; restore the preferences after."""
    target, dt = prefs.codegen.target, defaultclock.dt
    prefs.codegen.target = "numpy"
    defaultclock.dt = 0.1 * ms
    yield
    prefs.codegen.target = target
    defaultclock.dt = dt


def _spike_groups(pre_times, post_times, name):
    """Pre spike generator and a LIF group that spikes exactly at ``post_times``.

    ``pre_times`` / ``post_times``: lists (one per neuron) of spike-time arrays in seconds.
    Returns ``(pre, post, objects)`` with every object the network needs.
    """
    step = float(defaultclock.dt)

    def generator(times, n_name, shift=0.0):
        indices = np.concatenate([np.full(len(t), k) for k, t in enumerate(times)])
        stamps = np.concatenate([np.asarray(t, float) - shift for t in times])
        return SpikeGeneratorGroup(len(times), indices, stamps * second, name=n_name)

    pre = generator(pre_times, f"{name}_pre")
    driver = generator(post_times, f"{name}_driver", shift=step)
    post = lif.group(len(post_times), name=f"{name}_post", t_ref=1 * ms)
    kick = delta.synapses(driver, post, w=100 * mV, condition="i == j", name=f"{name}_kick")
    return pre, post, [pre, driver, post, kick]


def _spike_times(monitor, n):
    trains = monitor.spike_trains()
    return [np.asarray(trains[k] / second) for k in range(n)]


# ---------------------------------------------------------------- 1. pair STDP window
LAGS = np.array([5, 10, 20, 40, -5, -10, -20, -40]) * 1e-3  # t_post - t_pre, seconds
T_PAIR = 0.05  # s, time of the pre spike (dt > 0) / of the reference spike


@pytest.fixture(scope="module")
def pair_run(numpy_target):
    """One run: single pre/post pairs at every lag, additive (w0 = 0.5 w_max) and
    multiplicative (w0 = 0.2 and 0.8 w_max) STDP, each pair on its own neurons."""
    n = len(LAGS)
    pre_times = [[T_PAIR]] * (3 * n)
    post_times = [[T_PAIR + lag] for lag in LAGS] * 3
    pre, post, objects = _spike_groups(pre_times, post_times, "pair")
    add = delta.synapses(
        pre, post, w=0.5 * W_MAX, condition=f"i == j and i < {n}", plasticity=stdp_additive,
        w_max=W_MAX, name="pair_add",
    )  # fmt: skip
    mul = delta.synapses(
        pre, post, w=0.5 * W_MAX, condition=f"i == j and i >= {n}",
        plasticity=stdp_multiplicative, w_max=W_MAX, name="pair_mul",
    )  # fmt: skip
    w0_mul = np.repeat([0.2, 0.8], n)
    mul.w = w0_mul * W_MAX
    pre_mon, post_mon = SpikeMonitor(pre), SpikeMonitor(post)
    Network(*objects, add, mul, pre_mon, post_mon).run(0.15 * second)
    lags = np.concatenate(_spike_times(post_mon, 3 * n)) - np.concatenate(
        _spike_times(pre_mon, 3 * n)
    )
    return {
        "lags": lags,
        "dw_add": np.asarray(add.w / W_MAX) - 0.5,
        "w0_mul": w0_mul,
        "dw_mul": np.asarray(mul.w / W_MAX) - w0_mul,
    }


def _window(lags, params, w0=None):
    """Pair STDP window in units of w_max; ``w0`` scales depression (multiplicative)."""
    potentiation = params["A_plus"] * np.exp(-lags / float(params["tau_plus"]))
    depression = params["A_minus"] * np.exp(lags / float(params["tau_minus"]))
    if w0 is not None:
        depression = depression * w0
    return np.where(lags > 0, potentiation, -depression)


def test_pair_protocol_places_spikes_at_the_intended_lags(pair_run):
    np.testing.assert_allclose(pair_run["lags"], np.tile(LAGS, 3), atol=1e-9)


def test_additive_stdp_window_matches_song_miller_abbott(pair_run):
    expected = _window(LAGS, stdp_additive.params)
    np.testing.assert_allclose(pair_run["dw_add"], expected, rtol=0.01)
    assert np.all(pair_run["dw_add"][LAGS > 0] > 0)
    assert np.all(pair_run["dw_add"][LAGS < 0] < 0)


def test_multiplicative_stdp_depression_scales_with_the_weight(pair_run):
    n = len(LAGS)
    w0, dw = pair_run["w0_mul"], pair_run["dw_mul"]
    expected = _window(np.tile(LAGS, 2), stdp_multiplicative.params, w0=w0)
    np.testing.assert_allclose(dw, expected, rtol=0.01)
    low, high = dw[:n], dw[n:]
    # depression proportional to w (0.8 / 0.2 = 4), potentiation independent of w
    np.testing.assert_allclose(high[LAGS < 0] / low[LAGS < 0], 4.0, rtol=0.01)
    np.testing.assert_allclose(high[LAGS > 0], low[LAGS > 0], rtol=0.01)


# ---------------------------------------------------------------- 3. triplet STDP
N_PAIRINGS = 60
PAIRING_LAG = 10e-3  # s, |t_post - t_pre|
FREQUENCIES = (0.1, 10.0, 20.0, 40.0, 50.0)  # Hz
# At 0.1 Hz the pairings of the all-to-all rule are independent (its slowest trace,
# tau_y = 114 ms, decays by exp(-88) between them): 60 pairings change w 60 times as much as
# one, and simulating them 3 s apart changes its closed form by < 1e-9 (checked below).  The
# run simulates 10 such pairings (30 s instead of 600 s).  The nearest-spike
# rule's slow pre trace (tau_x = 714 ms) still holds 1.5 % after 3 s, so its 3-s result differs
# from 0.1 Hz by 0.7 %; the simulation is compared with the closed form at the simulated
# period, and the 0.1 Hz claims are checked on the closed form at 0.1 Hz too.
ISOLATED_PERIOD = 3.0  # s, used for the 0.1 Hz protocol
N_ISOLATED = 10  # pairings simulated for the 0.1 Hz protocol


def _n_pairings(frequency):
    return N_ISOLATED if frequency < 1 else N_PAIRINGS


def _period(frequency):
    return ISOLATED_PERIOD if frequency < 1 else 1.0 / frequency


def triplet_closed_form(frequency, lag, params, n=N_PAIRINGS, nearest=False):
    """Weight change (units of w_max) after ``n`` pairings at ``frequency`` with
    ``lag = t_post - t_pre`` (|lag| < period), from the traces summed in closed form.

    All-to-all: the traces are geometric sums over the earlier spikes; nearest-spike: only
    the last spike counts (traces reset to 1).  Slow traces are read before the spike's own
    increment, as in Pfister & Gerstner 2006 (eqs. 3-4).
    """
    tp, tx = float(params["tau_plus"]), float(params["tau_x"])
    tm, ty = float(params["tau_minus"]), float(params["tau_y"])
    period, k, d = 1.0 / frequency, np.arange(n), abs(lag)
    p, q, s, x = (np.exp(-period / tau) for tau in (tp, tm, ty, tx))
    if nearest:
        earlier = (k > 0).astype(float)
        o2 = s * earlier
        r2 = x * earlier  # pre trace r2 at a pre spike: the previous pre spike, one period ago
        if lag > 0:  # pre at kT, post at kT + d
            o1 = np.exp(-(period - d) / tm) * earlier
            r1 = np.full(n, np.exp(-d / tp))
        else:  # post at kT, pre at kT + d
            o1 = np.full(n, np.exp(-d / tm))
            r1 = np.exp(-(period - d) / tp) * earlier
    else:
        o2 = s * (1 - s**k) / (1 - s)
        r2 = x * (1 - x**k) / (1 - x)
        if lag > 0:
            o1 = np.exp(d / tm) * q * (1 - q**k) / (1 - q)
            r1 = np.exp(-d / tp) * (1 - p ** (k + 1)) / (1 - p)
        else:
            o1 = np.exp(-d / tm) * (1 - q ** (k + 1)) / (1 - q)
            r1 = np.exp(d / tp) * p * (1 - p**k) / (1 - p)
    potentiation = r1 * (params["A2_plus"] + params["A3_plus"] * o2)
    depression = o1 * (params["A2_minus"] + params["A3_minus"] * r2)
    return float(np.sum(potentiation) - np.sum(depression))


RULES = {"all_to_all": (triplet_stdp, False), "nearest": (triplet_stdp_nearest, True)}


def _conditions():
    return [(f, sign * PAIRING_LAG) for f in FREQUENCIES for sign in (1, -1)]


@pytest.fixture(scope="module")
def triplet_run(numpy_target):
    """Sjostrom protocol: 60 pairings at +-10 ms (10 isolated ones for 0.1 Hz), every
    frequency and both orders side by side, for both triplet rules, in one run at dt = 1 ms
    (all spike times on the grid)."""
    defaultclock.dt = 1 * ms
    conditions = _conditions()
    pre_times, post_times = [], []
    for frequency, lag in conditions:
        period = _period(frequency)
        onsets = 0.02 + period * np.arange(_n_pairings(frequency))
        pre_times.append(onsets + max(-lag, 0))
        post_times.append(onsets + max(lag, 0))
    pre, post, objects = _spike_groups(pre_times, post_times, "triplet")
    synapses, expected, w0 = {}, {}, {}
    for name, (rule, nearest) in RULES.items():
        expected[name] = np.array(
            [
                triplet_closed_form(
                    1 / _period(f), lag, rule.params, n=_n_pairings(f), nearest=nearest
                )
                for f, lag in conditions
            ]
        )
        # start each synapse so that its trajectory stays inside the hard bounds
        w0[name] = 0.5 - expected[name] / 2
        synapses[name] = delta.synapses(
            pre, post, w=0.5 * W_MAX, condition="i == j", plasticity=rule, w_max=W_MAX,
            name=f"triplet_{name}",
        )  # fmt: skip
        synapses[name].w = w0[name] * W_MAX
    post_mon = SpikeMonitor(post)
    duration = max(N_ISOLATED * ISOLATED_PERIOD, N_PAIRINGS / min(FREQUENCIES[1:])) + 0.1
    Network(*objects, *synapses.values(), post_mon).run(duration * second)
    defaultclock.dt = 0.1 * ms
    measured = {name: np.asarray(s.w / W_MAX) - w0[name] for name, s in synapses.items()}
    n_post = np.array([len(t) for t in _spike_times(post_mon, len(conditions))])
    n_expected = np.array([_n_pairings(f) for f, _ in conditions])
    return {"measured": measured, "expected": expected, "n_post": n_post, "n": n_expected}


def test_isolated_pairings_stand_for_the_0_1_hz_protocol():
    for lag in (PAIRING_LAG, -PAIRING_LAG):
        at_0_1 = triplet_closed_form(0.1, lag, triplet_stdp.params)
        spaced = triplet_closed_form(1 / ISOLATED_PERIOD, lag, triplet_stdp.params)
        one = triplet_closed_form(0.1, lag, triplet_stdp.params, n=1)
        assert abs(at_0_1 - spaced) < 1e-9
        np.testing.assert_allclose(at_0_1, N_PAIRINGS * one, rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("name", list(RULES))
def test_triplet_closed_form_at_0_1_hz_depresses_post_pre_only(name):
    rule, nearest = RULES[name]
    assert triplet_closed_form(0.1, -PAIRING_LAG, rule.params, nearest=nearest) < -0.1
    assert abs(triplet_closed_form(0.1, PAIRING_LAG, rule.params, nearest=nearest)) < 1e-6


def test_triplet_protocol_fires_every_pairing(triplet_run):
    assert np.all(triplet_run["n_post"] == triplet_run["n"])


@pytest.mark.parametrize("name", list(RULES))
def test_triplet_matches_closed_form(triplet_run, name):
    np.testing.assert_allclose(
        triplet_run["measured"][name], triplet_run["expected"][name], rtol=0.01, atol=1e-9
    )


@pytest.mark.parametrize("name", list(RULES))
def test_triplet_reproduces_sjostrom_frequency_dependence(triplet_run, name):
    dw = dict(zip(_conditions(), triplet_run["measured"][name], strict=True))
    pre_post = np.array([dw[(f, PAIRING_LAG)] for f in FREQUENCIES])
    post_pre = np.array([dw[(f, -PAIRING_LAG)] for f in FREQUENCIES])
    # the isolated 0.1 Hz pairings add up: scale the 10 simulated ones to the protocol's 60
    pre_post[0] *= N_PAIRINGS / N_ISOLATED
    post_pre[0] *= N_PAIRINGS / N_ISOLATED
    # 0.1 Hz: post-pre depresses; pre-post does nothing (A2_plus ~ 0 and no earlier post
    # spike for the triplet term), as in Sjostrom et al. 2001 (no LTP at 0.1 Hz)
    assert post_pre[0] < -0.1
    assert abs(pre_post[0]) < 1e-6
    # 40 and 50 Hz: both orders potentiate
    assert np.all(pre_post[-2:] > 0.1)
    assert np.all(post_pre[-2:] > 0.1)
    # pre-post potentiation grows with the pairing frequency
    assert np.all(np.diff(pre_post) > 0)


def test_triplet_parameters_are_the_published_visual_cortex_fits():
    minimal = triplet_stdp.params
    assert (minimal["A2_plus"], minimal["A3_plus"]) == (0.0, 6.5e-3)
    assert (minimal["A2_minus"], minimal["A3_minus"]) == (7.1e-3, 0.0)
    assert minimal["tau_plus"] == 16.8 * ms and minimal["tau_minus"] == 33.7 * ms
    assert minimal["tau_y"] == 114 * ms
    nearest = triplet_stdp_nearest.params
    assert (nearest["A2_plus"], nearest["A3_plus"]) == (8.8e-11, 5.3e-2)
    assert (nearest["A2_minus"], nearest["A3_minus"]) == (6.6e-3, 3.1e-3)
    assert nearest["tau_x"] == 714 * ms and nearest["tau_y"] == 40 * ms


# ---------------------------------------------------------------- 4. iSTDP and R-STDP
def _istdp_reference(pre, post, w0, params):
    """Event-by-event iSTDP (Vogels et al. 2011); at equal times the pre pathway runs first."""
    tau, eta = float(params["tau_stdp"]), params["eta"]
    alpha = 2 * float(params["rho_0"]) * tau
    events = sorted([(t, 0) for t in pre] + [(t, 1) for t in post])
    w, apre, apost, last = w0, 0.0, 0.0, 0.0
    for t, kind in events:
        apre, apost, last = apre * np.exp(-(t - last) / tau), apost * np.exp(-(t - last) / tau), t
        if kind == 0:
            apre += 1
            w = min(max(w + eta * (apost - alpha), 0.0), 1.0)
        else:
            apost += 1
            w = min(max(w + eta * apre, 0.0), 1.0)
    return w


def test_istdp_depression_and_coincidence_potentiation(numpy_target):
    pre_only = 0.02 + 0.05 * np.arange(10)
    coincident = 0.02 + 0.1 * np.arange(10)
    pre, post, objects = _spike_groups([pre_only, coincident], [[], coincident], "istdp")
    synapses = delta.synapses(
        pre, post, w=0.5 * W_MAX, condition="i == j", plasticity=istdp, w_max=W_MAX,
        name="istdp_syn",
    )  # fmt: skip
    Network(*objects, synapses).run(1.2 * second)
    w = np.asarray(synapses.w / W_MAX)
    params = istdp.params
    alpha = 2 * float(params["rho_0"] * params["tau_stdp"])
    # pre-only: each spike lowers w by eta * alpha * w_max, nothing else
    np.testing.assert_allclose(w[0], 0.5 - 10 * params["eta"] * alpha, rtol=1e-9)
    expected = _istdp_reference(coincident, coincident, 0.5, params)
    assert expected > 0.5 + 5 * params["eta"]
    np.testing.assert_allclose(w[1], expected, rtol=1e-9)


RSTDP_T_PRE, RSTDP_T_POST, RSTDP_T_PROBE = 0.01, 0.02, 1.2  # s
DOPAMINE_ON, DOPAMINE_OFF = 0.1, 1.1  # s


def _rstdp_run(dopamine):
    """Causal pair (pre 10 ms before post), dopamine = ``dopamine`` over [0.1, 1.1) s, then a
    probe pre spike at 1.2 s that writes the accumulated change into w."""
    pre, post, objects = _spike_groups(
        [[RSTDP_T_PRE, RSTDP_T_PROBE]], [[RSTDP_T_POST]], f"rstdp{int(dopamine)}"
    )
    synapses = delta.synapses(
        pre, post, w=0.5 * W_MAX, plasticity=rstdp, w_max=W_MAX, name=f"rstdp_syn{int(dopamine)}"
    )
    network = Network(*objects, synapses)
    network.run(DOPAMINE_ON * second)
    synapses.dopamine = dopamine
    network.run((DOPAMINE_OFF - DOPAMINE_ON) * second)
    synapses.dopamine = 0
    network.run((RSTDP_T_PROBE - DOPAMINE_OFF + 0.01) * second)
    return float(synapses.w[0] / W_MAX) - 0.5


def test_rstdp_without_dopamine_keeps_the_weight(numpy_target):
    assert _rstdp_run(0.0) == 0.0


def test_rstdp_causal_pair_then_dopamine_raises_w_by_the_integral(numpy_target):
    params = rstdp.params
    tau_c, tau_w = float(params["tau_c"]), float(params["tau_w"])
    c_0 = params["A_plus"] * np.exp(-(RSTDP_T_POST - RSTDP_T_PRE) / float(params["tau_plus"]))
    # dw/w_max = int c(t) * dopamine / tau_w dt over the dopamine window, c decaying from c_0
    integral = tau_c * (
        np.exp(-(DOPAMINE_ON - RSTDP_T_POST) / tau_c)
        - np.exp(-(DOPAMINE_OFF - RSTDP_T_POST) / tau_c)
    )
    expected = c_0 * integral / tau_w
    # Euler on c and m: relative error ~ dt / (2 tau_c) = 5e-5, plus one step of the
    # window's edges, dt / 1 s = 1e-4; 1e-3 covers both with margin.
    np.testing.assert_allclose(_rstdp_run(1.0), expected, rtol=1e-3)


# ---------------------------------------------------------------- 5. bad input
@pytest.fixture
def two_groups():
    return lif.group(2, name="bad_pre*"), lif.group(2, name="bad_post*")


def test_plasticity_without_w_max_names_w_max(two_groups):
    pre, post = two_groups
    with pytest.raises(ModelError, match=r"needs w_max"):
        delta.synapses(pre, post, w=0.5 * mV, plasticity=stdp_additive)


def test_w_max_in_wrong_units_is_refused(two_groups):
    pre, post = two_groups
    with pytest.raises(UnitsError, match=r"w_max: expected a quantity in volt"):
        delta.synapses(pre, post, w=0.5 * mV, plasticity=stdp_additive, w_max=1 * nS)


def test_unknown_plasticity_parameter_lists_the_valid_ones(two_groups):
    pre, post = two_groups
    with pytest.raises(ModelError, match=r"'A_plu'.*tau_plus, tau_minus, A_plus, A_minus"):
        delta.synapses(pre, post, w=0.5 * mV, plasticity=stdp_additive, w_max=1 * mV, A_plu=0.01)


def test_plasticity_parameter_in_wrong_units_is_refused(two_groups):
    pre, post = two_groups
    with pytest.raises(UnitsError, match=r"tau_plus"):
        delta.synapses(pre, post, w=0.5 * mV, plasticity=stdp_additive, w_max=1 * mV, tau_plus=20)


def test_plasticity_parameters_without_a_rule_are_refused(two_groups):
    pre, post = two_groups
    with pytest.raises(ModelError, match=r"plasticity=None"):
        delta.synapses(pre, post, w=0.5 * mV, A_plus=0.01)


# ---------------------------------------------------------------------------
# Song, Miller & Abbott 2000: competitive additive STDP makes the weights bimodal.
# One conductance-based LIF neuron (tau_m = 10 ms) driven by 1000 Poisson inputs at
# 15 Hz through plastic excitatory conductances (w_max = 0.01 g_L), additive STDP with
# the paper's A+ = 0.005 and A-/A+ = 1.05, weights starting uniform in [0, w_max].
# Measured (seed 1): the fraction within 10% of a bound grows 0.20 -> 0.36 (90 s)
# -> 0.55 (270 s) -> 0.74 (810 s), split 0.40 near 0 / 0.34 near w_max, while the
# postsynaptic rate is regulated from 28 Hz down to 17 Hz.  Larger A+ converges
# faster but to a broader distribution (0.36 at A+ = 0.02).
SMA_DURATION = 900 * second
SMA_INPUTS = 1000


@pytest.mark.slow
@pytest.mark.standalone
def test_song_miller_abbott_weights_become_bimodal(tmp_path):
    from quifer_brian.backends import backend_session
    from quifer_brian.equations import lif_cond, poisson

    neuron = lif_cond.with_params(
        C_m=100 * pF,
        g_L=10 * nS,
        E_L=-74 * mV,
        V_th=-54 * mV,
        V_reset=-60 * mV,
        t_ref=0.1 * ms,
        tau_e=5 * ms,
    )
    w_max = 0.01 * 10 * nS
    with backend_session("cpp_standalone", directory=str(tmp_path)) as session:
        post = neuron.group(1, name="post")
        inputs = poisson.group(SMA_INPUTS, rate_0=15 * Hz, name="inputs")
        plastic = delta.synapses(
            inputs,
            post,
            w="rand()*w_max",
            on="g_e",
            plasticity=stdp_additive,
            w_max=w_max,
            A_plus=0.005,
            A_minus=1.05 * 0.005,
            name="plastic",
        )
        spikes = SpikeMonitor(post)
        session.run(Network(post, inputs, plastic, spikes), SMA_DURATION, seed=1)
        weights = np.array(plastic.w[:] / w_max)
        post_times = np.array(spikes.t / second)
    near_zero = np.mean(weights <= 0.1)
    near_max = np.mean(weights >= 0.9)
    assert near_zero + near_max >= 0.7, f"only {near_zero + near_max:.2f} near the bounds"
    assert near_zero >= 0.25 and near_max >= 0.25, f"modes {near_zero:.2f} / {near_max:.2f}"
    counts, _ = np.histogram(weights, bins=10, range=(0, 1))
    assert set(np.argsort(counts)[-2:]) == {0, 9}, f"histogram {counts}"
    duration = float(SMA_DURATION / second)
    early = np.mean(post_times < 60) * len(post_times) / 60
    late = np.mean(post_times >= duration - 60) * len(post_times) / 60
    assert late < early, f"rate not regulated: {early:.1f} -> {late:.1f} Hz"
