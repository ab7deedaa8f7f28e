"""Measures of the clock circuits: the Kuramoto order parameter, each module's phase.

:func:`order_parameter` and :func:`mean_field_phase` read a ``kuramoto`` run;
:func:`module_lfp` and :func:`module_phases` a ``frequency_bank`` run.
"""

import numpy as np

from ..errors import AnalysisError
from .lfp import mazzoni_lfp
from .phase import compute_phase

__all__ = ["mean_field_phase", "module_lfp", "module_phases", "order_parameter"]


def order_parameter(result, t_start=0.0):
    """Return ``(times, r)``: the Kuramoto order parameter of a ``kuramoto`` run.

    Parameters
    ----------
    result : Result
        Records the state ``'r'`` (the builder's mean-field probe).
    t_start : float (s)
        Drop the samples before this time (the transient).

    Returns
    -------
    times : 1-D array (s)
    r : 1-D array (1)
    """
    r = result.state("r")
    times = np.arange(len(r)) / result.fs
    keep = times >= t_start
    return times[keep], r[keep]


def mean_field_phase(result):
    """Return the phase psi(t) (rad, in (-pi, pi]) of the mean field of a ``kuramoto`` run."""
    return np.arctan2(result.state("mean_sin"), result.state("mean_cos"))


def _target_frequencies(result):
    frequencies = result.params.get("frequencies") if hasattr(result, "params") else None
    if frequencies is None:
        raise AnalysisError(
            "result: has no 'frequencies' parameter; pass the result of a frequency_bank() "
            "circuit's run."
        )
    if isinstance(frequencies, dict):  # the JSON form {"value": [...], "unit": "Hz"}
        frequencies = frequencies["value"]
    elif hasattr(frequencies, "dim"):
        frequencies = np.asarray(frequencies)  # Hz: the SI value
    return np.atleast_1d(np.asarray(frequencies, dtype=float))


def module_lfp(result, module):
    """Return the LFP proxy of one ``frequency_bank`` module, sampled at ``result.fs``.

    Mazzoni et al. 2015 (:func:`~quifer_brian.analysis.lfp.mazzoni_lfp`):
    ``|I_AMPA|(t - 6 ms) - 1.65 |I_GABA|(t)`` summed over the module's E cells (amperes).
    """
    return mazzoni_lfp(result.state(f"I_exc_{module}"), result.state(f"I_inh_{module}"), result.fs)


def module_phases(result, bandwidth=0.3):
    """Return each ``frequency_bank`` module's phase over time.

    Parameters
    ----------
    result : Result
    bandwidth : float
        Relative half-width of the band around each module's target frequency ``f``:
        the LFP proxy is band-passed to ``f (1 +- bandwidth)``.

    Returns
    -------
    phases : 2-D array (rad), shape (n_modules, n_times)
        Hilbert phase (:func:`~quifer_brian.analysis.compute_phase`) of each module's
        LFP proxy (:func:`module_lfp`), sampled at ``result.fs``.
    """
    targets = _target_frequencies(result)
    return np.array(
        [
            compute_phase(
                module_lfp(result, k), result.fs, (f * (1 - bandwidth), f * (1 + bandwidth))
            )
            for k, f in enumerate(targets)
        ]
    )
