"""The continuous actualization loop (the reference) and how the spiking loop compares.

Issue 5: "force schedule off vs on and exponential vs harmonic decay behave as their
continuous counterparts would (report settling times for each)".  The continuous loop
(one step = 10 ms) settles later with the schedule than without it, and later under
exponential (rate 0.05 per step) than under harmonic jitter; the slow tier checks the
spiking loop's settling times for the same orderings on the same trials.
"""

import numpy as np
import pytest
from brian2 import ms, pA

from quifer_brian.errors import LoopError
from quifer_brian.networks.actualization.continuous import continuous_loop, settling_times

from .test_actualization import DRAWS, trials

CONDITIONS = {
    "schedule on": {},
    "schedule off": {"force_schedule": False},
    "off, exponential jitter": {"force_schedule": False, "noise_decay": "exponential"},
    "off, harmonic jitter": {"force_schedule": False, "noise_decay": "harmonic"},
}
CONTINUOUS_NOISE = 0.05  # value units per step
SPIKING_NOISE = 300 * pA


def mean_settling_ms(times):
    assert np.isfinite(times).all(), times  # every trial settles
    return float(np.mean(times) * 1000)


def continuous_settling(seed):
    archetypes, initial, _, _ = trials(seed)
    settling = {}
    for name, options in CONDITIONS.items():
        noise = CONTINUOUS_NOISE if "jitter" in name else 0.0
        trajectory = continuous_loop(
            archetypes, initial, target=archetypes[0], noise_amplitude=noise, seed=seed, **options
        )
        settling[name] = mean_settling_ms(settling_times(trajectory, archetypes[0]))
    return settling


def check_orderings(settling):
    assert settling["schedule on"] > settling["schedule off"] + 30, settling
    assert settling["off, exponential jitter"] > settling["off, harmonic jitter"] + 10, settling


@pytest.mark.parametrize("seed", DRAWS)
def test_continuous_loop_settling_orderings(seed):
    check_orderings(continuous_settling(seed))


def test_continuous_loop_completes_patterns_and_follows_the_focus():
    archetypes, initial, cues, nearest = trials(0)
    completed = continuous_loop(archetypes, cues, seed=0)[-1]
    gaps = np.sqrt(((completed - archetypes[nearest]) ** 2).sum(-1))
    assert np.mean(gaps <= 0.1) >= 0.9
    focused = continuous_loop(archetypes, initial, target=archetypes[2], seed=0)[-1]
    assert np.all(np.sqrt(((focused - archetypes[2]) ** 2).sum(-1)) <= 0.1)


def test_continuous_loop_noise_decays():
    """Without forces the step spread follows A exp(-rate i) or A/(1 + i)."""
    start = np.full((20000, 1), 0.5)
    for decay, expected in (("exponential", np.exp(-0.05 * 10)), ("harmonic", 1 / 11)):
        path = continuous_loop(
            [[0.5]], start, steps=12, field=0, cue_steps=0, noise_amplitude=0.01,
            noise_decay=decay, seed=1,
        )  # fmt: skip
        spread = np.diff(path, axis=0)[10].std()
        assert spread == pytest.approx(0.01 * expected, rel=0.05)


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ({"initial_states": [[0.5, 0.5]]}, r"continuous_loop: archetypes must be \(K, dim\)"),
        ({"steps": 0}, r"continuous_loop\.steps: must be an integer >= 1; got 0"),
        ({"noise_decay": "linear"}, r"noise_decay"),
        ({"release": 2.0}, r"continuous_loop\.release"),
        ({"width": 0.0}, r"continuous_loop\.width"),
    ],
)
def test_continuous_loop_refuses_bad_arguments(arguments, match):
    params = {"archetypes": [[0.2, 0.2, 0.2], [0.8, 0.8, 0.8]], "initial_states": [[0.5] * 3]}
    with pytest.raises(LoopError, match=match):
        continuous_loop(**{**params, **arguments})


@pytest.mark.slow
@pytest.mark.standalone
def test_spiking_settling_follows_the_continuous_orderings(tmp_path_factory):
    """Same trials, one compiled program: the spiking loop's settling times order as the
    continuous loop's (every draw)."""
    from quifer_brian.backends import BuildCache
    from quifer_brian.networks.actualization import actualization_loop

    cache = BuildCache(tmp_path_factory.mktemp("settling_cache"))
    for seed in DRAWS:
        archetypes, initial, _, _ = trials(seed)
        loop = actualization_loop(archetypes.shape[1], archetypes, batch=len(initial))
        spiking = {}
        for name, options in CONDITIONS.items():
            noise = SPIKING_NOISE if "jitter" in name else 0 * pA
            run = loop.actualize(
                initial, 500 * ms, target=0, noise_amplitude=noise, backend="cpp_standalone",
                seed=seed, cache=cache, **options,
            )  # fmt: skip
            spiking[name] = mean_settling_ms(run.settling_times(0.1))
        check_orderings(spiking)
