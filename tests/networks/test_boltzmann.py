"""The neural sampler (Buesing et al. 2011): exactness against the Boltzmann distribution.

Bounds come from the numpy reference of the same discrete-time chain
(:func:`sample_abstract_reference`), measured before the tests were written:

- 5-unit draws 0-2 (W ~ N(0, 0.5^2), b ~ N(-0.5, 0.5^2)), ``'logistic'``, dt = 1 ms,
  tau = 10 ms, 10 chains x 20 s: KL(sampled || exact) 0.0005-0.0023 over 8 seeds each
  (the sampler: 0.0007-0.0012); bound 0.005.
- dt = 0.1 ms, 50 s, one chain, ``'exponential'`` (the issue's setting): the reference
  gives 0.0012-0.0016 on draws 0-2, the issue's numpy reference 0.0015-0.005; bound 0.01.
"""

import tempfile

import numpy as np
import pytest
from brian2 import ms, second

from quifer_brian.backends import BuildCache
from quifer_brian.errors import CircuitError
from quifer_brian.networks import boltzmann_sampler
from quifer_brian.networks.boltzmann_exact import (
    boltzmann_distribution,
    kl_divergence,
    random_machine,
    sample_abstract_reference,
    state_frequencies,
    states_from_spikes,
)


def test_exact_distribution_of_two_units():
    # p(z) ~ exp(W z1 z2 + b.z): the four weights by hand
    p = boltzmann_distribution([[0, 2.0], [2.0, 0]], [-1.0, 0.5])
    weights = np.exp([0.0, -1.0, 0.5, -1.0 + 0.5 + 2.0])
    np.testing.assert_allclose(p, weights / weights.sum())


def test_single_unit_on_fraction_matches_the_discrete_chain():
    # one unit, u = b = 0, K = 10: on for K steps, then off for a geometric number of
    # steps with p = e^u/K: on-fraction K p / (K p + 1 - p) = 0.526 (sigma(0) = 0.5 in
    # continuous time); 'logistic' (p = sigma(u - ln K)) gives exactly sigma(u)
    k = 10
    p = 1 / k
    exponential = boltzmann_sampler([[0.0]], [0.0], dt=1 * ms, n_chains=100)
    on = exponential.run(4 * second, seed=3, t_start=0.1 * second).states.mean()
    assert on == pytest.approx(k * p / (k * p + 1 - p), abs=0.01)
    logistic = boltzmann_sampler([[0.0]], [1.0], dt=1 * ms, n_chains=100, intensity="logistic")
    on = logistic.run(4 * second, seed=3, t_start=0.1 * second).states.mean()
    assert on == pytest.approx(1 / (1 + np.exp(-1.0)), abs=0.01)


def test_refractory_period_and_states_from_spikes():
    weights, biases = random_machine(5, 0)
    sampler = boltzmann_sampler(weights, biases, dt=1 * ms)
    run = sampler.run(2 * second, seed=1)
    times, units = run.result.spikes["Z"]
    for unit in range(5):
        steps = np.rint(times[units == unit] / 1e-3)
        assert np.all(np.diff(steps) >= sampler.tau_steps)  # never twice within tau
    # each spike turns its unit on for exactly tau
    assert run.states.sum() == pytest.approx(len(times) * sampler.tau_steps, abs=10)


def test_kl_of_five_unit_machine_numpy_backend():
    weights, biases = random_machine(5, 0)
    sampler = boltzmann_sampler(weights, biases, dt=1 * ms, n_chains=40, intensity="logistic")
    run = sampler.run(5 * second, seed=0, t_start=0.1 * second)
    assert run.states.shape == (40, 4900, 5)
    assert sampler.kl(run) < 0.005
    # a wrong sign of the coupling is far off: the test can fail
    wrong = boltzmann_distribution(-weights, biases)
    assert kl_divergence(run.frequencies(), wrong) > 0.02


def test_clamped_units_sample_the_conditional():
    weights, biases = random_machine(4, 7)
    clamp = [{0: 1}] * 20 + [{0: 0, 3: 1}] * 20
    sampler = boltzmann_sampler(weights, biases, dt=1 * ms, clamp=clamp, intensity="logistic")
    run = sampler.run(4 * second, seed=2, t_start=0.1 * second)
    assert np.all(run.states[:20, :, 0] == 1)
    assert np.all(run.states[20:, :, [0, 3]] == [0, 1])
    _, units = run.result.spikes["Z"]
    assert not np.any(np.isin(units % 4, [0]))  # clamped units never spike
    assert not np.any(units[units >= 80] % 4 == 3)
    groups = (run.states[:20], run.states[20:])
    for chain, states in zip((0, 20), groups, strict=True):
        assert kl_divergence(state_frequencies(states), sampler.exact(chain)) < 0.01
    # the unclamped units' marginals differ between the two conditionals
    marginals = [states[..., 1:3].mean(axis=(0, 1)) for states in groups]
    assert np.abs(marginals[0] - marginals[1]).max() > 0.05


