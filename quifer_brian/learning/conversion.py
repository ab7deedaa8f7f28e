"""ANN-to-SNN conversion: a trained ReLU network becomes integrate-and-fire layers.

:func:`convert` takes a fitted scikit-learn ``MLPClassifier`` / ``MLPRegressor`` with
ReLU hidden units, or plain ``(weights, biases)`` arrays, normalises the weights on
calibration data and returns a :class:`~quifer_brian.learning.SpikingNetwork`.

Data-based normalisation (Diehl et al. 2015; Rueckauer et al. 2017): with
:math:`\\lambda_l` the ``percentile``-th percentile of the positive activations of layer
:math:`l` on the calibration data (:math:`\\lambda_0 = 1`: inputs are rates per step),

.. math::  W_l \\leftarrow W_l \\frac{\\lambda_{l-1}}{\\lambda_l}, \\qquad
    b_l \\leftarrow \\frac{b_l}{\\lambda_l},

so that a unit's firing rate per time step, :math:`a_l / \\lambda_l`, stays below the
one spike per step the integrate-and-fire unit can give.  The percentile (99.9 by
default) ignores the rare outliers that make max-normalisation (``percentile=100``)
scale everything down and slow the network.

References
----------
P. U. Diehl, D. Neil, J. Binas, M. Cook, S.-C. Liu, M. Pfeiffer, "Fast-classifying,
high-accuracy spiking deep networks through weight and threshold balancing", IJCNN 2015.

B. Rueckauer, I.-A. Lungu, Y. Hu, M. Pfeiffer, S.-C. Liu, "Conversion of
continuous-valued deep networks to efficient event-driven networks for image
classification", Frontiers in Neuroscience 11:682, 2017.
"""

import numpy as np
from brian2 import ms, second

from ..checks import check_choice
from ..errors import ModelError
from .spiking_layer import SpikingNetwork

__all__ = ["ann_activations", "convert", "layer_scales", "read_network"]

_OWNER = "convert"
INPUT_CODINGS = ("analog", "poisson", "regular")
READOUTS = ("spikes", "membrane")
NORMALISATIONS = ("percentile", "max", "none")
BACKENDS = ("numpy", "cython", "cpp_standalone")


def _error(argument, value, problem, fix=None):
    return ModelError(owner=_OWNER, argument=argument, value=value, problem=problem, fix=fix)


def read_network(model) -> tuple:
    """``(weights, biases, classes)`` of a fitted MLP or of ``(weights, biases)`` arrays.

    Parameters
    ----------
    model : sklearn MLPClassifier or MLPRegressor, or (weights, biases)
        Fitted, with ``activation='relu'``; or two sequences of arrays, ``weights[k]`` of
        shape ``(n_k, n_{k+1})`` and ``biases[k]`` of shape ``(n_{k+1},)``, read as ReLU
        hidden layers and a linear output layer.

    Returns
    -------
    weights, biases : list of ndarray (float64)
    classes : ndarray or None
        A classifier's class labels (None for a regressor or plain arrays).

    Raises
    ------
    ModelError
        For another activation, an unfitted model, mismatched shapes or NaN weights.
    """
    classes = None
    if isinstance(model, (tuple, list)) and len(model) == 2:
        weights, biases = model
    elif hasattr(model, "hidden_layer_sizes") and hasattr(model, "activation"):
        if model.activation != "relu":
            raise _error(
                "model",
                f"activation={model.activation!r}",
                "must be a ReLU network: conversion maps ReLU units to firing rates",
                "Train the MLP with activation='relu'.",
            )
        if not hasattr(model, "coefs_"):
            raise _error(
                "model", type(model).__name__ + " (unfitted)", "must be fitted", "Call fit first."
            )
        weights, biases = model.coefs_, model.intercepts_
        classes = getattr(model, "classes_", None)
    else:
        raise _error(
            "model",
            type(model).__name__,
            "must be a fitted scikit-learn MLPClassifier/MLPRegressor or (weights, biases)",
        )
    try:
        weights = [np.array(w, dtype=float) for w in weights]
        biases = [np.array(b, dtype=float) for b in biases]
    except (TypeError, ValueError) as err:
        raise _error("model", "weights/biases", "must hold arrays of numbers") from err
    if not weights or len(weights) != len(biases):
        raise _error(
            "model",
            f"{len(weights)} weight and {len(biases)} bias arrays",
            "needs one bias array per weight matrix, at least one layer",
        )
    for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
        if w.ndim != 2 or b.shape != (w.shape[1],):
            raise _error(
                "model",
                f"weights[{k}] shape {w.shape}, biases[{k}] shape {b.shape}",
                "weights[k] must be (n_k, n_k+1) and biases[k] (n_k+1,)",
            )
        if k and w.shape[0] != weights[k - 1].shape[1]:
            raise _error(
                "model",
                f"weights[{k - 1}] shape {weights[k - 1].shape}, weights[{k}] shape {w.shape}",
                "consecutive layers must chain (n_out of one = n_in of the next)",
            )
        if not (np.all(np.isfinite(w)) and np.all(np.isfinite(b))):
            raise _error("model", f"layer {k}", "weights and biases must be finite (no NaN)")
    if classes is not None and weights[-1].shape[1] == 1 and len(classes) != 2:
        classes = None
    return weights, biases, classes


