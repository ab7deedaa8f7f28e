"""Analysis inputs checked against the run: spike times finite and inside it, indices
inside the populations, windows finite (without the checks the rates come out wrong)."""

import numpy as np
import pytest

from quifer_brian.analysis import analyse_result, compute_rates, summarise_run
from quifer_brian.analysis._inputs import as_spike_trains, check_result, check_window
from quifer_brian.errors import AnalysisError
from quifer_brian.results import Result


def _result(times, indices, size=10, duration=1.0):
    spikes = {"E": (np.asarray(times, dtype=float), np.asarray(indices, dtype=np.int32))}
    return Result(spikes=spikes, sizes={"E": size}, duration=duration)


def test_a_valid_result_gives_its_rate():
    result = _result([0.1, 0.2, 0.5, 0.9], [0, 1, 2, 3])
    assert check_result(result) is result
    assert summarise_run(result)["rates_hz"] == {"E": pytest.approx(0.4)}  # 4 / (10 x 1 s)


@pytest.mark.parametrize(
    ("times", "indices", "size", "duration", "match"),
    [
        ([0.1, np.nan], [0, 1], 10, 1.0, r"result\.spikes\['E'\]: spike times contain NaN"),
        ([0.1, np.inf], [0, 1], 10, 1.0, r"spike times contain NaN or inf \(1 of 2\)"),
        ([0.1, 2.5], [0, 1], 10, 1.0, r"must lie within the run \[0, 1\] s; got 2\.5 s"),
        ([-0.1, 0.5], [0, 1], 10, 1.0, r"must lie within the run \[0, 1\] s; got -0\.1 s"),
        ([0.1, 0.2], [0, 95], 10, 1.0, r"index 95 is beyond the population's size 10"),
        ([0.1, 0.2], [0, -1], 10, 1.0, r"index -1 is beyond the population's size 10"),
        ([0.1, 0.2], [0, 1], 10, np.nan, r"result\.duration: must be a finite simulated time"),
        ([0.1, 0.2], [0, 1], 10, -1.0, r"result\.duration: must be a finite simulated time"),
        ([0.1, 0.2], [0, 1], 0, 1.0, r"result\.sizes\['E'\]: must be an integer >= 1; got 0"),
    ],
)
def test_results_whose_spikes_do_not_fit_the_run_are_refused(times, indices, size, duration, match):
    """Each of these gave a rate on main: 10x too high (indices beyond a population of 1
    read as 10), negative (a negative duration), or NaN-poisoned."""
    result = _result(times, indices, size, duration)
    for analyse in (summarise_run, analyse_result):
        with pytest.raises(AnalysisError, match=match):
            analyse(result)


def test_a_result_given_to_a_spike_measure_is_checked_and_counts_its_silent_cells():
    result = _result([0.1, 0.2], [0, 1], size=4)
    # the silent cells 2 and 3 count: without the size they were dropped (rate x2)
    np.testing.assert_allclose(compute_rates(result, t_stop=1.0), [1.0, 1.0, 0.0, 0.0])
    assert as_spike_trains(result).n_neurons == 4
    with pytest.raises(AnalysisError, match="beyond the population's size 4"):
        compute_rates(_result([0.1, 0.2], [0, 7], size=4), t_stop=1.0)


@pytest.mark.parametrize(
    ("t_start", "t_stop", "match"),
    [
        (0.0, np.inf, r"t_stop: must be a finite time"),
        (np.nan, 1.0, r"t_start: must be a finite time"),
        (-1.0, 1.0, r"t_start: must be >= 0 s"),
        (0.5, 0.5, r"t_stop: must be > t_start"),
    ],
)
def test_windows_must_be_finite_and_ordered(t_start, t_stop, match):
    with pytest.raises(AnalysisError, match=match):
        compute_rates(([0.1, 0.2], [0, 1]), t_start=t_start, t_stop=t_stop)
    with pytest.raises(AnalysisError, match=match):
        check_window(t_start, t_stop)
