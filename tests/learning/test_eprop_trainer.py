"""fit / predict / save / load of an e-prop network, and its refusals (numpy backend)."""

import numpy as np
import pytest

from quifer_brian.errors import ModelError, ResultFileError, SimulationError
from quifer_brian.learning import eprop_network, load_eprop_network

N_IN, N_REC, N_STEPS = 20, 50, 50


def _pattern_task():
    """Frozen Poisson input (10 % per step) and one period of a sine as the target."""
    rng = np.random.default_rng(0)
    inputs = (rng.random((N_STEPS, N_IN)) < 0.1).astype(float)
    target = np.sin(2 * np.pi * np.arange(N_STEPS) / N_STEPS)[:, None]
    return inputs, target


def test_fit_learns_the_pattern_and_the_untrained_control_does_not():
    # measured: 11.61 -> 2.64 after these 20 iterations (4.4-fold less), correlation 0.91
    inputs, target = _pattern_task()
    model = eprop_network(N_IN, N_REC, 1, N_STEPS, seed=1)
    control = eprop_network(N_IN, N_REC, 1, N_STEPS, seed=1)  # same start, never trained
    history = model.fit(inputs, target, 20, learning_rate=0.05, optimizer="adam", progress=False)
    assert len(history["loss"]) == 20 and all(np.isfinite(history["loss"]))
    trained = model.predict(inputs, target)
    untrained = control.predict(inputs, target)
    assert untrained.loss[0] == pytest.approx(history["loss"][0], rel=1e-9)
    assert trained.loss[0] < untrained.loss[0] / 3  # the loss drops at least 3-fold
    assert trained.outputs.shape == (1, N_STEPS, 1)
    # the output follows the target: correlation above 0.8 after training
    assert np.corrcoef(trained.outputs[0, :, 0], target[:, 0])[0, 1] > 0.8


def test_save_and_load_keep_weights_and_history(tmp_path):
    inputs, target = _pattern_task()
    model = eprop_network(N_IN, 10, 1, N_STEPS, seed=2, feedback="random")
    model.fit(inputs, target, 2, learning_rate=1e-3, c_reg=300.0, progress=False)
    path = model.save(tmp_path / "net.npz")
    loaded = load_eprop_network(path)
    for name, value in model.weights.items():
        np.testing.assert_array_equal(loaded.weights[name], value)
    np.testing.assert_array_equal(loaded.random_feedback, model.random_feedback)
    assert loaded.history == model.history and loaded.feedback == "random"
    assert loaded.spec == model.spec
    assert model.history["reg_loss"][0] > 0  # the regulariser was on


def test_a_damaged_file_is_refused(tmp_path):
    model = eprop_network(4, 3, 1, 10, seed=0)
    path = model.save(tmp_path / "net.npz")
    arrays = dict(np.load(path))
    arrays["weights_in"] = np.zeros((2, 2))
    np.savez(tmp_path / "bad.npz", **arrays)
    with pytest.raises(ResultFileError, match="weights_in: must have the shape"):
        load_eprop_network(tmp_path / "bad.npz")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        ({"inputs": np.zeros((N_STEPS, N_IN + 1))}, r"fit\.inputs: must have the shape"),
        ({"targets": np.zeros((N_STEPS - 1, 1))}, r"fit\.targets: must have the shape"),
        ({"targets": np.full((N_STEPS, 1), np.nan)}, r"fit\.targets: must be finite"),
        ({"inputs": np.full((N_STEPS, N_IN), 0.5)}, r"fit\.inputs: must be spikes"),
        ({"learning_rate": 0.0}, r"fit\.learning_rate: must be > 0"),
        ({"learning_rate": -1e-3}, r"fit\.learning_rate: must be > 0"),
        ({"optimizer": "sgd"}, r"fit\.optimizer: unknown value 'sgd'"),
        ({"n_iterations": 0}, r"fit\.n_iterations"),
        ({"c_reg": -1.0}, r"fit\.c_reg: must be a number >= 0"),
    ],
)
def test_bad_input_is_refused_before_any_run(change, match):
    inputs, target = _pattern_task()
    model = eprop_network(N_IN, 4, 1, N_STEPS, seed=0)
    arguments = {"inputs": inputs, "targets": target, "n_iterations": 1, **change}
    with pytest.raises(ModelError, match=match):
        model.fit(**arguments, progress=False)
    assert model._trials is None  # nothing was built


def test_builder_refuses_bad_structure():
    with pytest.raises(ModelError, match=r"eprop_network\.n_rec"):
        eprop_network(4, 0, 1, 10)
    with pytest.raises(ModelError, match=r"eprop_network\.feedback: unknown value"):
        eprop_network(4, 3, 1, 10, feedback="transpose")
    with pytest.raises(ModelError, match=r"eprop_network\.n_rec: must be >= 2"):
        eprop_network(4, 1, 1, 10)


@pytest.mark.filterwarnings("ignore:overflow:RuntimeWarning", "ignore:invalid value:RuntimeWarning")
def test_a_diverging_run_stops_naming_the_iteration_with_its_history(tmp_path):
    inputs, target = _pattern_task()
    model = eprop_network(N_IN, 10, 1, N_STEPS, seed=0)
    saved = tmp_path / "diverged.npz"
    with pytest.raises(SimulationError, match=r"iteration \d+: non-finite") as caught:
        model.fit(inputs, target, 10, learning_rate=1e300, progress=False, save_on_error=saved)
    failed = int(str(caught.value).split("iteration ")[1].split(":")[0])
    assert failed >= 2  # the first iteration's loss is finite
    assert len(caught.value.history["loss"]) == failed - 1
    assert caught.value.history == model.history  # kept on the model too (save writes it)
    assert np.all(np.isfinite(model.history["loss"]))
    assert load_eprop_network(saved).history == model.history  # written before the raise
