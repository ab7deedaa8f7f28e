"""Phase locking of spikes to a rhythm: PLV, PPC, Rayleigh test, spike-field coherence."""

from typing import NamedTuple

import numpy as np
from scipy import signal as sps

from ..errors import AnalysisError
from ._inputs import as_signal_and_fs, as_spike_times, check_f_range, check_phases, check_span

__all__ = [
    "RayleighResult",
    "compute_plv",
    "compute_ppc",
    "compute_spike_field_coherence",
    "rayleigh_test",
]


def _resultant(phases):
    """Return (sum cos, sum sin, n) of a flat phase array.

    The cosines and sines are evaluated in single precision (SIMD, about 15 times faster
    than double on 1e6 spikes) and summed in double: each term is off by < 3e-7, so PLV,
    PPC and the preferred phase are exact to ~1e-6, far below the sampling error of any
    spike count (1 / sqrt(N)).
    """
    low = phases.astype(np.float32)
    cos_sum = np.cos(low).sum(dtype=np.float64)
    sin_sum = np.sin(low).sum(dtype=np.float64)
    return float(cos_sum), float(sin_sum), phases.size


def compute_plv(phases):
    r"""Compute the phase-locking value and the preferred phase of a set of phases.

    Parameters
    ----------
    phases : array (rad)
        Spike phases (e.g. from :func:`~quifer_brian.analysis.spike_phases`).

    Returns
    -------
    plv : float (1)
        Mean resultant length, in [0, 1].
    preferred_phase : float (rad)
        Circular mean, in :math:`(-\pi, \pi]`.

    Notes
    -----
    :math:`\mathrm{PLV}\,e^{i\bar\phi} = \frac{1}{N}\sum_{n=1}^{N} e^{i\phi_n}`. For
    von Mises phases of concentration :math:`\kappa`,
    :math:`\mathrm{PLV} \to I_1(\kappa)/I_0(\kappa)`; it is biased upward for small N
    (:math:`E[\mathrm{PLV}^2] = 1/N` for uniform phases): see :func:`compute_ppc`.

    References
    ----------
    Lachaux et al. (1999) Measuring phase synchrony in brain signals. Hum Brain Mapp
    8:194. Mardia & Jupp (2000) Directional Statistics, ch. 3.

    Examples
    --------
    >>> plv, preferred = compute_plv([0.1, 0.2, 0.3])
    >>> round(plv, 4), round(preferred, 4)
    (0.9967, 0.2)
    """
    phases = check_phases(phases).ravel()
    c, s, n = _resultant(phases)
    return min(float(np.hypot(c, s) / n), 1.0), float(np.arctan2(s, c))


def compute_ppc(phases):
    r"""Compute the pairwise phase consistency (PPC) of a set of phases, in O(N).

    Parameters
    ----------
    phases : array (rad)
        At least 2 phases.

    Returns
    -------
    ppc : float (1)
        In [-1/(N-1), 1]; an unbiased estimate of :math:`\mathrm{PLV}^2`.

    Notes
    -----
    The mean of :math:`\cos(\phi_j - \phi_k)` over all pairs :math:`j < k` equals, with
    :math:`S = \sum_n e^{i\phi_n}`,
    :math:`\mathrm{PPC} = \frac{|S|^2 - N}{N (N - 1)}`, computed without forming pairs.
    For von Mises phases, :math:`E[\mathrm{PPC}] = (I_1(\kappa)/I_0(\kappa))^2` exactly,
    for any N.

    References
    ----------
    Vinck et al. (2010) The pairwise phase consistency: a bias-free measure of
    rhythmic neuronal synchronization. NeuroImage 51:112.

    Examples
    --------
    >>> round(compute_ppc([0.0, 0.0, 3.14159265]), 4)  # pairs: +1, -1, -1
    -0.3333
    """
    phases = check_phases(phases, min_count=2).ravel()
    c, s, n = _resultant(phases)
    return min(float((c * c + s * s - n) / (n * (n - 1.0))), 1.0)


