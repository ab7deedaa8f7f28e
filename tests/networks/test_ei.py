"""PING and ING: emergent gamma, its dependence on the GABA_A decay, spike locking.

Anchors: Börgers & Kopell 2003/2005 (PING: the period is set by the decay of inhibition,
T ~ tau_GABA ln(g_peak/g_thr) + delay, so the frequency falls as tau_GABA grows; E
spikes lock to the cycle; without I->E inhibition there is no rhythm to lock to) and
Wang & Buzsaki 1996 (ING: mutual inhibition alone synchronises driven interneurons in
the gamma band, slower for slower inhibition).

Every number comes from the package's analysis functions on fixed seeds.  The spectra
are single Hann-window periodograms of the 0.1-0.5 s LFP proxy (2.5 Hz resolution); the
tau_GABA steps must span at least two bins to count.
"""

import gc
import re

import numpy as np
import pytest
from brian2 import BrianObject, ms, mV, nA, nS, pA, second

from quifer_brian.analysis import gamma_measures
from quifer_brian.backends import backend_session
from quifer_brian.errors import CircuitError, UnitsError
from quifer_brian.networks import ing, ping

from ..conftest import SWEEP_DURATION_MS, SWEEP_PING

DURATION = 0.5 * second
SEED = 1
ING_SIZE = 50  # interneurons in the ING tests (total inhibition g_syn kept)


def simulate(circuit, backend="numpy"):
    """Run ``circuit`` on a fixed seed (``run(seed=...)`` alone fixes every random draw)."""
    if backend == "numpy":
        return circuit.run(DURATION, seed=SEED)
    with backend_session(backend) as session:
        return circuit.run(DURATION, session=session, seed=SEED)


def gamma(result, population):
    """The package's gamma measures (analysis.gamma_measures)."""
    return gamma_measures(result, population)


# ---------------------------------------------------------------------------- PING
@pytest.fixture(scope="module")
def ping_sweep():
    """PING (400 E + 100 I, 0.5 s) for tau_GABA = 5, 10 (the default) and 20 ms."""
    return {tau: simulate(ping(n_e=400, n_i=100, tau_gaba=tau * ms)) for tau in (5, 10, 20)}


def test_ping_gamma_peak_rates_and_locking(ping_sweep):
    result = ping_sweep[10]
    measured = gamma(result, "E")
    assert 30 <= measured["peak"] <= 80, measured
    assert measured["ratio"] >= 100, measured
    rate_e, rate_i = result.mean_rate("E"), result.mean_rate("I")
    assert 1 <= rate_e <= 30 and rate_i > rate_e, (rate_e, rate_i)
    assert measured["plv"] >= 0.5, measured
    assert np.all(np.isfinite(result.lfp))


def test_ping_frequency_falls_with_gaba_decay(ping_sweep):
    peaks = [gamma(ping_sweep[tau], "E") for tau in (5, 10, 20)]
    frequencies = [p["peak"] for p in peaks]
    df = peaks[0]["df"]
    assert frequencies[0] - frequencies[1] >= 2 * df, frequencies
    assert frequencies[1] - frequencies[2] >= 2 * df, frequencies
    # Borgers & Kopell: T = tau ln(g_peak/g_thr) + d, i.e. the period grows with tau at a
    # slope of order ln(g_peak/g_thr) ~ 1 (25 nS peak, ~9 nS threshold: ln = 0.99).
    periods = 1 / np.array(frequencies)
    slope = np.polyfit([5e-3, 10e-3, 20e-3], periods, 1)[0]
    assert 0.5 <= slope <= 2.0, slope


def test_ping_control_without_inhibition_onto_e_does_not_lock():
    result = simulate(ping(n_e=400, n_i=100, w_ie=0 * nS))
    assert gamma(result, "E")["plv"] < 0.1


