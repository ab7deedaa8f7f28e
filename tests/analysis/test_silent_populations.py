"""Measures handed a silent population: a defined value or an error naming it, never a
bare IndexError (issue 12: a ping sweep point with n_e=40, n_i=10, whose I population
fires nothing, ended in ``IndexError: index 0 is out of bounds``).

Hand-made results first (their numbers are known), then a tiny numpy network whose I
population is silent, through the API and through a sweep.
"""

import math

import numpy as np
import pytest
from brian2 import second

from quifer_brian.analysis import (
    analyse_result,
    analyse_theta_gamma,
    compute_cv_isi,
    compute_lfp_spectrum,
    compute_trial_rhythm,
    gamma_measures,
    measure,
    state_signatures,
    summarise_run,
)
from quifer_brian.analysis.lfp import mazzoni_lfp
from quifer_brian.errors import AnalysisError
from quifer_brian.results import Result

FS = 10_000.0
EMPTY = (np.array([]), np.array([], dtype=int))


def _lfp_40hz():
    t = np.arange(0, 1.0, 1 / FS)
    return np.sin(2 * np.pi * 40 * t) + 0.1 * np.random.default_rng(0).normal(size=t.size)


def _locked_e():
    """E spikes at the LFP's 40 Hz peaks (phase 0): PLV near 1."""
    times = np.arange(0.1125, 0.97, 0.025) + 0.00625  # sin peaks at 6.25 ms + k 25 ms
    return times, np.arange(times.size) % 40


def _result(spikes, lfp="40hz"):
    lfp = {"40hz": _lfp_40hz(), "flat": np.zeros(int(FS)), None: None}[lfp]
    return Result(
        spikes=spikes,
        sizes={"E": 40, "I": 10},
        duration=1.0,
        lfp=lfp,
        fs=None if lfp is None else FS,
    )


def test_gamma_of_a_silent_population_keeps_the_lfp_peak_and_marks_its_plv_nan():
    result = _result({"E": _locked_e(), "I": EMPTY})
    locked = gamma_measures(result, "E")
    assert locked["peak"] == pytest.approx(40.0, abs=1.0) and locked["plv"] > 0.9
    silent = gamma_measures(result, "I")
    assert silent["peak"] == locked["peak"] and silent["ratio"] == locked["ratio"]
    assert math.isnan(silent["plv"]) and silent["phases"].size == 0
    assert silent["plv_note"] == "no spikes: population 'I' fired none in 0.1-0.98 s"


def test_the_gamma_metric_of_a_silent_e_population_is_nan_only_where_it_must_be():
    values = measure(_result({"E": EMPTY, "I": EMPTY}), ["rates", "gamma", "cv", "lfp_peak"])
    assert values["rate_E_hz"] == 0.0 and values["rate_I_hz"] == 0.0
    assert values["gamma_hz"] == pytest.approx(40.0, abs=1.0)  # the LFP still has its peak
    assert math.isnan(values["gamma_plv"]) and math.isnan(values["cv_E"])
    flat = measure(_result({"E": EMPTY, "I": EMPTY}, lfp="flat"), ["gamma", "lfp_peak"])
    assert all(math.isnan(v) for v in flat.values()), flat  # not a 20 Hz "peak" of zeros


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda r: gamma_measures(r, "O"), r"gamma_measures.population: 'O' is not a"),
        (lambda r: gamma_measures(_result(r.spikes, None)), r"gamma_measures.result: has no LFP"),
        (lambda r: gamma_measures(_result(r.spikes, "flat")), r"LFP proxy is flat"),
        (lambda r: compute_lfp_spectrum(_result(r.spikes, None)), r"compute_lfp_spectrum.result"),
        (lambda r: analyse_theta_gamma(_result(r.spikes, None)), r"analyse_theta_gamma.result"),
        (lambda r: analyse_theta_gamma(_result(r.spikes, "flat")), r"LFP proxy is flat"),
        (
            lambda r: state_signatures(*r.spikes["I"], 10, 0.1, 1.0),
            r"state_signatures.times: the population \(n_neurons=10\) fired no spikes in "
            r"0.1-1 s",
        ),
        (
            lambda r: compute_trial_rhythm(r, 2, rhythm="I", locked=("E",)),
            r"compute_trial_rhythm.rhythm: population 'I' fired no spikes",
        ),
        (
            lambda r: compute_cv_isi(r.spikes["I"], n_neurons=10),
            r"the most any of the 10 neuron\(s\) has is 0\.",
        ),
    ],
)
def test_what_cannot_be_measured_on_a_silent_population_says_which_and_why(call, message):
    with pytest.raises(AnalysisError, match=message):
        call(_result({"E": _locked_e(), "I": EMPTY}))


def test_summaries_of_a_silent_population_are_defined():
    result = _result({"E": EMPTY, "I": EMPTY})
    summary = summarise_run(result)
    assert summary["rates_hz"] == {"E": 0.0, "I": 0.0}
    measures = analyse_result(result, n_surrogates=10)
    assert measures["cv_isi"] == {"E": None, "I": None}
    assert "no E spikes to lock to the LFP" in measures["notes"]


def test_the_lfp_proxy_of_a_run_shorter_than_its_delay_has_one_value_per_sample():
    lfp = mazzoni_lfp([2.0, 3.0], [1.0, 0.0], fs=1000.0, delay_s=0.006)
    np.testing.assert_allclose(lfp, [2.0 - 1.65, 2.0])
    assert mazzoni_lfp([], [], fs=1000.0).size == 0


@pytest.fixture(scope="module")
def silent_i_run():
    """ping with 40 E and 10 I cells on numpy: the I population fires no spike."""
    from quifer_brian.networks import ping

    return ping(n_e=40, n_i=10).run(0.3 * second, backend="numpy", seed=1)


def test_a_tiny_ping_whose_i_cells_are_silent_is_measured_through_the_api(silent_i_run):
    result = silent_i_run
    assert result.spikes["I"][0].size == 0 and result.spikes["E"][0].size > 0
    values = measure(result, ["rates", "gamma", "cv", "lfp_peak"])
    assert values["rate_I_hz"] == 0.0 and values["rate_E_hz"] > 0
    assert math.isnan(values["cv_I"])
    assert math.isnan(gamma_measures(result, "I")["plv"])
    with pytest.raises(AnalysisError, match=r"fired no spikes in 0.1-0.3 s"):
        state_signatures(*result.spikes["I"], 10, 0.1, 0.3)


def test_a_sweep_point_with_a_silent_population_is_a_row_not_an_error(tmp_path):
    from quifer_brian import sweep

    table = sweep(
        "ping",
        {"n_e": [40], "n_i": [10]},
        duration=0.3 * second,
        backend="numpy",
        metrics=["rates", "gamma", "cv", "lfp_peak"],
        out=str(tmp_path),
        client="sync",
        progress=False,
    )
    row = table.iloc[0]
    assert row["error"] is None or (isinstance(row["error"], float) and math.isnan(row["error"]))
    assert row["rate_I_hz"] == 0.0 and math.isnan(row["cv_I"]) and row["silent"] == "I"
    assert np.isfinite(row["gamma_hz"]) and np.isfinite(row["gamma_plv"])  # E does fire
