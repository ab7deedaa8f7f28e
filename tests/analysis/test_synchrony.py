"""Golomb's chi and the Kuramoto order parameter on jittered 40 Hz population rhythms."""

import numpy as np
import pytest

from quifer_brian.analysis import (
    compute_chi,
    compute_kuramoto_order,
    compute_kuramoto_order_spikes,
    compute_plv,
    compute_spike_train_phases,
)

JITTERS = [0.5e-3, 1e-3, 2e-3, 5e-3, 10e-3, 20e-3]  # s
FREQ = 40.0  # Hz


def closed_form(sigma):
    """R of a rhythm at FREQ with Gaussian timing jitter of SD sigma (s)."""
    return np.exp(-((2 * np.pi * FREQ * sigma) ** 2) / 2)


@pytest.fixture(scope="module")
def jittered(synth):
    return {j: synth.make_jittered_rhythm(j, n_neurons=2000, seed=7) for j in JITTERS}


def test_chi_falls_monotonically_with_jitter(jittered):
    chis = [compute_chi(jittered[j], t_start=0.1, t_stop=1.9) for j in JITTERS]
    assert np.all(np.diff(chis) < 0), chis
    assert chis[0] > 0.9 and chis[-1] < 0.05


def test_kuramoto_falls_monotonically_with_jitter(jittered):
    orders = []
    for j in JITTERS:
        _, order = compute_kuramoto_order_spikes(jittered[j], t_start=0.1, t_stop=1.9)
        orders.append(np.nanmean(order))
    assert np.all(np.diff(orders) < 0), orders
    assert orders[0] > 0.99


@pytest.mark.parametrize("sigma", [1e-3, 2e-3, 3e-3, 5e-3])
def test_kuramoto_of_jittered_copies_matches_closed_form(synth, sigma):
    """Copies of one 40 Hz train shifted by N(0, sigma): R = exp(-(2 pi f sigma)^2 / 2)."""
    trains = synth.make_jittered_rhythm(sigma, n_neurons=4000, duration=0.5, per_spike=False)
    _, order = compute_kuramoto_order_spikes(trains, t_start=0.1, t_stop=0.4)
    assert np.nanmean(order) == pytest.approx(closed_form(sigma), abs=0.02)


@pytest.mark.parametrize("sigma", [1e-3, 2e-3, 5e-3])
def test_spike_phase_locking_matches_closed_form(jittered, sigma):
    spikes = np.concatenate(jittered[sigma])
    plv, _ = compute_plv(2 * np.pi * FREQ * spikes)
    assert plv == pytest.approx(closed_form(sigma), abs=0.01)


def test_chi_of_traces():
    t = np.linspace(0, 1, 1000)
    rng = np.random.default_rng(0)
    same = np.tile(np.sin(2 * np.pi * 10 * t), (50, 1))
    assert compute_chi(same) == pytest.approx(1.0)
    independent = rng.normal(size=(400, 1000))
    assert compute_chi(independent) == pytest.approx(1 / np.sqrt(400), rel=0.1)


def test_spike_train_phases_interpolate_between_spikes():
    phases = compute_spike_train_phases(([0.0, 0.1, 1.0, 1.1], [0, 1, 0, 1]), [0.5, 1.05])
    # neuron 0: half-way through its 1 s interval (phase pi, wrapped to -pi), then after
    # its last spike (undefined); neuron 1: 0.4 and 0.95 of its interval.
    np.testing.assert_allclose(phases[0], [-np.pi, np.nan], atol=1e-12)
    np.testing.assert_allclose(phases[1], [0.8 * np.pi, -0.1 * np.pi], atol=1e-12)


def test_kuramoto_order_of_phases():
    assert compute_kuramoto_order(np.zeros(5)) == pytest.approx(1.0)
    assert compute_kuramoto_order([0.0, np.pi]) == pytest.approx(0.0, abs=1e-12)
    np.testing.assert_allclose(
        compute_kuramoto_order([[0.0, 0.0], [np.nan, np.pi]]), [1.0, 0.0], atol=1e-12
    )


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: compute_chi(np.zeros((1, 10))), "data: needs at least 2 neurons"),
        (lambda: compute_chi(np.r_[[np.ones(5)], [[1, 2, np.nan, 4, 5]]]), "data: contains NaN"),
        (lambda: compute_chi([[0.1, 0.2]]), "data: chi needs at least 2 neurons"),
        (lambda: compute_chi([[0.3, 0.2], [0.1]]), r"data\[0\]: spike times are not sorted"),
        (lambda: compute_kuramoto_order([]), "phases: needs at least one phase"),
        (lambda: compute_kuramoto_order_spikes([[0.1], []]), "spikes: needs at least 2"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
