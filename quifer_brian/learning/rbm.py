"""Restricted Boltzmann machines learned from binary data and sampled by spiking networks.

An RBM (:class:`RBM`) is trained with persistent contrastive divergence in numpy
(:func:`train_rbm`), written as a Boltzmann machine over visible and hidden units
(:func:`rbm_machine`) and handed to :func:`~quifer_brian.networks.boltzmann_sampler`,
whose spiking states then sample it (:func:`sample_rbm_spiking`); :func:`gibbs_sample`
is the plain numpy block-Gibbs sampler of the same model it is compared with.  Clamping
the label units generates a class; clamping part of an image completes it.  For the
8x8 digits (:func:`load_binary_digits`) the visible units are the 64 pixels and the
one-hot label, repeated ``label_copies`` times (:func:`with_labels`).
"""

from dataclasses import dataclass

import numpy as np
from brian2 import ms

from ..checks import check_count, check_real, check_seed
from ..errors import ModelError
from ..networks import boltzmann_sampler

__all__ = [
    "RBM",
    "gibbs_sample",
    "load_binary_digits",
    "mean_pairwise_hamming",
    "rbm_machine",
    "sample_rbm_spiking",
    "train_rbm",
    "with_labels",
]

_N_PIXELS, _N_CLASSES = 64, 10


