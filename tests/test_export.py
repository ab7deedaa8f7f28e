"""Neo and NWB exports of results: spikes per neuron, the LFP and states as signals."""

import datetime
import json
import os
import sys
import uuid

import numpy as np
import pytest
from brian2 import ms

from quifer_brian import load
from quifer_brian.errors import AnalysisError, QuiferError
from quifer_brian.networks import ping
from quifer_brian.results import Result
from quifer_brian.results.export import to_neo, to_nwb

# Each export's tests skip on their own when its optional package is missing.


@pytest.fixture(scope="module")
def result():
    """A short PING run, for the Neo tests."""
    pytest.importorskip("neo")
    return ping(n_e=40, n_i=10).run(100 * ms, backend="numpy", seed=1)


@pytest.fixture(scope="module")
def pq():
    pytest.importorskip("neo")
    return pytest.importorskip("quantities")


def _trains(block, population):
    return [
        st for st in block.segments[0].spiketrains if st.annotations["population"] == population
    ]


def test_one_train_per_neuron_with_the_result_spike_times(result, pq):
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


def test_elephant_rates_match_the_result(result, pq):
    from elephant.statistics import mean_firing_rate

    trains = _trains(to_neo(result, population="E"), "E")
    rates = [float(mean_firing_rate(st).rescale(pq.Hz).magnitude) for st in trains]
    assert np.mean(rates) == pytest.approx(result.mean_rate("E"), rel=1e-12)


def test_lfp_becomes_an_analog_signal(result, pq):
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


# ------------------------------------------------------------------------------- NWB
# A synthetic result with known spike trains: E has 4 neurons (E[2] silent), I has 3
# (I[0] silent); spikes are in time order, not neuron order, as a SpikeMonitor gives them.
E_TRAINS = [[0.0125, 0.2], [0.05, 0.0501, 0.3999], [], [0.1]]
I_TRAINS = [[], [0.02, 0.31], [0.25]]
FS = 2000.0
DURATION = 0.4
PARAMS = {"n_e": 4, "tau": {"value": 10.0, "unit": "ms"}, "p": [0.1, 0.2]}
META = {"circuit": "synthetic", "backend": "numpy", "seed": 3, "versions": {"brian2": "2.10.1"}}


def _population(trains):
    spikes = sorted((t, i) for i, train in enumerate(trains) for t in train)
    return np.array([t for t, _ in spikes]), np.array([i for _, i in spikes], dtype=np.int32)


@pytest.fixture
def pynwb():
    return pytest.importorskip("pynwb")


@pytest.fixture
def synthetic():
    rng = np.random.default_rng(7)
    n_samples = int(DURATION * FS)
    return Result(
        spikes={"E": _population(E_TRAINS), "I": _population(I_TRAINS)},
        sizes={"E": 4, "I": 3},
        duration=DURATION,
        lfp=rng.normal(0, 1e-9, n_samples),
        fs=FS,
        states={"r": rng.uniform(0, 1, n_samples), "I_exc_0": rng.normal(0, 1, n_samples)},
        params=PARAMS,
        meta=META,
    )


def _read(pynwb, path):
    """Everything the tests compare, read back from ``path`` (the file is closed after)."""
    with pynwb.NWBHDF5IO(str(path), mode="r") as io:
        nwbfile = io.read()
        units = nwbfile.units
        return {
            "trains": [units.get_unit_spike_times(k).tolist() for k in range(len(units))],
            "population": list(units["population"][:]),
            "neuron": list(units["neuron"][:]),
            "obs_intervals": [np.asarray(units["obs_intervals"][k]) for k in range(len(units))],
            "signals": {
                name: (np.asarray(ts.data[:]), ts.unit, ts.rate, ts.starting_time)
                for name, ts in nwbfile.acquisition.items()
            },
            "notes": nwbfile.notes,
            "identifier": nwbfile.identifier,
            "session_description": nwbfile.session_description,
            "session_start_time": nwbfile.session_start_time,
        }


def test_nwb_round_trip_keeps_every_spike_signal_and_record(pynwb, synthetic, tmp_path):
    start = datetime.datetime(2024, 5, 1, 9, 30, tzinfo=datetime.UTC)
    written = to_nwb(synthetic, tmp_path / "run.nwb", identifier="run-1", session_start_time=start)
    again = _read(pynwb, tmp_path / "run.nwb")
    assert again["trains"] == E_TRAINS + I_TRAINS  # exact float64 equality
    assert again["population"] == ["E"] * 4 + ["I"] * 3
    assert again["neuron"] == [0, 1, 2, 3, 0, 1, 2]
    for interval in again["obs_intervals"]:
        np.testing.assert_array_equal(interval, [[0.0, DURATION]])
    assert sorted(again["signals"]) == ["I_exc_0", "lfp", "r"]
    data, unit, rate, starting_time = again["signals"]["lfp"]
    np.testing.assert_array_equal(data, synthetic.lfp)
    assert (unit, rate, starting_time) == ("A", FS, 0.0)
    for name in ("r", "I_exc_0"):
        data, unit, rate, starting_time = again["signals"][name]
        np.testing.assert_array_equal(data, synthetic.states[name])
        assert (unit, rate, starting_time) == ("a.u.", FS, 0.0)
    assert json.loads(again["notes"]) == {"params": PARAMS, "meta": META}
    assert again["identifier"] == written.identifier == "run-1"
    assert again["session_start_time"] == start
    assert "synthetic" in again["session_description"]


