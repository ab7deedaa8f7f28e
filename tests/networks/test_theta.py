"""theta_gamma: emergent theta, theta-nested gamma, and the control without inhibition.

Anchors: PING (Börgers & Kopell 2003: gamma paced by fast GABA_A, E spikes locked to
it), O-LM-paced theta (Rotstein et al. 2005, Tort et al. 2007: slow dendritic
inhibition from O-LM cells opens theta windows in which gamma occurs), and Tort et al.
2010 (theta-phase / gamma-amplitude modulation index against time-shift surrogates).
Without any GABA synapse neither rhythm exists: E spikes do not lock and the coupling
is not significant.

Every number comes from the package's analysis functions on fixed seeds.  The issue's
criteria hold for 4 s of the default network: they are checked on cpp_standalone in
the default suite (one compile) and on numpy behind ``slow`` (4 s of numpy is about
40-70 s on two loaded cores); the default suite checks the science on numpy with 2 s.
"""

import gc
import time

import brian2
import numpy as np
import pytest
from brian2 import Hz, kHz, ms, nS, pA, second
from brian2.utils.logger import catch_logs

from quifer_brian.analysis import GAMMA_BAND as GAMMA
from quifer_brian.analysis import THETA_BAND as THETA
from quifer_brian.analysis import analyse_theta_gamma
from quifer_brian.analysis.measures import MIN_PEAK_HEIGHT
from quifer_brian.errors import CircuitError, UnitsError
from quifer_brian.networks import theta_gamma

SEED = 1
N_SURROGATES = 200


def simulate(duration, backend="numpy", **params):
    """Run ``theta_gamma(**params)`` for ``duration`` on a fixed seed.

    ``Circuit.run`` seeds before building, so connectivity and initial values are fixed
    by ``seed`` too.
    """
    start = time.perf_counter()
    result = theta_gamma(**params).run(duration, backend=backend, seed=SEED)
    return result.with_meta(test_wall_s=time.perf_counter() - start)


def measure(result, bands=None, min_shift=1.0):
    """The package's theta-gamma measures (the flagship's), under short names."""
    m = analyse_theta_gamma(result, bands=bands, n_surrogates=N_SURROGATES, min_shift=min_shift)
    return {
        "theta": m["theta_hz"],
        "theta_height": m["theta_height"],
        "gamma": m["gamma_hz"],
        "gamma_height": m["gamma_height"],
        "plv": m["gamma_plv"],
        "mi": m["mi"],
        "p": m["mi_p_value"],
        "mi_over_p95": m["mi_over_p95"],
        "bands": m["bands"],
        "rate_E": m["rates_hz"]["E"],
    }


def assert_theta_nested_gamma(m, ratio=3.0):
    assert THETA[0] <= m["theta"] <= THETA[1] and m["theta_height"] >= MIN_PEAK_HEIGHT, m
    assert GAMMA[0] <= m["gamma"] <= GAMMA[1] and m["gamma_height"] >= MIN_PEAK_HEIGHT, m
    assert m["plv"] >= 0.5, m
    assert m["p"] == pytest.approx(1 / (1 + N_SURROGATES)), m  # beats every surrogate
    assert m["mi_over_p95"] >= ratio, m


def assert_no_rhythm(m):
    assert m["plv"] < 0.1, m
    assert m["p"] > 0.05, m


# ---------------------------------------------------------------- numpy, default suite
@pytest.fixture(scope="module")
def short_runs():
    """Default network and its no-GABA control, 2 s each on numpy."""
    full = simulate(2 * second)
    control = simulate(2 * second, gaba=False)
    measured = measure(full, min_shift=0.5)
    control = measure(control, bands=measured["bands"], min_shift=0.5)
    print(f"\nnumpy 2 s: {full.meta['test_wall_s']:.1f} s; {measured}")
    print(f"numpy 2 s, gaba=False: {control}")
    return measured, control


