"""Peaks above the aperiodic background: 1/f^chi noise plus rhythms of known frequency."""

import numpy as np
import pytest

from quifer_brian.analysis import (
    GAMMA_BAND,
    Peak,
    PeakFit,
    compute_spectral_peaks,
    compute_spectrum,
)
from quifer_brian.errors import AnalysisError


@pytest.mark.parametrize("exponent", [1.0, 1.5, 2.0])
def test_single_rhythm_and_exponent(synth, exponent):
    sig = synth.make_aperiodic(exponent, rhythms=[(43.0, 10.0)], seed=2)
    freqs, power = compute_spectrum(sig, synth.FS)
    fit = compute_spectral_peaks(freqs, power, f_range=(2, 100))
    strongest = fit.strongest()
    assert strongest.frequency == pytest.approx(43.0, abs=1.0)
    assert fit.exponent == pytest.approx(exponent, abs=0.2)
    assert fit.r_squared > 0.9


@pytest.mark.parametrize("exponent", [1.0, 2.0])
def test_theta_and_gamma_both_found(synth, exponent):
    sig = synth.make_aperiodic(exponent, rhythms=[(7.0, 10.0), (60.0, 10.0)], seed=3)
    freqs, power = compute_spectrum(sig, synth.FS)
    fit = compute_spectral_peaks(freqs, power, f_range=(2, 100))
    for target in (7.0, 60.0):
        assert np.min(np.abs(fit.frequencies - target)) < 1.0
    assert fit.exponent == pytest.approx(exponent, abs=0.2)


def test_strongest_peak_in_a_band(synth):
    """Theta at 7 Hz, a weak 40 Hz and a strong 70 Hz gamma: the strongest of each band."""
    sig = synth.make_aperiodic(1.5, rhythms=[(7.0, 10.0), (40.0, 4.0), (70.0, 30.0)], seed=4)
    freqs, power = compute_spectrum(sig, synth.FS)
    fit = compute_spectral_peaks(freqs, power, f_range=(2, 100))
    theta = fit.strongest("theta")
    assert theta.frequency == pytest.approx(7.0, abs=1.0)
    gamma = fit.strongest(GAMMA_BAND)
    assert gamma.frequency == pytest.approx(70.0, abs=1.0)
    assert fit.strongest((30.0, 55.0)).frequency == pytest.approx(40.0, abs=1.0)
    assert fit.strongest((30.0, 55.0)).height < gamma.height
    assert fit.strongest().frequency in (theta.frequency, gamma.frequency)
    assert fit.strongest((80.0, 100.0)) is None
    row = fit.peaks[np.argmin(np.abs(fit.peaks[:, 0] - gamma.frequency))]
    assert tuple(row) == (gamma.frequency, gamma.height, gamma.width)


def test_strongest_band_edges_are_included_and_no_peaks_give_none():
    peaks = np.array([[4.0, 0.2, 2.0], [12.0, 0.5, 2.0], [12.5, 0.9, 2.0]])
    fit = PeakFit(peaks, 1.0, 0.0, 0.0, (2.0, 100.0), 1.0)
    assert fit.strongest("theta") == Peak(12.0, 0.5, 2.0)
    empty = PeakFit(np.empty((0, 3)), 1.0, 0.0, 0.0, (2.0, 100.0), 1.0)
    assert empty.strongest() is None and empty.strongest("gamma") is None
    with pytest.raises(AnalysisError, match="unknown band 'alpha'"):
        fit.strongest("alpha")


def test_aperiodic_fit_evaluates_the_background(synth):
    freqs = np.arange(1.0, 100.0, 0.5)
    power = 10**0.5 * freqs**-1.7
    fit = compute_spectral_peaks(freqs, power)
    assert fit.peaks.shape == (0, 3)
    np.testing.assert_allclose(fit.aperiodic(freqs), power, rtol=1e-3)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"power": np.r_[np.ones(98), np.nan]}, "power: contains NaN"),
        ({"power": np.ones(5)}, "freqs, power: must be 1-D arrays of equal length"),
        ({"f_range": (50, 10)}, "f_range: must be .* f_lo < f_hi"),
        ({"f_range": (2, 500)}, "f_range: .* reaches beyond the spectrum"),
        ({"f_range": (10, 12)}, "f_range: .* holds 3 frequency bins; at least 8"),
        ({"aperiodic_mode": "lorentz"}, "aperiodic_mode: unknown value 'lorentz'"),
    ],
)
def test_bad_input(kwargs, match):
    freqs = np.arange(1.0, 100.0)
    args = {"freqs": freqs, "power": freqs**-1.0}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        compute_spectral_peaks(**args)
