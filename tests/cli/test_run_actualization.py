"""`quifer-brian run actualization` reports where the trials settled: goal, cued, any."""

import json

import numpy as np
import pytest
from brian2 import ms

from quifer_brian.cli import main
from quifer_brian.networks import actualization
from quifer_brian.networks.actualization.batch import read_out, summarise_batch

SMALL = dict(n_dims=2, n_archetypes=2, batch=8, neurons_per_dim=20, cue_noise=0.3)


@pytest.fixture(scope="module")
def completion():
    """No focus, cues so noisy that some land in the other archetype's basin."""
    circuit = actualization(**SMALL, archetype_seed=1)
    return circuit, circuit.run(300 * ms, seed=3)


def test_the_batch_knows_each_trials_cued_archetype(completion):
    circuit, result = completion
    run = read_out(circuit, result)
    assert run.cued.tolist() == [0, 1] * 4  # trial b: archetype b mod 2
    assert run.goal == "cued"
    cued = np.sqrt(((run.final_states - run.archetypes[run.cued]) ** 2).sum(-1)) <= 0.1
    np.testing.assert_array_equal(run.success(0.1), cued)


def test_settling_anywhere_is_not_counted_as_success(completion):
    summary = summarise_batch(*completion)
    assert summary["goal"] == "cued" and summary["reached_target"] is None
    assert summary["success"] == summary["reached_cued"]
    # every trial settles, two of the eight into the archetype they were not cued with
    assert summary["reached_nearest"] == 1.0 and summary["success"] == 0.75, summary
    assert summary["silent"] == 0.0


def test_run_actualization_prints_and_saves_both(tmp_path, capsys):
    params = [f"--param={name}={value}" for name, value in SMALL.items()]
    argv = ["run", "actualization", *params, "--param=archetype_seed=1", "--param=target=0"]
    argv += ["--duration", "300ms", "--backend", "numpy", "--seed", "3", "--out", str(tmp_path)]
    assert main(argv) == 0
    printed = capsys.readouterr().out
    assert "trials within 0.1 of the target (success)" in printed
    assert "trials within 0.1 of the cued archetype" in printed
    assert "trials within 0.1 of any archetype" in printed
    loop = json.loads((tmp_path / "summary.json").read_text())["loop"]
    assert loop["goal"] == "target" and loop["success"] == loop["reached_target"]