class RayleighResult(NamedTuple):
    """Rayleigh test of uniformity: ``statistic`` Z (1) and ``p_value`` (1)."""

    statistic: float
    p_value: float


def rayleigh_test(phases):
    r"""Test phases against the uniform distribution (Rayleigh test).

    Parameters
    ----------
    phases : array (rad)
        At least 2 phases.

    Returns
    -------
    RayleighResult
        ``statistic`` :math:`Z = N\,\mathrm{PLV}^2` and its ``p_value``.

    Notes
    -----
    With :math:`R = N\,\mathrm{PLV}`,
    :math:`p = \exp\left(\sqrt{1 + 4N + 4(N^2 - R^2)} - (1 + 2N)\right)`, the
    approximation of Zar (eq. 27.4), accurate to about 1e-3 already for N >= 10.

    References
    ----------
    Zar (1999) Biostatistical Analysis, 4th ed., section 27.1. Fisher (1993) Statistical
    Analysis of Circular Data, section 4.3.

    Examples
    --------
    >>> result = rayleigh_test([0.1, 0.2, 0.3, 0.2, 0.1, 0.25])
    >>> result.p_value < 0.01
    True
    """
    phases = check_phases(phases, min_count=2).ravel()
    c, s, n = _resultant(phases)
    r2 = c * c + s * s
    z = r2 / n
    p = np.exp(np.sqrt(1.0 + 4.0 * n + 4.0 * (n * n - r2)) - (1.0 + 2.0 * n))
    return RayleighResult(float(z), float(min(max(p, 0.0), 1.0)))


def compute_spike_field_coherence(spike_times, sig, fs=None, nperseg=None, f_range=None):
    r"""Compute the spike-field coherence spectrum.

    Parameters
    ----------
    spike_times : 1-D array (s), spike trains or result
        Spikes (all neurons pooled); time 0 is the signal's first sample.
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    nperseg : int, optional
        Segment length in samples (default 1 s of data).
    f_range : (float, float) (Hz), optional

    Returns
    -------
    freqs : 1-D array (Hz)
    coherence : 1-D array (1)
        Magnitude-squared coherence, in [0, 1].

    Notes
    -----
    The spikes are binned on the signal's sample grid into a count series :math:`n(t)`,
    and :math:`C(f) = |S_{nx}(f)|^2 / (S_{nn}(f) S_{xx}(f))` with Welch estimates of the
    cross- and auto-spectra (``scipy.signal.coherence``).

    References
    ----------
    Fries et al. (2001) Modulation of oscillatory neuronal synchronization by selective
    visual attention. Science 291:1560. Jarvis & Mitra (2001) Neural Comput 13:717.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 20, 1 / fs)
    >>> lfp = np.cos(2 * np.pi * 40 * t) + np.random.default_rng(0).normal(0, 1, t.size)
    >>> spikes = np.arange(0.5, 19.5, 0.025)  # one spike per 40 Hz cycle, at the peak
    >>> freqs, coh = compute_spike_field_coherence(spikes, lfp, fs)
    >>> bool(coh[freqs == 40] > 0.5)
    True
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=16)
    f_range = check_f_range(f_range, fs, allow_none=True)
    times = as_spike_times(spike_times, "spike_times")
    check_span(times, sig.size, fs, "spike_times")
    counts = np.bincount(np.rint(times * fs).astype(np.intp), minlength=sig.size)
    if nperseg is None:
        nperseg = min(sig.size, round(fs))
    if nperseg > sig.size:
        raise AnalysisError(f"nperseg: {nperseg} exceeds the signal length {sig.size}.")
    freqs, coherence = sps.coherence(counts[: sig.size].astype(float), sig, fs=fs, nperseg=nperseg)
    if f_range is not None:
        keep = (freqs >= f_range[0]) & (freqs <= f_range[1])
        freqs, coherence = freqs[keep], coherence[keep]
    return freqs, coherence
