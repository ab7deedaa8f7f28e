"""Training inside the program (``training='program'``) against the trial-by-trial training.

The program applies each iteration's update itself (gradient descent or Adam, the rate
regulariser, symmetric or random feedback); the trial-by-trial training forms the same
updates in Python between runs (and is itself checked against a numpy BPTT in
``test_eprop_gradients.py``).  Both must give the same losses and weights to rounding.
"""

import numpy as np
import pytest
from brian2 import Hz, ms, mV

from quifer_brian.errors import ModelError, SimulationError
from quifer_brian.learning import bptt_gradients, eprop_network, load_eprop_network

N_IN, N_REC, N_OUT, N_STEPS = 6, 5, 2, 40


def _data(seed=0):
    rng = np.random.default_rng(seed)
    inputs = (rng.random((N_STEPS, N_IN)) < 0.3).astype(float)
    return inputs, rng.normal(size=(N_STEPS, N_OUT))


def _pair(**options):
    models = [
        eprop_network(N_IN, N_REC, N_OUT, N_STEPS, seed=1, training=mode, **options)
        for mode in ("trial", "program")
    ]
    for model in models:
        model.weights["in"] *= 3.0  # enough spikes for non-trivial updates
    return models


@pytest.mark.parametrize(
    ("optimizer", "feedback", "adaptive"),
    [
        ("gd", "symmetric", False),
        pytest.param("adam", "random", True, marks=pytest.mark.slow),  # ~30 s, numpy
    ],
    ids=["gd-symmetric-LIF", "adam-random-ALIF"],
)
def test_program_training_equals_trial_training(optimizer, feedback, adaptive):
    extra = {"adaptive": True, "beta": 0.02 * mV, "tau_a": 200 * ms} if adaptive else {}
    # 2 iterations per run: 3 iterations are runs of 2 and 1 (the last one gated),
    # then a second call carries the weights (and a new optimiser) over
    trial, program = _pair(feedback=feedback, iterations_per_run=2, **extra)
    inputs, target = _data()
    initial = {name: value.copy() for name, value in trial.weights.items()}
    options = {"learning_rate": 1e-2, "optimizer": optimizer, "c_reg": 30.0, "f_target": 10 * Hz}
    for model in (trial, program):
        model.fit(inputs, target, 3, progress=False, **options)
        model.fit(inputs, target, 2, progress=False, **options)
    assert len(program.history["loss"]) == 5
    for key in ("loss", "reg_loss", "rate"):
        np.testing.assert_allclose(program.history[key], trial.history[key], rtol=1e-9)
    assert np.ptp(trial.history["loss"]) > 1e-3  # the weights did change the loss
    for name in ("in", "rec", "out"):
        change = np.max(np.abs(trial.weights[name] - initial[name]))
        assert change > 1e-4
        # measured 1e-15 relative to the change (numpy backend)
        assert np.max(np.abs(program.weights[name] - trial.weights[name])) < 1e-9 * change
    # predict runs the program without applying updates
    first = program.predict(inputs, target)
    again = program.predict(inputs, target)
    np.testing.assert_array_equal(first.outputs, again.outputs)
    reference = trial.predict(inputs, target)
    np.testing.assert_allclose(first.outputs, reference.outputs, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(first.loss, reference.loss, rtol=1e-9)


def test_program_training_step_is_the_bptt_gradient_without_recurrence():
    # Without recurrent weights e-prop is the gradient (Bellec et al. 2020, Methods):
    # one gradient-descent step of the program with learning rate 1 moves the weights
    # by exactly -dE/dW of a plain numpy BPTT.
    model = eprop_network(N_IN, N_REC, N_OUT, N_STEPS, recurrent=False, seed=3, training="program")
    model.weights["in"] *= 3.0
    inputs, target = _data(4)
    before = {name: value.copy() for name, value in model.weights.items()}
    model.fit(inputs, target, 1, learning_rate=1.0, progress=False)
    spec = model.spec
    params = {"alpha": spec.alpha, "kappa": spec.kappa, "rho": spec.rho, "gamma": spec.gamma}
    params.update(theta=float(spec.theta / mV), beta=float(spec.beta / mV))
    bptt = bptt_gradients(params, before["in"], None, before["out"], inputs, target)
    assert model.history["loss"][0] == pytest.approx(bptt["loss"], rel=1e-9)
    for name in ("in", "out"):
        step = before[name] - model.weights[name]
        assert np.count_nonzero(bptt[name]) > N_REC
        assert np.max(np.abs(step - bptt[name])) < 1e-6 * np.max(np.abs(bptt[name]))


def test_program_training_takes_one_trial_per_iteration():
    model = eprop_network(N_IN, N_REC, N_OUT, N_STEPS, training="program")
    inputs, target = _data()
    with pytest.raises(ModelError, match="one trial"):
        model.fit(np.stack([inputs, inputs]), np.stack([target, target]), 1, progress=False)
    with pytest.raises(ModelError, match="iterations_per_run"):
        eprop_network(N_IN, N_REC, N_OUT, N_STEPS, training="program", iterations_per_run=0)


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the diverging arithmetic overflows
def test_program_training_stops_where_trial_training_stops():
    # A learning rate of 1e200 throws the weights to ~1e200 after iteration 1; iteration
    # 2's loss is infinite.  Both trainings stop there, keep one iteration of history and
    # leave the weights after iteration 1 (the program is run again up to it).
    inputs, target = _data()
    stopped = {}
    for model in _pair(iterations_per_run=3):
        with pytest.raises(SimulationError, match=r"iteration 2: non-finite loss") as caught:
            model.fit(inputs, target, 6, learning_rate=1e200, progress=False)
        assert len(caught.value.history["loss"]) == 1
        stopped[model.training] = model.weights
    for name in ("in", "rec", "out"):
        assert np.all(np.isfinite(stopped["program"][name]))
        assert np.max(np.abs(stopped["program"][name])) > 1e100
        np.testing.assert_allclose(stopped["program"][name], stopped["trial"][name], rtol=1e-9)


@pytest.mark.slow  # one compile: 15-120 s on 2 busy cores
@pytest.mark.standalone
def test_compiled_program_training_equals_the_numpy_backend(tmp_path):
    inputs, target = _data()
    models = [
        eprop_network(
            N_IN,
            N_REC,
            N_OUT,
            N_STEPS,
            seed=1,
            training="program",
            iterations_per_run=2,
            feedback="random",
            backend=backend,
            cache=tmp_path / "cache",
        )
        for backend in ("numpy", "cpp_standalone")
    ]
    for model in models:
        model.weights["in"] *= 3.0
        model.fit(inputs, target, 3, learning_rate=1e-2, optimizer="adam", progress=False)
    reference, compiled = models
    assert compiled._programs and all(p.compiled for p in compiled._programs.values())
    np.testing.assert_allclose(compiled.history["loss"], reference.history["loss"], rtol=1e-9)
    for name in ("in", "rec", "out"):
        np.testing.assert_allclose(compiled.weights[name], reference.weights[name], rtol=1e-9)


def test_a_saved_network_trains_on_inside_the_program(tmp_path):
    # save / load keep the weights and history; training='program' continues from them
    # exactly as the network that was never saved
    inputs, target = _data()
    kept = _pair(iterations_per_run=2)[1]
    kept.fit(inputs, target, 1, learning_rate=1e-2, progress=False)
    loaded = load_eprop_network(kept.save(tmp_path / "net.npz"), training="program")
    for model in (kept, loaded):
        model.fit(inputs, target, 1, learning_rate=1e-2, progress=False)
    assert loaded.history["loss"] == kept.history["loss"]
    for name in ("in", "rec", "out"):
        np.testing.assert_array_equal(loaded.weights[name], kept.weights[name])
