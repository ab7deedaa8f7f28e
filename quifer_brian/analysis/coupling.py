"""Cross-frequency (phase-amplitude) coupling: Tort's modulation index."""

from typing import NamedTuple

import numpy as np

from ..errors import AnalysisError
from ._inputs import as_signal_and_fs, check_f_range
from .phase import _analytic

__all__ = [
    "MISurrogateResult",
    "compute_comodulogram",
    "compute_mi_surrogates",
    "compute_modulation_index",
]


def _check_n_bins(n_bins):
    if isinstance(n_bins, bool) or not isinstance(n_bins, int | np.integer) or n_bins < 2:
        raise AnalysisError(f"n_bins: must be an integer >= 2; got {n_bins!r}.")
    return int(n_bins)


def _phase_bins(phase, n_bins):
    bins = ((phase + np.pi) * (n_bins / (2 * np.pi))).astype(np.intp)
    return np.minimum(bins, n_bins - 1)


def _mi(bins, amplitude, n_bins):
    counts = np.bincount(bins, minlength=n_bins)
    if np.any(counts == 0):
        raise AnalysisError(
            f"n_bins: some of the {n_bins} phase bins hold no samples; use fewer bins or a "
            f"longer signal."
        )
    mean_amp = np.bincount(bins, weights=amplitude, minlength=n_bins) / counts
    p = mean_amp / mean_amp.sum()
    entropy = -np.sum(p * np.log(p))
    return float((np.log(n_bins) - entropy) / np.log(n_bins))


def _phase_amp(sig, fs, phase_range, amp_range):
    phase_range = check_f_range(phase_range, fs, "phase_range")
    amp_range = check_f_range(amp_range, fs, "amp_range")
    phase = np.angle(_analytic(sig, fs, phase_range))
    amplitude = np.abs(_analytic(sig, fs, amp_range))
    return phase, amplitude


def compute_modulation_index(sig, fs=None, phase_range=None, amp_range=None, n_bins=18):
    r"""Compute Tort's modulation index of phase-amplitude coupling.

    Parameters
    ----------
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    phase_range : (float, float) (Hz)
        Band whose phase modulates (e.g. theta, (4, 8)).
    amp_range : (float, float) (Hz)
        Band whose amplitude is modulated (e.g. gamma, (50, 70)); it should be at least
        twice as wide as the modulating frequency to hold the side bands.
    n_bins : int
        Number of phase bins.

    Returns
    -------
    mi : float (1)
        In [0, 1]; 0 when the amplitude does not depend on the phase.

    Notes
    -----
    With :math:`\bar A_j` the mean amplitude in phase bin j and
    :math:`P_j = \bar A_j / \sum_k \bar A_k`,
    :math:`\mathrm{MI} = (\log N_{bins} - H(P)) / \log N_{bins}`,
    :math:`H(P) = -\sum_j P_j \log P_j`. Phases and amplitudes come from zero-phase
    band-pass filters and the Hilbert transform.

    References
    ----------
    Tort et al. (2010) Measuring phase-amplitude coupling between neuronal oscillations
    of different frequencies. J Neurophysiol 104:1195.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 10, 1 / fs)
    >>> theta = np.cos(2 * np.pi * 6 * t)
    >>> sig = theta + (1 + 0.9 * theta) * 0.3 * np.cos(2 * np.pi * 60 * t)
    >>> compute_modulation_index(sig, fs, (4, 8), (45, 75)) > 0.05
    True
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=16)
    n_bins = _check_n_bins(n_bins)
    phase, amplitude = _phase_amp(sig, fs, phase_range, amp_range)
    return _mi(_phase_bins(phase, n_bins), amplitude, n_bins)


def compute_comodulogram(
    sig,
    fs=None,
    phase_freqs=None,
    amp_freqs=None,
    phase_bandwidth=2.0,
    amp_bandwidth=None,
    n_bins=18,
):
    r"""Compute the modulation index over a grid of phase and amplitude frequencies.

    Parameters
    ----------
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    phase_freqs : 1-D array (Hz)
        Centres of the phase bands.
    amp_freqs : 1-D array (Hz)
        Centres of the amplitude bands.
    phase_bandwidth : float (Hz)
        Width of each phase band.
    amp_bandwidth : float (Hz), optional
        Width of each amplitude band; default ``2 * max(phase_freqs) + phase_bandwidth``
        so that every band holds the side bands of the fastest modulation.
    n_bins : int

    Returns
    -------
    phase_freqs : 1-D array (Hz)
    amp_freqs : 1-D array (Hz)
    mi : 2-D array (1), shape (n_amp_freqs, n_phase_freqs)

    Notes
    -----
    ``mi[i, j]`` is :func:`compute_modulation_index` for the amplitude band centred on
    ``amp_freqs[i]`` and the phase band centred on ``phase_freqs[j]``. Each band is
    filtered once.

    References
    ----------
    Tort et al. (2010) J Neurophysiol 104:1195.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 10, 1 / fs)
    >>> theta = np.cos(2 * np.pi * 6 * t)
    >>> sig = theta + (1 + 0.9 * theta) * 0.3 * np.cos(2 * np.pi * 60 * t)
    >>> pf, af, mi = compute_comodulogram(sig, fs, [4, 6, 8], [40, 60, 80], amp_bandwidth=20)
    >>> i, j = np.unravel_index(np.argmax(mi), mi.shape)
    >>> float(pf[j]), float(af[i])
    (6.0, 60.0)
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=16)
    n_bins = _check_n_bins(n_bins)
    phase_freqs = np.atleast_1d(np.asarray(phase_freqs, dtype=float))
    amp_freqs = np.atleast_1d(np.asarray(amp_freqs, dtype=float))
    if phase_freqs.size == 0 or amp_freqs.size == 0:
        raise AnalysisError("phase_freqs, amp_freqs: need at least one frequency each.")
    if amp_bandwidth is None:
        amp_bandwidth = 2 * phase_freqs.max() + phase_bandwidth
    bins = []
    for f in phase_freqs:
        band = (f - phase_bandwidth / 2, f + phase_bandwidth / 2)
        phase = np.angle(_analytic(sig, fs, check_f_range(band, fs, "phase_freqs")))
        bins.append(_phase_bins(phase, n_bins))
    mi = np.empty((amp_freqs.size, phase_freqs.size))
    for i, f in enumerate(amp_freqs):
        band = (f - amp_bandwidth / 2, f + amp_bandwidth / 2)
        amplitude = np.abs(_analytic(sig, fs, check_f_range(band, fs, "amp_freqs")))
        for j, phase_bins in enumerate(bins):
            mi[i, j] = _mi(phase_bins, amplitude, n_bins)
    return phase_freqs, amp_freqs, mi


