"""The annealed jitter before and after a trial's onset: zero before, its schedule after.

A trial cued at 10 ms (any onset a whole number of 10 ms steps after a time step) made
the harmonic term 1/(1 + u/step) divide 0 by 0 one step before its onset, and a late
onset with a fast exponential decay overflowed exp(-rate u/step); either times the
int(t >= t_on) that should zero it is NaN, and the memory cells' potentials went NaN
("reduce dt").
"""

import numpy as np
import pytest
from brian2 import Network, NeuronGroup, StateMonitor, ms, pA, second

from quifer_brian.networks.actualization import actualization_loop
from quifer_brian.networks.actualization.models import (
    JITTER_CONSTANTS,
    JITTER_SOURCE,
    JITTER_STEP,
)


@pytest.mark.parametrize(("harmonic", "rate"), [(1.0, 0.05), (0.0, 0.05), (0.0, 50.0)])
def test_jitter_gain_is_zero_before_the_onset_and_its_schedule_after(harmonic, rate):
    onsets = np.array([0.0, 0.01, 0.02, 0.2])  # s; 0.2 s at rate 50: exp(1000) before it
    sources = NeuronGroup(
        len(onsets), JITTER_SOURCE, method="euler", namespace=JITTER_CONSTANTS, dt=0.1 * ms
    )
    sources.t_on = onsets * second
    sources.A = 300 * pA
    sources.rate = rate
    sources.harmonic = harmonic
    monitor = StateMonitor(sources, "sigma", record=True, dt=1 * ms)
    Network(sources, monitor).run(250 * ms, namespace={})
    t = monitor.t / second
    u = (t[np.newaxis] - onsets[:, np.newaxis]) / float(JITTER_STEP / second)
    after = u >= 0
    decay = 1 / (1 + np.where(after, u, 0)) if harmonic else np.exp(-rate * np.where(after, u, 0))
    expected = np.where(after, 300e-12 * decay, 0.0)
    measured = np.asarray(monitor.sigma)  # A
    assert np.isfinite(measured).all()
    np.testing.assert_allclose(measured, expected, rtol=1e-9, atol=1e-24)


def test_trials_cued_on_whole_jitter_steps_run_without_nan():
    archetypes = np.array([[0.2, 0.8], [0.8, 0.3]])
    loop = actualization_loop(2, archetypes, batch=2)
    run = loop.actualize(
        archetypes,
        0.2 * second,
        target=[0, 1],
        noise_amplitude=300 * pA,
        noise_decay="harmonic",
        onsets=[0.0, 0.01],
        backend="numpy",
        seed=1,
    )
    _, cells = run.result.spikes["M"]
    per_trial = run.result.sizes["M"] // 2
    assert {0, 1} <= set(np.unique(cells // per_trial)), "both trials' memory cells fire"
    assert run.final_states.shape == (2, 2)
