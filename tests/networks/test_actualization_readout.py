"""The loop's read-out keeps its three distances apart: target, cued archetype, nearest.

Issue 12: ``success`` without a target used to count settling into *any* archetype (1.0
on the README example while 0.81 of the trials ended at the cued one).  Now ``success``
means the declared goal (the focus target, else the cued archetype) and refuses a run
that declares neither; ``reached_nearest`` is the "settled somewhere" count.
"""

import numpy as np
import pytest
from brian2 import ms

from quifer_brian.errors import LoopError
from quifer_brian.networks.actualization import ActualizationResult, actualization_loop

ARCHETYPES = np.array([[0.2], [0.8]])
TIMES = np.array([0.05, 0.06, 0.07])
# three trials, 1-D states: trial 0 ends at archetype 0, trial 1 at archetype 1, trial 2
# between the two; all three were cued with archetype 0
PATHS = np.array([[0.5, 0.5, 0.5], [0.25, 0.75, 0.5], [0.2, 0.8, 0.5]])[:, :, np.newaxis]
CUED = [0, 0, 0]


def result(targets=None, cued=CUED):
    return ActualizationResult(TIMES, PATHS, targets, ARCHETYPES, None, cued=cued)


def test_success_without_focus_is_the_cued_archetype_not_any():
    run = result()
    assert run.goal == "cued"
    assert run.success(0.1).tolist() == [True, False, False]
    assert run.reached_cued(0.1).tolist() == [True, False, False]
    assert run.reached_nearest(0.1).tolist() == [True, True, False]  # settled, wherever
    assert run.success(0.1).mean() == pytest.approx(1 / 3)
    assert run.reached_nearest(0.1).mean() == pytest.approx(2 / 3)
    np.testing.assert_allclose(run.distance[-1], [0.0, 0.6, 0.3])
    np.testing.assert_allclose(run.distance_to_nearest[-1], [0.0, 0.0, 0.3])
    # earlier read-outs and per-trial read-out times
    assert run.success(0.1, time=60 * ms).tolist() == [True, False, False]
    assert run.reached_at([0.07, 0.05, 0.07], 0.1, to="nearest").tolist() == [True, False, False]


def test_success_with_focus_is_the_target():
    run = result(targets=np.tile(ARCHETYPES[1], (3, 1)))
    assert run.goal == "target"
    assert run.success(0.1).tolist() == [False, True, False]
    assert run.reached_target(0.1).tolist() == [False, True, False]
    assert run.reached_cued(0.1).tolist() == [True, False, False]
    assert run.settling_times(0.1)[1] == pytest.approx(0.06)
    assert run.settling_times(0.1, to="cued")[0] == pytest.approx(0.06)
    assert np.isnan(run.settling_times(0.1, to="nearest")[2])


def test_a_run_without_a_goal_has_no_success_to_report():
    run = result(cued=None)
    assert run.goal is None
    assert run.reached_nearest(0.1).tolist() == [True, True, False]
    with pytest.raises(LoopError, match=r"ActualizationResult\.success: this run declares no goal"):
        run.success(0.1)
    with pytest.raises(LoopError, match=r"reached_nearest\(\)"):
        run.settling_times(0.1)
    with pytest.raises(LoopError, match=r"reached_cued: this run has no cued archetype"):
        run.reached_cued(0.1)
    with pytest.raises(LoopError, match=r"reached_target: this run has no target"):
        run.reached_target(0.1)
    with pytest.raises(LoopError, match=r"settling_times\.to: must be one of"):
        run.settling_times(0.1, to="closest")


def test_distances_are_read_only():
    run = result(targets=np.tile(ARCHETYPES[0], (3, 1)))
    for distance in (run.distance_to_target, run.distance_to_cued, run.distance_to_nearest):
        with pytest.raises(ValueError, match="read-only"):
            distance[0, 0] = 1.0
    assert run.cued.tolist() == CUED


def test_a_trial_that_settles_elsewhere_is_not_a_success():
    """A real run: the cue made from archetype 0 was distorted onto archetype 1; it
    settles there, which counts as settled but not as success."""
    archetypes = [[0.2, 0.3], [0.8, 0.7]]
    loop = actualization_loop(2, archetypes, batch=2, neurons_per_dim=20)
    run = loop.actualize(archetypes, 150 * ms, cued=[0, 0], seed=1)
    assert run.reached_nearest(0.1).tolist() == [True, True]
    assert run.success(0.1).tolist() == [True, False]
    assert run.nearest_archetype().tolist() == [0, 1]


@pytest.mark.parametrize(
    ("cued", "match"),
    [
        ([0, 1], r"actualize\.cued: must be one archetype index per trial, integers of shape"),
        ([0, 1, 0, 0.5], r"actualize\.cued: must be one archetype index per trial"),
        ([True, False, True, True], r"actualize\.cued: must be one archetype index"),
        ([0, 1, 2, 4], r"actualize\.cued: archetype indices must be in 0\.\.3"),
        ([0, 1, -1, 0], r"actualize\.cued: archetype indices must be in 0\.\.3"),
    ],
)
def test_bad_cued_indices_are_refused_before_building(cued, match):
    loop = actualization_loop(3, [[0.1] * 3, [0.5] * 3, [0.9] * 3, [0.1, 0.9, 0.5]], batch=4)
    with pytest.raises(LoopError, match=match):
        loop.actualize(np.full((4, 3), 0.5), 100 * ms, cued=cued)
