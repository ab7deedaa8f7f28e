"""Spectral peaks above the aperiodic (1/f) background, by spectral parameterization.

The fit itself is done by `specparam <https://specparam-tools.github.io>`_ (the
FOOOF approach, Donoghue et al. 2020), the field's standard tool; this module checks the
input, calls it once and returns the numbers as a small documented object that keeps
the fitted model (:meth:`PeakFit.report`, :meth:`PeakFit.plot`).  A fit whose r^2 is
below :data:`POOR_FIT_R_SQUARED` warns (:class:`~quifer_brian.errors.PoorFitWarning`).

:func:`compute_spectral_peaks` was called ``find_peaks`` (the name of scipy's peak
finder, which does something else); ``find_peaks`` remains as a deprecated alias.
"""

import warnings
from dataclasses import dataclass, field
from typing import Any, NamedTuple

import numpy as np

from ..errors import AnalysisError, PoorFitWarning
from .bands import get_band

__all__ = ["POOR_FIT_R_SQUARED", "Peak", "PeakFit", "compute_spectral_peaks", "find_peaks"]

_APERIODIC_MODES = ("fixed", "knee")

#: A spectral fit with r^2 (of the log power) below this warns: the model then explains
#: less than half of the log spectrum's variance, and its "peaks" are mostly the
#: estimate's noise. Measured: one 4 s periodogram of 1/f noise with a 40 Hz rhythm gives
#: r^2 = 0.30, Welch over 60 s of it 0.98.
POOR_FIT_R_SQUARED = 0.5


class Peak(NamedTuple):
    """One fitted spectral peak."""

    frequency: float
    """Centre frequency (Hz)."""
    height: float
    """Power above the aperiodic fit (log10 of the spectrum's units)."""
    width: float
    """Full width (Hz)."""


@dataclass(frozen=True)
class PeakFit:
    """The result of :func:`compute_spectral_peaks`.

    Attributes
    ----------
    peaks : 2-D array, shape (n_peaks, 3)
        One row per peak: centre frequency (Hz), power above the aperiodic fit
        (log10 of the spectrum's units), full width (Hz, twice the Gaussian's SD).
        Sorted by frequency.
    exponent : float (1)
        Aperiodic exponent chi of the 1/f^chi background.
    offset : float (log10 of the spectrum's units)
        Aperiodic offset b.
    knee : float (Hz^chi)
        Aperiodic knee k (0 in ``'fixed'`` mode).
    f_range : (float, float) (Hz)
        Frequencies that were fitted.
    r_squared : float (1)
        Goodness of fit of the full model in log power.
    model : specparam.SpectralModel or None
        The fitted specparam model (its settings, data and results), None for a
        ``PeakFit`` built by hand. :meth:`report` and :meth:`plot` read it.
    """

    peaks: np.ndarray
    exponent: float
    offset: float
    knee: float
    f_range: tuple
    r_squared: float
    model: Any = field(default=None, repr=False, compare=False)

    @property
    def is_poor(self) -> bool:
        """Whether ``r_squared`` is below :data:`POOR_FIT_R_SQUARED`."""
        return not self.r_squared >= POOR_FIT_R_SQUARED

    def report(self) -> str:
        """The fit as text: specparam's results report, and a line on its quality.

        Examples
        --------
        >>> freqs = np.arange(1.0, 100.0, 0.5)
        >>> power = 10 ** (-1.5 * np.log10(freqs) + 0.8 * np.exp(-((freqs - 43) ** 2) / 8))
        >>> text = compute_spectral_peaks(freqs, power, f_range=(2, 90)).report()
        >>> "CF:  43.00" in text, text.splitlines()[-1]
        (True, 'fit quality: r^2 = 1.000 (good: >= 0.5)')
        """
        quality = "POOR: < " if self.is_poor else "good: >= "
        line = f"fit quality: r^2 = {self.r_squared:.3f} ({quality}{POOR_FIT_R_SQUARED:g})"
        if self.model is None:
            rows = "\n".join(
                f"  {f:.2f} Hz, height {h:.2f}, width {w:.2f} Hz" for f, h, w in self.peaks
            )
            return (
                f"aperiodic: offset {self.offset:.4f}, exponent {self.exponent:.4f}, knee "
                f"{self.knee:g}\n{len(self.peaks)} peaks\n{rows}\n{line}"
            )
        from specparam.reports.strings import gen_model_results_str

        return f"{gen_model_results_str(self.model)}\n{line}"

    def plot(self, ax=None, **kwargs):
        """Draw the fitted model over its data with specparam's own plot; return the axes.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Default: a new pyplot figure (no backend is chosen).
        **kwargs
            Passed to ``SpectralModel.plot`` (``plt_log=True`` for a log frequency axis).
        """
        if self.model is None:
            raise AnalysisError(
                "PeakFit.plot: this fit holds no specparam model (it was built by hand); "
                "use compute_spectral_peaks, or quifer_brian.plotting.plot_spectrum."
            )
        if ax is None:
            import matplotlib.pyplot as plt

            _, ax = plt.subplots()
        self.model.plot(ax=ax, **kwargs)
        return ax

    @property
    def frequencies(self):
        """Peak centre frequencies (Hz)."""
        return self.peaks[:, 0]

    def strongest(self, band=None):
        """The highest peak (largest height above the aperiodic fit) in ``band``.

        Parameters
        ----------
        band : str or (float, float) (Hz), optional
            A named band (:data:`~quifer_brian.analysis.bands.BANDS`, e.g.
            ``'theta'``) or ``(low, high)``, both ends included; default: all peaks.

        Returns
        -------
        Peak or None
            ``(frequency, height, width)``, or None when no peak lies in ``band``.

        Examples
        --------
        >>> fit = PeakFit(np.array([[8.0, 0.9, 2.0], [40.0, 0.5, 6.0], [60.0, 0.7, 8.0]]),
        ...               1.5, 0.0, 0.0, (2.0, 100.0), 0.99)
        >>> fit.strongest("gamma")
        Peak(frequency=60.0, height=0.7, width=8.0)
        >>> fit.strongest().frequency, fit.strongest((100.0, 200.0))
        (8.0, None)
        """
        rows = np.asarray(self.peaks, dtype=float).reshape(-1, 3)
        if band is not None:
            low, high = get_band(band) if isinstance(band, str) else band
            rows = rows[(rows[:, 0] >= low) & (rows[:, 0] <= high)]
        if rows.size == 0:
            return None
        return Peak(*(float(value) for value in rows[np.argmax(rows[:, 1])]))

    def aperiodic(self, freqs):
        """Return the fitted aperiodic spectrum at ``freqs`` (Hz), in linear power."""
        freqs = np.asarray(freqs, dtype=float)
        return 10.0 ** (self.offset - np.log10(self.knee + freqs**self.exponent))


