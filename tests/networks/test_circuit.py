"""Circuit mechanics: handles, monitors, the LFP proxy, NaN and silence checks."""

import numpy as np
import pytest
from brian2 import SpikeMonitor, amp, ms, nA, nS, second

from quifer_brian.backends import backend_session
from quifer_brian.equations import ampa, exp_current, gaba_a, lif
from quifer_brian.errors import CircuitError, SimulationError
from quifer_brian.networks import Circuit, CircuitParts, LfpSpec
from quifer_brian.networks.circuit import MAZZONI_ALPHA


def construct(drive=0.25 * nA, w_ie=3 * nS):
    exc = lif.group(40, currents=[ampa, gaba_a], name="exc")
    inh = lif.group(10, currents=[ampa], name="inh", tau_m=10 * ms)
    exc.I_ext = drive
    e_to_i = ampa.synapses(exc, inh, w=2 * nS, condition="(i + j) % 2 == 0", name="e_to_i")
    i_to_e = gaba_a.synapses(inh, exc, w=w_ie, condition="(i + j) % 2 == 0", name="i_to_e")
    return CircuitParts(
        populations={"E": exc, "I": inh},
        synapses={"EI": e_to_i, "IE": i_to_e},
        lfp=LfpSpec("E", excitatory="I_ampa", inhibitory="I_gaba_a"),
    )


def small_circuit(drive=0.25 * nA, w_ie=3 * nS):
    return Circuit("toy", construct, {"drive": drive, "w_ie": w_ie})


def test_handles_reach_the_brian2_objects():
    circuit = small_circuit()
    assert circuit.exc is circuit.populations["E"] and len(circuit.exc) == 40
    assert circuit.inh is circuit.populations["I"]
    assert set(circuit.synapses) == {"EI", "IE"}
    assert {"spikes_E", "spikes_I", "rate_E", "rate_I", "lfp"} <= set(circuit.monitors)
    assert circuit.exc in circuit.network.objects
    with pytest.raises(CircuitError, match=r"toy: has no population 'O'; its populations are"):
        circuit._population("O")


def test_run_returns_plain_arrays_and_the_mazzoni_lfp():
    circuit = small_circuit()
    result = circuit.run(100 * ms, seed=1)
    times, indices = result.spikes["E"]
    assert times.dtype == np.float64 and indices.dtype == np.int32
    assert np.all(np.diff(times) >= 0) and times.max() < 0.1
    assert result.sizes == {"E": 40, "I": 10}
    assert result.fs == 1000.0 and len(result.lfp) == 100
    assert len(result.rates["E"]) == 1000  # one value per 0.1 ms step
    # LFP(t) = |I_AMPA(t - 6 ms)| - 1.65 |I_GABA(t)| summed over E cells
    monitor = circuit.monitors["lfp"]
    exc = np.asarray(monitor.I_exc[0] / nA)
    inh = np.asarray(monitor.I_inh[0] / nA)
    expected = np.concatenate([np.full(6, exc[0]), exc[:-6]]) - MAZZONI_ALPHA * inh
    np.testing.assert_allclose(result.lfp / 1e-9, expected, rtol=1e-9)
    assert result.meta["backend"] == "numpy" and result.meta["seed"] == 1
    assert result.params["drive"] == {"value": 2.5e-10, "unit": "amp"}


def test_a_silent_network_is_reported_with_its_populations():
    circuit = small_circuit(drive=0 * nA)
    with pytest.raises(SimulationError, match=r"toy: no population fired .* in 0-0.05 s \(E, I\)"):
        circuit.run(50 * ms)


