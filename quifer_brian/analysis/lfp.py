"""The LFP proxy of point-neuron networks (Mazzoni et al. 2015), written once.

Mazzoni, Linden, Cuntz, Lansner, Panzeri & Einevoll (2015), PLoS Comput Biol 11:e1004584:
the best simple proxy of a cortical LFP from a point-neuron network is a weighted sum of
the synaptic currents onto the pyramidal cells,
``LFP(t) = sum_E |I_AMPA(t - 6 ms)| - 1.65 sum_E |I_GABA(t)|``.
"""

import numpy as np

from ..errors import AnalysisError

__all__ = ["MAZZONI_ALPHA", "MAZZONI_DELAY_S", "mazzoni_lfp"]

#: Delay of the excitatory term (s).
MAZZONI_DELAY_S = 0.006
#: Weight of the inhibitory term.
MAZZONI_ALPHA = 1.65


def mazzoni_lfp(excitatory, inhibitory, fs, delay_s=MAZZONI_DELAY_S, alpha=MAZZONI_ALPHA):
    """The Mazzoni proxy from the summed absolute currents of one population.

    Parameters
    ----------
    excitatory, inhibitory : ndarray
        Summed absolute AMPA-like and GABA-like currents onto the population (A),
        sampled at ``fs``.
    fs : float
        Sampling rate (Hz).
    delay_s : float
        Delay of the excitatory term (s); the first samples hold its initial value.
    alpha : float
        Weight of the inhibitory term.

    Returns
    -------
    ndarray
        ``excitatory(t - delay) - alpha * inhibitory(t)`` (A).

    Examples
    --------
    >>> mazzoni_lfp([1.0, 2.0, 3.0, 4.0], [0.0, 0.0, 1.0, 0.0], fs=1000.0, delay_s=0.002)
    array([ 1.  ,  1.  , -0.65,  2.  ])
    >>> mazzoni_lfp([1.0], [0.5], fs=1000.0, delay_s=0.002)  # shorter than the delay
    array([0.175])
    """
    excitatory = np.asarray(excitatory, dtype=float).reshape(-1)
    inhibitory = np.asarray(inhibitory, dtype=float).reshape(-1)
    if excitatory.shape != inhibitory.shape:
        raise AnalysisError(
            f"mazzoni_lfp.inhibitory: must have as many samples as excitatory "
            f"({excitatory.size}); got {inhibitory.size}."
        )
    # a record shorter than the delay (a run stopped early) holds the initial value only
    shift = min(round(delay_s * fs), excitatory.size)
    start = np.full(shift, excitatory[:1])
    delayed = np.concatenate([start, excitatory[: excitatory.size - shift]])
    return delayed - alpha * inhibitory
