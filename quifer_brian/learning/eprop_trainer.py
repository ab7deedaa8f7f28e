"""Train a recurrent spiking network with e-prop: ``eprop_network(...).fit(...)``.

:func:`eprop_network` checks its arguments and draws the initial weights (as NEST's
sine-wave tutorial does: normal, scaled by ``1/sqrt(fan-in)``, no autapses);
:meth:`EpropNetwork.fit` runs one trial per example and iteration (the weights, input
spikes and target as run values of one compiled program on cpp_standalone, or of one
built network on numpy), averages the accumulated updates over the batch, adds the
rate regulariser and steps the optimiser; :meth:`EpropNetwork.predict` runs without
learning; :meth:`EpropNetwork.save` / :func:`load_eprop_network` keep the weights and the
history in the package's record format (npz + JSON, atomic).

Example
-------
>>> import numpy as np
>>> from quifer_brian.learning import eprop_network
>>> model = eprop_network(n_in=4, n_rec=3, n_out=1, n_steps=20, seed=1)
>>> model.weights["in"].shape, model.weights["rec"].shape, model.weights["out"].shape
((3, 4), (3, 3), (1, 3))
"""

from functools import partial

import numpy as np
from brian2 import Hz, ms, mV, second

from ..checks import check_choice, check_count, check_seed
from ..errors import ModelError, SimulationError
from ..progress import progress_bar
from .eprop_io import read_network_file, write_network_file
from .eprop_models import EpropSpec
from .eprop_network import CompiledTrials, RuntimeTrials, check_trial, connection_indices
from .eprop_optim import make_optimiser, rate_regularisation
from .eprop_reference import readout_error
from .eprop_trainer_program import fit_in_program, predict_in_program

__all__ = ["EpropNetwork", "EpropPrediction", "eprop_network", "load_eprop_network"]

_MV = float(mV)  # one millivolt in volts: the weights' unit as the optimiser sees them


def eprop_network(
    n_in: int,
    n_rec: int,
    n_out: int,
    n_steps: int,
    dt=1 * ms,
    tau_m=30 * ms,
    tau_out=30 * ms,
    theta=0.03 * mV,
    gamma: float = 0.3,
    adaptive: bool = False,
    beta=0 * mV,
    tau_a=2000 * ms,
    recurrent: bool = True,
    traces: str = "factorised",
    feedback: str = "symmetric",
    backend: str = "numpy",
    cache=None,
    seed: int | None = 0,
    training: str = "trial",
    iterations_per_run: int = 50,
) -> "EpropNetwork":
    """A recurrent network of (A)LIF cells with leaky readouts, ready for e-prop.

    Parameters
    ----------
    n_in, n_rec, n_out : int
        Input channels, recurrent cells, readouts.
    n_steps : int
        Time steps of one trial (the trial lasts ``n_steps * dt``).
    dt, tau_m, tau_out : brian2.Quantity (second)
    theta : brian2.Quantity (volt)
        Threshold; NEST's tutorial: 0.03 mV.
    gamma : float
        Pseudo-derivative height (0.3 in the paper).
    adaptive : bool
        ALIF cells (``beta`` > 0, time constant ``tau_a``).
    beta : brian2.Quantity (volt)
    tau_a : brian2.Quantity (second)
    recurrent : bool
        With recurrent weights.
    traces : {'factorised', 'synaptic'}
        ``'factorised'`` (default): the input and recurrent updates are formed after
        each trial from the recorded per-cell pseudo-derivatives and the presynaptic
        traces (:mod:`~quifer_brian.learning.eprop_factorised`); ``'synaptic'``: the
        eligibility traces are synaptic variables updated every step.  The same
        updates (equal to 1e-15), the factorised ones 5-6x faster per trial
        (``benchmarks/eprop.md``).
    feedback : {'symmetric', 'random'}
        Learning-signal weights ``B``: ``W_out^T`` at every iteration, or fixed random
        (random e-prop; what NEST's tutorial uses).
    backend : {'numpy', 'cython', 'cpp_standalone'}
        cpp_standalone compiles one program (through the build cache) and reruns it.
    cache : BuildCache or str, optional
        Build cache for cpp_standalone.
    seed : int or None
        Seed of the initial and feedback weights.
    training : {'trial', 'program'}
        ``'trial'`` (default): one run of the network per trial, the updates formed and
        applied in Python between trials (``traces`` chooses how).  ``'program'``: one
        run simulates ``iterations_per_run`` trials and applies each update inside the
        program (:mod:`~quifer_brian.learning.eprop_program`; synaptic traces, one
        trial per iteration); the same weights to rounding, and on cpp_standalone
        faster per iteration (``benchmarks/eprop.md``, section 2c).
    iterations_per_run : int
        Trials per run with ``training='program'`` (part of the compiled structure).

    Returns
    -------
    EpropNetwork
    """
    spec = EpropSpec(
        n_in=n_in,
        n_rec=n_rec,
        n_out=n_out,
        n_steps=n_steps,
        dt=dt,
        tau_m=tau_m,
        tau_out=tau_out,
        theta=theta,
        gamma=gamma,
        adaptive=adaptive,
        beta=beta,
        tau_a=tau_a,
        recurrent=recurrent,
        traces=traces,
    )
    check_choice("feedback", feedback, ("symmetric", "random"), owner="eprop_network")
    check_choice("backend", backend, ("numpy", "cython", "cpp_standalone"), owner="eprop_network")
    seed = check_seed("seed", seed, owner="eprop_network")
    check_choice("training", training, ("trial", "program"), owner="eprop_network")
    iterations_per_run = check_count(
        "iterations_per_run", iterations_per_run, owner="eprop_network"
    )
    rng = np.random.default_rng(seed)
    weights = {
        "in": rng.standard_normal((n_rec, n_in)) / np.sqrt(n_in),
        "out": rng.standard_normal((n_out, n_rec)) / np.sqrt(n_rec),
    }
    if recurrent:
        weights["rec"] = rng.standard_normal((n_rec, n_rec)) / np.sqrt(n_rec)
        np.fill_diagonal(weights["rec"], 0.0)
    random_feedback = rng.standard_normal((n_rec, n_out)) / np.sqrt(n_rec)
    model = EpropNetwork(spec, weights, feedback, random_feedback, backend=backend, cache=cache)
    model.training, model.iterations_per_run = training, iterations_per_run
    return model


