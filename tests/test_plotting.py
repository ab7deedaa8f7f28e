"""Every plot draws on a given axes or a new one, and returns it."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest

from quifer_brian import plotting
from quifer_brian.analysis import compute_spectral_peaks, compute_spectrum


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_spectrum_marks_peaks_and_aperiodic_fit():
    freqs = np.arange(1.0, 100.0, 0.5)
    power = 10 ** (-1.5 * np.log10(freqs) + 0.8 * np.exp(-((freqs - 43) ** 2) / 8))
    fit = compute_spectral_peaks(freqs, power, f_range=(2, 90))
    ax = plotting.plot_spectrum(freqs, power, peaks=fit)
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    assert len(ax.get_lines()) == 3  # spectrum, aperiodic fit, one peak marker
    assert any("43.0 Hz" in text.get_text() for text in ax.texts)


def test_all_plots_accept_and_return_axes():
    rng = np.random.default_rng(0)
    fs = 1000.0
    sig = rng.normal(size=2000)
    freqs, power = compute_spectrum(sig, fs)
    cases = [
        (plotting.plot_raster, (([0.1, 0.2], [0, 1]),), False),
        (plotting.plot_population_rate, ([0.0, 0.1], [1.0, 2.0]), False),
        (plotting.plot_spectrum, (freqs, power), False),
        (plotting.plot_phase_histogram, (rng.vonmises(0, 1, 100),), True),
        (plotting.plot_comodulogram, ([4, 6], [40, 60, 80], np.ones((3, 2))), False),
        (plotting.plot_spectrogram, ([10, 20], [0.5, 1.0], np.ones((2, 2))), False),
    ]
    for function, args, polar in cases:
        fig = plt.figure()
        ax = fig.add_subplot(projection="polar" if polar else None)
        assert function(*args, ax=ax) is ax
        assert function(*args).figure is not fig
