"""The fitted specparam model is kept (report, plot) and a poor fit warns."""

import warnings

import matplotlib
import numpy as np
import pytest
from matplotlib.figure import Figure

from quifer_brian.analysis import (
    POOR_FIT_R_SQUARED,
    PeakFit,
    compute_spectral_peaks,
    compute_spectrum,
    find_peaks,
)
from quifer_brian.errors import AnalysisError, PoorFitWarning


def _fit_quietly(freqs, power, f_range=(2, 100)):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # any warning fails the test
        return compute_spectral_peaks(freqs, power, f_range=f_range)


def test_a_raw_periodogram_of_noise_fits_poorly_and_warns_and_welch_does_not(synth):
    """1/f noise with one 40 Hz rhythm: one 4 s periodogram (chi^2 with 2 degrees of
    freedom per bin) leaves most of the log spectrum unexplained (r^2 0.30 measured);
    Welch over 60 s (59 overlapping 2 s segments) does not (0.98)."""
    sig = synth.make_aperiodic(1.0, rhythms=[(40.0, 10.0)], seed=5, duration=60.0)
    freqs, power = compute_spectrum(sig[:4000], synth.FS, nperseg=4000)
    with pytest.warns(PoorFitWarning, match=r"r\^2 = 0\.\d\d < 0\.5.*warn=False") as record:
        fit = compute_spectral_peaks(freqs, power, f_range=(2, 100))
    assert len(record) == 1 and fit.is_poor and fit.r_squared < POOR_FIT_R_SQUARED
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        compute_spectral_peaks(freqs, power, f_range=(2, 100), warn=False)  # silenced
    freqs, power = compute_spectrum(sig, synth.FS)
    good = _fit_quietly(freqs, power)
    assert good.r_squared > 0.95 and not good.is_poor
    assert good.strongest("gamma").frequency == pytest.approx(40.0, abs=1.0)


def test_the_fit_keeps_the_specparam_model_with_its_report_and_plot():
    freqs = np.arange(1.0, 100.0, 0.5)
    power = 10 ** (-1.5 * np.log10(freqs) + 0.8 * np.exp(-((freqs - 43) ** 2) / 8))
    fit = _fit_quietly(freqs, power, (2, 90))
    assert type(fit.model).__name__ == "SpectralModel"
    report = fit.report()
    assert "CF:  43.00" in report and "fit quality: r^2 = 1.000" in report
    axis = Figure().subplots()
    assert fit.plot(ax=axis) is axis and len(axis.get_lines()) >= 2  # data and model
    assert matplotlib.get_backend().lower() == "agg"  # set by conftest, left as it was


def test_a_fit_built_by_hand_reports_but_cannot_plot():
    fit = PeakFit(np.array([[8.0, 0.9, 2.0]]), 1.5, 0.0, 0.0, (2.0, 100.0), 0.3)
    assert fit.is_poor and "POOR: < 0.5" in fit.report() and "8.00 Hz" in fit.report()
    with pytest.raises(AnalysisError, match="holds no specparam model"):
        fit.plot()


def test_find_peaks_is_a_deprecated_alias():
    freqs = np.arange(1.0, 100.0, 0.5)
    power = 10 ** (-1.5 * np.log10(freqs) + 0.8 * np.exp(-((freqs - 43) ** 2) / 8))
    with pytest.warns(DeprecationWarning, match="renamed compute_spectral_peaks"):
        old = find_peaks(freqs, power, f_range=(2, 90))
    new = compute_spectral_peaks(freqs, power, f_range=(2, 90))
    np.testing.assert_array_equal(old.peaks, new.peaks)
