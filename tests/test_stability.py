"""The time step against the dynamics: dt / tau per method, Kuramoto K dt and omega dt,
Bernoulli sources (:mod:`quifer_brian.backends.stability`, ``kuramoto``, ``poisson``)."""

import numpy as np
import pytest
from brian2 import Hz, kHz, ms, second

from quifer_brian.analysis.clocks import mean_field_phase, order_parameter
from quifer_brian.backends.stability import (
    check_bernoulli_sources,
    check_time_steps,
    fastest_time_constants,
    mark_bernoulli_by_design,
)
from quifer_brian.equations import lif_cond, poisson, traub_miles
from quifer_brian.equations.registry import list_models
from quifer_brian.errors import CircuitError, ModelError
from quifer_brian.networks import kuramoto, ping
from quifer_brian.networks.registry import get_network, list_networks
from quifer_brian.theory import kuramoto_order_parameter


def test_time_constants_come_from_the_equations():
    taus = fastest_time_constants(lif_cond.group(2))
    assert taus["g_e"] == pytest.approx(5e-3)
    assert taus["g_i"] == pytest.approx(10e-3)
    assert taus["v"] == pytest.approx(20e-3)  # C_m / g_L with no conductance open
    # Hodgkin-Huxley: the fastest membrane time constant over -90..60 mV, ~10 us
    assert fastest_time_constants(traub_miles.group(1))["v"] == pytest.approx(1.0e-5, rel=0.05)


def test_ping_at_5_ms_is_refused_before_anything_runs():
    # today's main runs it and reports a gamma peak while the conductances flip sign
    circuit = ping(n_e=40, n_i=10, dt=5 * ms)
    with pytest.raises(CircuitError, match=r"'E': g_ampa .*2 ms.*'euler'.*dt <= 0\.5 ms"):
        _ = circuit.network


def test_ping_at_the_euler_bound_builds():
    assert ping(n_e=40, n_i=10, dt=0.5 * ms).network is not None


def test_rk4_hodgkin_huxley_step_that_goes_nan_is_refused():
    # Traub-Miles with RK4 turns NaN at dt = 0.05 ms (and is exact to 0.03 ms)
    with pytest.raises(CircuitError, match=r"'TM': v .*'rk4'"):
        check_time_steps({"TM": traub_miles.group(1, dt=0.05 * ms)}, "test")
    check_time_steps({"TM": traub_miles.group(1, dt=0.03 * ms)}, "test")


@pytest.mark.parametrize(
    "name", [m.name if hasattr(m, "name") else m for m in list_models("neuron")]
)
def test_every_neuron_model_passes_at_its_default_step(name):
    from quifer_brian.equations.registry import get_model

    group = get_model(name).group(2)
    check_time_steps({name: group}, "test")
    check_bernoulli_sources({name: group}, "test")


@pytest.mark.parametrize("name", list_networks())
def test_every_network_builds_at_its_defaults(name):
    assert get_network(name)().network is not None  # the checks run at build


# ------------------------------------------------------------------------ kuramoto
def test_kuramoto_refuses_a_coupling_step_beyond_the_bound():
    # K dt = 4: the clock ran at 13.5 Hz instead of 10 and r was 0.96 instead of 0.998
    with pytest.raises(
        CircuitError, match=r"kuramoto\.coupling: K\*dt must be <= 1.*dt <= 2\.5 ms"
    ):
        kuramoto(n=50, coupling=400 * Hz, dt=10 * ms)


def test_kuramoto_refuses_a_phase_step_beyond_pi():
    with pytest.raises(CircuitError, match=r"kuramoto\.dt: \|omega\|\*dt must be <= pi"):
        kuramoto(n=50, coupling=20 * Hz, omega_0=2 * np.pi * 150 * Hz, dt=10 * ms)


def test_kuramoto_within_the_bound_matches_theory():
    # K dt = 1, the bound: r and the clock rate are still those of the theory
    circuit = kuramoto(n=300, coupling=100 * Hz, gamma=1 * Hz, dt=10 * ms)
    result = circuit.run(3 * second)
    _, r = order_parameter(result, t_start=1.0)
    assert r.mean() == pytest.approx(kuramoto_order_parameter(100 * Hz, 1 * Hz), abs=0.005)
    times = np.arange(len(r)) / result.fs + 1.0
    psi = np.unwrap(mean_field_phase(result))[-len(r) :]
    assert np.polyfit(times, psi, 1)[0] / (2 * np.pi) == pytest.approx(10.0, abs=0.01)


# ------------------------------------------------------------------------- poisson
def test_poisson_refuses_rates_beyond_a_tenth_per_step():
    # at dt = 0.1 ms, 20 kHz asked used to deliver 10 kHz (one spike per step at most)
    with pytest.raises(
        ModelError, match=r"poisson\.group\.rate_0: .*rate_0\*dt <= 0\.1.*poisson\(rate\*dt\)"
    ):
        poisson.group(5, rate_0=20 * kHz, dt=0.1 * ms)
    with pytest.raises(ModelError, match=r"must be >= 0"):
        poisson.group(5, rate_0=-5 * Hz, dt=0.1 * ms)
    assert len(poisson.group(5, rate_0=1 * kHz, dt=0.1 * ms)) == 5  # p = 0.1, the bound


def test_bernoulli_rate_set_after_creation_is_refused_at_build():
    group = poisson.group(5, rate_0=10 * Hz, dt=0.1 * ms)
    group.rate = 4 * kHz
    with pytest.raises(CircuitError, match=r"'drive' fires with probability rate\*dt.*0\.4"):
        check_bernoulli_sources({"drive": group}, "test")


def test_a_bernoulli_code_by_design_is_exempt_and_only_that_group():
    """A per-step code (p up to 1) passes only when marked; the same group unmarked fails."""
    from brian2 import NeuronGroup

    def group(name):
        g = NeuronGroup(4, "rate : 1", threshold="rand() < rate", dt=1 * ms, name=name)
        g.rate = 0.9
        return g

    with pytest.raises(CircuitError, match=r"probability rate per step, up to 0\.9"):
        check_bernoulli_sources({"X": group("plain_code")}, "test")
    check_bernoulli_sources({"X": mark_bernoulli_by_design(group("marked_code"))}, "test")
