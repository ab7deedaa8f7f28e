"""Spike statistics on Poisson and gamma-process trains; agreement with Elephant."""

from types import SimpleNamespace

import numpy as np
import pytest

from quifer_brian.analysis import (
    compute_cv_isi,
    compute_fano_factor,
    compute_population_rate,
    compute_rates,
)

RATE, DURATION, N_NEURONS = 10.0, 50.0, 200  # Hz, s, count


def gamma_trains(shape, seed, rate=RATE, n=N_NEURONS, duration=DURATION):
    """Renewal trains with gamma(shape) ISIs of mean 1/rate (shape 1: Poisson)."""
    rng = np.random.default_rng(seed)
    n_isi = int(rate * duration * 1.5) + 50
    isis = rng.gamma(shape, 1 / (shape * rate), size=(n, n_isi))
    times = np.cumsum(isis, axis=1)
    return [row[row < duration] for row in times]


@pytest.fixture(scope="module")
def poisson():
    return gamma_trains(1.0, seed=8)


def test_poisson_rate(poisson):
    rates = compute_rates(poisson, t_stop=DURATION)
    assert rates.shape == (N_NEURONS,)
    assert rates.mean() == pytest.approx(RATE, rel=0.02)


def test_poisson_cv(poisson):
    assert np.nanmean(compute_cv_isi(poisson)) == pytest.approx(1.0, abs=0.05)


def test_poisson_fano(poisson):
    assert compute_fano_factor(poisson, t_stop=DURATION) == pytest.approx(1.0, abs=0.1)
    per_train = compute_fano_factor(poisson, bin_size=0.5, t_stop=DURATION)
    assert np.mean(per_train) == pytest.approx(1.0, abs=0.1)


@pytest.mark.parametrize("shape", [2.0, 4.0, 9.0])
def test_gamma_process_cv(shape):
    trains = gamma_trains(shape, seed=9)
    assert np.nanmean(compute_cv_isi(trains)) == pytest.approx(1 / np.sqrt(shape), abs=0.05)


def test_population_rate(poisson):
    times, rate = compute_population_rate(poisson, bin_size=0.01, t_stop=DURATION)
    assert times.size == 5000 and times[0] == pytest.approx(0.005)
    assert rate.mean() == pytest.approx(RATE, rel=0.02)
    _, smooth = compute_population_rate(poisson, 0.01, smooth_width=0.05, t_stop=DURATION)
    assert smooth.mean() == pytest.approx(rate.mean(), rel=1e-3)
    assert smooth.std() < rate.std() / 2


def test_forms_agree(poisson):
    """(times, indices), a list of trains and a result object give the same numbers."""
    times = np.concatenate(poisson)
    indices = np.repeat(np.arange(N_NEURONS), [t.size for t in poisson])
    order = np.argsort(times, kind="stable")

    result = SimpleNamespace(spikes={"E": (times[order], indices[order])})
    for form in [(times[order], indices[order]), result]:
        np.testing.assert_allclose(compute_cv_isi(form), compute_cv_isi(poisson))
        np.testing.assert_allclose(
            compute_rates(form, t_stop=DURATION), compute_rates(poisson, t_stop=DURATION)
        )


def test_silent_neurons_count_with_n_neurons():
    rates = compute_rates(([0.5], [0]), t_stop=1.0, n_neurons=3)
    assert rates.tolist() == [1.0, 0.0, 0.0]


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: compute_rates([[0.1]]), "t_stop: the end of the recording"),
        (lambda: compute_rates([[0.1]], t_start=2.0, t_stop=1.0), "t_stop: must be > t_start"),
        (lambda: compute_cv_isi([[0.1, 0.2], [0.3]]), "spikes: the CV needs a neuron with at"),
        (lambda: compute_cv_isi([[0.2, 0.1, 0.3]]), r"spikes\[0\]: spike times are not sorted"),
        (lambda: compute_cv_isi(np.array([0.3, 0.1, 0.2])), "spikes: spike times are not sorted"),
        (
            lambda: compute_cv_isi(([0.1, 0.3, 0.2], [0, 0, 0])),
            "spikes: spike times are not sorted in time within neuron 0",
        ),
        (lambda: compute_fano_factor([[0.1]], t_stop=1.0), "needs at least 2 trains"),
        (lambda: compute_fano_factor([[0.1]], 0.6, t_stop=1.0), "bin_size: 0.6 s leaves 1"),
        (lambda: compute_population_rate([[0.1]], bin_size=0), "bin_size: must be a finite"),
        (lambda: compute_rates(([0.1], [0, 1]), t_stop=1), "times and indices must be 1-D and"),
        (lambda: compute_rates(([0.1], [-1]), t_stop=1), "indices must be >= 0"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.filterwarnings("ignore::DeprecationWarning")
class TestAgainstElephant:
    """elephant.statistics uses the same definitions: agree within 1e-6."""

    @pytest.fixture(autouse=True)
    def _elephant(self):
        pytest.importorskip("elephant")

    def neo_trains(self, trains):
        import neo
        import quantities as pq

        return [neo.SpikeTrain(t * pq.s, t_start=0 * pq.s, t_stop=DURATION * pq.s) for t in trains]

    def test_cv(self):
        from elephant.statistics import cv, isi

        trains = gamma_trains(3.0, seed=10, n=20)
        theirs = [cv(isi(st)) for st in self.neo_trains(trains)]
        np.testing.assert_allclose(compute_cv_isi(trains), theirs, atol=1e-6)

    def test_fano(self):
        from elephant.statistics import fanofactor

        trains = gamma_trains(1.0, seed=11, n=50)
        theirs = fanofactor(self.neo_trains(trains))
        assert compute_fano_factor(trains, t_stop=DURATION) == pytest.approx(theirs, abs=1e-6)

    def test_rates(self):
        import quantities as pq
        from elephant.statistics import mean_firing_rate

        trains = gamma_trains(1.0, seed=12, n=20)
        theirs = [
            float(mean_firing_rate(st, 5 * pq.s, 30 * pq.s).rescale(pq.Hz).magnitude)
            for st in self.neo_trains(trains)
        ]
        np.testing.assert_allclose(
            compute_rates(trains, t_start=5.0, t_stop=30.0), theirs, atol=1e-6
        )