def test_ping_current_based_synapses_give_the_same_rhythm():
    result = simulate(ping(n_e=400, n_i=100, synapse="current"))
    measured = gamma(result, "E")
    assert 30 <= measured["peak"] <= 80 and measured["ratio"] >= 100, measured
    assert measured["plv"] >= 0.5, measured
    rate_e, rate_i = result.mean_rate("E"), result.mean_rate("I")
    assert 1 <= rate_e <= 30 and rate_i > rate_e, (rate_e, rate_i)


@pytest.mark.standalone
def test_ping_cpp_standalone_gamma(ping_cache):
    """The session's compiled default PING (tests/conftest.py): no compile of its own."""
    duration = SWEEP_DURATION_MS * ms
    result = ping(**SWEEP_PING).run(duration, backend="cpp_standalone", seed=SEED, cache=ping_cache)
    measured = gamma(result, "E")
    assert result.meta["backend"] == "cpp_standalone"
    assert 30 <= measured["peak"] <= 80 and measured["ratio"] >= 100, measured
    assert measured["plv"] >= 0.5, measured
    rate_e, rate_i = result.mean_rate("E"), result.mean_rate("I")
    assert 1 <= rate_e <= 30 and rate_i > rate_e, (rate_e, rate_i)


def test_ping_handles_and_parameters():
    circuit = ping(n_e=20, n_i=5, p_ee=0.0)
    assert len(circuit.exc) == 20 and len(circuit.inh) == 5
    assert set(circuit.synapses) == {"EE", "EI", "IE", "II"}
    assert len(circuit.synapses["EE"]) == 0
    # the tunable parameters are shared variables of the groups, not namespace constants
    assert "tau_gaba_a" not in circuit.exc.namespace
    assert float(circuit.exc.tau_gaba_a / ms) == pytest.approx(10)
    assert float(circuit.inh.tau_gaba_a / ms) == pytest.approx(10)
    drives = np.asarray(circuit.exc.I_drive / pA)
    assert np.all((drives >= 320 - 1e-9) & (drives <= 480 + 1e-9)) and drives.std() > 0
    assert "I_noise" in circuit.exc.variables
    assert "I_noise" not in ping(n_e=2, n_i=2, noise_e=0 * pA).exc.variables


def test_ping_run_values_name_the_compiled_variables():
    circuit = ping(n_e=4, n_i=2, synapse="current")
    values = circuit.run_values(tau_gaba=20 * ms, drive_e=300 * pA, w_ie=1 * nS)
    assert values["ping_E.tau_gaba_a"] == values["ping_I.tau_gaba_a"] == pytest.approx(0.02)
    assert values["ping_E.I_0_drive"] == pytest.approx(300e-12)
    # current-based weights take the driving force at V_syn: 1 nS * (-80 mV - -55 mV)
    assert values["ping_IE.w"] == pytest.approx(-25e-12)
    for name in values:  # every target exists in the built circuit
        group, variable = name.split(".")
        owners = {
            **{g.name: g for g in circuit.populations.values()},
            **{s.name: s for s in circuit.synapses.values()},
        }
        assert variable in owners[group].variables, name
    with pytest.raises(CircuitError, match=r"ping.run_values: n_e cannot change without a new"):
        circuit.run_values(n_e=10)
    assert "n_e" in circuit.structure_params and "tau_gaba" not in circuit.structure_params


# ----------------------------------------------------------------------------- ING
@pytest.fixture(scope="module")
def ing_sweep():
    return {tau: simulate(ing(n_i=ING_SIZE, tau_gaba=tau * ms)) for tau in (5, 10, 20)}


def test_ing_gamma_falls_with_gaba_decay_and_locks(ing_sweep):
    measured = {tau: gamma(result, "I") for tau, result in ing_sweep.items()}
    for tau in (5, 10):
        assert 30 <= measured[tau]["peak"] <= 100, measured
    for tau in (5, 10, 20):
        assert measured[tau]["plv"] >= 0.5, measured
        assert measured[tau]["ratio"] >= 100, measured
        assert np.all(np.isfinite(ing_sweep[tau].lfp))
    df = measured[5]["df"]
    assert measured[5]["peak"] - measured[10]["peak"] >= 2 * df, measured
    assert measured[10]["peak"] - measured[20]["peak"] >= 2 * df, measured


