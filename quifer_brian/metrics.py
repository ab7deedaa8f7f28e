"""Numbers measured on a result: what a sweep puts in its table.

A *metric* is a function of a :class:`~quifer_brian.results.Result` that returns a
number or a dict of numbers (one table column each).  The standard ones, by name:

- ``'rates'``: mean firing rate of each population, ``rate_<pop>_hz``;
- ``'gamma'``: strongest LFP-proxy frequency in 20-120 Hz ``gamma_hz``, its prominence
  over the 150-250 Hz background ``gamma_ratio`` and the locking of the E spikes to it
  ``gamma_plv`` (:func:`quifer_brian.networks.ei.gamma_measures`);
- ``'cv'``: mean coefficient of variation of the inter-spike intervals, ``cv_<pop>``;
- ``'lfp_peak'``: the strongest peak above the aperiodic fit of the LFP spectrum,
  ``lfp_peak_hz`` (:func:`quifer_brian.analysis.find_peaks`).

A measure that does not apply (no LFP, too few spikes) is NaN, not an error.

Examples
--------
>>> import numpy as np
>>> from quifer_brian.results import Result
>>> result = Result(spikes={"E": (np.array([0.1, 0.2, 0.3]), np.array([0, 0, 1]))},
...                 sizes={"E": 2}, duration=1.0)
>>> measure(result, ["rates"])
{'rate_E_hz': 1.5}
"""

import math

import numpy as np

from .errors import AnalysisError

__all__ = ["DEFAULT_METRICS", "STANDARD_METRICS", "measure", "resolve_metrics"]


def rates(result):
    """Mean firing rate of each population (Hz)."""
    return {f"rate_{name}_hz": float(result.mean_rate(name)) for name in result.populations}


def gamma(result):
    """Gamma peak (Hz), its prominence and the E (or first) population's spike PLV."""
    from .networks.ei import gamma_measures

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
    from .analysis import compute_cv_isi

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
    from .tasks import summarise_run

    peak = summarise_run(result).get("lfp_peak_hz") if result.lfp is not None else None
    return {"lfp_peak_hz": math.nan if peak is None else float(peak)}


#: The standard metrics by name.
STANDARD_METRICS = {"rates": rates, "gamma": gamma, "cv": cv, "lfp_peak": lfp_peak}
#: What a sweep measures when not told.
DEFAULT_METRICS = ("rates", "gamma")


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
            if metric not in STANDARD_METRICS:
                raise AnalysisError(
                    f"metrics: unknown metric {metric!r}; the standard ones are "
                    f"{', '.join(STANDARD_METRICS)} (or pass a function of a result)."
                )
            resolved.append((name or metric, STANDARD_METRICS[metric]))
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
    metrics : str, callable, sequence or dict, optional
        Standard metric names (:data:`STANDARD_METRICS`), functions of a result
        returning a number or a dict of numbers, or ``{column: function}``.
        Default: :data:`DEFAULT_METRICS`.

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