def test_reference_chain_matches_the_states_helper():
    weights, biases = random_machine(3, 1)
    steps, units = sample_abstract_reference(weights, biases, 50000, 10, seed=1)
    _, states = states_from_spikes(steps * 1e-3, units, 3, 1e-3, 10, 50000)
    assert kl_divergence(state_frequencies(states), boltzmann_distribution(weights, biases)) < 0.01


@pytest.mark.parametrize(
    ("weights", "biases", "kwargs", "match"),
    [
        ([[0, 1], [0.5, 0]], [0, 0], {}, "symmetric"),
        ([[1, 0], [0, 0]], [0, 0], {}, "zero diagonal"),
        ([[0, np.nan], [np.nan, 0]], [0, 0], {}, "finite"),
        ([[0, 1], [1, 0]], [0, 0, 0], {}, "length n = 2"),
        ([[0, 1, 2]], [0], {}, "square"),
        ([[0, 1], [1, 0]], [0, 0], {"clamp": {2: 1}}, "out of range"),
        ([[0, 1], [1, 0]], [0, 0], {"clamp": {0: 0.5}}, "0 or 1"),
        ([[0, 1], [1, 0]], [0, 0], {"clamp": [{0: 1}], "n_chains": 2}, "one dict per chain"),
        ([[0, 1], [1, 0]], [0, 0], {"tau": 1.05 * ms}, "whole number"),
        ([[0, 1], [1, 0]], [4.0, 0], {"dt": 1 * ms}, "spikes per step"),
        ([[0, 1], [1, 0]], [0, 0], {"model": "hh"}, "model"),
    ],
)
def test_bad_input_is_refused_before_building(weights, biases, kwargs, match):
    with pytest.raises(CircuitError, match=match):
        boltzmann_sampler(weights, biases, **kwargs)


def test_intensity_bound_counts_only_reachable_input():
    # b = 4 with a positive weight 1: u can reach 5, e^5 * 1 ms / 10 ms = 14.8 > 1; at
    # dt = 0.1 ms it is 1.48: still refused; at 0.01 ms 0.148: accepted
    with pytest.raises(CircuitError, match=r"1\.48"):
        boltzmann_sampler([[0, 1], [1, 0]], [4.0, 0])
    assert boltzmann_sampler([[0, 1], [1, 0]], [4.0, 0], dt=0.01 * ms).tau_steps == 1000
    # clamping the partner off removes its input: u <= 4 gives 0.55 at 0.1 ms
    assert boltzmann_sampler([[0, 1], [1, 0]], [4.0, 0], clamp={1: 0}).n_chains == 1
    # 'logistic' is below one spike per step for any u
    assert boltzmann_sampler([[0, 1], [1, 0]], [40.0, 0], intensity="logistic").n_units == 2


@pytest.mark.slow
@pytest.mark.standalone
def test_kl_of_three_five_unit_machines_after_50_s():
    """The issue's number: KL <= 0.01 after 50 s at dt 0.1 ms on 3 draws (cpp_standalone).

    Measured: 0.0008, 0.0020, 0.0017 (seeds 1-3); one compile, two reruns (~35 s).
    """
    cache = BuildCache(tempfile.mkdtemp(prefix="quifer_boltzmann_"))
    kls = []
    for draw in range(3):
        weights, biases = random_machine(5, draw)
        sampler = boltzmann_sampler(weights, biases, support=np.ones((5, 5), dtype=bool))
        run = sampler.run(50 * second, backend="cpp_standalone", seed=draw + 1, cache=cache)
        kls.append(sampler.kl(run))
    assert max(kls) <= 0.01, kls


def test_initial_state_starts_units_on():
    weights, biases = random_machine(3, 2)
    sampler = boltzmann_sampler(weights, biases, dt=1 * ms, initial=[[1, 0, 1], [0, 1, 0]])
    run = sampler.run(50 * ms, seed=1)
    assert run.states[:, 0].tolist() == [[1, 0, 1], [0, 1, 0]]
    assert np.all(run.states[:, : sampler.tau_steps, [0, 2]][0] == 1)  # on for tau
    with pytest.raises(CircuitError, match="initial"):
        boltzmann_sampler(weights, biases, initial=[2, 0, 0])