class EpropPrediction:
    """What :meth:`EpropNetwork.predict` returns.

    Attributes
    ----------
    outputs : ndarray, shape (n_trials, n_steps, n_out)
        Readout traces.
    spikes : list of (ndarray, ndarray)
        Per trial: recurrent spike times (s) and cell indices.
    loss : ndarray or None
        Per trial ``1/2 sum_n sum_k err^2`` (when targets were given).
    """

    def __init__(self, outputs, spikes, loss):
        self.outputs, self.spikes, self.loss = outputs, spikes, loss


class EpropNetwork:
    """An e-prop network: weights, the trial runner and the training history.

    Made by :func:`eprop_network` or :func:`load_eprop_network`.

    Attributes
    ----------
    spec : EpropSpec
    weights : dict of str -> ndarray
        ``'in'`` (n_rec, n_in) and ``'rec'`` (n_rec, n_rec) in mV, ``'out'``
        (n_out, n_rec) dimensionless.
    feedback : {'symmetric', 'random'}
    history : dict of str -> list
        ``loss`` (task loss per iteration, mean over the batch), ``reg_loss``, ``rate``
        (mean rate of the recurrent cells, Hz).
    backend : str
    """

    def __init__(self, spec, weights, feedback, random_feedback, backend="numpy", cache=None):
        self.spec = spec
        self.weights = {name: np.array(value, dtype=float) for name, value in weights.items()}
        self.feedback = feedback
        self.random_feedback = np.array(random_feedback, dtype=float)
        self.backend = backend
        self.cache = cache
        self.history = {"loss": [], "reg_loss": [], "rate": []}
        self._trials = None
        self.training = "trial"
        self.iterations_per_run = 50
        self._programs = {}

    # ---------------------------------------------------------------- trials
    @property
    def trials(self):
        """The trial runner (built or compiled on first use)."""
        if self._trials is None:
            if self.backend == "cpp_standalone":
                self._trials = CompiledTrials(self.spec, self.cache)
            else:
                self._trials = RuntimeTrials(self.spec, self.backend)
        return self._trials

    def feedback_weights(self):
        """``B`` (n_rec, n_out) used for the learning signals now."""
        return self.weights["out"].T if self.feedback == "symmetric" else self.random_feedback

    def run_values(self, inputs, target):
        """The run values of one trial (``{"object.variable": SI array}``)."""
        spec = self.spec
        i, j = connection_indices(spec.n_in, spec.n_rec)
        values = {"eprop_syn_in.w": self.weights["in"][j, i] * _MV}
        if spec.recurrent:
            i, j = connection_indices(spec.n_rec, spec.n_rec, autapses=False)
            values["eprop_syn_rec.w"] = self.weights["rec"][j, i] * _MV
        i, j = connection_indices(spec.n_rec, spec.n_out)
        values["eprop_syn_out.w"] = self.weights["out"][j, i]
        i, j = connection_indices(spec.n_out, spec.n_rec)
        values["eprop_feedback.B"] = self.feedback_weights()[j, i]
        values["eprop_x_in.values"] = np.asarray(inputs, dtype=float).ravel()
        values["eprop_y_target.values"] = np.asarray(target, dtype=float).ravel()
        return values

    def gradients(self, output):
        """The trial's e-prop updates as weight-shaped arrays (per mV for in/rec)."""
        spec = self.spec
        shapes = {
            "in": (spec.n_in, spec.n_rec, True, _MV),
            "out": (spec.n_rec, spec.n_out, True, 1),
        }
        if spec.recurrent:
            shapes["rec"] = (spec.n_rec, spec.n_rec, False, _MV)
        grads, sum_e = {}, {}
        for name, (n_pre, n_post, autapses, scale) in shapes.items():
            i, j = connection_indices(n_pre, n_post, autapses)
            grads[name] = np.zeros((n_post, n_pre))
            grads[name][j, i] = output.updates[name] * scale
            if name in output.sum_e:
                sum_e[name] = np.zeros((n_post, n_pre))
                sum_e[name][j, i] = output.sum_e[name] * scale
        return grads, sum_e

    # ---------------------------------------------------------------- training
    def fit(
        self,
        inputs,
        targets,
        n_iterations: int,
        learning_rate: float = 1e-4,
        optimizer: str = "gd",
        c_reg: float = 0.0,
        f_target=10 * Hz,
        progress: bool = True,
        save_on_error=None,
        loss: str = "mse",
        loss_mask=None,
    ) -> dict:
        """Train for ``n_iterations``; return the history (also kept in ``history``).

        Parameters
        ----------
        inputs : array_like, shape (n_trials, n_steps, n_in) or (n_steps, n_in)
            Input spikes, 0 or 1 per step.
        targets : array_like, shape (n_trials, n_steps, n_out) or (n_steps, n_out)
        n_iterations : int
            Each iteration runs every trial once (one batch) and updates once.
        learning_rate : float
            > 0; NEST's tutorial: 1e-4 with gradient descent.
        optimizer : {'gd', 'adam'}
        c_reg : float
            Firing-rate regularisation strength (0: none; NEST's tutorial: 300).
        f_target : brian2.Quantity (Hz)
        progress : bool
            Show a progress bar with the loss.
        save_on_error : str, optional
            Where to write the network (weights before the failing iteration and the
            history so far, as :meth:`save`) if the training diverges.
        loss : {'mse', 'cross_entropy'}
            ``'mse'``: ``1/2 sum_n sum_k (y_k - y*_k)^2``.  ``'cross_entropy'``:
            classification (softmax over the readouts, one-hot ``targets``) over the
            steps of ``loss_mask`` (:func:`~quifer_brian.learning.eprop_reference.readout_error`);
            with ``traces='factorised'`` and ``training='trial'`` only.
        loss_mask : array_like of bool, shape (n_steps,), optional
            Steps where the cross-entropy counts (a recall window); default: all.

        Returns
        -------
        dict of str -> list
            ``loss``, ``reg_loss``, ``rate`` per iteration (all iterations so far).

        Raises
        ------
        SimulationError
            If a loss or an update becomes non-finite: the message names the iteration,
            ``error.history`` holds the history so far (also in ``self.history``, which
            :meth:`save` writes; with ``save_on_error`` it is written there before the
            error is raised) and the weights are those before the failing iteration.
        """
        inputs, targets = _check_data(self.spec, inputs, targets, "fit")
        self._save_on_error = save_on_error
        n_iterations = check_count("n_iterations", n_iterations, owner="fit")
        check_choice("optimizer", optimizer, ("gd", "adam"), owner="fit")
        optimiser = make_optimiser(optimizer, learning_rate)
        c_reg = _check_nonnegative("c_reg", c_reg)
        f_per_step = float(f_target * self.spec.dt)
        error = self._readout_error(loss, loss_mask)
        if self.training == "program":
            learning = {"lr": optimiser.learning_rate, "c_reg": c_reg, "f_step": f_per_step}
            return fit_in_program(
                self, inputs, targets, n_iterations, optimizer, learning, progress
            )
        steps = range(n_iterations)
        bar = progress_bar(steps, desc="e-prop", unit="iteration") if progress else None
        for _ in bar if bar is not None else steps:
            iteration = len(self.history["loss"]) + 1
            losses: list[float] = []
            reg_losses: list[float] = []
            rates: list[float] = []
            total: dict[str, np.ndarray] = {}
            for trial_inputs, trial_target in zip(inputs, targets, strict=True):
                values = self.run_values(trial_inputs, trial_target)
                output = self.trials.run(values, error) if error else self.trials.run(values)
                self._check(output, iteration)
                grads, sum_e = self.gradients(output)
                if c_reg > 0:
                    reg_loss, reg_grads = rate_regularisation(
                        output.counts, sum_e, self.spec.n_steps, c_reg, f_per_step
                    )
                    for name, value in reg_grads.items():
                        grads[name] = grads[name] + value
                    reg_losses.append(reg_loss)
                losses.append(float(np.sum(output.loss)))
                rates.append(float(np.mean(output.counts)) / float(self.spec.duration / second))
                total = {k: total[k] + grads[k] for k in grads} if total else grads
            mean = {name: value / len(inputs) for name, value in total.items()}
            new = optimiser.step(self.weights, mean)
            if self.spec.recurrent:
                np.fill_diagonal(new["rec"], 0.0)
            if not all(np.all(np.isfinite(value)) for value in new.values()):
                self._fail(iteration, "weights after the update")
            self.weights = new
            self.history["loss"].append(float(np.mean(losses)))
            self.history["reg_loss"].append(float(np.mean(reg_losses)) if reg_losses else 0.0)
            self.history["rate"].append(float(np.mean(rates)))
            if bar is not None:
                bar.set_postfix(loss=f"{self.history['loss'][-1]:.4g}")
        return self.history

    def _readout_error(self, loss, mask):
        """None (the program's mean-squared error) or the error function of ``loss``."""
        check_choice("loss", loss, ("mse", "cross_entropy"), owner="fit")
        if loss == "mse":
            return None
        if self.training != "trial" or self.spec.traces != "factorised":
            raise ModelError(
                owner="fit",
                argument="loss",
                value=loss,
                problem="needs traces='factorised' and training='trial' (the learning "
                "signal of a softmax readout is formed after the trial)",
                fix="Build the network with eprop_network(..., traces='factorised').",
            )
        if mask is None:
            mask = np.ones(self.spec.n_steps, dtype=bool)
        mask = np.asarray(mask)
        if mask.shape != (self.spec.n_steps,) or mask.dtype != bool:
            raise ModelError(
                owner="fit",
                argument="loss_mask",
                value=f"shape {mask.shape}, dtype {mask.dtype}",
                problem=f"must be {self.spec.n_steps} booleans (one per step)",
            )
        return partial(readout_error, loss="cross_entropy", mask=mask)

    def _check(self, output, iteration):
        try:
            check_trial(output, iteration)
        except SimulationError as err:
            self._keep_history(err)
            raise

    def _keep_history(self, err):
        """Attach the history to ``err`` and write the network where the caller asked."""
        err.history = {key: list(value) for key, value in self.history.items()}
        if getattr(self, "_save_on_error", None) is not None:
            err.saved_to = self.save(self._save_on_error)

    def _fail(self, iteration, what):
        err = SimulationError(
            f"fit: iteration {iteration}: non-finite {what}; the training diverged: lower "
            f"the learning rate. The history so far is kept (error.history, model.history)."
        )
        self._keep_history(err)
        raise err

    # ---------------------------------------------------------------- use
    def predict(self, inputs, targets=None) -> EpropPrediction:
        """Run the trained network on ``inputs`` (no learning).

        Parameters
        ----------
        inputs : array_like, shape (n_trials, n_steps, n_in) or (n_steps, n_in)
        targets : array_like, optional
            For the per-trial loss (the mean-squared error, whatever loss `fit` used;
            for a cross-entropy, apply `readout_error` to the outputs).
        """
        given = targets is not None
        if not given:
            shape = (*np.shape(inputs)[:-1], self.spec.n_out)
            targets = np.zeros(shape)
        inputs, targets = _check_data(self.spec, inputs, targets, "predict")
        if self.training == "program":
            traces, rasters, costs = predict_in_program(self, inputs, targets)
            return EpropPrediction(traces, rasters, costs if given else None)
        outputs, spikes, losses = [], [], []
        for trial_inputs, trial_target in zip(inputs, targets, strict=True):
            output = self.trials.run(self.run_values(trial_inputs, trial_target))
            outputs.append(output.outputs)
            spikes.append((output.spike_times, output.spike_indices))
            losses.append(float(np.sum(output.loss)))
        return EpropPrediction(np.array(outputs), spikes, np.array(losses) if given else None)

    def save(self, path):
        """Write the weights, the history and the structure to ``path`` (``.npz``)."""
        return write_network_file(
            path,
            self.spec,
            self.weights,
            self.feedback,
            self.random_feedback,
            self.history,
        )

    @classmethod
    def load(cls, path, backend="numpy", cache=None, training="trial", iterations_per_run=50):
        """The network saved at ``path`` (see :func:`load_eprop_network`)."""
        return load_eprop_network(
            path,
            backend=backend,
            cache=cache,
            training=training,
            iterations_per_run=iterations_per_run,
        )


