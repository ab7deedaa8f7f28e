"""Round trips of the spike codes in quifer_brian.coding, checked against theory."""

import numpy as np
import pytest
from brian2 import Network, SpikeMonitor, ms, mV

from quifer_brian.analysis import compute_phase
from quifer_brian.coding import (
    decode_latency,
    decode_phase,
    decode_population,
    decode_rate,
    encode_latency,
    encode_phase,
    encode_population,
    encode_rate,
    population_rates,
    to_spike_generator,
)
from quifer_brian.errors import AnalysisError, ModelError, UnitsError


@pytest.fixture
def values():
    """200 trials of 3 values drawn uniformly from [0, 1]."""
    return np.random.default_rng(1).uniform(0.0, 1.0, (200, 3))


def circular_error(decoded, values):
    """Signed distance on the circle of circumference 1."""
    return (decoded - values + 0.5) % 1.0 - 0.5


# ---------------------------------------------------------------- rate code
def test_rate_code_poisson_mean_and_variance():
    """v = 0.3 between 5 and 55 Hz is 20 Hz: mean within 3 sigma, Fano factor 1."""
    n_trials, duration = 2000, 1.0
    times, indices = encode_rate(
        np.full((n_trials, 1), 0.3), duration, r_min=5.0, r_max=55.0, seed=5
    )
    decoded = decode_rate(times, indices, (n_trials, 1), 0.0, duration, r_min=5.0, r_max=55.0)
    rate = 5.0 + 50.0 * decoded
    sigma = np.sqrt(20.0 / duration / n_trials)  # Poisson: var(count) = mean
    assert abs(rate.mean() - 20.0) < 3 * sigma
    # var(s^2) / lambda^2 ~ 2 / (n - 1) + 1 / (lambda n): 3 sigma is about 0.1
    assert abs(rate.var(ddof=1) * duration / rate.mean() - 1.0) < 0.1


def test_rate_code_regular_is_exact_to_half_a_spike(values):
    """Regular trains: the count is rT rounded, so values are exact within 0.5 / (T Δr)."""
    times, indices = encode_rate(values, 0.5, r_min=10.0, r_max=90.0, process="regular")
    decoded = decode_rate(times, indices, values.shape, 0.0, 0.5, r_min=10.0, r_max=90.0)
    assert np.abs(decoded - values).max() <= 0.5 / (0.5 * 80.0) + 1e-12
    # times lie in the window and are sorted
    assert times.min() >= 0.0 and times.max() < 0.5 and np.all(np.diff(times) >= 0)


def test_rate_code_window_and_seeds():
    """Spikes of a second trial block later in time are not counted; seeds reproduce."""
    first = encode_rate([0.5], 0.2, seed=np.random.default_rng(7))
    again = encode_rate([0.5], 0.2, seed=7)
    np.testing.assert_array_equal(first[0], again[0])
    later = encode_rate([1.0], 0.2, t_start=0.2, process="regular")
    times = np.concatenate([first[0], later[0]])
    indices = np.concatenate([first[1], later[1]])
    decoded = decode_rate(times, indices, (1, 1), 0.2, 0.4)
    assert decoded[0, 0] == pytest.approx(1.0)


# ---------------------------------------------------------------- population code
def test_population_round_trip(values):
    """50 neurons per dimension, 100 ms, baseline 5 Hz: mean absolute error < 0.05."""
    times, indices = encode_population(values, 0.1, r_min=5.0, seed=2)
    decoded = decode_population(times, indices, values.shape, 0.0, 0.1, r_min=5.0)
    assert np.abs(decoded - values).mean() < 0.05


def test_population_error_near_cramer_rao(values):
    """Without baseline the ML error matches the Cramér-Rao bound of a dense population.

    Fisher information T rho r_max sqrt(2 pi) / w (rho = 49 neurons per unit, w = 0.1):
    sd = 0.0090, mean absolute error sqrt(2 / pi) sd = 0.0072. The ends add a little.
    """
    times, indices = encode_population(values, 0.1, seed=2)
    decoded = decode_population(times, indices, values.shape, 0.0, 0.1)
    fisher = 0.1 * 49 * 100.0 * np.sqrt(2 * np.pi) / 0.1
    expected = np.sqrt(2 / np.pi / fisher)
    assert 0.9 < np.abs(decoded - values).mean() / expected < 1.25


