"""Training reruns one compiled cpp_standalone program: iteration 2 onward never compiles."""

import numpy as np
import pytest

from quifer_brian.backends import BuildCache, build_count
from quifer_brian.learning import eprop_network

N_IN, N_REC, N_STEPS = 6, 5, 40


@pytest.mark.slow  # one compile: 40-120 s on 2 busy cores
@pytest.mark.standalone
@pytest.mark.parametrize("traces", ["synaptic", "factorised"])
def test_training_compiles_once_and_equals_the_numpy_backend(tmp_path, traces):
    rng = np.random.default_rng(0)
    inputs = (rng.random((N_STEPS, N_IN)) < 0.2).astype(float)
    target = np.sin(2 * np.pi * np.arange(N_STEPS) / N_STEPS)[:, None]
    cache = BuildCache(tmp_path / "cache")
    compiled = eprop_network(
        N_IN, N_REC, 1, N_STEPS, backend="cpp_standalone", cache=cache, traces=traces
    )
    reference = eprop_network(N_IN, N_REC, 1, N_STEPS, backend="numpy", traces=traces)
    before = build_count()
    compiled.fit(inputs, target, 1, learning_rate=1e-3, progress=False)
    assert build_count() == before + 1  # iteration 1 compiles the program ...
    compiled.fit(inputs, target, 2, learning_rate=1e-3, progress=False)
    assert build_count() == before + 1  # ... iterations 2 and 3 rerun it
    reference.fit(inputs, target, 3, learning_rate=1e-3, progress=False)
    # same model, same numbers: the compiled program and the numpy run agree
    np.testing.assert_allclose(compiled.history["loss"], reference.history["loss"], rtol=1e-9)
    for name in ("in", "rec", "out"):
        np.testing.assert_allclose(compiled.weights[name], reference.weights[name], rtol=1e-9)
    # a new network of the same structure (a new process would do the same) finds it cached
    again = eprop_network(
        N_IN, N_REC, 1, N_STEPS, backend="cpp_standalone", cache=cache, seed=5, traces=traces
    )
    again.predict(inputs)
    assert build_count() == before + 1 and not again.trials.compiled