def ann_activations(weights, biases, x) -> list:
    """Activations of every layer: ReLU hidden layers, linear output (pre-softmax).

    Returns
    -------
    list of ndarray
        ``[x, a_1, ..., a_L]``.
    """
    activations = [np.asarray(x, dtype=float)]
    for k, (w, b) in enumerate(zip(weights, biases, strict=True)):
        a = activations[-1] @ w + b
        activations.append(a if k == len(weights) - 1 else np.maximum(a, 0.0))
    return activations


def layer_scales(
    activations, normalisation: str = "percentile", percentile: float = 99.9
) -> np.ndarray:
    """:math:`\\lambda_l` of each layer (inputs first, :math:`\\lambda_0 = 1`).

    ``'percentile'``: the ``percentile``-th percentile of the layer's positive
    activations; ``'max'``: their maximum; ``'none'``: 1 (no normalisation).  A layer
    without a positive activation keeps 1.
    """
    scales = [1.0]
    for a in activations[1:]:
        positive = a[a > 0]
        if normalisation == "none" or not positive.size:
            scales.append(1.0)
        elif normalisation == "max":
            scales.append(float(positive.max()))
        else:
            scales.append(float(np.percentile(positive, percentile)))
    return np.asarray(scales)


def convert(
    model,
    calibration_data,
    *,
    percentile: float = 99.9,
    normalisation: str = "percentile",
    input_coding: str = "analog",
    readout: str | None = None,
    dt=1 * ms,
    backend: str = "numpy",
    cache=None,
) -> SpikingNetwork:
    """Convert a trained feed-forward ReLU network to integrate-and-fire layers.

    Parameters
    ----------
    model : sklearn MLPClassifier or MLPRegressor, or (weights, biases)
        See :func:`read_network`.
    calibration_data : ndarray (n_samples, n_in)
        Inputs scaled as the network was trained (e.g. the training set); the layer
        scales are taken from their activations.
    percentile : float
        Percentile of the positive activations that becomes the layer's full rate, in
        (0, 100] (Rueckauer 2017: 99.9 or 99.99).
    normalisation : {'percentile', 'max', 'none'}
        ``'max'`` is ``percentile=100`` (Diehl 2015); ``'none'`` keeps the weights (an
        ablation).
    input_coding : {'analog', 'poisson', 'regular'}
        ``'analog'``: the first layer gets the constant current :math:`W_1 x + b_1`;
        ``'poisson'`` / ``'regular'``: input unit ``i`` fires with probability
        :math:`x_i` per step / regularly at :math:`x_i` spikes per step (phase 1/2, as
        :func:`quifer_brian.coding.encode_rate` with ``r_max = 1/dt``); inputs must be
        scaled to [0, 1].
    readout : {'spikes', 'membrane'}, optional
        Output decoded from spike counts or from a non-spiking output layer's membrane
        potential; default ``'spikes'`` for classifiers, ``'membrane'`` otherwise.
    dt : brian2.Quantity (second)
        Time step; one step is the unit of a rate (1 spike per step at most).
    backend : {'numpy', 'cython', 'cpp_standalone'}
        cpp_standalone runs each batch in one compiled program, kept in ``cache``.
    cache : BuildCache or str, optional
        The build cache of cpp_standalone programs (default: its default folder).

    Returns
    -------
    SpikingNetwork

    Raises
    ------
    ModelError
        Before anything is built: non-ReLU model, unfitted model, mismatched shapes,
        NaN in the weights or the calibration data, a bad option.

    Examples
    --------
    >>> import numpy as np
    >>> from brian2 import ms
    >>> weights = [np.array([[1.0, -1.0]]), np.array([[1.0], [1.0]])]
    >>> biases = [np.zeros(2), np.zeros(1)]
    >>> net = convert((weights, biases), np.array([[0.2], [0.5]]), readout="membrane")
    >>> np.round(net.scales, 4).tolist()  # the membrane read-out keeps the output unscaled
    [1.0, 0.4997, 1.0]
    >>> np.round(net(np.array([[0.5]]), duration=10 * ms), 2).tolist()
    [[0.5]]
    """
    check_choice("normalisation", normalisation, NORMALISATIONS, owner=_OWNER)
    check_choice("input_coding", input_coding, INPUT_CODINGS, owner=_OWNER)
    check_choice("backend", backend, BACKENDS, owner=_OWNER)
    if isinstance(percentile, bool) or not isinstance(percentile, (int, float, np.number)):
        raise _error("percentile", percentile, "must be a number in (0, 100]")
    if not 0 < float(percentile) <= 100:
        raise _error("percentile", percentile, "must be a number in (0, 100]")
    try:
        dt_s = float(dt / second)
    except Exception as err:
        raise _error("dt", dt, "must be a time step in seconds (e.g. 1*ms)") from err
    if not (np.isfinite(dt_s) and dt_s > 0):
        raise _error("dt", dt, "must be a finite time > 0")
    weights, biases, classes = read_network(model)
    if readout is None:
        readout = "spikes" if classes is not None else "membrane"
    check_choice("readout", readout, READOUTS, owner=_OWNER)
    if readout == "membrane" and len(weights) < 2:
        raise _error(
            "model", "one layer", "needs a hidden layer for readout='membrane'", "Use 'spikes'."
        )
    data = _calibration(calibration_data, weights[0].shape[0])
    if normalisation == "max":
        normalisation, percentile = "percentile", 100.0
    scales = layer_scales(ann_activations(weights, biases, data), normalisation, percentile)
    if readout == "membrane":
        scales[-1] = 1.0  # the integrator gives the ANN's output itself
    normalised_w = [w * (scales[k] / scales[k + 1]) for k, w in enumerate(weights)]
    normalised_b = [b / scales[k + 1] for k, b in enumerate(biases)]
    return SpikingNetwork(
        normalised_w,
        normalised_b,
        scales,
        input_coding=input_coding,
        readout=readout,
        dt=dt_s * second,
        backend=backend,
        classes=classes,
        input_range=(float(data.min()), float(data.max())),
        cache=cache,
    )


def _calibration(data, n_in):
    try:
        array = np.asarray(data, dtype=float)
    except (TypeError, ValueError) as err:
        raise _error(
            "calibration_data", type(data).__name__, "must be an array of numbers"
        ) from err
    if array.ndim != 2 or array.shape[1] != n_in or array.shape[0] < 1:
        raise _error(
            "calibration_data",
            f"shape {array.shape}",
            f"must be a (n_samples, {n_in}) array matching the network's inputs",
        )
    if not np.all(np.isfinite(array)):
        raise _error(
            "calibration_data",
            f"{int(np.sum(~np.isfinite(array)))} NaN/inf values",
            "must be finite",
            "Remove or impute the missing values.",
        )
    return array