def test_nwb_of_a_saved_and_loaded_result_is_the_same(pynwb, synthetic, tmp_path):
    synthetic.save(tmp_path / "result.npz")
    to_nwb(synthetic, tmp_path / "a.nwb")
    to_nwb(load(tmp_path / "result.npz"), tmp_path / "b.nwb")
    a, b = _read(pynwb, tmp_path / "a.nwb"), _read(pynwb, tmp_path / "b.nwb")
    assert a["trains"] == b["trains"] == E_TRAINS + I_TRAINS
    assert a["notes"] == b["notes"]


def test_nwb_defaults_uuid_utc_now_and_no_file(pynwb, synthetic, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    before = datetime.datetime.now(datetime.UTC)
    first, second = to_nwb(synthetic), to_nwb(synthetic)
    after = datetime.datetime.now(datetime.UTC)
    assert os.listdir(tmp_path) == []
    assert uuid.UUID(first.identifier) != uuid.UUID(second.identifier)
    assert before <= first.session_start_time <= after
    assert first.session_start_time.utcoffset() == datetime.timedelta(0)
    assert first.session_description == "quifer_brian simulation of the synthetic circuit (0.4 s)"
    assert first.units.get_unit_spike_times(1).tolist() == E_TRAINS[1]


def test_nwb_population_selection_and_order(pynwb, synthetic):
    only_i = to_nwb(synthetic, population="I")
    assert list(only_i.units["population"][:]) == ["I"] * 3
    assert [only_i.units.get_unit_spike_times(k).tolist() for k in range(3)] == I_TRAINS
    reordered = to_nwb(synthetic, population=["I", "E"])
    assert list(reordered.units["neuron"][:]) == [0, 1, 2, 0, 1, 2, 3]
    assert [
        reordered.units.get_unit_spike_times(k).tolist() for k in range(7)
    ] == I_TRAINS + E_TRAINS
    # the signals do not depend on the selection
    assert sorted(only_i.acquisition) == ["I_exc_0", "lfp", "r"]


def test_nwb_without_signals_has_no_acquisition(pynwb):
    silent = Result(spikes={"E": _population([[], []])}, sizes={"E": 2}, duration=0.1)
    nwbfile = to_nwb(silent)
    assert len(nwbfile.acquisition) == 0
    assert len(nwbfile.units) == 2
    assert nwbfile.units.get_unit_spike_times(0).tolist() == []
    assert json.loads(nwbfile.notes) == {"params": {}, "meta": {}}


def test_nwb_overwrite_is_atomic(pynwb, synthetic, tmp_path, monkeypatch):
    path = tmp_path / "run.nwb"
    to_nwb(synthetic, path, population="I")
    to_nwb(synthetic, path)  # overwrites
    assert os.listdir(tmp_path) == ["run.nwb"]
    assert _read(pynwb, path)["trains"] == E_TRAINS + I_TRAINS

    def fail(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(pynwb.NWBHDF5IO, "write", fail)
    with pytest.raises(RuntimeError, match="disk full"):
        to_nwb(synthetic, path, population="I")
    assert os.listdir(tmp_path) == ["run.nwb"]  # no temporary file left
    assert _read(pynwb, path)["trains"] == E_TRAINS + I_TRAINS  # the old file, intact


@pytest.mark.parametrize("path", ["run.h5", "run.nwb.tmp", 7])
def test_nwb_path_must_end_in_nwb(pynwb, synthetic, tmp_path, monkeypatch, path):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(AnalysisError, match=r"to_nwb\.path: .*end in '\.nwb'; got "):
        to_nwb(synthetic, path)
    assert os.listdir(tmp_path) == []


def test_nwb_unknown_or_empty_population_is_named(pynwb, synthetic):
    with pytest.raises(AnalysisError, match=r"to_nwb\.population: .*'X'.*are \['E', 'I'\]"):
        to_nwb(synthetic, population=["E", "X"])
    with pytest.raises(AnalysisError, match=r"to_nwb\.population: selects no population"):
        to_nwb(synthetic, population=[])


def test_nwb_start_time_must_be_timezone_aware(pynwb, synthetic):
    with pytest.raises(AnalysisError, match=r"session_start_time: must be a timezone-aware"):
        to_nwb(synthetic, session_start_time=datetime.datetime(2024, 5, 1))
    with pytest.raises(AnalysisError, match=r"session_start_time: .*got '2024-05-01'"):
        to_nwb(synthetic, session_start_time="2024-05-01")


def test_nwb_state_named_lfp_is_refused(pynwb, synthetic):
    synthetic.states["lfp"] = synthetic.lfp
    with pytest.raises(AnalysisError, match=r"state is named 'lfp'"):
        to_nwb(synthetic)


def test_missing_pynwb_names_the_extra(synthetic, monkeypatch):
    monkeypatch.setitem(sys.modules, "pynwb", None)
    with pytest.raises(QuiferError, match=r"to_nwb: .*pip install 'quifer-brian\[nwb\]'"):
        to_nwb(synthetic)


def test_nwb_file_honours_the_umask_and_its_notes_are_strict_json(pynwb, synthetic, tmp_path):
    previous = os.umask(0o022)
    try:
        to_nwb(synthetic.with_meta(score=float("nan")), tmp_path / "run.nwb")
    finally:
        os.umask(previous)
    assert (tmp_path / "run.nwb").stat().st_mode & 0o777 == 0o644
    notes = _read(pynwb, tmp_path / "run.nwb")["notes"]
    assert "NaN" not in notes and json.loads(notes)["meta"]["score"] is None
