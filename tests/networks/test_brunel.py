"""Brunel 2000: sparse E/I network with fixed in-degrees and its four states (figure 8).

Anchors: Brunel (2000), figure 8.  At fixed in-degree C_E = 1000 (quarter scale,
N_E = 2500) the four points land in their states by measured signatures of the E cells:
A (g=3, eta=2) synchronous regular, CV < 0.1; B (6, 4) synchronous irregular with a fast
population rhythm (peak >= 100 Hz, far above the background) and irregular cells
(CV > 0.7); C (5, 2) irregular (CV > 0.3) with a weaker rhythm than B; D (4.5, 0.9)
synchronous irregular with a slow rhythm (peak < 60 Hz) at a low rate (< 15 Hz).

The four points come from ONE cpp_standalone compile: g (the shared weight of the
inhibitory projections) and eta (a one-value TimedArray) are changed with run_args
(``circuit.run_values(g=..., eta=...)`` handed to the session's rerun).
The project folder is shared with the lab's test (tests/networks/test_brunel_lab.py),
which then finds it compiled.

The four-state tests are marked slow: the default suite checks the same criteria, on the
same circuit, seed, scale and duration through the same calls (``brunel``,
``Circuit.run`` in a cpp_standalone session, ``Circuit.rerun`` with run_args,
``state_signatures``), from the lab's quick run as a notebook
(tests/networks/test_brunel_lab.py), which the suite runs anyway; running the four
points a second time here cost about half a minute of the default suite.
"""

import numpy as np
import pytest
from brian2 import Hz, ms, mV, second

from quifer_brian.analysis import state_signatures
from quifer_brian.backends import backend_session
from quifer_brian.errors import CircuitError, UnitsError
from quifer_brian.networks import brunel
from quifer_brian.networks.brunel import BRUNEL_STATES, threshold_rate

SEED = 1
SCALE = 0.25  # N_E = 2500, N_I = 625 with C_E = 1000, C_I = 250
DURATION = 0.5  # s per point
T_START = 0.1  # s: transient left out of every measurement
BUILD_DIR = "brunel_quarter_build"  # under pytest's session temp folder (shared)


def signatures(times, indices, n_neurons, t_start=T_START, t_stop=DURATION):
    """The package's state signatures of one population (see analysis.state_signatures)."""
    return state_signatures(times, indices, n_neurons, t_start, t_stop)


def _spikes_at(session, circuit, first, g, eta):
    """E spikes of the compiled program at (g, eta): the first run's, or a rerun's."""
    result = first if (g, eta) == (first.params["g"], first.params["eta"]) else None
    if result is None:
        result = circuit.rerun(session, g=g, eta=eta)
    return result.spikes["E"]


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """Signatures of E at the four points; one compile, three reruns (run_args)."""
    directory = tmp_path_factory.getbasetemp() / BUILD_DIR
    measured = {}
    with backend_session("cpp_standalone", directory=str(directory)) as session:
        g, eta, _ = BRUNEL_STATES["A"]
        circuit = brunel(g=g, eta=eta, scale=SCALE)
        first = circuit.run(DURATION * second, session=session, seed=SEED)
        for name in "ABCD":
            g, eta, _ = BRUNEL_STATES[name]
            times, indices = _spikes_at(session, circuit, first, g, eta)
            measured[name] = signatures(times, indices, circuit.params["N_E"])
    for name, values in measured.items():
        print(name, {k: round(v, 3) for k, v in values.items() if np.isscalar(v)})
    return measured


# ----------------------------------------------------------------- the four states
# slow: the default suite's equivalent is tests/networks/test_brunel_lab.py (see above)
@pytest.mark.slow
@pytest.mark.standalone
def test_a_is_synchronous_regular(states):
    assert states["A"]["cv"] < 0.1
    assert all(states[name]["cv"] > 0.3 for name in "BCD")


@pytest.mark.slow
@pytest.mark.standalone
def test_b_is_fast_oscillation_with_irregular_cells(states):
    b = states["B"]
    assert b["peak"] >= 100, b
    assert b["ratio"] >= 50, b  # strongly above the shot-noise floor
    assert b["cv"] > 0.7, b


