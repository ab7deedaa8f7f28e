"""A converted network as a layer a continuous pipeline calls: ``net(x) -> outputs``.

:class:`SpikingNetwork` runs a batch through the integrate-and-fire circuit of
:mod:`.convert_circuit` (one run, one compiled program on cpp_standalone, rerun with new
inputs through the build cache) and decodes it.  :class:`SpikingRun` holds one run's
spikes as time steps and gives the decoded outputs, the accuracy and the operation
counts at every step, so an accuracy-vs-time curve and its energy account come from a
single run.
"""

import logging
from dataclasses import dataclass

import numpy as np
from brian2 import ms, second

from ..backends import BuildCache
from ..checks import check_seed
from ..errors import ModelError, SimulationError
from .convert_circuit import build_circuit, layer_labels
from .energy import ann_operations

__all__ = ["SpikingNetwork", "SpikingRun"]

logger = logging.getLogger("quifer_brian.learning")


@dataclass
class SpikingRun:
    """One run of a batch: spikes as ``(step, index)`` per population, and how to decode.

    Attributes
    ----------
    net : SpikingNetwork
    n_steps, batch : int
    spikes : dict of str -> (ndarray, ndarray)
        Per population label (``'X'``, ``'L1'``, ..., ``'O'``): time-step index and
        neuron index (``copy * layer_size + unit``) of every spike.
    wall_s : float
        Wall-clock time of the simulation (s; on cpp_standalone the program's run).
    meta : dict
        The result's metadata (backend, build: 'compiled' or 'cached').
    """

    net: "SpikingNetwork"
    n_steps: int
    batch: int
    spikes: dict
    wall_s: float
    meta: dict

    @property
    def times(self) -> np.ndarray:
        """Simulated time after each step (s): ``dt, 2 dt, ..., n_steps dt``."""
        return np.arange(1, self.n_steps + 1) * float(self.net.dt / second)

    def step_counts(self, label: str, size: int) -> np.ndarray:
        """Spikes per step per copy per unit of one population: (n_steps, batch, size)."""
        steps, indices = self.spikes[label]
        counts = np.zeros((self.n_steps, self.batch * size), dtype=np.int32)
        np.add.at(counts, (steps, indices), 1)
        return counts.reshape(self.n_steps, self.batch, size)

    def outputs_over_time(self) -> np.ndarray:
        """Decoded outputs after each step: (n_steps, batch, n_out).

        Spike read-out: :math:`\\lambda_L n(k) / k`, the output rate per step times the
        output layer's scale (approximates the ANN's ReLU'd output).  Membrane read-out:
        the linear output unit's potential over :math:`k`, :math:`(W_L^T n_{L-1}(k) + k
        b_L) / k`, with :math:`W_L` scaled by :math:`\\lambda_{L-1}` (approximates the
        ANN's output).
        """
        net = self.net
        steps = np.arange(1, self.n_steps + 1)[:, None, None]
        if net.readout == "spikes":
            counts = np.cumsum(self.step_counts("O", net.sizes[-1]), axis=0)
            return counts * (net.scales[-1] / steps)
        hidden = f"L{len(net.sizes) - 2}"
        counts = np.cumsum(self.step_counts(hidden, net.sizes[-2]), axis=0)
        potential = counts @ net.weights[-1] + steps * net.biases[-1]
        return potential / steps

    def outputs(self) -> np.ndarray:
        """Decoded outputs at the end of the run: (batch, n_out)."""
        return self.outputs_over_time()[-1]

    def predictions_over_time(self) -> np.ndarray:
        """Predicted class after each step (classifiers): (n_steps, batch)."""
        return self.net.labels_from_outputs(self.outputs_over_time())

    def accuracy_over_time(self, y) -> np.ndarray:
        """Fraction of the batch classified as ``y`` after each step: (n_steps,)."""
        y = np.asarray(y)
        if y.shape != (self.batch,):
            raise ModelError(
                owner="SpikingRun.accuracy_over_time",
                argument="y",
                value=f"shape {y.shape}",
                problem=f"must hold one label per input, shape ({self.batch},)",
            )
        return (self.predictions_over_time() == y[None, :]).mean(axis=1)

    def operations(self) -> dict:
        """Operations per inference (batch mean) up to each step, and the ANN's.

        Returns
        -------
        dict of str -> ndarray (n_steps,) or float
            ``synaptic_ops`` (each spike times its fan-out), ``neuron_updates`` (one per
            simulated unit, input generators included, per step), ``macs`` and ``adds``
            (the analog input current ``W_1 x + b_1``, once per input; 0 with spike
            input), ``spikes`` (all populations), and ``ann`` (the ANN's ``macs`` and
            ``adds``, see :func:`~quifer_brian.learning.energy.ann_operations`).
        """
        net = self.net
        labels = layer_labels(len(net.weights), net.input_coding, net.readout)
        sizes = list(net.sizes) if net.input_coding != "analog" else list(net.sizes[1:])
        synaptic = np.zeros(self.n_steps)
        spikes = np.zeros(self.n_steps)
        for label, _size, fan_out in zip(labels, sizes, [*sizes[1:], 0], strict=False):
            per_step = np.bincount(self.spikes[label][0], minlength=self.n_steps)
            spikes += per_step
            synaptic += per_step * fan_out
        units = sum(sizes[: len(labels)])
        if net.readout == "membrane":  # the output integrators add their bias each step
            units += net.sizes[-1]
        steps = np.arange(1, self.n_steps + 1)
        analog = net.input_coding == "analog"
        return {
            "synaptic_ops": np.cumsum(synaptic) / self.batch,
            "neuron_updates": steps * float(units),
            "spikes": np.cumsum(spikes) / self.batch,
            "macs": float(net.sizes[0] * net.sizes[1]) if analog else 0.0,
            "adds": float(net.sizes[1]) if analog else 0.0,
            "ann": ann_operations(net.sizes),
        }


