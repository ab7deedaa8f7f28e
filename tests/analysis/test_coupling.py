"""Theta-gamma phase-amplitude coupling with known modulation depth (Tort 2010 MI)."""

import numpy as np
import pytest

from quifer_brian.analysis import (
    compute_comodulogram,
    compute_mi_surrogates,
    compute_modulation_index,
)

DEPTHS = [0.0, 0.2, 0.5, 0.9]
THETA, GAMMA = (4.0, 8.0), (45.0, 75.0)


@pytest.fixture(scope="module")
def surrogate_tests(synth):
    return {
        depth: compute_mi_surrogates(
            synth.make_pac(depth, seed=4), synth.FS, THETA, GAMMA, n_surrogates=200, seed=1
        )
        for depth in DEPTHS
    }


def test_mi_increases_with_depth(surrogate_tests):
    mis = [surrogate_tests[d].mi for d in DEPTHS]
    assert np.all(np.diff(mis) > 0), mis


def test_mi_matches_the_direct_function(surrogate_tests, synth):
    sig = synth.make_pac(0.5, seed=4)
    assert compute_modulation_index(sig, synth.FS, THETA, GAMMA) == surrogate_tests[0.5].mi


def test_no_coupling_is_not_significant(surrogate_tests):
    assert surrogate_tests[0.0].p_value > 0.05


@pytest.mark.parametrize("depth", [0.2, 0.5, 0.9])
def test_coupling_is_significant(surrogate_tests, depth):
    assert surrogate_tests[depth].p_value < 0.01


def test_mi_of_pure_cosine_modulation_matches_closed_form():
    """A(phi) = 1 + d cos(phi): P_j is known, so the MI is too (up to binning)."""
    fs, d, n_bins = 1000.0, 0.5, 18
    t = np.arange(int(20 * fs)) / fs
    theta = np.cos(2 * np.pi * 6 * t)
    sig = theta + 0.3 * (1 + d * theta) * np.cos(2 * np.pi * 60 * t)
    centres = -np.pi + (np.arange(n_bins) + 0.5) * 2 * np.pi / n_bins
    p = 1 + d * np.cos(centres)
    p /= p.sum()
    expected = (np.log(n_bins) + np.sum(p * np.log(p))) / np.log(n_bins)
    mi = compute_modulation_index(sig, fs, THETA, GAMMA, n_bins=n_bins)
    assert mi == pytest.approx(expected, rel=0.05)


def test_comodulogram_maximum_at_theta_gamma(synth):
    sig = synth.make_pac(0.9, seed=5)
    phase_freqs = np.arange(2.0, 15.0, 1.0)
    amp_freqs = np.arange(30.0, 101.0, 5.0)
    pf, af, mi = compute_comodulogram(sig, synth.FS, phase_freqs, amp_freqs, amp_bandwidth=20)
    assert mi.shape == (amp_freqs.size, phase_freqs.size)
    i, j = np.unravel_index(np.argmax(mi), mi.shape)
    assert abs(pf[j] - 6.0) <= 1.0 and abs(af[i] - 60.0) <= 5.0


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"phase_range": (8, 4)}, "phase_range: range is inverted"),
        ({"amp_range": (450, 550)}, "amp_range: upper frequency 550 Hz is above the Nyquist"),
        ({"n_bins": 1}, "n_bins: must be an integer >= 2"),
        ({"fs": -1.0}, "fs: must be a finite sampling rate > 0"),
        ({"sig": np.r_[np.zeros(2000), np.inf]}, "sig: contains 1 NaN or inf"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"sig": np.random.default_rng(0).normal(size=4000), "fs": 1000.0}
    args.update({"phase_range": THETA, "amp_range": GAMMA})
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        compute_modulation_index(**args)


def test_surrogate_shift_must_fit():
    with pytest.raises(ValueError, match=r"min_shift: 5\.0 s must be > 0 and shorter than half"):
        compute_mi_surrogates(np.zeros(4000), 1000.0, THETA, GAMMA, min_shift=5.0)
