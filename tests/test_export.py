"""Neo export of results: spike trains per neuron and the LFP as an AnalogSignal."""

import sys

import numpy as np
import pytest
from brian2 import ms

from quifer_brian import load
from quifer_brian.errors import AnalysisError, QuiferError
from quifer_brian.export import to_neo
from quifer_brian.networks import ping

neo = pytest.importorskip("neo")
pq = pytest.importorskip("quantities")


@pytest.fixture(scope="module")
def result():
    return ping(n_e=40, n_i=10).run(100 * ms, backend="numpy", seed=1)


def _trains(block, population):
    return [
        st for st in block.segments[0].spiketrains if st.annotations["population"] == population
    ]


def test_one_train_per_neuron_with_the_result_spike_times(result):
    block = to_neo(result)
    assert len(block.segments) == 1
    assert len(block.segments[0].spiketrains) == sum(result.sizes.values())
    for population in result.populations:
        times, indices = result.spikes[population]
        trains = _trains(block, population)
        assert [st.annotations["neuron"] for st in trains] == list(range(result.sizes[population]))
        for neuron, train in enumerate(trains):
            assert train.units == pq.s
            assert float(train.t_start) == 0.0
            assert float(train.t_stop.rescale(pq.s)) == pytest.approx(result.duration)
            np.testing.assert_array_equal(train.magnitude, times[indices == neuron])
    assert sum(len(st) for st in _trains(block, "E")) == len(result.spikes["E"][0]) > 0
    assert block.annotations["circuit"] == "ping"
    assert block.annotations["backend"] == "numpy"


def test_elephant_rates_match_the_result(result):
    from elephant.statistics import mean_firing_rate

    trains = _trains(to_neo(result, population="E"), "E")
    rates = [float(mean_firing_rate(st).rescale(pq.Hz).magnitude) for st in trains]
    assert np.mean(rates) == pytest.approx(result.mean_rate("E"), rel=1e-12)


def test_lfp_becomes_an_analog_signal(result):
    (signal,) = to_neo(result).segments[0].analogsignals
    assert signal.name == "lfp"
    assert float(signal.sampling_rate.rescale(pq.Hz)) == result.fs
    assert float(signal.t_start) == 0.0
    assert signal.units == pq.A
    np.testing.assert_array_equal(signal.magnitude[:, 0], result.lfp)


def test_population_selection_and_round_trip(result, tmp_path):
    block = to_neo(result, population="I")
    assert {st.annotations["population"] for st in block.segments[0].spiketrains} == {"I"}
    assert len(block.segments[0].spiketrains) == result.sizes["I"]
    result.save(tmp_path / "result.npz")
    again = to_neo(load(tmp_path / "result.npz"))
    for a, b in zip(
        to_neo(result).segments[0].spiketrains, again.segments[0].spiketrains, strict=True
    ):
        np.testing.assert_array_equal(a.magnitude, b.magnitude)


def test_unknown_population_is_named(result):
    with pytest.raises(AnalysisError, match=r"'X'.*populations are \['E', 'I'\]"):
        to_neo(result, population="X")


def test_missing_neo_names_the_extra(result, monkeypatch):
    monkeypatch.setitem(sys.modules, "neo", None)
    with pytest.raises(QuiferError, match=r"pip install 'quifer-brian\[neo\]'"):
        to_neo(result)
