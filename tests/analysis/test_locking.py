"""Phase locking against von Mises closed forms, Rayleigh calibration and Elephant."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quifer_brian.analysis import (
    compute_plv,
    compute_ppc,
    compute_spike_field_coherence,
    rayleigh_test,
    spike_phases,
)

KAPPAS = [0.0, 0.5, 1.0, 2.0, 5.0]
MU = 1.0  # rad, preferred phase of the synthetic spikes
F_RANGE = (35.0, 45.0)


@pytest.fixture(scope="module")
def locked(synth):
    """Spike phases (rad) of 20,000 von Mises spikes on a 40 Hz cosine, per kappa."""
    out = {}
    for kappa in KAPPAS:
        times, lfp = synth.make_phase_locked(kappa, mu=MU, seed=1)
        out[kappa] = spike_phases(times, lfp, synth.FS, F_RANGE)
    return out


@pytest.mark.parametrize("kappa", KAPPAS)
def test_plv_matches_bessel_ratio(locked, synth, kappa):
    plv, _ = compute_plv(locked[kappa])
    assert abs(plv - synth.vm_plv(kappa)) < 0.02


@pytest.mark.parametrize("kappa", KAPPAS)
def test_ppc_matches_squared_bessel_ratio(locked, synth, kappa):
    assert abs(compute_ppc(locked[kappa]) - synth.vm_plv(kappa) ** 2) < 0.02


@pytest.mark.parametrize("kappa", [1.0, 2.0, 5.0])
def test_preferred_phase(locked, kappa):
    _, preferred = compute_plv(locked[kappa])
    assert abs(np.angle(np.exp(1j * (preferred - MU)))) < 0.1


@pytest.mark.parametrize("kappa", [0.5, 1.0, 2.0, 5.0])
def test_rayleigh_detects_locking(locked, kappa):
    assert rayleigh_test(locked[kappa]).p_value < 1e-3


def test_rayleigh_false_positive_rate(synth):
    """Uniform spike phases through the whole pipeline: p < 0.05 in about 5% of 200 seeds."""
    t = np.arange(int(50 * synth.FS)) / synth.FS
    lfp = np.cos(2 * np.pi * 40 * t)
    hits = 0
    for seed in range(200):
        rng = np.random.default_rng(seed)
        times = rng.uniform(0.1, 49.9, 20_000)
        hits += rayleigh_test(spike_phases(times, lfp, synth.FS, F_RANGE)).p_value < 0.05
    assert 0.01 <= hits / 200 <= 0.10


def test_ppc_is_unbiased_plv_squared_is_not(synth):
    """E[PPC] = (I1/I0)^2 exactly for any N (Vinck 2010), while PLV^2 is biased by (1-A^2)/N."""
    rng = np.random.default_rng(3)
    kappa, n = 1.0, 5
    phases = rng.vonmises(0.0, kappa, size=(40_000, n))
    target = synth.vm_plv(kappa) ** 2
    ppc = np.array([compute_ppc(row) for row in phases[:4000]])
    plv2 = np.abs(np.exp(1j * phases).mean(axis=1)) ** 2
    assert abs(ppc.mean() - target) < 4 * ppc.std() / np.sqrt(ppc.size)
    assert plv2.mean() - target == pytest.approx((1 - target) / n, abs=0.01)


def test_ppc_equals_mean_over_pairs():
    phases = np.random.default_rng(4).uniform(-np.pi, np.pi, 60)
    diffs = phases[:, None] - phases[None, :]
    pairs = np.cos(diffs[np.triu_indices(60, 1)]).mean()
    assert compute_ppc(phases) == pytest.approx(pairs, abs=1e-6)


def test_single_precision_trig_is_exact_to_1e6():
    phases = np.random.default_rng(5).vonmises(0.3, 0.7, 100_000)
    z = np.exp(1j * phases).mean()
    plv, preferred = compute_plv(phases)
    assert plv == pytest.approx(abs(z), abs=1e-6)
    assert preferred == pytest.approx(np.angle(z), abs=1e-6)


def test_spike_field_coherence_peaks_at_the_locked_rhythm(synth):
    times, lfp = synth.make_phase_locked(2.0, n_spikes=4000, duration=20.0, seed=2)
    lfp = lfp + np.random.default_rng(2).normal(0, 1, lfp.size)
    freqs, coherence = compute_spike_field_coherence(times, lfp, synth.FS, f_range=(5, 100))
    assert freqs[np.argmax(coherence)] == pytest.approx(40.0)
    assert coherence.max() > 0.3
    assert np.median(coherence) < 0.05


angles = st.floats(-np.pi, np.pi, allow_nan=False)


@settings(max_examples=60, deadline=None)
@given(st.lists(angles, min_size=2, max_size=50), angles)
def test_plv_ppc_invariant_under_common_rotation(phases, shift):
    phases = np.array(phases)
    plv, _ = compute_plv(phases)
    plv_rot, _ = compute_plv(phases + shift)
    assert 0.0 <= plv <= 1.0
    assert plv_rot == pytest.approx(plv, abs=1e-5)
    assert compute_ppc(phases + shift) == pytest.approx(compute_ppc(phases), abs=1e-5)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: compute_plv([]), "phases: needs at least 1"),
        (lambda: compute_ppc([0.1]), "phases: needs at least 2"),
        (lambda: rayleigh_test([0.1, np.nan]), "phases: contains NaN"),
        (lambda: compute_plv([0.1, np.inf]), "phases: contains NaN or inf"),
    ],
)
def test_bad_phases(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.fixture(scope="module")
def elephant_data(synth):
    pytest.importorskip("elephant")
    times, lfp = synth.make_phase_locked(1.0, mu=MU, n_spikes=2000, duration=20.0, seed=6)
    return np.sort(times), lfp


class TestAgainstElephant:
    """Same definitions as elephant.phase_analysis: spike-triggered phase, PLV, mean angle."""

    def test_spike_triggered_phase_and_plv(self, elephant_data, synth):
        import neo
        import quantities as pq
        from elephant.phase_analysis import mean_phase_vector, spike_triggered_phase
        from elephant.signal_processing import hilbert

        times, lfp = elephant_data
        analog = neo.AnalogSignal(lfp, units="mV", sampling_rate=synth.FS * pq.Hz)
        train = neo.SpikeTrain(times * pq.s, t_stop=lfp.size / synth.FS * pq.s)
        theirs, _, _ = spike_triggered_phase(hilbert(analog, padding=None), train, True)
        ours = spike_phases(times, lfp, synth.FS, f_range=None)
        assert np.max(np.abs(np.angle(np.exp(1j * (ours - theirs[0]))))) < 1e-2
        their_angle, their_plv = mean_phase_vector(theirs[0])
        plv, preferred = compute_plv(ours)
        assert plv == pytest.approx(float(their_plv), abs=1e-3)
        assert preferred == pytest.approx(float(their_angle), abs=1e-3)

    def test_mean_phase_vector(self):
        from elephant.phase_analysis import mean_phase_vector

        phases = np.random.default_rng(7).vonmises(-2.0, 3.0, 5000)
        their_angle, their_plv = mean_phase_vector(phases)
        plv, preferred = compute_plv(phases)
        assert plv == pytest.approx(float(their_plv), abs=1e-6)
        assert preferred == pytest.approx(float(their_angle), abs=1e-6)
