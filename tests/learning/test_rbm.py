"""RBMs: the mapping onto a Boltzmann machine, numpy Gibbs, training, spiking sampling.

The visible marginal of an RBM has a closed form (the free energy,
:math:`p(v) \\propto e^{a^Tv} \\prod_j (1 + e^{c_j + v^TW_{:j}})`), which the Boltzmann
machine of :func:`rbm_machine`, the numpy Gibbs sampler and the spiking sampler are
checked against.
"""

import tempfile

import numpy as np
import pytest
from brian2 import ms, second

from quifer_brian.backends import BuildCache
from quifer_brian.errors import ModelError
from quifer_brian.learning.rbm import (
    RBM,
    gibbs_sample,
    load_binary_digits,
    mean_pairwise_hamming,
    rbm_machine,
    sample_rbm_spiking,
    train_rbm,
    with_labels,
)
from quifer_brian.networks import boltzmann_sampler
from quifer_brian.networks.boltzmann_exact import (
    boltzmann_distribution,
    kl_divergence,
    state_frequencies,
)


def _small_rbm(seed=0, n_visible=3, n_hidden=2):
    rng = np.random.default_rng(seed)
    return RBM(
        rng.normal(0, 1.0, (n_visible, n_hidden)),
        rng.normal(-0.3, 0.5, n_visible),
        rng.normal(0, 0.5, n_hidden),
    )


def _visible_marginal(rbm):
    n = rbm.n_visible
    v = (np.arange(2**n)[:, None] >> np.arange(n)[None, :]) & 1
    log_p = v @ rbm.visible_bias + np.sum(np.logaddexp(0, v @ rbm.weights + rbm.hidden_bias), 1)
    p = np.exp(log_p - log_p.max())
    return p / p.sum()


def test_boltzmann_machine_of_an_rbm_has_its_visible_marginal():
    rbm = _small_rbm()
    weights, biases = rbm_machine(rbm)
    p = boltzmann_distribution(weights, biases).reshape(2**rbm.n_hidden, 2**rbm.n_visible)
    np.testing.assert_allclose(p.sum(axis=0), _visible_marginal(rbm), rtol=1e-12)


def test_gibbs_sampler_matches_the_marginal_and_keeps_clamps():
    rbm = _small_rbm()
    samples = gibbs_sample(rbm, -np.ones((50, 3)), 400, seed=1)
    assert kl_divergence(state_frequencies(samples), _visible_marginal(rbm)) < 0.005
    clamped = gibbs_sample(rbm, [[1, -1, 0]] * 10, 50, seed=1)
    assert np.all(clamped[..., 0] == 1) and np.all(clamped[..., 2] == 0)


def test_spiking_sampler_samples_the_rbm():
    # the same bound as the 5-unit machines of test_boltzmann.py (measured there)
    rbm = _small_rbm()
    weights, biases = rbm_machine(rbm)
    sampler = boltzmann_sampler(weights, biases, dt=1 * ms, n_chains=40, intensity="logistic")
    run = sampler.run(5 * second, seed=4, t_start=0.1 * second)
    visible = run.states[..., : rbm.n_visible]
    assert kl_divergence(state_frequencies(visible), _visible_marginal(rbm)) < 0.005


def test_training_puts_the_mass_on_the_training_patterns():
    # judged on the exact visible marginal (8 units: 256 states).  Known limitation:
    # on these two complementary patterns PCD-1 ends with most of the mass on ONE of
    # them (0.93-0.99; seeds 0-2), also with a decaying learning rate: the persistent
    # chains do not cross between the two modes.  The digits (benchmarks/sampling.md)
    # are not affected that way, but the test says only what holds.
    patterns = np.array([[1, 1, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, 1, 1, 1]], dtype=float)
    data = patterns[np.arange(200) % 2]
    index = (patterns @ (1 << np.arange(8))).astype(int)
    for seed in range(3):
        p = _visible_marginal(train_rbm(data, n_hidden=4, n_epochs=30, seed=seed))
        assert p[index].sum() > 0.8
    # an untrained RBM is uniform: 2/256 on the two patterns
    blank = RBM(np.zeros((8, 4)), np.zeros(8), np.zeros(4))
    np.testing.assert_allclose(_visible_marginal(blank), 1 / 256)


def test_bad_training_data_is_refused():
    with pytest.raises(ModelError, match="0/1"):
        train_rbm(np.array([[0.5, 1.0]]))
    with pytest.raises(ModelError, match="n_hidden"):
        train_rbm(np.ones((4, 2)), n_hidden=0)


def test_digits_and_labels():
    x_train, y_train, x_test, _ = load_binary_digits()
    assert x_train.shape[1] == 64 and set(np.unique(x_train)) == {0.0, 1.0}
    assert len(x_train) + len(x_test) == 1797
    visible = with_labels(x_train[:3], y_train[:3], label_copies=2)
    assert visible.shape == (3, 84)
    assert np.all(visible[np.arange(3), 64 + y_train[:3]] == 1)
    assert np.all(visible[:, 64:74] == visible[:, 74:])
    assert mean_pairwise_hamming([[0, 0], [1, 1], [1, 0]]) == pytest.approx(4 / 3)


@pytest.mark.slow
@pytest.mark.standalone
def test_digits_generated_by_spikes():
    """The issue's digit numbers on one seed (all three in benchmarks/sampling.md).

    Measured (seed 0): 81.9% of the class-conditional samples classified as their class,
    the least diverse class at 0.56 of the real digits' mean Hamming distance,
    completion 74.2% (spiking) against 73.6% (numpy Gibbs).  About 2 minutes (one
    compile, two runs).
    """
    from sklearn.linear_model import LogisticRegression

    x_train, y_train, x_test, y_test = load_binary_digits()
    classifier = LogisticRegression(max_iter=2000).fit(x_train, y_train)
    rbm = train_rbm(with_labels(x_train, y_train), n_hidden=200, n_epochs=60, seed=0)
    cache = BuildCache(tempfile.mkdtemp(prefix="quifer_rbm_"))
    classes = np.repeat(np.arange(10), 4)
    clamp = -np.ones((40, rbm.n_visible), dtype=int)
    clamp[:, 64:] = with_labels(np.zeros((40, 64)), classes)[:, 64:]
    pixels = sample_rbm_spiking(rbm, clamp, 40, seed=1, cache=cache)[..., :64]
    predicted = classifier.predict(pixels.reshape(-1, 64)).reshape(40, -1)
    assert np.mean(predicted == classes[:, None]) >= 0.8
    for c in range(10):
        real = mean_pairwise_hamming(x_train[y_train == c])
        assert mean_pairwise_hamming(pixels[classes == c].reshape(-1, 64)) >= real / 2
    picks = np.concatenate([np.flatnonzero(y_test == c)[:4] for c in range(10)])
    clamp = -np.ones((40, rbm.n_visible), dtype=int)
    clamp[:, :32] = x_test[picks, :32]
    spiking = sample_rbm_spiking(rbm, clamp, 40, seed=2, cache=cache)
    gibbs = gibbs_sample(rbm, clamp, 40, every=2, seed=2)
    truth = x_test[picks][:, None, 32:]
    difference = np.mean(spiking[..., 32:64] == truth) - np.mean(gibbs[..., 32:64] == truth)
    assert abs(difference) <= 0.02
