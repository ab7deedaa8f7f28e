"""The cross-entropy (classification) loss of e-prop against a numpy BPTT of that loss.

Bellec et al. 2020 (Methods, eq. 30) and NEST's evidence-accumulation tutorial train
with a softmax over the readouts and the cross-entropy over a recall window.  The
readout error ``dE/dy`` is checked against finite differences of the loss; then, without
recurrent weights (where e-prop is the gradient), the package's updates must equal the
numpy BPTT of the same loss to 1e-6.
"""

import numpy as np
import pytest
from brian2 import ms, mV

from quifer_brian.errors import ModelError
from quifer_brian.learning import bptt_gradients, eprop_network
from quifer_brian.learning.eprop_reference import readout_error

N_IN, N_REC, N_OUT, N_STEPS, RECALL = 8, 6, 3, 60, 20


def _classes(seed):
    rng = np.random.default_rng(seed)
    inputs = (rng.random((N_STEPS, N_IN)) < 0.15).astype(float)
    target = np.zeros((N_STEPS, N_OUT))
    target[:, rng.integers(N_OUT)] = 1.0  # one class for the whole trial
    mask = np.zeros(N_STEPS, dtype=bool)
    mask[-RECALL:] = True  # the loss counts in the recall window only
    return inputs, target, mask


def test_cross_entropy_error_is_the_derivative_of_the_loss():
    rng = np.random.default_rng(1)
    y = rng.normal(size=(7, N_OUT)) * 3
    target = np.eye(N_OUT)[rng.integers(N_OUT, size=7)]
    mask = np.array([0, 1, 1, 0, 1, 1, 1], dtype=bool)
    err, loss = readout_error(y, target, "cross_entropy", mask)
    pi = np.exp(y) / np.exp(y).sum(axis=1, keepdims=True)
    assert loss == pytest.approx(-np.sum(mask[:, None] * target * np.log(pi)), rel=1e-12)
    numeric = np.zeros_like(y)
    for index in np.ndindex(*y.shape):  # central differences of the loss
        step = np.zeros_like(y)
        step[index] = 1e-6
        up = readout_error(y + step, target, "cross_entropy", mask)[1]
        down = readout_error(y - step, target, "cross_entropy", mask)[1]
        numeric[index] = (up - down) / 2e-6
    assert np.max(np.abs(err - numeric)) < 1e-6
    assert np.all(err[~mask] == 0)


@pytest.mark.parametrize("adaptive", [False, True], ids=["LIF", "ALIF"])
def test_cross_entropy_updates_equal_bptt_without_recurrence(adaptive):
    extra = {"adaptive": True, "beta": 0.02 * mV, "tau_a": 200 * ms} if adaptive else {}
    model = eprop_network(N_IN, N_REC, N_OUT, N_STEPS, recurrent=False, seed=3, **extra)
    model.weights["in"] *= 3.0
    inputs, target, mask = _classes(4)
    error = model._readout_error("cross_entropy", mask)
    output = model.trials.run(model.run_values(inputs, target), error)
    grads, _ = model.gradients(output)
    spec = model.spec
    params = {"alpha": spec.alpha, "kappa": spec.kappa, "rho": spec.rho, "gamma": spec.gamma}
    params.update(theta=float(spec.theta / mV), beta=float(spec.beta / mV))
    weights = (model.weights["in"], None, model.weights["out"])
    bptt = bptt_gradients(params, *weights, inputs, target, "cross_entropy", mask)
    assert len(output.spike_times) >= 10
    assert output.loss.sum() == pytest.approx(bptt["loss"], rel=1e-9)
    for name in ("in", "out"):
        assert np.count_nonzero(bptt[name]) > N_REC
        relative = np.max(np.abs(grads[name] - bptt[name])) / np.max(np.abs(bptt[name]))
        assert relative < 1e-6  # measured 1.4e-16 to 7.7e-16
    # the mean-squared error of the same trial gives other updates: the loss is used
    mse = bptt_gradients(params, *weights, inputs, target)
    assert np.max(np.abs(mse["in"] - bptt["in"])) > 1e-3 * np.max(np.abs(bptt["in"]))


def test_cross_entropy_fit_lowers_the_loss_and_refuses_other_modes():
    model = eprop_network(N_IN, N_REC, N_OUT, N_STEPS, recurrent=False, seed=3)
    model.weights["in"] *= 3.0
    inputs, target, mask = _classes(4)
    history = model.fit(
        inputs, target, 8, learning_rate=0.05, optimizer="adam", loss="cross_entropy",
        loss_mask=mask, progress=False,
    )  # fmt: skip
    assert history["loss"][-1] < 0.75 * history["loss"][0]  # measured 21.8 -> 13.7
    synaptic = eprop_network(N_IN, N_REC, N_OUT, N_STEPS, traces="synaptic")
    with pytest.raises(ModelError, match="traces='factorised'"):
        synaptic.fit(inputs, target, 1, loss="cross_entropy", progress=False)
    with pytest.raises(ModelError, match="loss_mask"):
        model.fit(inputs, target, 1, loss="cross_entropy", loss_mask=[1, 0], progress=False)
