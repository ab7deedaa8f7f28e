"""Power spectra, spectrograms and band power (Welch and multitaper estimates)."""

import numpy as np
from scipy import signal as sps

from ..errors import AnalysisError
from ._inputs import as_signal_and_fs, check_f_range

__all__ = ["compute_band_power", "compute_spectrogram", "compute_spectrum"]

_METHODS = ("welch", "multitaper")


def compute_spectrum(sig, fs=None, method="welch", f_range=None, nperseg=None, bandwidth=None):
    r"""Compute the one-sided power spectral density of a signal.

    Parameters
    ----------
    sig : 1-D array (signal units) or result
        Signal; or a result object with ``.lfp`` and ``.fs``.
    fs : float (Hz)
        Sampling rate. Optional when ``sig`` is a result.
    method : {'welch', 'multitaper'}
        Welch's averaged periodogram (``scipy.signal.welch``, Hann windows, 50 %
        overlap) or the multitaper estimate with DPSS (Slepian) tapers over the whole
        signal.
    f_range : (float, float) (Hz), optional
        Keep only frequencies in ``[f_lo, f_hi]``.
    nperseg : int, optional
        Welch segment length in samples (default: 2 s of data, at most the signal).
    bandwidth : float (Hz), optional
        Multitaper half-bandwidth W (default: the one giving ``NW = 4``).

    Returns
    -------
    freqs : 1-D array (Hz)
    power : 1-D array (signal units^2 / Hz)

    Notes
    -----
    Multitaper: with ``K = 2 NW - 1`` DPSS tapers :math:`w_k` (unit energy),
    :math:`P(f) = \frac{2}{K f_s} \sum_k |\sum_n w_k[n] x[n] e^{-2\pi i f n / f_s}|^2`
    (not doubled at 0 Hz and Nyquist), so that :math:`\int P\,df = \mathrm{var}(x)`.

    References
    ----------
    Welch (1967) IEEE Trans. Audio Electroacoust. 15:70. Thomson (1982) Proc. IEEE
    70:1055. Percival & Walden (1993) Spectral Analysis for Physical Applications.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 4, 1 / fs)
    >>> freqs, power = compute_spectrum(np.sin(2 * np.pi * 40 * t), fs)
    >>> float(freqs[np.argmax(power)])
    40.0
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=8)
    if method not in _METHODS:
        raise AnalysisError(f"method: unknown value {method!r}; valid values are {_METHODS}.")
    f_range = check_f_range(f_range, fs, allow_none=True)
    if method == "welch":
        if nperseg is None:
            nperseg = min(sig.size, round(2 * fs))
        freqs, power = sps.welch(sig, fs=fs, nperseg=nperseg, detrend="constant")
    else:
        n = sig.size
        nw = 4.0 if bandwidth is None else float(bandwidth) * n / fs
        if not 0.5 <= nw < n / 2:
            raise AnalysisError(
                f"bandwidth: gives NW = {nw:g}, outside [0.5, n/2); choose a half-bandwidth "
                f"between {0.5 * fs / n:g} and {fs / 2:g} Hz."
            )
        k = max(1, int(2 * nw) - 1)
        tapers = sps.windows.dpss(n, nw, Kmax=k, norm=2)  # unit energy
        spectra = np.fft.rfft(tapers * (sig - sig.mean()), axis=-1)
        power = np.mean(np.abs(spectra) ** 2, axis=0) / fs
        power[1 : (n + 1) // 2] *= 2.0  # one-sided: all bins but DC (and Nyquist if n even)
        freqs = np.fft.rfftfreq(n, 1 / fs)
    if f_range is not None:
        keep = (freqs >= f_range[0]) & (freqs <= f_range[1])
        freqs, power = freqs[keep], power[keep]
    return freqs, power


def compute_spectrogram(sig, fs=None, nperseg=None, noverlap=None, f_range=None):
    r"""Compute a time-resolved power spectrum (short-time Fourier, Hann windows).

    Parameters
    ----------
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    nperseg : int, optional
        Window length in samples (default 0.5 s of data).
    noverlap : int, optional
        Overlap in samples (default: 90 % of ``nperseg``).
    f_range : (float, float) (Hz), optional

    Returns
    -------
    freqs : 1-D array (Hz)
    times : 1-D array (s)
        Window centres, from the start of the signal.
    power : 2-D array (signal units^2 / Hz), shape (n_freqs, n_times)

    Notes
    -----
    :math:`S(f, t) = |\mathrm{STFT}_w[x](f, t)|^2 / (f_s \sum w^2)`, one-sided
    (``scipy.signal.spectrogram`` with ``scaling='density'``).

    References
    ----------
    Oppenheim & Schafer (2009) Discrete-Time Signal Processing, ch. 10.

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 2, 1 / fs)
    >>> freqs, times, power = compute_spectrogram(np.sin(2 * np.pi * 40 * t), fs)
    >>> float(freqs[np.argmax(power.mean(axis=1))])
    40.0
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=8)
    f_range = check_f_range(f_range, fs, allow_none=True)
    if nperseg is None:
        nperseg = min(sig.size, round(0.5 * fs))
    if noverlap is None:
        noverlap = int(0.9 * nperseg)
    freqs, times, power = sps.spectrogram(sig, fs=fs, nperseg=nperseg, noverlap=noverlap)
    if f_range is not None:
        keep = (freqs >= f_range[0]) & (freqs <= f_range[1])
        freqs, power = freqs[keep], power[keep]
    return freqs, times, power


def compute_band_power(sig, fs=None, f_range=None, method="welch", **kwargs):
    r"""Compute the power of a signal in a frequency band (the band's share of variance).

    Parameters
    ----------
    sig : 1-D array (signal units) or result
    fs : float (Hz)
    f_range : (float, float) (Hz)
        The band.
    method : {'welch', 'multitaper'}
    **kwargs
        Passed to :func:`compute_spectrum`.

    Returns
    -------
    power : float (signal units^2)

    Notes
    -----
    :math:`P_{band} = \int_{f_{lo}}^{f_{hi}} P(f)\,df` (trapezoidal rule on the
    spectrum of :func:`compute_spectrum`). A sinusoid of amplitude A inside the band
    contributes :math:`A^2 / 2`.

    References
    ----------
    Cole & Voytek (2019) J Neurophysiol 122:849 (neurodsp).

    Examples
    --------
    >>> import numpy as np
    >>> fs = 1000.0
    >>> t = np.arange(0, 10, 1 / fs)
    >>> round(compute_band_power(2 * np.sin(2 * np.pi * 40 * t), fs, (30, 50)), 2)
    2.0
    """
    sig, fs = as_signal_and_fs(sig, fs, min_length=8)
    f_range = check_f_range(f_range, fs)
    freqs, power = compute_spectrum(sig, fs, method=method, f_range=f_range, **kwargs)
    if freqs.size < 2:
        raise AnalysisError(
            f"f_range: {f_range} holds fewer than 2 frequency bins; widen it or use a "
            f"longer nperseg."
        )
    return float(np.trapezoid(power, freqs))
