"""Creative jitter in the spiking loop: does annealed noise rescue a marginal focus?

Issue 5: at the marginal focus gain g* (the largest gain at which focus alone, jitter off,
succeeds in at most 60 % of the trials started deep in a wrong basin), annealed jitter
should raise success by at least 20 points (64 trials per arm) on at least 2 of 3 draws.
Trials start exactly at another archetype than the target (archetype 0); success is
ending within 0.1 of the target at 500 ms.  The success-vs-gain curves (with and without
jitter) are measured on one compiled program (every gain, noise and draw is a run value).
"""

import numpy as np
import pytest
from brian2 import ms, pA

from quifer_brian.backends import BuildCache
from quifer_brian.networks.actualization import actualization_loop

from .test_actualization import BATCH, DIM, DRAWS, K, draw_archetypes

pytestmark = [pytest.mark.slow, pytest.mark.standalone]  # 60 runs of 32 trials + a compile

GAINS = (100, 120, 140, 160, 200)  # pA
JITTER = 300.0  # pA, initial amplitude; exponential decay 0.05 per 10 ms step (the default)
MARGINAL = 0.6
REPEATS = 2  # batches of 32: 64 trials per arm


def success(loop, initial, gain, noise, cache, seed):
    runs = [
        loop.actualize(
            initial,
            500 * ms,
            target=0,
            focus_gain=gain * pA,
            noise_amplitude=noise * pA,
            backend="cpp_standalone",
            seed=1000 * seed + repeat,
            cache=cache,
        )
        for repeat in range(REPEATS)
    ]
    return float(np.mean(np.concatenate([run.success(0.1) for run in runs])))


@pytest.fixture(scope="module")
def curves(tmp_path_factory):
    cache = BuildCache(tmp_path_factory.mktemp("jitter_cache"))
    measured = {}
    for seed in DRAWS:
        archetypes = draw_archetypes(seed)
        loop = actualization_loop(DIM, archetypes, batch=BATCH)
        wrong = np.random.default_rng(200 + seed).integers(1, K, BATCH)
        initial = archetypes[wrong]  # deep in a wrong basin
        measured[seed] = {
            noise: [success(loop, initial, g, noise, cache, seed) for g in GAINS]
            for noise in (0.0, JITTER)
        }
    return measured


def test_focus_alone_succeeds_more_with_more_gain(curves):
    for seed in DRAWS:
        alone = curves[seed][0.0]
        assert alone[-1] >= alone[0] + 0.5, (seed, alone)
        assert alone[0] <= MARGINAL, (seed, alone)  # the lowest gain is marginal or below


def test_annealed_jitter_rescues_the_marginal_focus(curves):
    rescued = 0
    for seed in DRAWS:
        alone, jittered = curves[seed][0.0], curves[seed][JITTER]
        marginal = max(i for i, value in enumerate(alone) if value <= MARGINAL)
        rescued += jittered[marginal] - alone[marginal] >= 0.20
    assert rescued >= 2, curves