def load_eprop_network(
    path,
    backend: str = "numpy",
    cache=None,
    training: str = "trial",
    iterations_per_run: int = 50,
) -> EpropNetwork:
    """The network :meth:`EpropNetwork.save` wrote, checked before use.

    Parameters
    ----------
    path : str
    backend : {'numpy', 'cython', 'cpp_standalone'}
    cache : BuildCache or str, optional
    training : {'trial', 'program'}
        How further training runs (as for :func:`eprop_network`; the file holds the
        weights, not how they were trained).
    iterations_per_run : int

    Raises
    ------
    ResultFileError
        If the file is not an e-prop network file or its content is inconsistent.
    """
    check_choice("backend", backend, ("numpy", "cython", "cpp_standalone"), owner="load")
    check_choice("training", training, ("trial", "program"), owner="load")
    iterations_per_run = check_count("iterations_per_run", iterations_per_run, owner="load")
    spec, weights, feedback, random_feedback, history = read_network_file(path)
    model = EpropNetwork(spec, weights, feedback, random_feedback, backend=backend, cache=cache)
    model.training, model.iterations_per_run = training, iterations_per_run
    model.history = history
    return model


def _check_nonnegative(name, value):
    if np.ndim(value) != 0 or not np.isfinite(value) or value < 0:
        raise ModelError(owner="fit", argument=name, value=value, problem="must be a number >= 0")
    return float(value)