def test_theta_nested_gamma_emerges_numpy(short_runs):
    measured, _ = short_runs
    # 2 s hold a third of the 4-s run's surrogate statistics: ratio 2 instead of 3
    assert_theta_nested_gamma(measured, ratio=2.0)


def test_without_gaba_there_is_no_rhythm_numpy(short_runs):
    measured, control = short_runs
    assert_no_rhythm(control)
    assert control["rate_E"] > measured["rate_E"]  # inhibition was holding E back


# ---------------------------------------------------------------- the issue's 4-s criteria
@pytest.mark.slow  # a compile of its own; the default suite has the numpy twin
@pytest.mark.standalone
def test_issue_criteria_on_cpp_standalone(short_runs):
    result = simulate(4 * second, backend="cpp_standalone")
    measured = measure(result)
    print(f"\ncpp_standalone 4 s: {result.meta['test_wall_s']:.1f} s incl. compile; {measured}")
    assert_theta_nested_gamma(measured)
    # The same rhythms as on numpy (2 s; random streams differ between backends, so the
    # runs agree in statistics only). Theta is a narrow peak; gamma is a broad one
    # (fitted full widths 5-12 Hz) whose strongest fitted component moves by several Hz
    # between runs of the same backend too.
    numpy_measured, _ = short_runs
    assert measured["theta"] == pytest.approx(numpy_measured["theta"], abs=1.5)
    assert measured["gamma"] == pytest.approx(numpy_measured["gamma"], abs=10.0)


@pytest.mark.slow
def test_issue_criteria_on_numpy():
    result = simulate(4 * second)
    measured = measure(result)
    print(f"\nnumpy 4 s: {result.meta['test_wall_s']:.1f} s; {measured}")
    assert_theta_nested_gamma(measured)
    control = measure(simulate(4 * second, gaba=False), bands=measured["bands"])
    print(f"numpy 4 s, gaba=False: {control}")
    assert_no_rhythm(control)


# ---------------------------------------------------------------- gamma follows fast GABA
@pytest.mark.slow  # two compiles; the default suite checks the measure on synthetic
@pytest.mark.standalone  # volleys (tests/analysis/test_rhythm.py)
def test_gamma_slows_when_fast_gaba_decays_slower(tmp_path):
    """PING's period is a few tau_gaba_fast: doubling it slows gamma, below 30 Hz.

    Measured from the E spike rate (``gamma_hz``).  The LFP's strongest 30-100 Hz peak
    went the other way on seeds 11 and 12 (37 -> 46 and 37 -> 55 Hz): a harmonic.
    Measured (4 s): 32.7, 32.7, 33.2 Hz -> 26.1, 25.1, 26.2 Hz on seeds 1, 11, 12.
    """
    gamma = {}
    for tau in (5, 10):
        for seed in (1, 11, 12):  # one compile per tau, then the cached program
            result = theta_gamma(tau_gaba_fast=tau * ms).run(
                4 * second, backend="cpp_standalone", seed=seed, cache=str(tmp_path)
            )
            gamma[tau, seed] = analyse_theta_gamma(result, n_surrogates=20)["gamma_hz"]
    print(f"\ngamma (Hz) by (tau_gaba_fast ms, seed): {gamma}")
    for seed in (1, 11, 12):
        assert GAMMA[0] <= gamma[5, seed] <= 36.0, gamma
        assert 22.0 <= gamma[10, seed] <= gamma[5, seed] - 4.0, gamma


# ---------------------------------------------------------------- structure and inputs
def test_populations_synapses_and_lfp():
    with catch_logs():  # Brian2 warns when objects that never ran are deleted
        circuit = theta_gamma(n_e=20, n_i=5, n_o=5)
        assert sorted(circuit.populations) == ["E", "I", "O"]
        assert {"EI", "EO", "IE", "II", "OE", "OI"} <= set(circuit.synapses)
        assert "lfp" in circuit.monitors
        control = theta_gamma(n_e=20, n_i=5, n_o=5, gaba=False)
        assert not {"IE", "II", "OE", "OI"} & set(control.synapses)
        septal = theta_gamma(n_e=20, n_i=5, n_o=5, septal_frequency=8 * Hz)
        drives = [obj.name for obj in septal.populations["O"].contained_objects]
        assert {"theta_gamma_O_drive", "theta_gamma_O_septum"} <= set(drives)
        del circuit, control, septal
        gc.collect()