def test_nan_is_reported_with_the_time_it_appeared():
    def blow_up():
        exc = lif.group(5, currents=[exp_current], name="exc", tau_m=20 * ms)
        exc.I_ext = 0.5 * nA
        # a self-exciting current with a huge weight overflows within a few spikes
        loop = exp_current.synapses(exc, exc, w=1e308 * amp, name="loop")
        return CircuitParts(
            populations={"E": exc},
            synapses={"EE": loop},
            lfp=LfpSpec("E", excitatory="I_exp_current", inhibitory="0*amp"),
        )

    with pytest.raises(SimulationError, match=r"became NaN/inf at t = 0\.\d+ s"):
        Circuit("unstable", blow_up, {}).run(100 * ms)


def test_duration_is_checked():
    for bad in (0 * ms, -1 * ms, np.nan * ms, np.inf * ms):
        with pytest.raises(CircuitError, match=r"toy.run.duration: must be a finite time > 0"):
            small_circuit().run(bad)
    with pytest.raises(TypeError, match=r"toy.run.duration: expected a quantity in second"):
        small_circuit().run(100)


@pytest.mark.standalone
def test_extended_circuit_runs_inside_a_standalone_session(tmp_path):
    with backend_session("cpp_standalone", directory=str(tmp_path)) as session:
        circuit = small_circuit().build(seed=3)
        extra = SpikeMonitor(circuit.inh, name="my_monitor")
        circuit.network.add(extra)
        result = circuit.run(100 * ms, session=session, seed=3)
        assert extra.num_spikes == len(result.spikes["I"][0]) > 0
    reference = small_circuit().run(100 * ms, seed=3)
    # no noise in this circuit: standalone and numpy agree to within one time step
    for population in ("E", "I"):
        assert len(result.spikes[population][0]) == len(reference.spikes[population][0])
        np.testing.assert_allclose(
            result.spikes[population][0], reference.spikes[population][0], atol=1.01e-4
        )


def test_runtime_extension_is_refused_on_standalone():
    circuit = small_circuit()
    circuit.network.add(SpikeMonitor(circuit.exc, name="late_monitor"))
    with pytest.raises(CircuitError, match=r"extended with \['late_monitor'\] in runtime mode"):
        circuit.run(50 * ms, backend="cpp_standalone")
    assert circuit.run(50 * ms).duration == pytest.approx(0.05)
    assert circuit.run(50 * ms).duration == pytest.approx(0.1), "a second run continues"
    assert float(circuit.network.t / second) == pytest.approx(0.1)


@pytest.mark.standalone
def test_rerun_in_a_session_runs_the_compiled_program_with_new_values(tmp_path):
    """The one rerun path: run_values -> CompiledProgram, no recompile."""
    from quifer_brian.networks import ping

    with backend_session("cpp_standalone", directory=str(tmp_path)) as session:
        circuit = ping(n_e=80, n_i=20)
        first = circuit.run(200 * ms, session=session, seed=4)
        binary = tmp_path / "main"
        built_at = binary.stat().st_mtime
        same = circuit.rerun(session, seed=4)
        slower = circuit.rerun(session, tau_gaba=20 * ms)
        with pytest.raises(CircuitError, match="n_e cannot change without a new build"):
            circuit.rerun(session, n_e=100)
    assert binary.stat().st_mtime == built_at, "a rerun must not recompile"
    for name in ("E", "I"):
        np.testing.assert_array_equal(same.spikes[name][0], first.spikes[name][0])
        np.testing.assert_array_equal(same.spikes[name][1], first.spikes[name][1])
    assert slower.params["tau_gaba"] == {"value": 0.02, "unit": "second"}
    assert {k: v for k, v in slower.params.items() if k != "tau_gaba"} == {
        k: v for k, v in first.params.items() if k != "tau_gaba"
    }
    assert len(slower.spikes["E"][0]) != len(first.spikes["E"][0])


# ---------------------------------------------------------------- same seed, same spikes
def _noisy_ping():
    from quifer_brian.networks import ping

    return ping(n_e=40, n_i=10)  # random connectivity, initial values and noise


def _spikes(result):
    return {
        name: (times.copy(), indices.copy()) for name, (times, indices) in result.spikes.items()
    }


