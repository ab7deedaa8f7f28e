"""Sweep metrics: named objects in a registry, computed from the composite measures."""

import math

import numpy as np
import pytest

from quifer_brian.analysis import (
    DEFAULT_METRICS,
    STANDARD_METRICS,
    Metric,
    gamma_measures,
    get_metric,
    list_metrics,
    measure,
    register_metric,
    resolve_metrics,
    summarise_run,
)
from quifer_brian.analysis import metrics as metrics_module
from quifer_brian.errors import AnalysisError
from quifer_brian.results import Result

STANDARD = ("rates", "gamma", "cv", "lfp_peak")


@pytest.fixture(scope="module")
def rhythm_run():
    """200 E cells, each firing once per 40 Hz cycle near its trough, and a 40 Hz LFP."""
    rng = np.random.default_rng(0)
    fs, duration = 1000.0, 2.0
    t = np.arange(int(duration * fs)) / fs
    lfp = np.cos(2 * np.pi * 40 * t) + rng.normal(0, 0.05, t.size) + 0.1
    cycles = (np.arange(1, int(duration * 40) - 1) + 0.5) / 40
    times = np.tile(cycles, 200) + rng.normal(0, 0.002, cycles.size * 200)
    indices = np.repeat(np.arange(200), cycles.size).astype(np.int32)
    order = np.argsort(times, kind="stable")
    return Result(
        spikes={"E": (times[order], indices[order])},
        sizes={"E": 200},
        duration=duration,
        lfp=lfp,
        fs=fs,
    )


@pytest.fixture
def scratch_metric():
    """A metric registered for one test, removed afterwards."""
    metric = Metric("n_spikes", ("n_spikes",), "spikes of all populations", _n_spikes)
    yield register_metric(metric)
    metrics_module._REGISTRY.pop("n_spikes", None)


def _n_spikes(result):
    return sum(len(times) for times, _ in result.spikes.values())


def test_the_standard_metrics_are_registered_objects():
    assert tuple(metric.name for metric in list_metrics()) == STANDARD
    assert tuple(STANDARD_METRICS) == STANDARD and set(DEFAULT_METRICS) <= set(STANDARD)
    for metric in list_metrics():
        assert get_metric(metric.name) is metric
        assert STANDARD_METRICS[metric.name] is metric.function
        assert metric.columns and metric.description
    assert get_metric("gamma").columns == ("gamma_hz", "gamma_ratio", "gamma_plv")
    with pytest.raises(AttributeError):
        get_metric("rates").name = "other"


def test_metrics_are_the_composite_measures(rhythm_run):
    values = measure(rhythm_run, list(STANDARD))
    gamma = gamma_measures(rhythm_run, "E")
    assert values["gamma_hz"] == gamma["peak"] and values["gamma_plv"] == gamma["plv"]
    assert values["gamma_ratio"] == gamma["ratio"]
    assert abs(values["gamma_hz"] - 40.0) <= gamma["df"]
    # wrapped-normal phases of SD 2 pi f sigma: PLV = exp(-(2 pi f sigma)^2 / 2)
    assert values["gamma_plv"] == pytest.approx(
        np.exp(-((2 * np.pi * 40 * 0.002) ** 2) / 2), abs=0.02
    )
    assert values["lfp_peak_hz"] == summarise_run(rhythm_run)["lfp_peak_hz"]
    assert values["lfp_peak_hz"] == pytest.approx(40.0, abs=1.0)
    assert values["rate_E_hz"] == pytest.approx(len(rhythm_run.spikes["E"][0]) / 400)
    assert values["cv_E"] < 0.2  # one spike per cycle, 2 ms jitter on 25 ms


def test_metrics_that_do_not_apply_are_nan():
    result = Result(spikes={"E": (np.array([0.1]), np.array([0]))}, sizes={"E": 1}, duration=1.0)
    values = measure(result, list(STANDARD))
    assert values["rate_E_hz"] == 1.0
    for column in ("gamma_hz", "gamma_ratio", "gamma_plv", "cv_E", "lfp_peak_hz"):
        assert math.isnan(values[column]), column


def test_registered_metrics_are_measured_by_name(rhythm_run, scratch_metric):
    assert get_metric("n_spikes") is scratch_metric and "n_spikes" in STANDARD_METRICS
    values = measure(rhythm_run, ["rates", "n_spikes"])
    assert values["n_spikes"] == float(_n_spikes(rhythm_run))
    assert measure(rhythm_run, scratch_metric) == {"n_spikes": values["n_spikes"]}
    with pytest.raises(AnalysisError, match="'n_spikes' is already registered; pass replace"):
        register_metric(scratch_metric)
    assert register_metric(scratch_metric, replace=True) is scratch_metric


def test_resolve_names_functions_metrics_and_dicts():
    assert resolve_metrics(None) == [(name, STANDARD_METRICS[name]) for name in DEFAULT_METRICS]
    assert resolve_metrics("cv") == [("cv", STANDARD_METRICS["cv"])]
    assert resolve_metrics(_n_spikes) == [("_n_spikes", _n_spikes)]
    assert resolve_metrics({"count": _n_spikes}) == [("count", _n_spikes)]
    metric = Metric("count", ("count",), "spikes", _n_spikes)
    assert resolve_metrics([metric]) == [("count", _n_spikes)]


@pytest.mark.parametrize(
    ("metrics", "match"),
    [
        ("nope", r"metrics: unknown metric 'nope'; the standard ones are rates, gamma, cv"),
        ([3], r"metrics: expected metric names or functions of a result; got 3"),
    ],
)
def test_bad_metrics_are_refused_with_the_valid_ones(metrics, match):
    with pytest.raises(AnalysisError, match=match):
        resolve_metrics(metrics)


def test_only_metric_objects_are_registered():
    with pytest.raises(AnalysisError, match=r"register_metric.metric: expected a Metric"):
        register_metric(_n_spikes)
