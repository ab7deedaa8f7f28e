"""Spectra: known line and noise levels, scaling, spectrogram, band power, bad input."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quifer_brian.analysis import compute_band_power, compute_spectrogram, compute_spectrum

FS = 1000.0


@pytest.mark.parametrize("method", ["welch", "multitaper"])
def test_white_noise_level_and_parseval(method):
    """White noise of variance s^2 has a flat one-sided PSD 2 s^2 / fs."""
    sig = np.random.default_rng(0).normal(0, 2.0, 20_000)
    freqs, power = compute_spectrum(sig, FS, method=method)
    assert np.mean(power[(freqs > 10) & (freqs < 490)]) == pytest.approx(8 / FS, rel=0.05)
    assert np.trapezoid(power, freqs) == pytest.approx(sig.var(), rel=0.02)


@pytest.mark.parametrize("method", ["welch", "multitaper"])
def test_sinusoid_peak_and_band_power(method):
    t = np.arange(20_000) / FS
    sig = 2 * np.sin(2 * np.pi * 43 * t)
    freqs, power = compute_spectrum(sig, FS, method=method, f_range=(1, 200))
    assert freqs[np.argmax(power)] == pytest.approx(43, abs=0.5)
    assert freqs.min() >= 1 and freqs.max() <= 200
    assert compute_band_power(sig, FS, (38, 48), method=method) == pytest.approx(2.0, rel=0.02)


def test_spectrogram_tracks_a_frequency_step():
    t = np.arange(4000) / FS
    sig = np.where(t < 2, np.sin(2 * np.pi * 20 * t), np.sin(2 * np.pi * 60 * t))
    freqs, times, power = compute_spectrogram(sig, FS)
    peak = freqs[np.argmax(power, axis=0)]
    assert np.all(peak[times < 1.5] == 20) and np.all(peak[times > 2.5] == 60)


@settings(max_examples=25, deadline=None)
@given(st.floats(0.01, 100.0), st.sampled_from(["welch", "multitaper"]))
def test_spectrum_scales_with_the_square(scale, method):
    sig = np.random.default_rng(1).normal(size=2048)
    _, power = compute_spectrum(sig, FS, method=method)
    _, scaled = compute_spectrum(scale * sig, FS, method=method)
    np.testing.assert_allclose(scaled, scale**2 * power, rtol=1e-9)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sig": np.r_[np.zeros(50), np.nan]}, "sig: contains 1 NaN or inf"),
        ({"fs": 0}, "fs: must be a finite sampling rate > 0"),
        ({"fs": np.inf}, "fs: must be a finite sampling rate > 0"),
        ({"f_range": (10, 600)}, "f_range: upper frequency 600 Hz is above the Nyquist"),
        ({"f_range": (50, 10)}, "f_range: range is inverted"),
        ({"method": "fft"}, "method: unknown value 'fft'"),
        ({"sig": np.zeros((4, 50))}, r"sig: must be a 1-D signal; got shape \(4, 50\)"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"sig": np.zeros(100), "fs": FS}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        compute_spectrum(**args)


def test_result_object_gives_signal_and_fs():
    class Result:
        lfp = np.sin(2 * np.pi * 40 * np.arange(2000) / 500.0)
        fs = 500.0

    freqs, power = compute_spectrum(Result())
    assert freqs[np.argmax(power)] == 40
