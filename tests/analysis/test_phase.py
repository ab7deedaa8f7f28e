"""Band-pass phase and amplitude, and spike phases, on signals with known phase."""

from types import SimpleNamespace

import numpy as np
import pytest

from quifer_brian.analysis import compute_amplitude, compute_phase, filter_signal, spike_phases

FS = 1000.0
T = np.arange(int(4 * FS)) / FS


def test_filter_keeps_band_and_removes_the_rest():
    mixed = np.sin(2 * np.pi * 6 * T) + np.sin(2 * np.pi * 60 * T)
    gamma = filter_signal(mixed, FS, (50, 70))
    middle = slice(500, -500)
    assert np.max(np.abs(gamma[middle] - np.sin(2 * np.pi * 60 * T)[middle])) < 0.01


def test_phase_is_zero_lag():
    """Zero-phase filtering: a cosine's phase is 2 pi f t, with no filter delay.

    A 4 Hz wide band-pass rings for about 1 s at the edges (documented): skip them.
    """
    phase = compute_phase(np.cos(2 * np.pi * 8 * T), FS, (6, 10))
    expected = np.angle(np.exp(1j * 2 * np.pi * 8 * T))
    error = np.angle(np.exp(1j * (phase - expected)))[1000:-1000]
    assert np.max(np.abs(error)) < 0.01


def test_amplitude_follows_envelope():
    envelope = 1 + 0.5 * np.cos(2 * np.pi * 2 * T)
    amplitude = compute_amplitude(envelope * np.cos(2 * np.pi * 60 * T), FS, (45, 75))
    assert np.max(np.abs(amplitude - envelope)[500:-500]) < 0.01


def test_spike_phases_exact_on_sinusoid():
    rng = np.random.default_rng(0)
    times = rng.uniform(0.5, 3.5, 1000)  # unsorted on purpose: order does not matter here
    lfp = np.cos(2 * np.pi * 40 * T)
    phases = spike_phases(times, lfp, FS, (35, 45))
    error = np.angle(np.exp(1j * (phases - 2 * np.pi * 40 * times)))
    assert np.max(np.abs(error)) < 0.01
    assert np.all((phases >= -np.pi) & (phases < np.pi))


def test_accepts_brian2_quantities_and_results():
    brian2 = pytest.importorskip("brian2")
    lfp = np.cos(2 * np.pi * 40 * T)
    times = np.array([0.5, 1.0125])
    expected = spike_phases(times, lfp, FS, (35, 45))
    got = spike_phases(times * 1000 * brian2.ms, lfp * brian2.mV, 1 * brian2.kHz, (35, 45))
    np.testing.assert_allclose(got, expected)

    result = SimpleNamespace(spikes={"E": (times, np.array([0, 3]))}, lfp=lfp, fs=FS)  # duck-typed
    np.testing.assert_allclose(spike_phases(result, result, None, (35, 45)), expected)


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"sig": np.r_[np.ones(100), np.nan]}, r"sig: contains 1 NaN or inf value\(s\)"),
        ({"sig": np.r_[np.ones(100), np.inf]}, "sig: contains 1 NaN or inf"),
        ({"fs": 0.0}, "fs: must be a finite sampling rate > 0"),
        ({"fs": -5.0}, "fs: must be a finite sampling rate > 0"),
        ({"f_range": (45, 35)}, "f_range: range is inverted"),
        ({"f_range": (400, 600)}, "f_range: upper frequency 600 Hz is above the Nyquist"),
        ({"spike_times": [0.5, 7.0]}, "spike_times: spikes from .* outside the signal's span"),
        ({"spike_times": [-0.1]}, "spike_times: spikes from .* outside"),
        ({"spike_times": []}, "spike_times: needs at least 1 spike"),
        ({"spike_times": [0.5, np.nan]}, "spike_times: spike times contain NaN"),
    ],
)
def test_bad_input(kwargs, match):
    args = {"spike_times": [0.5], "sig": np.cos(2 * np.pi * 40 * T), "fs": FS, "f_range": (35, 45)}
    args.update(kwargs)
    with pytest.raises(ValueError, match=match):
        spike_phases(**args)


def test_band_pass_edge_at_nyquist_refused():
    with pytest.raises(ValueError, match="f_range: the upper edge 500 Hz must lie below"):
        compute_phase(np.ones(100), FS, (100, 500))
