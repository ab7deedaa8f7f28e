"""``EpropNetwork.fit`` and ``predict`` with ``training='program'``.

Each run of the training program (:mod:`~quifer_brian.learning.eprop_program`) simulates
``iterations_per_run`` trials and applies an update after each; ``fit`` runs it as often
as ``n_iterations`` needs (the last run applies only the remaining updates), keeps the
history per iteration and, when a trial's loss or the weights stop being finite, runs
the program again up to the iteration before, so that the weights left in the model are
those before the failing iteration (as the trial-by-trial training leaves them).
"""

from typing import Any

import numpy as np
from brian2 import second

from ..errors import ModelError
from ..progress import progress_bar
from .eprop_program import ProgramSetup
from .eprop_program_runs import CompiledTraining, RuntimeTraining, program_values

__all__ = ["fit_in_program", "predict_in_program"]


def _runner(model, setup):
    """The model's training runner for ``setup`` (built or compiled on first use)."""
    if setup not in model._programs:
        if model.backend == "cpp_standalone":
            model._programs[setup] = CompiledTraining(model.spec, setup, model.cache)
        else:
            model._programs[setup] = RuntimeTraining(model.spec, setup, model.backend)
    return model._programs[setup]


def _one_trial(inputs, owner):
    if len(inputs) != 1:
        raise ModelError(
            owner=owner,
            argument="inputs",
            value=f"{len(inputs)} trials",
            problem="must be one trial with training='program' (one trial per iteration)",
            fix="Pass one trial, or build the network with training='trial' for batches.",
        )


def fit_in_program(
    model: Any,
    inputs: np.ndarray,
    targets: np.ndarray,
    n_iterations: int,
    optimizer: str,
    learning: dict,
    progress: bool,
) -> dict:
    """Train ``model`` for ``n_iterations`` inside the program; return its history."""
    _one_trial(inputs, "fit")
    spec = model.spec
    setup = ProgramSetup(optimizer, model.feedback, model.iterations_per_run)
    runner = _runner(model, setup)
    adam = None  # a new optimiser per call, as the trial-by-trial training makes one
    duration = float(spec.duration / second)
    bar = progress_bar(total=n_iterations, desc="e-prop", unit="iteration") if progress else None
    done = 0
    while done < n_iterations:
        n_active = min(setup.iterations_per_run, n_iterations - done)

        def run(n, adam=adam):
            values = program_values(
                spec,
                setup,
                model.weights,
                model.random_feedback,
                inputs[0],
                targets[0],
                {**learning, "n_active": n, "n_driven": n},
                adam,
            )
            return runner.run(values)

        result = run(n_active)
        finite = np.isfinite(result.losses[:n_active])
        weights_ok = all(np.all(np.isfinite(w)) for w in result.weights.values())
        failed: tuple[int, str] | None = None
        if not finite.all() or not weights_ok:
            keep = int(np.argmin(finite)) if not finite.all() else n_active
            what = "loss"
            result = run(keep)  # the weights after the iterations before the failure
            while keep > 0 and not all(np.all(np.isfinite(w)) for w in result.weights.values()):
                keep, what = keep - 1, "weights after the update"
                result = run(keep)
            n_active, failed = keep, (keep, what)
        _append_history(model.history, result, n_active, learning, spec, duration)
        model.weights = {name: np.array(value) for name, value in result.weights.items()}
        adam = result.adam or None
        done += n_active
        if bar is not None:
            bar.update(n_active)
            if model.history["loss"]:
                bar.set_postfix(loss=f"{model.history['loss'][-1]:.4g}")
        if failed is not None:
            if bar is not None:
                bar.close()
            model._fail(len(model.history["loss"]) + 1, failed[1])
    if bar is not None:
        bar.close()
    return model.history


def _append_history(history, result, n, learning, spec, duration):
    """Add the first ``n`` trials of a run to ``history`` (as the trial loop does)."""
    for k in range(n):
        counts = result.counts[k]
        history["loss"].append(float(result.losses[k]))
        if learning["c_reg"] > 0:
            deviation = counts / spec.n_steps - learning["f_step"]
            history["reg_loss"].append(0.5 * learning["c_reg"] * float(np.sum(deviation**2)))
        else:
            history["reg_loss"].append(0.0)
        history["rate"].append(float(np.mean(counts)) / duration)


def predict_in_program(
    model: Any, inputs: np.ndarray, targets: np.ndarray
) -> tuple[np.ndarray, list, np.ndarray]:
    """``(outputs, spikes, losses)`` of each trial, no update applied."""
    setup = next(iter(model._programs), None) or ProgramSetup(
        "gd", model.feedback, model.iterations_per_run
    )
    runner = _runner(model, setup)
    outputs, spikes, losses = [], [], []
    learning = {"lr": 0.0, "c_reg": 0.0, "f_step": 0.0, "n_active": 0, "n_driven": 1}
    for trial_inputs, trial_target in zip(inputs, targets, strict=True):
        values = program_values(
            model.spec,
            setup,
            model.weights,
            model.random_feedback,
            trial_inputs,
            trial_target,
            learning,
        )
        result = runner.run(values)  # only the first trial gets the input
        outputs.append(result.outputs[0])
        spikes.append(result.spikes[0])
        losses.append(float(result.losses[0]))
    return np.array(outputs), spikes, np.array(losses)