@pytest.mark.parametrize("edge", [0.0, 1.0])
def test_population_unbiased_at_the_ends(edge):
    """Values at the ends of the range decode there (a centre of mass is pulled ~0.2 in)."""
    stuck = np.full((200, 1), edge)
    times, indices = encode_population(stuck, 0.1, r_min=5.0, seed=3)
    decoded = decode_population(times, indices, stuck.shape, 0.0, 0.1, r_min=5.0)
    assert abs(decoded.mean() - edge) < 0.05


def test_population_rates_layout_and_value_range():
    """rates.reshape(n_trials, n_dims, K) peaks at the neuron preferring the value."""
    values = np.array([[-90.0, 0.0], [45.0, 90.0]])
    rates = population_rates(
        values, neurons_per_dim=9, value_range=(-90, 90), width=30.0, r_min=2.0, r_max=40.0
    )
    preferred = np.linspace(-90, 90, 9)
    peaks = preferred[rates.reshape(2, 2, 9).argmax(axis=2)]
    np.testing.assert_array_equal(peaks, values)
    assert rates.max() == pytest.approx(40.0) and rates.min() > 2.0


def test_silent_dimension_decodes_as_nan():
    """Dimension 0 has no spike: NaN (the rate code reads 0 spikes as r_min, value 0)."""
    for decoded in (
        decode_population([0.01], [3], (1, 2), 0.0, 0.1, neurons_per_dim=3),
        decode_latency([0.01], [1], (1, 2)),
        decode_phase([0.01], [1], (1, 2), frequency=8.0),
    ):
        assert np.isnan(decoded[0, 0]) and np.isfinite(decoded[0, 1])
    assert decode_rate([0.01], [1], (1, 2), 0.0, 0.1).tolist() == [[0.0, 0.1]]


# ---------------------------------------------------------------- latency code
def test_latency_round_trip_exact_within_dt(values):
    """Noise-free: the spike is rounded to the dt grid, so |error| * t_max <= dt / 2."""
    t_max, dt, t_start = 0.05, 1e-4, 0.3
    times, indices = encode_latency(values, t_max=t_max, dt=dt, neurons_per_dim=2, t_start=t_start)
    np.testing.assert_allclose(times / dt, np.round(times / dt), atol=1e-6)  # on the grid
    decoded = decode_latency(
        times, indices, values.shape, t_start, t_start + t_max + dt, t_max=t_max, neurons_per_dim=2
    )
    assert np.abs(decoded - values).max() * t_max <= dt / 2 + 1e-12


def test_index_layout():
    """Trial b, dimension d, neuron k has index (b * n_dims + d) * K + k."""
    values = np.arange(6).reshape(2, 3) / 5.0
    times, indices = encode_latency(values, t_max=0.05, dt=1e-4, neurons_per_dim=4)
    trial, dim, _ = np.unravel_index(indices, (2, 3, 4))
    np.testing.assert_allclose(times, 0.05 * (1 - values[trial, dim]), atol=1e-12)
    assert sorted(indices.tolist()) == list(range(24))


# ---------------------------------------------------------------- phase code
def test_phase_code_given_rhythm(values):
    """8 Hz: noise-free spikes at phase 2 pi v each cycle; 5 ms jitter still < 1/20 cycle."""
    times, indices = encode_phase(values, 1.0, frequency=8.0)
    assert np.bincount(indices).tolist() == [8] * values.size  # once per cycle
    np.testing.assert_allclose((8.0 * times) % 1.0, values.ravel()[indices] % 1.0, atol=1e-9)
    noisy = encode_phase(values, 1.0, frequency=8.0, neurons_per_dim=5, jitter=0.005, seed=4)
    decoded = decode_phase(*noisy, values.shape, frequency=8.0, neurons_per_dim=5)
    assert np.abs(circular_error(decoded, values)).max() < 1 / 20


def test_phase_code_drifting_reference(values):
    """A rhythm drifting from 6 to 10 Hz, phase from its Hilbert transform (compute_phase).

    The true phase is 2 pi (6 t + t^2 / 2); spikes are taken 1 s away from the ends,
    where the filter rings.
    """
    fs = 1000.0
    t = np.arange(0.0, 4.0, 1 / fs)
    reference = compute_phase(np.cos(2 * np.pi * (6 * t + t**2 / 2)), fs, (4, 12))
    times, indices = encode_phase(values, 2.0, reference=reference, fs=fs, t_start=1.0)
    true_cycles = 6 * times + times**2 / 2
    assert np.abs(circular_error(true_cycles, values.ravel()[indices])).max() < 1 / 20
    counts = np.bincount(indices)  # 6 t + t^2 / 2 advances 16 cycles from 1 s to 3 s
    assert counts.min() >= 15 and counts.max() <= 17
    decoded = decode_phase(times, indices, values.shape, 1.0, 3.0, reference=reference, fs=fs)
    assert np.abs(circular_error(decoded, values)).max() < 1 / 20