def test_poisson_drives_are_counts_per_step_with_fano_factor_one():
    """Each cell's drive adds a Poisson count per step: Fano factor 1 at any rate.

    A spike source that fires at most once per step (Bernoulli) has Fano factor
    ``1 - rate*dt``: 0.6 at 4 kHz, and it cannot carry 20 kHz (= 2/dt) at all.  Read
    from the AMPA_ext conductance g of unconnected cells: with ``a = exp(-dt/tau)``,
    mean(g) = w mean(n) / (1 - a) and var(g) = w^2 var(n) / (1 - a^2).
    """
    silent = {name: 0 * nS for name in ("w_ei", "w_ie", "w_ii", "w_eo", "w_oe", "w_oi")}
    with catch_logs():
        brian2.seed(SEED)
        circuit = theta_gamma(n_e=1, n_i=40, n_o=40, rate_i=4 * kHz, rate_o=20 * kHz, **silent)
        monitors = [
            brian2.StateMonitor(circuit.populations[k], "g_ampa_ext", record=True)
            for k in ("I", "O")
        ]
        circuit.network.add(*monitors)
        circuit.network.run(120 * ms)
    a = np.exp(-0.1 / 2)  # dt 0.1 ms, AMPA tau 2 ms
    for monitor, rate in zip(monitors, (4e3, 20e3), strict=True):
        counts = monitor.g_ampa_ext[:, 200:] / float(0.25 * nS)  # in units of w, after 20 ms
        mean_count = counts.mean() * (1 - a)
        fano = counts.var(axis=1).mean() * (1 + a) / counts.mean()
        assert mean_count == pytest.approx(rate * 1e-4, rel=0.05)
        assert fano == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n_e": 0}, CircuitError, r"theta_gamma\.n_e: must be an integer >= 1; got 0"),
        ({"n_o": 2.5}, CircuitError, r"theta_gamma\.n_o: must be an integer"),
        ({"tau_gaba_slow": 40}, UnitsError, r"theta_gamma\.tau_gaba_slow: expected a quantity"),
        ({"tau_gaba_fast": 0 * ms}, CircuitError, r"theta_gamma\.tau_gaba_fast: must be > 0"),
        ({"w_oe": -1 * nS}, CircuitError, r"theta_gamma\.w_oe: must be >= 0"),
        ({"b_o": 1 * nS}, UnitsError, r"theta_gamma\.b_o: expected a quantity in amp"),
        (
            {"drive_e": 400 * pA * np.ones(2)},
            CircuitError,
            r"theta_gamma\.drive_e: must be a scalar",
        ),
        ({"p_exc": 0.0}, CircuitError, r"theta_gamma\.p_exc: must be a number in \(0, 1\]"),
        ({"drive_e_spread": 2}, CircuitError, r"theta_gamma\.drive_e_spread: must be a number"),
        ({"gaba": "no"}, CircuitError, r"theta_gamma\.gaba: must be True or False"),
        ({"septal_frequency": 8}, UnitsError, r"theta_gamma\.septal_frequency: expected"),
        ({"septal_frequency": -8 * Hz}, CircuitError, r"theta_gamma\.septal_frequency: must be"),
    ],
)
def test_bad_parameters_raise_before_any_object_is_created(kwargs, error, match):
    before = set(brian2.BrianObject.__instances__())
    with pytest.raises(error, match=match):
        theta_gamma(**kwargs)
    assert not set(brian2.BrianObject.__instances__()) - before