@pytest.mark.slow
@pytest.mark.standalone
def test_c_is_irregular_and_weakly_synchronous(states):
    b, c = states["B"], states["C"]
    assert c["cv"] > 0.3, c
    # a damped fast rhythm remains at these exact parameters, weaker than in B
    assert c["ratio"] < b["ratio"] / 2, (c, b)
    assert c["rate"] < b["rate"]


@pytest.mark.slow
@pytest.mark.standalone
def test_d_is_slow_oscillation_at_low_rate(states):
    d = states["D"]
    assert d["peak"] < 60, d
    assert d["rate"] < 15, d
    assert d["ratio"] >= 5, d  # a rhythm, not flat noise
    assert all(states[name]["peak"] >= 100 for name in "BC")


# ----------------------------------------------------------------- structure
def test_sizes_and_fixed_in_degrees():
    circuit = brunel(scale=0.1, epsilon=0.01)
    params = circuit.params
    assert (params["N_E"], params["N_I"], params["C_E"], params["C_I"]) == (1000, 250, 100, 25)
    assert circuit.exc.N == 1000 and circuit.inh.N == 250
    for name, source, in_degree in (("EE", 1000, 100), ("EI", 1000, 100), ("IE", 250, 25)):
        synapses = circuit.synapses[name]
        i, j = np.asarray(synapses.i[:]), np.asarray(synapses.j[:])
        targets = len(circuit.populations[name[1]])
        assert np.all(np.bincount(j, minlength=targets) == in_degree), name
        assert len(np.unique(j * source + i)) == len(i), name  # no repeated pair
    assert circuit.synapses["EE"].w[:] == 0.1 * mV
    assert circuit.synapses["II"].w[:] == -5 * 0.1 * mV


def test_scale_keeps_in_degree_and_threshold_rate():
    full, quarter = brunel().params, brunel(scale=0.25).params
    assert (full["N_E"], full["N_I"], quarter["N_E"], quarter["N_I"]) == (10000, 2500, 2500, 625)
    assert (quarter["C_E"], quarter["C_I"]) == (full["C_E"], full["C_I"]) == (1000, 250)
    # nu_thr = theta / (J C_E tau) = 20 mV / (0.1 mV * 1000 * 20 ms) = 10 Hz
    assert abs(threshold_rate() / Hz - 10) < 1e-9
    assert abs(brunel(eta=0.9).params["nu_ext"] / Hz - 9) < 1e-9


def test_numpy_run_is_reproducible_and_refractory():
    """Same seed, same spikes; no inter-spike interval shorter than t_ref."""

    def run():
        circuit = brunel(g=5, eta=2, scale=0.1, epsilon=0.01)
        result = circuit.run(60 * ms, seed=SEED)
        return result.spikes["E"][0].copy(), np.array(result.spikes["E"][1])

    (t1, i1), (t2, i2) = run(), run()
    assert len(t1) > 100 and np.array_equal(t1, t2) and np.array_equal(i1, i2)
    order = np.lexsort((t1, i1))
    same = np.diff(i1[order]) == 0
    assert np.min(np.diff(t1[order])[same]) >= 2e-3 - 1e-9


def test_run_values_target_inhibition_and_drive():
    circuit = brunel(g=3, eta=2, scale=0.1, epsilon=0.01)
    values = circuit.run_values(g=6, eta=4)
    assert list(values) == ["brunel_IE.w", "brunel_II.w", "brunel_nu_ext.values"]
    assert values["brunel_IE.w"] == values["brunel_II.w"] == pytest.approx(-0.6e-3, abs=1e-15)
    # eta nu_thr, nu_thr = 100 Hz at C_E = 100
    assert values["brunel_nu_ext.values"] == pytest.approx(400, abs=1e-9)
    assert circuit.run_values() == {
        "brunel_IE.w": pytest.approx(-0.3e-3, abs=1e-15),
        "brunel_II.w": pytest.approx(-0.3e-3, abs=1e-15),
        "brunel_nu_ext.values": pytest.approx(200, abs=1e-9),
    }


