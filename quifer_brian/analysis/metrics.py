"""Numbers measured on a result: what a sweep puts in its table.

A *metric* is a named, documented object (:class:`Metric`) whose function takes a
:class:`~quifer_brian.results.Result` and returns a number or a dict of numbers (one table
column each).  Metrics live in a registry (:func:`register_metric`, :func:`get_metric`,
:func:`list_metrics`); the standard ones, by name:

- ``'rates'``: mean firing rate of each population, ``rate_<pop>_hz``;
- ``'gamma'``: strongest LFP-proxy frequency in 20-120 Hz ``gamma_hz``, its prominence
  over the 150-250 Hz background ``gamma_ratio`` and the locking of the E spikes to it
  ``gamma_plv`` (:func:`~quifer_brian.analysis.gamma_measures`);
- ``'cv'``: mean coefficient of variation of the inter-spike intervals, ``cv_<pop>``;
- ``'lfp_peak'``: the strongest peak above the aperiodic fit of the LFP spectrum,
  ``lfp_peak_hz`` (:func:`~quifer_brian.analysis.compute_lfp_spectrum`).

A measure that does not apply (no LFP, too few spikes) is NaN, not an error.

Examples
--------
>>> import numpy as np
>>> from quifer_brian.results import Result
>>> result = Result(spikes={"E": (np.array([0.1, 0.2, 0.3]), np.array([0, 0, 1]))},
...                 sizes={"E": 2}, duration=1.0)
>>> measure(result, ["rates"])
{'rate_E_hz': 1.5}
>>> get_metric("rates").columns
('rate_<pop>_hz',)
"""

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np

from ..errors import AnalysisError, did_you_mean
from .measures import compute_lfp_spectrum, gamma_measures
from .spikes import compute_cv_isi

__all__ = [
    "DEFAULT_METRICS",
    "STANDARD_METRICS",
    "Metric",
    "get_metric",
    "list_metrics",
    "measure",
    "register_metric",
    "resolve_metrics",
]


@dataclass(frozen=True)
class Metric:
    """A named measure of a result, as a sweep sees it.

    Attributes
    ----------
    name : str
        Registry name (``sweep(..., metrics=[name])``, ``quifer sweep --metric name``).
    columns : tuple of str
        The table columns it fills (``<pop>`` stands for each population's name).
    description : str
        One line: what it measures, with units.
    function : callable
        ``function(result) -> number or {column: number}``; NaN where it does not apply.
    """

    name: str
    columns: tuple
    description: str
    function: Callable

    def __call__(self, result):
        return self.function(result)


_REGISTRY: dict[str, Metric] = {}


def register_metric(metric, replace=False):
    """Add ``metric`` (a :class:`Metric`) to the registry; return it.

    Raises
    ------
    AnalysisError
        For a non-Metric, or a name already registered (unless ``replace=True``).
    """
    if not isinstance(metric, Metric):
        raise AnalysisError(
            f"register_metric.metric: expected a Metric(name, columns, description, "
            f"function); got {metric!r}."
        )
    if metric.name in _REGISTRY and not replace:
        raise AnalysisError(
            f"register_metric.metric: a metric named {metric.name!r} is already registered; "
            f"pass replace=True to replace it."
        )
    _REGISTRY[metric.name] = metric
    return metric


def get_metric(name):
    """The registered :class:`Metric` called ``name``.

    Raises
    ------
    AnalysisError
        For an unknown name, listing the registered ones.
    """
    try:
        return _REGISTRY[name]
    except (KeyError, TypeError):
        raise AnalysisError(
            f"metrics: unknown metric {name!r}; {did_you_mean(name, _REGISTRY)}the standard "
            f"ones are "
            f"{', '.join(_REGISTRY)} (or pass a function of a result)."
        ) from None


def list_metrics():
    """The registered metrics, in registration order (a tuple of :class:`Metric`)."""
    return tuple(_REGISTRY.values())


class _MetricFunctions(Mapping):
    """Read-only live view of the registry: ``{name: function}``."""

    def __getitem__(self, name):
        return _REGISTRY[name].function

    def __iter__(self):
        return iter(_REGISTRY)

    def __len__(self):
        return len(_REGISTRY)

    def __repr__(self):
        return f"STANDARD_METRICS({', '.join(_REGISTRY)})"