@dataclass(frozen=True)
class RBM:
    r"""A restricted Boltzmann machine, :math:`p(v, h) \propto \exp(v^TWh + a^Tv + c^Th)`.

    Attributes
    ----------
    weights : ndarray, shape (n_visible, n_hidden)
    visible_bias, hidden_bias : ndarray
    """

    weights: np.ndarray
    visible_bias: np.ndarray
    hidden_bias: np.ndarray

    @property
    def n_visible(self):
        """Number of visible units."""
        return self.weights.shape[0]

    @property
    def n_hidden(self):
        """Number of hidden units."""
        return self.weights.shape[1]


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def load_binary_digits(test_fraction=0.25, split_seed=0):
    """scikit-learn's 8x8 digits, scaled to [0, 1] and binarised at 0.5, split once.

    Returns
    -------
    x_train, y_train, x_test, y_test : ndarray
        Images (n, 64) of 0.0/1.0 and labels (stratified split, ``split_seed``).
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    digits = load_digits()
    images = (digits.data / 16.0 > 0.5).astype(float)
    x_train, x_test, y_train, y_test = train_test_split(
        images,
        digits.target,
        test_size=test_fraction,
        random_state=split_seed,
        stratify=digits.target,
    )
    return x_train, y_train, x_test, y_test


def with_labels(images, labels, n_classes=_N_CLASSES, label_copies=10):
    """Visible vectors: the pixels, then the one-hot label repeated ``label_copies`` times.

    The copies give the label the weight of a tenth of the image (64 pixels against 10
    label units) in the energy; with one copy, samples with a clamped label follow it
    much less often (see ``benchmarks/sampling.md``).
    """
    onehot = np.eye(n_classes)[np.asarray(labels, dtype=int)]
    return np.hstack([np.asarray(images, dtype=float), np.tile(onehot, label_copies)])


def train_rbm(
    data,
    n_hidden=200,
    n_epochs=100,
    learning_rate=0.02,
    batch_size=20,
    weight_decay=1e-3,
    seed=0,
) -> RBM:
    """Train an RBM on binary ``data`` (n_samples, n_visible) by persistent CD-1.

    Persistent contrastive divergence (Tieleman 2008) with momentum (0.5 for five
    epochs, then 0.9) and L2 weight decay; visible biases start at the data's
    log-odds (Hinton 2010, a practical guide).

    Returns
    -------
    RBM

    Notes
    -----
    Known limitation: on two complementary 8-bit patterns the trained RBM puts 93-99%
    of its mass on one of them (the persistent chains do not cross between the modes);
    a decaying learning rate did not change that.
    """
    data = np.asarray(data, dtype=float)
    if data.ndim != 2 or not np.all((data == 0) | (data == 1)):
        raise ModelError(
            owner="train_rbm",
            argument="data",
            value=getattr(data, "shape", data),
            problem="must be a 2-D array of 0/1 values",
        )
    check_count("n_hidden", n_hidden, "train_rbm")
    check_count("n_epochs", n_epochs, "train_rbm")
    check_count("batch_size", batch_size, "train_rbm")
    check_real("learning_rate", learning_rate, "train_rbm", allow_zero=False)
    check_seed("seed", seed, "train_rbm")
    rng = np.random.default_rng(seed)
    n_visible = data.shape[1]
    mean = np.clip(data.mean(axis=0), 1e-3, 1 - 1e-3)
    weights = rng.normal(0.0, 0.01, (n_visible, n_hidden))
    visible_bias, hidden_bias = np.log(mean / (1 - mean)), np.zeros(n_hidden)
    steps = [np.zeros_like(weights), np.zeros(n_visible), np.zeros(n_hidden)]
    fantasy = (rng.random((batch_size, n_visible)) < 0.5).astype(float)
    for epoch in range(n_epochs):
        momentum = 0.5 if epoch < 5 else 0.9
        order = rng.permutation(len(data))
        for start in range(0, len(data), batch_size):
            batch = data[order[start : start + batch_size]]
            positive = _sigmoid(batch @ weights + hidden_bias)
            hidden = rng.random((batch_size, n_hidden)) < _sigmoid(fantasy @ weights + hidden_bias)
            drawn = rng.random(fantasy.shape) < _sigmoid(hidden @ weights.T + visible_bias)
            fantasy = drawn.astype(float)
            negative = _sigmoid(fantasy @ weights + hidden_bias)
            gradients = (
                batch.T @ positive / len(batch)
                - fantasy.T @ negative / batch_size
                - weight_decay * weights,
                batch.mean(axis=0) - fantasy.mean(axis=0),
                positive.mean(axis=0) - negative.mean(axis=0),
            )
            for step, gradient in zip(steps, gradients, strict=True):
                step *= momentum
                step += learning_rate * gradient
            weights += steps[0]
            visible_bias += steps[1]
            hidden_bias += steps[2]
    return RBM(weights, visible_bias, hidden_bias)


def rbm_machine(rbm):
    """The RBM as a Boltzmann machine ``(W, b)`` over ``[visible, hidden]`` units.

    :math:`W = [[0, W_{vh}], [W_{vh}^T, 0]]`, :math:`b = [a, c]`, so that
    :math:`z^TWz/2 + b^Tz = v^TW_{vh}h + a^Tv + c^Th`.
    """
    n_v, n_h = rbm.weights.shape
    weights = np.zeros((n_v + n_h, n_v + n_h))
    weights[:n_v, n_v:] = rbm.weights
    weights[n_v:, :n_v] = rbm.weights.T
    return weights, np.concatenate([rbm.visible_bias, rbm.hidden_bias])


def gibbs_sample(rbm, clamp, n_samples, every=1, burn_in=100, seed=None):
    """Block-Gibbs samples of the visible units, ``clamp`` (n_chains, n_visible): -1 free.

    Each sweep draws h | v, then the free v | h; the first ``burn_in`` sweeps are
    dropped and then every ``every``-th sweep is kept.

    Returns
    -------
    ndarray of uint8, shape (n_chains, n_samples, n_visible)
    """
    clamp = np.asarray(clamp, dtype=float)
    rng = np.random.default_rng(seed)
    free = clamp < 0
    visible = np.where(free, rng.random(clamp.shape) < 0.5, clamp)
    samples = np.zeros((len(clamp), n_samples, clamp.shape[1]), dtype=np.uint8)
    kept = 0
    for sweep in range(burn_in + n_samples * every):
        hidden = rng.random((len(clamp), rbm.n_hidden)) < _sigmoid(
            visible @ rbm.weights + rbm.hidden_bias
        )
        drawn = rng.random(clamp.shape) < _sigmoid(hidden @ rbm.weights.T + rbm.visible_bias)
        visible = np.where(free, drawn, clamp)
        if sweep >= burn_in and (sweep - burn_in) % every == every - 1:
            samples[:, kept] = visible
            kept += 1
    return samples


def sample_rbm_spiking(
    rbm,
    clamp,
    n_samples,
    every=20 * ms,
    burn_in=100 * ms,
    tau=10 * ms,
    dt=1 * ms,
    backend="cpp_standalone",
    seed=None,
    cache=None,
):
    """Samples of the visible units from the spiking sampler of the RBM (one chain per row).

    Parameters
    ----------
    clamp : ndarray, shape (n_chains, n_visible)
        0 or 1 where clamped, -1 free.
    every, burn_in : brian2.Quantity (s)
        Sample spacing and the time dropped at the start.
    tau, dt, backend, seed, cache
        Of :func:`~quifer_brian.networks.boltzmann_sampler` (``intensity='logistic'``:
        a trained RBM's weights allow far more than one spike per step in the worst
        case) and its ``run``.

    Returns
    -------
    ndarray of uint8, shape (n_chains, n_samples, n_visible)
    """
    clamp = np.asarray(clamp)
    weights, biases = rbm_machine(rbm)
    clamps = [{int(k): int(row[k]) for k in np.flatnonzero(row >= 0)} for row in clamp.astype(int)]
    # the visible units start at random (as in gibbs_sample), the hidden ones off
    initial = np.zeros((len(clamp), len(biases)), dtype=int)
    initial[:, : rbm.n_visible] = np.random.default_rng(seed).random(clamp.shape) < 0.5
    sampler = boltzmann_sampler(
        weights, biases, tau=tau, dt=dt, clamp=clamps, intensity="logistic", initial=initial
    )
    duration = burn_in + n_samples * every
    run = sampler.run(
        duration + dt,
        backend=backend,
        seed=seed,
        sample_every=every,
        t_start=burn_in + every,
        cache=cache,
    )
    return run.states[:, :n_samples, : rbm.n_visible]


def mean_pairwise_hamming(patterns):
    """Mean Hamming distance over all pairs of rows of a 0/1 array (n, d)."""
    x = np.asarray(patterns, dtype=float).reshape(len(patterns), -1)
    distances = x @ (1 - x).T + (1 - x) @ x.T
    upper = np.triu_indices(len(x), 1)
    return float(distances[upper].mean())
