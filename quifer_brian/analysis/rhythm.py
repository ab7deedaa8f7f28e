"""A population's rhythm from its spike-rate autocorrelation: the fundamental, not a harmonic.

An LFP spectrum can mistake a harmonic for a rhythm: sharp gamma volleys put power at
twice their frequency, and gamma bursts repeating at theta make the spectrum a comb at
theta's harmonics.  When the fundamental falls below a band's floor, the strongest peak
in the band is a harmonic.  The autocorrelation of the population rate has its first
side peak at the rhythm's *period*; a harmonic has no peak there.

- :func:`compute_rate_autocorrelation`: the normalised autocorrelation of a population
  rate, band-passed to the rhythms of interest;
- :func:`compute_rhythm_frequency`: the frequency of its first side peak.
"""

import numpy as np

from ..errors import AnalysisError
from ._inputs import check_f_range
from .phase import filter_signal
from .spikes import compute_population_rate

__all__ = ["MIN_RHYTHMICITY", "compute_rate_autocorrelation", "compute_rhythm_frequency"]

#: A side peak counts as a rhythm when the autocorrelation there is at least this (of 1 at
#: lag 0).
MIN_RHYTHMICITY = 0.1


def compute_rate_autocorrelation(spikes, t_start, t_stop, f_range, bin_size=1e-3, n_neurons=None):
    r"""Normalised autocorrelation of a population rate band-passed to ``f_range``.

    Parameters
    ----------
    spikes : (times (s), indices), list of arrays (s), 1-D array (s) or result
    t_start, t_stop : float (s)
        Window (leave the onset transient out).
    f_range : (float, float) (Hz)
        Pass band of the rate before the autocorrelation: it removes the slow
        modulation (theta's envelope) that would tilt the side peaks, and the shot noise.
    bin_size : float (s)
    n_neurons : int, optional

    Returns
    -------
    lags : 1-D array (s)
        0 to half the window.
    acf : 1-D array (1)
        1 at lag 0.

    Notes
    -----
    :math:`\rho(\tau) = \sum_t x(t) x(t+\tau) / \sum_t x(t)^2`, with :math:`x` the rate
    band-passed (zero phase, :func:`~quifer_brian.analysis.filter_signal`).

    Examples
    --------
    >>> import numpy as np
    >>> times = np.arange(0.0, 2.0, 1 / 40)  # one volley every 25 ms
    >>> lags, acf = compute_rate_autocorrelation(times, 0.0, 2.0, (10, 200))
    >>> round(float(lags[np.argmax(acf[10:50]) + 10]), 3)
    0.025
    """
    _, rate = compute_population_rate(
        spikes, bin_size, t_start=t_start, t_stop=t_stop, n_neurons=n_neurons
    )
    fs = 1 / bin_size
    signal = filter_signal(rate - rate.mean(), fs, check_f_range(f_range, fs))
    n = signal.size
    spectrum = np.fft.rfft(signal, 2 * n)
    acf = np.fft.irfft(np.abs(spectrum) ** 2)[: n // 2]
    if acf[0] <= 0:
        raise AnalysisError(
            "compute_rate_autocorrelation.spikes: the population rate is flat in the "
            f"window [{t_start}, {t_stop}] s (no spikes?); give spikes in the window."
        )
    return np.arange(acf.size) * bin_size, acf / acf[0]


def compute_rhythm_frequency(lags, acf, f_range, min_rhythmicity=MIN_RHYTHMICITY):
    r"""Frequency (Hz) of the highest autocorrelation side peak whose period is in range.

    Parameters
    ----------
    lags : 1-D array (s)
    acf : 1-D array (1)
        From :func:`compute_rate_autocorrelation`.
    f_range : (float, float) (Hz)
        Rhythms looked for: side peaks at lags ``1/f_range[1]`` to ``1/f_range[0]``.
    min_rhythmicity : float
        Smallest autocorrelation at the peak.

    Returns
    -------
    frequency : float (Hz)
        ``1 / lag`` of the highest local maximum of ``acf`` in the lag range (refined by
        a parabola through it and its neighbours), nan if none reaches
        ``min_rhythmicity``.
    rhythmicity : float (1)
        ``acf`` at that peak (0 if none).

    Notes
    -----
    A rhythm of period T makes side peaks at T, 2T, ... that decrease as its phase
    drifts, so the highest is at T; a harmonic (power at 2/T) makes no side peak at
    T/2.  Put only one period of the rhythm looked for in the lag range.  A side peak
    that decays with time constant ``a`` sits early: the frequency comes out high by a
    relative :math:`\arctan(1/(2\pi f a))/(2\pi)`, 1.6% when ``a`` is 1.6 periods.

    Examples
    --------
    >>> import numpy as np
    >>> lags = np.arange(0, 0.2, 1e-3)
    >>> acf = np.cos(2 * np.pi * 32 * lags)
    >>> round(compute_rhythm_frequency(lags, acf, (20, 120))[0], 1)
    32.0
    >>> acf = np.exp(-lags / 0.05) * np.cos(2 * np.pi * 32 * lags)  # decays: a bit early
    >>> round(compute_rhythm_frequency(lags, acf, (20, 120))[0], 1)
    32.5
    """
    lags, acf = np.asarray(lags, float), np.asarray(acf, float)
    inner = np.arange(1, acf.size - 1)
    keep = (lags[inner] >= 1 / f_range[1]) & (lags[inner] <= 1 / f_range[0])
    inner = inner[keep & (acf[inner] >= acf[inner - 1]) & (acf[inner] > acf[inner + 1])]
    if not inner.size or acf[inner].max() < min_rhythmicity:
        return float("nan"), 0.0
    k = inner[np.argmax(acf[inner])]
    left, mid, right = acf[k - 1], acf[k], acf[k + 1]
    shift = 0.5 * (left - right) / (left - 2 * mid + right)
    return float(1 / (lags[k] + shift * (lags[1] - lags[0]))), float(mid)
