"""The LIF f-I curve against its closed form, on numpy and cpp_standalone."""

import os

import numpy as np
import pytest
from brian2 import Network, SpikeMonitor, ms, nA, second

from quifer_brian.backends import backend_session
from quifer_brian.equations import lif
from quifer_brian.errors import ModelError, UnitsError
from quifer_brian.protocols import simulate_fi_curve
from quifer_brian.theory import lif_rate

ABOVE_RHEOBASE = np.array([0.25, 0.3, 0.4, 0.6, 1.0]) * nA  # rheobase is 0.2 nA
BELOW_RHEOBASE = np.array([0.0, 0.1, 0.19]) * nA
TOLERANCE = 0.01  # relative, from the issue
THEORY_ARGS = ("tau_m", "R_m", "E_L", "V_th", "V_reset", "t_ref")


def theory(currents):
    return lif_rate(currents, **{k: lif.params[k] for k in THEORY_ARGS})


def check_fi(rates_above, rates_below):
    expected = theory(ABOVE_RHEOBASE)
    error = np.abs(rates_above - expected) / expected
    assert np.all(error < TOLERANCE), f"rates {rates_above} vs theory {expected}"
    assert np.all(rates_below == 0), f"fires below rheobase: {rates_below}"


def test_fi_curve_matches_closed_form_on_numpy():
    currents = np.concatenate([ABOVE_RHEOBASE / nA, BELOW_RHEOBASE / nA]) * nA
    rates = simulate_fi_curve(currents, duration=0.5 * second, backend="numpy")
    check_fi(rates[: len(ABOVE_RHEOBASE)], rates[len(ABOVE_RHEOBASE) :])


@pytest.mark.standalone
def test_fi_curve_on_cpp_standalone_and_rerun_without_recompiling(tmp_path):
    """One compile: the f-I curve, then other currents through run_args (no rebuild)."""
    currents = np.concatenate([ABOVE_RHEOBASE / nA, BELOW_RHEOBASE / nA]) * nA
    with backend_session("cpp_standalone", directory=str(tmp_path)) as session:
        group = lif.group(len(currents), dt=0.01 * ms)
        group.I_ext = currents
        monitor = SpikeMonitor(group)
        session.run(Network(group, monitor), 0.5 * second)
        rates = rates_from(monitor)
        binary = tmp_path / "main"
        built_at = os.path.getmtime(binary)
        session.rerun({group.I_ext: currents * 1.5})
        rerun_rates = rates_from(monitor)
        assert os.path.getmtime(binary) == built_at, "rerun must not recompile"
    n_above = len(ABOVE_RHEOBASE)
    check_fi(rates[:n_above], rates[n_above:])
    expected = theory(currents * 1.5)
    firing = expected > 0
    error = np.abs(rerun_rates[firing] - expected[firing]) / expected[firing]
    assert np.all(error < TOLERANCE), f"rerun rates {rerun_rates} vs theory {expected}"
    assert np.all(rerun_rates[~firing] == 0)


def rates_from(monitor):
    """Rate per neuron: (spikes - 1) / (last - first spike), as simulate_fi_curve does."""
    rates = np.zeros(len(monitor.source))
    for index, train in monitor.spike_trains().items():
        times = np.asarray(train / second)
        if times.size >= 2:
            rates[index] = (times.size - 1) / (times[-1] - times[0])
    return rates


def test_parameter_overrides_change_the_curve_as_theory_says():
    rates = simulate_fi_curve(ABOVE_RHEOBASE, duration=0.5 * second, tau_m=10 * ms)
    fast = lif.with_params(tau_m=10 * ms).params
    expected = lif_rate(ABOVE_RHEOBASE, **{k: fast[k] for k in THEORY_ARGS})
    assert np.all(np.abs(rates - expected) / expected < TOLERANCE)


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        (
            {"currents": [0.1, 0.2]},
            UnitsError,
            r"simulate_fi_curve.currents: expected a quantity in amp",
        ),
        ({"currents": [] * nA}, ModelError, r"currents: expected a non-empty 1-D array"),
        ({"currents": [0.3] * nA, "tau": 5 * ms}, ModelError, r"lif: unknown parameter 'tau'"),
        ({"currents": [0.3] * nA, "backend": "gpu"}, ValueError, r"backend: unknown value 'gpu'"),
    ],
)
def test_bad_input_is_refused_before_running(kwargs, error, match):
    with pytest.raises(error, match=match):
        simulate_fi_curve(**kwargs)
