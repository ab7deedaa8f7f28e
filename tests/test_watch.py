"""Physiological ranges watched during a run (:mod:`quifer_brian.backends.watch`)."""

import pytest
from brian2 import NeuronGroup, ms, mV, nS

from quifer_brian.errors import SimulationError
from quifer_brian.networks import ping
from quifer_brian.networks.circuit import Circuit, CircuitParts


def _construct(equations, initial):
    def construct():
        # a regular spiker keeps the run from being silent; 'X' misbehaves
        clock = NeuronGroup(1, "", threshold="True", dt=0.1 * ms, name="watched_S", namespace={})
        odd = NeuronGroup(
            3,
            equations,
            threshold="False",
            dt=0.1 * ms,
            method="euler",
            name="watched_X",
            namespace={},
        )
        for variable, value in initial.items():
            setattr(odd, variable, value)
        return CircuitParts(populations={"S": clock, "X": odd})

    return construct


def test_a_diverging_potential_is_caught_with_its_time():
    # v = 1 mV exp(t / 10 ms) reaches 1 V at 69 ms (seen at the next 5 ms watch step);
    # it grows every step and is never NaN in 0.2 s
    circuit = Circuit("watched", _construct("dv/dt = v/(10*ms) : volt", {"v": 1 * mV}), {})
    with pytest.raises(
        SimulationError, match=r"'X': v went out .*\|v\| > 1 V.* t = 0\.0(70|75)0 s"
    ):
        circuit.run(200 * ms)


def test_a_negative_conductance_is_caught():
    circuit = Circuit("watched", _construct("dg/dt = -1*nS/ms : siemens", {"g": 5 * nS}), {})
    with pytest.raises(SimulationError, match=r"'X': g went out .*< 0 S.* t = 0\.0(05|10)0 s"):
        circuit.run(50 * ms)


def test_check_false_returns_the_result():
    circuit = Circuit("watched", _construct("dv/dt = v/(10*ms) : volt", {"v": 1 * mV}), {})
    assert circuit.run(100 * ms, check=False).duration == pytest.approx(0.1)


def test_valid_ping_is_watched_and_passes():
    circuit = ping(n_e=40, n_i=10)
    result = circuit.run(100 * ms, seed=1)
    keys = set(circuit.recorded())
    assert {"watch_E_v", "watch_E_g_ampa", "watch_E_g_gaba_a", "watch_I_v"} <= keys
    assert result.mean_rate("E") > 0


@pytest.mark.slow
@pytest.mark.standalone
def test_a_diverging_potential_is_caught_on_cpp_standalone_too():
    circuit = Circuit("watched", _construct("dv/dt = v/(10*ms) : volt", {"v": 1 * mV}), {})
    with pytest.raises(SimulationError, match=r"'X': v went out .* t = 0\.0(70|75)0 s"):
        circuit.run(100 * ms, backend="cpp_standalone")