class MISurrogateResult(NamedTuple):
    """Modulation index ``mi`` (1), its ``p_value`` (1) and the ``surrogates`` (1)."""

    mi: float
    p_value: float
    surrogates: np.ndarray


def compute_mi_surrogates(
    sig,
    fs=None,
    phase_range=None,
    amp_range=None,
    n_bins=18,
    n_surrogates=200,
    min_shift=1.0,
    seed=None,
):
    r"""Test a modulation index against time-shift surrogates.

    Parameters
    ----------
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    phase_range, amp_range : (float, float) (Hz)
        As in :func:`compute_modulation_index`.
    n_bins : int
    n_surrogates : int
        Number of surrogates.
    min_shift : float (s)
        Smallest circular shift of the amplitude relative to the phase.
    seed : int or numpy.random.Generator, optional

    Returns
    -------
    MISurrogateResult
        ``mi``, ``p_value`` and the surrogate MIs.

    Notes
    -----
    Each surrogate circularly shifts the amplitude envelope by a random lag drawn
    uniformly in :math:`[\tau_{min}, T - \tau_{min}]`, which keeps both time series'
    structure and destroys only their phase relation. A strictly periodic rhythm defeats
    this (a lag of whole cycles keeps the relation): it suits recorded or simulated
    rhythms, whose phase drifts.
    :math:`p = (1 + \#\{\mathrm{MI}_s \ge \mathrm{MI}\}) / (1 + N_s)`.

    References
    ----------
    Tort et al. (2010) J Neurophysiol 104:1195. Canolty et al. (2006) Science 313:1626.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 10, 1 / fs)
    >>> rng = np.random.default_rng(0)
    >>> drift = np.cumsum(rng.normal(0, 0.02, t.size))  # theta is not a perfect clock
    >>> theta = np.cos(2 * np.pi * 6 * t + drift)
    >>> sig = theta + (1 + 0.9 * theta) * 0.3 * np.cos(2 * np.pi * 60 * t)
    >>> test = compute_mi_surrogates(sig, fs, (4, 8), (45, 75), n_surrogates=99, seed=0)
    >>> round(test.p_value, 3)
    0.01
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=16)
    n_bins = _check_n_bins(n_bins)
    if isinstance(n_surrogates, bool) or not isinstance(n_surrogates, int) or n_surrogates < 1:
        raise AnalysisError(f"n_surrogates: must be an integer >= 1; got {n_surrogates!r}.")
    shift = round(float(min_shift) * fs)
    if shift < 1 or 2 * shift >= sig.size:
        raise AnalysisError(
            f"min_shift: {min_shift!r} s must be > 0 and shorter than half the signal "
            f"({sig.size / fs / 2:g} s)."
        )
    phase, amplitude = _phase_amp(sig, fs, phase_range, amp_range)
    bins = _phase_bins(phase, n_bins)
    mi = _mi(bins, amplitude, n_bins)
    rng = np.random.default_rng(seed)
    lags = rng.integers(shift, sig.size - shift + 1, size=n_surrogates)
    surrogates = np.array([_mi(bins, np.roll(amplitude, lag), n_bins) for lag in lags])
    p_value = (1 + np.count_nonzero(surrogates >= mi)) / (1 + n_surrogates)
    return MISurrogateResult(mi, float(p_value), surrogates)