def _assert_same_spikes(a, b):
    for name in a:
        np.testing.assert_array_equal(a[name][0], b[name][0])
        np.testing.assert_array_equal(a[name][1], b[name][1])


def test_same_seed_same_spikes_whatever_the_global_random_state():
    """No manual seeding: run(seed) alone fixes connectivity, initial values and noise,
    and leaves numpy's global random stream as the caller had it."""
    reference = _spikes(_noisy_ping().run(100 * ms, seed=1))
    np.random.seed(12345)  # noqa: NPY002
    before = np.random.get_state()  # noqa: NPY002
    again = _spikes(_noisy_ping().run(100 * ms, seed=1))
    after = np.random.get_state()  # noqa: NPY002
    _assert_same_spikes(reference, again)
    assert np.array_equal(before[1], after[1]) and before[2] == after[2], "global RNG changed"
    other = _spikes(_noisy_ping().run(100 * ms, seed=2))
    assert len(other["E"][0]) != len(reference["E"][0])


def test_a_handle_touched_before_a_seeded_run_is_refused_with_the_fix():
    circuit = _noisy_ping()
    assert len(circuit.exc) == 40  # builds the objects under whatever random state
    with pytest.raises(
        CircuitError,
        match=r"ping.run\(seed=1\): .* created under an unknown "
        r"random state .* Call circuit.build\(seed=1\)",
    ):
        circuit.run(100 * ms, seed=1)
    assert circuit.run(20 * ms).duration == pytest.approx(0.02), "unseeded: runs as built"


def test_build_with_the_seed_then_extend_gives_the_same_spikes():
    reference = _spikes(_noisy_ping().run(100 * ms, seed=1))
    circuit = _noisy_ping().build(seed=1)
    extra = SpikeMonitor(circuit.exc, name="extra_monitor")
    circuit.network.add(extra)
    np.random.seed(7)  # noqa: NPY002 -- the user's own global random numbers
    np.random.uniform(size=100)  # noqa: NPY002
    result = circuit.run(100 * ms, seed=1)
    _assert_same_spikes(reference, _spikes(result))
    assert extra.num_spikes == len(reference["E"][0])
    built_unseeded = _noisy_ping().build()
    with pytest.raises(CircuitError, match=r"build\(seed=2\): the circuit's objects already"):
        built_unseeded.build(seed=2)
    with pytest.raises(CircuitError, match=r"built for 'numpy'.*backend='cython'"):
        _noisy_ping().build(seed=1).run(10 * ms, seed=1, backend="cython")


# ---------------------------------------------------------------- Ctrl-C
def test_ctrl_c_stops_a_numpy_run_and_returns_the_partial_result_marked_incomplete():
    import os
    import signal

    from brian2 import NetworkOperation

    from quifer_brian.errors import RunInterrupted

    circuit = small_circuit()
    circuit.network.add(
        NetworkOperation(
            lambda t: os.kill(os.getpid(), signal.SIGINT) if abs(t - 80 * ms) < 0.05 * ms else None,
            dt=0.1 * ms,
            name="ctrl_c",
        )
    )
    handler = signal.getsignal(signal.SIGINT)
    with pytest.raises(RunInterrupted, match=r"toy: interrupted at t = 0.0801 s of 0.2 s") as info:
        circuit.run(200 * ms)
    assert signal.getsignal(signal.SIGINT) is handler, "the handler is put back"
    result = info.value.result
    assert result.meta["complete"] is False
    assert result.meta["requested_duration_s"] == pytest.approx(0.2)
    assert result.meta["simulated_duration_s"] == pytest.approx(0.0801) == result.duration
    times = np.concatenate([result.spikes["E"][0], result.spikes["I"][0]])
    assert len(result.lfp) == 81 and len(times) > 0 and times.max() < 0.0801
    complete = small_circuit().run(50 * ms)
    assert complete.meta["complete"] is True
    assert complete.meta["requested_duration_s"] == complete.meta["simulated_duration_s"] == 0.05