class SpikingNetwork:
    """A converted ReLU network as integrate-and-fire layers; call it on a batch.

    Made by :func:`~quifer_brian.learning.convert`, which documents the parameters.

    Attributes
    ----------
    weights, biases : list of ndarray
        Normalised: ``weights[k]`` has shape ``(n_k, n_{k+1})``; with the membrane
        read-out the last layer is scaled to give the ANN's output directly.
    scales : ndarray
        :math:`\\lambda_k` of each layer (inputs first, :math:`\\lambda_0 = 1`).
    sizes : tuple of int
    input_coding : {'analog', 'poisson', 'regular'}
    readout : {'spikes', 'membrane'}
    dt : brian2.Quantity
    backend : {'numpy', 'cython', 'cpp_standalone'}
    classes : ndarray or None
        The class labels of a classifier (None for a regressor).
    input_range : (float, float)
        Range of the calibration data; inputs outside it are reported.
    """

    def __init__(
        self,
        weights,
        biases,
        scales,
        *,
        input_coding,
        readout,
        dt,
        backend,
        classes,
        input_range,
        cache=None,
    ):
        self.weights = [np.asarray(w, dtype=float) for w in weights]
        self.biases = [np.asarray(b, dtype=float) for b in biases]
        self.scales = np.asarray(scales, dtype=float)
        self.sizes = (self.weights[0].shape[0], *(w.shape[1] for w in self.weights))
        self.input_coding = input_coding
        self.readout = readout
        self.dt = dt
        self.backend = backend
        self.classes = None if classes is None else np.asarray(classes)
        self.input_range = input_range
        self._cache = cache

    def __repr__(self):
        return (
            f"<SpikingNetwork {'-'.join(map(str, self.sizes))} input={self.input_coding} "
            f"readout={self.readout} dt={self.dt} backend={self.backend}>"
        )

    # ------------------------------------------------------------------ checks
    def check_inputs(self, x, owner: str = "SpikingNetwork") -> np.ndarray:
        """``x`` as a float (batch, n_in) array; warn with the fraction outside the range."""
        array = np.asarray(x, dtype=float) if _numeric(x) else None
        if array is None or array.ndim != 2 or array.shape[1] != self.sizes[0] or not array.size:
            raise ModelError(
                owner=owner,
                argument="x",
                value=f"shape {np.shape(x)}" if array is not None else type(x).__name__,
                problem=f"must be a non-empty (batch, {self.sizes[0]}) array of numbers",
            )
        if not np.all(np.isfinite(array)):
            raise ModelError(
                owner=owner,
                argument="x",
                value=f"{int(np.sum(~np.isfinite(array)))} NaN/inf values",
                problem="must be finite",
            )
        low, high = self.input_range
        if self.input_coding != "analog":
            low, high = max(low, 0.0), min(high, 1.0)  # a rate per step lies in [0, 1]
        outside = float(np.mean((array < low) | (array > high)))
        if outside > 0:
            logger.warning(
                "%s.x: %.2f%% of the input values lie outside the calibrated range "
                "[%g, %g] and saturate or are extrapolated; scale the inputs like the "
                "calibration data (silence with logging.getLogger('quifer_brian.learning')).",
                owner,
                100 * outside,
                low,
                high,
            )
        return array

    def _steps(self, duration, owner):
        try:
            n_steps = float(duration / self.dt)
        except Exception:
            n_steps = float("nan")
        if not np.isfinite(n_steps) or n_steps < 1 - 1e-9 or abs(n_steps - round(n_steps)) > 1e-6:
            raise ModelError(
                owner=owner,
                argument="duration",
                value=duration,
                problem=f"must be a whole number >= 1 of time steps dt = {self.dt}",
                fix="Give e.g. duration=20*ms.",
            )
        return round(n_steps)

    # ------------------------------------------------------------------ running
    def simulate(self, x, duration=50 * ms, seed: int | None = None) -> SpikingRun:
        """Run the batch ``x`` for ``duration`` and keep the spikes of every population.

        Parameters
        ----------
        x : ndarray (batch, n_in)
            Scaled like the calibration data (spike input: values in [0, 1] are rates
            per time step, values outside are clipped).
        duration : brian2.Quantity (second)
            A whole number of time steps ``dt``.
        seed : int, optional
            Seed of the Poisson input (same seed, same backend: same spikes).

        Returns
        -------
        SpikingRun
        """
        owner = "SpikingNetwork.simulate"
        x = self.check_inputs(x, owner)
        n_steps = self._steps(duration, owner)
        seed = check_seed("seed", seed, owner=owner)
        circuit = build_circuit(self, x)
        run_duration = n_steps * self.dt
        if self.backend == "cpp_standalone":
            cache = self._cache if isinstance(self._cache, BuildCache) else BuildCache(self._cache)
            result = circuit.run(
                run_duration, backend=self.backend, seed=seed, cache=cache, check=False
            )
        else:
            result = circuit.run(run_duration, backend=self.backend, seed=seed, check=False)
        if result is None:  # only a build-only run returns nothing; this one ran
            raise SimulationError(f"SpikingNetwork: the {self.backend} run returned no result")
        dt_s = float(self.dt / second)
        spikes = {
            label: (np.rint(times / dt_s).astype(np.int64), np.asarray(indices, dtype=np.int64))
            for label, (times, indices) in result.spikes.items()
        }
        wall = result.meta.get("run_wall_s", result.meta.get("wall_time_s", float("nan")))
        return SpikingRun(self, n_steps, x.shape[0], spikes, float(wall), dict(result.meta))

    def __call__(self, x, duration=50 * ms, seed: int | None = None) -> np.ndarray:
        """Decoded outputs of the batch ``x``: (batch, n_out); see :meth:`simulate`."""
        return self.simulate(x, duration, seed).outputs()

    def labels_from_outputs(self, outputs) -> np.ndarray:
        """Class labels from decoded outputs (last axis: output units)."""
        if self.classes is None:
            raise ModelError(
                owner="SpikingNetwork",
                argument="model",
                value="a regressor",
                problem="has no classes: predictions and accuracy need a classifier",
            )
        outputs = np.asarray(outputs)
        if outputs.shape[-1] == 1:  # a binary classifier's one logit
            return self.classes[(outputs[..., 0] > 0).astype(int)]
        return self.classes[np.argmax(outputs, axis=-1)]

    def predict(self, x, duration=50 * ms, seed: int | None = None) -> np.ndarray:
        """Predicted class labels of the batch ``x`` (classifiers)."""
        return self.labels_from_outputs(self(x, duration, seed))

    def accuracy_over_time(self, x, y, duration=50 * ms, seed: int | None = None) -> tuple:
        """Accuracy after each time step, from a single run.

        Returns
        -------
        times : ndarray (s)
            ``dt, 2 dt, ..., duration``.
        accuracy : ndarray
            Fraction of ``x`` classified as ``y`` by then.
        """
        run = self.simulate(x, duration, seed)
        return run.times, run.accuracy_over_time(y)

    def operations(self, x, duration=50 * ms, seed: int | None = None) -> dict:
        """Operations per inference up to each time step (see :meth:`SpikingRun.operations`)."""
        return self.simulate(x, duration, seed).operations()


def _numeric(x):
    try:
        np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        return False
    return True