# ----------------------------------------------------------------- bad parameters
@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(g=-1), CircuitError, r"brunel\.g: must be >= 0; got -1"),
        (dict(eta=-0.5), CircuitError, r"brunel\.eta: must be >= 0"),
        (dict(g="5"), CircuitError, r"brunel\.g: must be a finite real number; got '5'"),
        (dict(g=float("nan")), CircuitError, r"brunel\.g: must be a finite real number"),
        (dict(scale=0), CircuitError, r"brunel\.scale: must be a number in \(0, 1\]; got 0"),
        (dict(scale=1.5), CircuitError, r"brunel\.scale: must be a number in \(0, 1\]"),
        (dict(scale=0.05), CircuitError, r"brunel\.scale: leaves N_E = 500.*scale >= 0\.1"),
        (dict(epsilon=0), CircuitError, r"brunel\.epsilon: must be a number in \(0, 1\]"),
        (dict(J=0.1), UnitsError, r"brunel\.J: expected a quantity in volt"),
        (dict(delay=1.5 * mV), UnitsError, r"brunel\.delay: expected a quantity in second"),
        (dict(tau_m=-20 * ms), CircuitError, r"brunel\.tau_m: must be > 0"),
        (dict(V_reset=25 * mV), CircuitError, r"brunel\.V_reset: must be below V_th"),
        (dict(dt=1 * ms, delay=0.5 * ms), CircuitError, r"brunel\.delay: must be >= dt"),
    ],
)
def test_bad_parameters_raise_before_building(kwargs, error, match):
    with pytest.raises(error, match=match):
        brunel(**kwargs)  # raises in the builder: no Circuit, no Brian2 object


def test_run_values_refuse_structure_and_bad_values():
    circuit = brunel(scale=0.1, epsilon=0.01)
    with pytest.raises(CircuitError, match=r"brunel\.run_values: J cannot change.*: g, eta\."):
        circuit.run_values(J=0.2 * mV)
    with pytest.raises(CircuitError, match=r"brunel\.g: must be >= 0; got -2"):
        circuit.run_values(g=-2)


@pytest.mark.slow
@pytest.mark.standalone
def test_full_scale_c_keeps_a_damped_fast_rhythm(tmp_path):
    """Full scale (N_E = 10000): C stays irregular with a weak fast rhythm, B a strong one.

    At g = 5, eta = 2 Brunel's asynchronous state keeps a damped fast oscillation at
    these parameters: its CV stays well below 1 (about 0.4-0.5), and its spectral peak
    is far weaker than the SI-fast point B.
    """
    measured = {}
    duration = 1.0
    with backend_session("cpp_standalone", directory=str(tmp_path)) as session:
        circuit = brunel(g=5, eta=2, scale=1.0)
        first = circuit.run(duration * second, session=session, seed=SEED)
        for name, (g, eta) in (("C", (5, 2)), ("B", (6, 4))):
            times, indices = _spikes_at(session, circuit, first, g, eta)
            measured[name] = signatures(times, indices, 10000, t_stop=duration)
    print(
        {
            name: {k: round(v, 3) for k, v in m.items() if np.isscalar(v)}
            for name, m in measured.items()
        }
    )
    b, c = measured["B"], measured["C"]
    assert 0.3 < c["cv"] < 0.9, c
    assert c["peak"] >= 100 and c["ratio"] < b["ratio"] / 2, (c, b)
    assert b["peak"] >= 100 and b["cv"] > 0.7, b


def test_run_values_are_what_the_build_cache_and_a_session_rerun_take():
    """One source of the tunable values: the table's targets, resolved by handle."""
    circuit = brunel(g=5, eta=2, scale=0.1, epsilon=0.01)
    values = circuit.run_values(g=6, eta=4)
    assert values["brunel_IE.w"] == values["brunel_II.w"] == pytest.approx(-6 * 0.1e-3)
    nu_thr = threshold_rate(circuit.params["V_th"], circuit.params["J"], 100, 20 * ms)
    assert values["brunel_nu_ext.values"] == pytest.approx(4 * float(nu_thr / Hz))
    assert set(circuit.structure_params) >= {"N_E", "C_E", "delay"}
    assert not {"g", "eta", "nu_ext"} & set(circuit.structure_params)