def compute_spectral_peaks(
    freqs,
    power,
    f_range=None,
    aperiodic_mode="fixed",
    peak_width_limits=(1.0, 12.0),
    max_n_peaks=6,
    min_peak_height=0.1,
    peak_threshold=2.0,
    warn: bool = True,
) -> "PeakFit":
    r"""Fit oscillatory peaks above the aperiodic background of a power spectrum.

    Parameters
    ----------
    freqs : 1-D array (Hz)
        Frequencies of the spectrum, as returned by
        :func:`~quifer_brian.analysis.compute_spectrum`.
    power : 1-D array (signal units^2 / Hz)
        Power spectral density, > 0.
    f_range : (float, float) (Hz), optional
        Frequency range to fit (default: all positive frequencies given).
    aperiodic_mode : {'fixed', 'knee'}
        Aperiodic model without or with a knee.
    peak_width_limits : (float, float) (Hz)
        Allowed full peak widths.
    max_n_peaks : int
        Most peaks fitted.
    min_peak_height : float (log10 power)
        Smallest peak height above the aperiodic fit kept.
    peak_threshold : float (1)
        Relative detection threshold, in standard deviations of the flattened spectrum.
    warn : bool
        Warn (:class:`~quifer_brian.errors.PoorFitWarning`) when the fit's r^2 is below
        :data:`POOR_FIT_R_SQUARED`. Silence it here, or everywhere with
        ``warnings.filterwarnings("ignore", category=quifer_brian.errors.PoorFitWarning)``.

    Returns
    -------
    PeakFit
        Peaks (frequency, power, width), aperiodic exponent and offset, r^2, and the
        fitted specparam model (``.report()``, ``.plot()``).

    Notes
    -----
    The log spectrum is modelled as aperiodic background plus Gaussians:
    :math:`\log_{10} P(f) = b - \log_{10}(k + f^{\chi})
    + \sum_n a_n \exp(-(f - c_n)^2 / (2 w_n^2))`, fitted by ``specparam``'s
    ``SpectralModel``. A peak's width is reported as :math:`2 w_n`.

    References
    ----------
    Donoghue et al. (2020) Parameterizing neural power spectra into periodic and
    aperiodic components. Nat Neurosci 23:1655.

    Examples
    --------
    >>> import numpy as np
    >>> freqs = np.arange(1.0, 100.0, 0.5)
    >>> log_power = -1.5 * np.log10(freqs) + 0.8 * np.exp(-((freqs - 43) ** 2) / 8)
    >>> fit = compute_spectral_peaks(freqs, 10**log_power, f_range=(2, 90))
    >>> round(float(fit.frequencies[0])), round(fit.exponent, 2), fit.is_poor
    (43, 1.5, False)
    """
    freqs = np.asarray(freqs, dtype=float)
    power = np.asarray(power, dtype=float)
    if freqs.ndim != 1 or freqs.shape != power.shape:
        raise AnalysisError(
            f"freqs, power: must be 1-D arrays of equal length; got shapes {freqs.shape} "
            f"and {power.shape}."
        )
    if not (np.all(np.isfinite(freqs)) and np.all(np.isfinite(power))):
        raise AnalysisError("power: contains NaN or inf; compute the spectrum of a finite signal.")
    if aperiodic_mode not in _APERIODIC_MODES:
        raise AnalysisError(
            f"aperiodic_mode: unknown value {aperiodic_mode!r}; valid values are "
            f"{_APERIODIC_MODES}."
        )
    if f_range is None:
        f_range = (float(freqs[freqs > 0].min()), float(freqs.max()))
    else:
        f_lo, f_hi = (float(f) for f in f_range)
        if not 0 <= f_lo < f_hi:
            raise AnalysisError(
                f"f_range: must be (f_lo, f_hi) with 0 <= f_lo < f_hi; got {f_range!r}."
            )
        if f_hi > freqs.max() or f_lo < freqs.min():
            raise AnalysisError(
                f"f_range: {f_range!r} reaches beyond the spectrum's frequencies "
                f"({freqs.min():g} to {freqs.max():g} Hz)."
            )
        f_range = (max(f_lo, float(freqs[freqs > 0].min())), f_hi)
    keep = (freqs >= f_range[0]) & (freqs <= f_range[1])
    if np.count_nonzero(keep) < 8:
        raise AnalysisError(
            f"f_range: {f_range!r} holds {np.count_nonzero(keep)} frequency bins; at least 8 "
            f"are needed for the fit. Widen it or use a finer spectrum."
        )
    if np.any(power[keep] <= 0):
        raise AnalysisError("power: must be > 0 in f_range to be fitted in log power.")

    from specparam import SpectralModel  # deferred: only this function needs it

    model = SpectralModel(
        aperiodic_mode=aperiodic_mode,
        peak_width_limits=peak_width_limits,
        max_n_peaks=max_n_peaks,
        min_peak_height=min_peak_height,
        peak_threshold=peak_threshold,
        verbose=False,
    )
    model.fit(freqs[keep], power[keep])
    if not model.results.has_model:
        raise AnalysisError("power: the spectral model could not be fitted to this spectrum.")
    aperiodic = np.atleast_1d(model.results.get_params("aperiodic"))
    peaks = np.asarray(model.results.get_params("periodic"), dtype=float).reshape(-1, 3)
    peaks = peaks[~np.isnan(peaks).any(axis=1)]
    peaks = peaks[np.argsort(peaks[:, 0])]
    if aperiodic_mode == "knee":
        offset, knee, exponent = aperiodic
    else:
        (offset, exponent), knee = aperiodic, 0.0
    r_squared = float(model.results.metrics.results["gof_rsquared"])
    fit = PeakFit(peaks, float(exponent), float(offset), float(knee), f_range, r_squared, model)
    if warn and fit.is_poor:
        warnings.warn(
            f"compute_spectral_peaks: the spectral model explains little of this spectrum "
            f"(r^2 = {r_squared:.2f} < {POOR_FIT_R_SQUARED:g}); its {len(peaks)} peak(s) may be "
            f"the estimate's noise. See fit.report() and fit.plot(); a smoother spectrum "
            f"(a longer signal, Welch with more segments) fits better. Silence with "
            f"warn=False or warnings.filterwarnings('ignore', "
            f"category=quifer_brian.errors.PoorFitWarning).",
            PoorFitWarning,
            stacklevel=2,
        )
    return fit


def find_peaks(*args, **kwargs) -> "PeakFit":
    """Deprecated alias of :func:`compute_spectral_peaks` (it shared scipy's name).

    Warns with a ``DeprecationWarning`` and returns what
    :func:`compute_spectral_peaks` returns.
    """
    warnings.warn(
        "quifer_brian.analysis.find_peaks is renamed compute_spectral_peaks (find_peaks is "
        "scipy.signal's peak finder, which does something else); the old name will go.",
        DeprecationWarning,
        stacklevel=2,
    )
    return compute_spectral_peaks(*args, **kwargs)
