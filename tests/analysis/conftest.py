"""Synthetic data with known answers for the analysis tests (fixed seeds)."""

from types import SimpleNamespace

import numpy as np
import pytest
from scipy.special import i0e, i1e

FS = 1000.0  # Hz, sampling rate of every synthetic signal


def vm_plv(kappa):
    """Expected PLV of von Mises phases: I1(kappa) / I0(kappa)."""
    return float(i1e(kappa) / i0e(kappa))


def make_phase_locked(kappa, mu=1.0, n_spikes=20_000, freq=40.0, duration=50.0, seed=0):
    """Spikes whose phases on a ``freq`` cosine are von Mises(mu, kappa); returns (times, lfp)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration * FS)) / FS
    lfp = np.cos(2 * np.pi * freq * t)
    n_cycles = int(duration * freq)
    cycles = rng.integers(2, n_cycles - 2, n_spikes)
    phases = (
        rng.vonmises(mu, kappa, n_spikes) if kappa > 0 else rng.uniform(-np.pi, np.pi, n_spikes)
    )
    return (cycles + phases / (2 * np.pi)) / freq, lfp


def make_aperiodic(exponent, rhythms=(), duration=60.0, seed=0):
    """1/f^exponent noise plus rhythms ``(freq_hz, ratio)`` with a slowly drifting phase.

    ``ratio`` is the rhythm's Welch peak (2 s Hann segments) over the background there.
    """
    rng = np.random.default_rng(seed)
    n = int(duration * FS)
    freqs = np.fft.rfftfreq(n, 1 / FS)
    shape = np.zeros_like(freqs)
    shape[1:] = freqs[1:] ** (-exponent / 2)
    # White noise of variance 1 has a one-sided PSD of 2 / FS; shaping multiplies it.
    sig = np.fft.irfft(np.fft.rfft(rng.normal(size=n)) * shape, n)
    t = np.arange(n) / FS
    for freq, ratio in rhythms:
        background = 2 / FS * freq ** (-exponent)
        amplitude = np.sqrt(2 * ratio * background * 0.75)  # Hann ENBW: 1.5 bins of 0.5 Hz
        drift = np.cumsum(rng.normal(0, 0.03, n))
        sig = sig + amplitude * np.cos(2 * np.pi * freq * t + drift)
    return sig


def make_pac(depth, duration=30.0, seed=0, f_phase=6.0, f_amp=60.0, noise=0.2):
    """Theta whose phase modulates gamma amplitude by ``depth`` (0..1), plus white noise."""
    rng = np.random.default_rng(seed)
    n = int(duration * FS)
    t = np.arange(n) / FS
    theta_phase = 2 * np.pi * f_phase * t + np.cumsum(rng.normal(0, 0.01, n))
    gamma_phase = 2 * np.pi * f_amp * t + np.cumsum(rng.normal(0, 0.01, n))
    theta = np.cos(theta_phase)
    gamma = 0.3 * (1 + depth * np.cos(theta_phase)) * np.cos(gamma_phase)
    return theta + gamma + noise * rng.normal(size=n)


def make_jittered_rhythm(jitter, n_neurons=500, freq=40.0, duration=2.0, seed=0, per_spike=True):
    """Per-neuron spike lists: one spike per cycle at k / freq plus Gaussian jitter (s).

    ``per_spike=True`` jitters every spike independently; ``False`` shifts each neuron's
    whole train by one offset (a jittered *copy*), for which R = exp(-(2 pi f sigma)^2 / 2).
    """
    rng = np.random.default_rng(seed)
    base = np.arange(1, int(duration * freq)) / freq
    trains = []
    for _ in range(n_neurons):
        if per_spike:
            train = np.sort(base + rng.normal(0, jitter, base.size))
        else:
            train = base + rng.normal(0, jitter)
        trains.append(train)
    return trains


@pytest.fixture(scope="session")
def synth():
    """The generators above, as ``synth.make_pac(...)`` etc. (fixtures keep imports clean)."""
    return SimpleNamespace(
        FS=FS,
        vm_plv=vm_plv,
        make_phase_locked=make_phase_locked,
        make_aperiodic=make_aperiodic,
        make_pac=make_pac,
        make_jittered_rhythm=make_jittered_rhythm,
    )