# ---------------------------------------------------------------- Brian2 input
def test_spike_generator_reproduces_times():
    """Spikes through a SpikeGeneratorGroup come back within one dt, duplicates dropped."""
    dt = 0.1e-3
    times, indices = encode_population(
        [[0.2, 0.9], [0.5, 0.0]], 0.05, neurons_per_dim=10, r_max=200.0, seed=6
    )
    times = np.append(times, [0.05512, 0.05518])  # two spikes of neuron 0 in one step
    indices = np.append(indices, [0, 0])
    group = to_spike_generator(times, indices, 40, dt=dt, name="coded")
    monitor = SpikeMonitor(group, name="coded_spikes")
    Network(group, monitor).run(60 * ms)
    assert group.name == "coded" and monitor.num_spikes == times.size - 1
    got = sorted(zip(monitor.i[:].tolist(), (monitor.t / ms).tolist(), strict=True))
    sent = sorted(zip(indices[:-1].tolist(), (times[:-1] * 1e3).tolist(), strict=True))
    assert [g[0] for g in got] == [s[0] for s in sent]
    assert np.abs(np.subtract([g[1] for g in got], [s[1] for s in sent])).max() < dt * 1e3
    # the monitor's quantities decode directly
    decoded = decode_population(
        monitor.t, monitor.i, (2, 2), 0 * ms, 50 * ms, neurons_per_dim=10, r_max=200.0
    )
    assert np.abs(decoded - [[0.2, 0.9], [0.5, 0.0]]).max() < 0.1


# ---------------------------------------------------------------- errors
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: encode_rate([0.5, 1.2], 1.0),
            ModelError,
            r"encode_rate\.values: must lie in \[0, 1\]; got 1\.2",
        ),
        (lambda: encode_latency([np.nan]), ModelError, r"encode_latency\.values: must lie in"),
        (lambda: encode_rate(np.zeros((2, 2, 2)), 1.0), ModelError, r"shape \(2, 2, 2\)"),
        (
            lambda: encode_rate([0.5], 1.0, neurons_per_dim=0),
            ModelError,
            r"neurons_per_dim: must be an integer >= 1",
        ),
        (
            lambda: population_rates([0.5], neurons_per_dim=1),
            ModelError,
            r"neurons_per_dim: must be an integer >= 2",
        ),
        (
            lambda: encode_population([95.0], 0.1, value_range=(0, 90)),
            ModelError,
            r"must lie in \[0, 90\]",
        ),
        (
            lambda: encode_rate([0.5], 1.0, r_min=50.0, r_max=10.0),
            ModelError,
            r"r_max: must be > r_min",
        ),
        (
            lambda: encode_rate([0.5], 10 * mV),
            UnitsError,
            r"duration: expected a quantity in second",
        ),
        (lambda: encode_rate([0.5], 1.0, process="bursty"), ModelError, r"process: unknown value"),
        (lambda: decode_rate([0.1], [0], (1, 1), 0.5, 0.5), AnalysisError, r"t_stop > t_start"),
        (lambda: decode_rate([0.1], [0], (1, 1)), AnalysisError, r"decode_rate\.t_stop: .* needed"),
        (
            lambda: decode_rate([0.1], [2], (1, 2), 0, 1),
            AnalysisError,
            r"indices: must lie in \[0, 2\)",
        ),
        (lambda: decode_rate([0.1, 0.2], [0], (1, 1), 0, 1), AnalysisError, r"equal length"),
        (lambda: decode_latency([0.1], [0], (1,)), ModelError, r"shape: must be a pair"),
        (lambda: encode_phase([0.5], 1.0), ModelError, r"exactly one of frequency"),
        (
            lambda: encode_phase([0.5], 1.0, frequency=8.0, reference=np.zeros(9), fs=1e3),
            ModelError,
            r"exactly one",
        ),
        (
            lambda: encode_phase([0.5], 1.0, reference=np.zeros(500), fs=1e3),
            AnalysisError,
            r"reference ends at 0\.499 s",
        ),
        (
            lambda: to_spike_generator([-0.1], [0], 1, dt=1e-4),
            AnalysisError,
            r"times: must be >= 0",
        ),
    ],
)
def test_bad_input_is_refused(call, error, match):
    with pytest.raises(error, match=match):
        call()