@pytest.mark.standalone
@pytest.mark.slow
def test_ing_cpp_standalone_gamma():
    result = simulate(ing(n_i=ING_SIZE), backend="cpp_standalone")
    measured = gamma(result, "I")
    assert 30 <= measured["peak"] <= 100 and measured["plv"] >= 0.5, measured


def test_ing_handles_and_lfp():
    circuit = ing(n_i=10, p_ii=0.5)
    assert list(circuit.populations) == ["I"] and len(circuit.inh) == 10
    with pytest.raises(CircuitError, match="has no population 'E'"):
        _ = circuit.exc
    weights = np.asarray(circuit.synapses["II"].w / nS)
    assert np.allclose(weights, 20 / (10 * 0.5))
    assert circuit.synapses["II"].clock.dt == circuit.inh.clock.dt == 0.05 * ms


# ---------------------------------------------------------------------- bad input
def _no_new_objects(make):
    gc.collect()  # objects of earlier tests waiting for the collector are not ours
    before = len(BrianObject.__instances__())
    with pytest.raises((CircuitError, UnitsError)) as info:
        make()
    gc.collect()
    assert len(BrianObject.__instances__()) == before
    return str(info.value)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_e": 0}, r"ping\.n_e: must be an integer >= 1; got 0"),
        ({"n_i": 2.5}, r"ping\.n_i: must be an integer"),
        ({"p_ie": 1.5}, r"ping\.p_ie: must be a number in \[0, 1\]; got 1\.5"),
        ({"p_ee": -0.1}, r"ping\.p_ee: .*got -0\.1"),
        ({"drive_e": -10 * pA}, r"ping\.drive_e: must be >= 0"),
        ({"drive_e": 0.3}, r"ping\.drive_e: expected a quantity in amp"),
        ({"w_ie": 1 * mV}, r"ping\.w_ie: expected a quantity in siemens"),
        ({"w_ei": -1 * nS}, r"ping\.w_ei: must be >= 0"),
        ({"tau_gaba": 0 * ms}, r"ping\.tau_gaba: must be > 0"),
        ({"tau_gaba": 10}, r"ping\.tau_gaba: expected a quantity in second"),
        ({"noise_e": -1 * pA}, r"ping\.noise_e: must be >= 0"),
        ({"drive_e_spread": 2}, r"ping\.drive_e_spread: must be a number in \[0, 1\]"),
        ({"synapse": "cond"}, r"ping\.synapse: unknown value 'cond'"),
        ({"delay": -1 * ms}, r"ping\.delay: must be >= 0"),
        ({"V_syn": 1 * nA}, r"ping\.V_syn: expected a quantity in volt"),
    ],
)
def test_ping_refuses_bad_parameters(kwargs, match):
    message = _no_new_objects(lambda: ping(**kwargs))
    assert re.search(match, message), message


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"n_i": -3}, r"ing\.n_i: must be an integer >= 1; got -3"),
        ({"drive": -1 * pA}, r"ing\.drive: must be >= 0"),
        ({"drive": 1 * nS}, r"ing\.drive: expected a quantity in amp"),
        ({"p_ii": 2}, r"ing\.p_ii: must be a number in \[0, 1\]"),
        ({"g_syn": -1 * nS}, r"ing\.g_syn: must be >= 0"),
        ({"tau_gaba": -5 * ms}, r"ing\.tau_gaba: must be > 0"),
        ({"dt": 0.05}, r"ing\.dt: expected a quantity in second"),
        ({"E_gaba": -75}, r"ing\.E_gaba: expected a quantity in volt"),
        ({"drive_spread": -0.5}, r"ing\.drive_spread: must be a number in \[0, 1\]"),
    ],
)
def test_ing_refuses_bad_parameters(kwargs, match):
    message = _no_new_objects(lambda: ing(**kwargs))
    assert re.search(match, message), message