#: The registered metrics' functions by name (a read-only view of the registry).
STANDARD_METRICS = _MetricFunctions()
#: What a sweep measures when not told.
DEFAULT_METRICS = ("rates", "gamma")


# ------------------------------------------------------------- the standard metrics
def rates(result):
    """Mean firing rate of each population (Hz)."""
    return {f"rate_{name}_hz": float(result.mean_rate(name)) for name in result.populations}


def gamma(result):
    """Gamma peak (Hz), its prominence and the E (or first) population's spike PLV."""
    nan = {"gamma_hz": math.nan, "gamma_ratio": math.nan, "gamma_plv": math.nan}
    if result.lfp is None:
        return nan
    population = "E" if "E" in result.spikes else result.populations[0]
    try:
        measures = gamma_measures(result, population)
    except (AnalysisError, ValueError):  # too short, or no spikes to lock
        return nan
    return {
        "gamma_hz": measures["peak"],
        "gamma_ratio": measures["ratio"],
        "gamma_plv": measures["plv"],
    }


def cv(result):
    """Mean ISI coefficient of variation per population (NaN without 3 spikes a cell)."""
    values = {}
    for name in result.populations:
        try:
            per_cell = np.asarray(compute_cv_isi(result.spikes[name], n_neurons=result.sizes[name]))
        except AnalysisError:
            per_cell = np.array([np.nan])
        finite = per_cell[np.isfinite(per_cell)]
        values[f"cv_{name}"] = float(finite.mean()) if finite.size else math.nan
    return values


def lfp_peak(result):
    """Frequency of the strongest LFP peak above the aperiodic background (Hz)."""
    if result.lfp is None:
        return {"lfp_peak_hz": math.nan}
    _, _, fit = compute_lfp_spectrum(result)
    peak = None if isinstance(fit, str) else fit.strongest()
    return {"lfp_peak_hz": math.nan if peak is None else peak.frequency}


for _metric in (
    Metric("rates", ("rate_<pop>_hz",), "mean firing rate of each population (Hz)", rates),
    Metric(
        "gamma",
        ("gamma_hz", "gamma_ratio", "gamma_plv"),
        "LFP gamma peak in 20-120 Hz (Hz), its power over the 150-250 Hz median, E spike PLV",
        gamma,
    ),
    Metric("cv", ("cv_<pop>",), "mean ISI coefficient of variation of each population", cv),
    Metric(
        "lfp_peak",
        ("lfp_peak_hz",),
        "strongest LFP peak above the aperiodic fit, 2-100 Hz (Hz)",
        lfp_peak,
    ),
):
    register_metric(_metric)
del _metric


# ------------------------------------------------------------------ resolve, measure
def resolve_metrics(metrics):
    """Turn names, callables or ``{name: callable}`` into ``[(name, callable), ...]``.

    Raises
    ------
    AnalysisError
        For an unknown name (listing the standard ones) or a non-callable.
    """
    if metrics is None:
        metrics = DEFAULT_METRICS
    if isinstance(metrics, str) or callable(metrics):
        metrics = [metrics]
    pairs = list(metrics.items()) if isinstance(metrics, dict) else [(None, m) for m in metrics]
    resolved = []
    for name, metric in pairs:
        if isinstance(metric, str):
            resolved.append((name or metric, get_metric(metric).function))
        elif isinstance(metric, Metric):
            resolved.append((name or metric.name, metric.function))
        elif callable(metric):
            resolved.append((name or getattr(metric, "__name__", "metric"), metric))
        else:
            raise AnalysisError(
                f"metrics: expected metric names or functions of a result; got {metric!r}."
            )
    return resolved


def measure(result, metrics=None):
    """Apply ``metrics`` to ``result``; return one flat ``{column: number}`` dict.

    Parameters
    ----------
    result : Result
    metrics : str, callable, Metric, sequence or dict, optional
        Registered metric names (:func:`list_metrics`), :class:`Metric` objects,
        functions of a result returning a number or a dict of numbers, or
        ``{column: function}``.  Default: :data:`DEFAULT_METRICS`.

    Returns
    -------
    dict of str -> float
    """
    values = {}
    for name, metric in resolve_metrics(metrics):
        value = metric(result)
        if isinstance(value, dict):
            values.update({key: _number(v) for key, v in value.items()})
        else:
            values[name] = _number(value)
    return values


def _number(value):
    if value is None:
        return math.nan
    value = np.asarray(value)
    return float(value) if value.ndim == 0 else value.tolist()