def _check_data(spec, inputs, targets, owner):
    """``(inputs, targets)`` as 3-D float arrays, checked against the network's sizes."""
    arrays = []
    for name, value, width in (("inputs", inputs, spec.n_in), ("targets", targets, spec.n_out)):
        try:
            array = np.asarray(value, dtype=float)
        except (TypeError, ValueError) as err:
            raise ModelError(
                owner=owner, argument=name, value=type(value).__name__, problem="must be numbers"
            ) from err
        if array.ndim == 2:
            array = array[None]
        expected = f"(n_trials, {spec.n_steps}, {width}) or ({spec.n_steps}, {width})"
        if array.ndim != 3 or array.shape[1:] != (spec.n_steps, width) or len(array) == 0:
            raise ModelError(
                owner=owner,
                argument=name,
                value=np.shape(value),
                problem=f"must have the shape {expected}, the network's sizes",
            )
        if not np.all(np.isfinite(array)):
            raise ModelError(
                owner=owner,
                argument=name,
                value=f"{int(np.sum(~np.isfinite(array)))} NaN/inf values",
                problem="must be finite",
            )
        arrays.append(array)
    inputs, targets = arrays
    if not np.all((inputs == 0) | (inputs == 1)):
        raise ModelError(
            owner=owner,
            argument="inputs",
            value=np.unique(inputs)[:5],
            problem="must be spikes: 0 or 1 per step and channel",
        )
    if len(inputs) != len(targets):
        raise ModelError(
            owner=owner,
            argument="targets",
            value=len(targets),
            problem=f"must have one trial per input trial ({len(inputs)})",
        )
    return inputs, targets
