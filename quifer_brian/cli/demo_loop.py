"""The flagship's second act: the theta of the first act clocks the actualization loop.

Design (issue 5, "the oscillating network feeds the loop"): the first act's LFP gives the
theta phase (band-passed around its measured theta peak, Hilbert phase); its troughs
mark the theta cycles.  One actualization starts per theta cycle: trial ``b`` of the
loop is cued at the ``b``-th trough (its cue onset, :meth:`ActualizationLoop.actualize`
``onsets``) with a noisy copy of an archetype, the focus pulls it toward that cued
archetype, and it is read out at a later trough: the first that leaves every trial at
least :data:`MIN_SETTLE` after its cue (two cycles of a 6-7 Hz theta, three of a faster
one).  The cue and read-out times are set by the circuit's own rhythm, not by a clock of
ours, and the act depends on that rhythm only through the trough times
(:func:`actualize_on_troughs`).  All trials run side by side in one simulation; inside
the loop gamma emerges from its interneurons while the states settle.
"""

import numpy as np
from brian2 import ms, pA, second

from ..analysis import THETA_BAND, compute_phase, compute_trial_rhythm
from ..errors import SimulationError
from ..networks.actualization import actualization_loop
from ..plotting import FIGURE_DPI, loop_figure, save_figures

__all__ = ["LOOP_SURROGATES", "MIN_SETTLE", "actualize_on_troughs", "run_loop_act", "theta_troughs"]

#: Stored archetypes of the second act (3-D states in [0, 1]).
LOOP_ARCHETYPES = ((0.2, 0.8, 0.3), (0.8, 0.25, 0.6), (0.45, 0.5, 0.9))
#: Trials: one actualization per theta cycle, up to LOOP_BATCH (fewer cycles in a short
#: first act: at least MIN_TRIALS).
LOOP_BATCH = 16
MIN_TRIALS = 8
LOOP_CUE_NOISE = 0.15
LOOP_THRESHOLD = 0.1
#: Least time (s) from a trial's cue to its read-out: the cue (40 ms) and the focus
#: schedule's ramp (200 ms), then 60 ms for the state to settle on the target.
MIN_SETTLE = 0.3
#: The rhythm inside the loop is measured in each trial from RHYTHM_SPAN[0] to
#: RHYTHM_SPAN[1] (s) after its cue, while the state settles under the schedule: a span
#: of fixed length, so that the spectrum's resolution (and the gamma-band share) does not
#: follow the theta cycle.
RHYTHM_SPAN = (0.1, 0.29)
#: Poisson surrogates of the I spikes against which the loop's gamma-band share is tested.
LOOP_SURROGATES = 200
LOOP_JITTER = 300 * pA
LOOP_FOCUS_GAIN = 300 * pA
#: The loop's parameters for this act: 5 ms GABA decay (the loop's default is 3 ms) puts
#: the loop's gamma mid-band (37-58 Hz on seeds 1, 2, 3, 11, 12) where the focus on every
#: trial otherwise drives it to 58-74 Hz, near the 80 Hz edge of the criterion.
LOOP_PARAMS = {"tau_gaba": 5 * ms}


def theta_troughs(result, band, t_start):
    """Times (s) of the theta troughs of ``result.lfp`` after ``t_start``.

    The Hilbert phase of the LFP band-passed to ``band`` wraps from +pi to -pi at a
    trough (phase 0 is the peak).
    """
    phase = compute_phase(np.asarray(result.lfp), result.fs, band)
    wraps = np.flatnonzero(np.diff(phase) < -np.pi) + 1
    times = wraps / result.fs
    return times[times >= t_start]


def readout_cycles(troughs, batch):
    """The fewest theta cycles ``n`` such that trough ``b + n`` comes at least
    :data:`MIN_SETTLE` after trough ``b`` for every trial ``b < batch``."""
    for cycles in range(1, len(troughs) - batch + 1):
        if np.all(troughs[cycles : cycles + batch] - troughs[:batch] >= MIN_SETTLE):
            return cycles
    return None


def actualize_on_troughs(troughs, seed, backend="numpy"):
    """Run the loop clocked by ``troughs``: one trial cued per trough, read out later.

    Up to sixteen trials (at least eight): trial ``b`` is cued at trough ``b`` with a
    noisy copy (sd 0.15) of an archetype drawn at random; the focus pulls it toward that
    cued archetype under the force schedule with annealed jitter; every trial is read out
    ``n`` troughs after its cue, ``n`` the fewest cycles that leave each trial at least
    :data:`MIN_SETTLE` (see :func:`readout_cycles`).

    Parameters
    ----------
    troughs : 1-D array (s)
        Theta trough times, increasing (the loop's time starts at the first).
    seed : int
        Seed of the cues and of the loop's noise.
    backend : str

    Returns
    -------
    measured : dict
        As :func:`run_loop_act` returns it.
    run : ActualizationResult
    onsets, readouts : 1-D arrays (s, loop time)
        Each trial's cue and read-out times.

    Raises
    ------
    SimulationError
        When the troughs leave fewer than eight trials.
    """
    troughs = np.asarray(troughs, dtype=float)
    n_cued = min(LOOP_BATCH, len(troughs) - 1)  # troughs that cue trials
    cycles = None
    while n_cued >= MIN_TRIALS and (cycles := readout_cycles(troughs, n_cued)) is None:
        n_cued -= 1
    if cycles is None:
        raise SimulationError(
            f"demo: the first act gave {len(troughs)} theta troughs; the loop needs at least "
            f"{MIN_TRIALS} trials, one per trough, each read out at a trough at least "
            f"{MIN_SETTLE * 1000:.0f} ms after its cue. Run longer."
        )
    clock = troughs[: n_cued + cycles] - troughs[0]
    onsets, readouts = clock[:n_cued], clock[cycles : n_cued + cycles]
    batch = n_cued
    archetypes = np.array(LOOP_ARCHETYPES)
    rng = np.random.default_rng(seed)
    cued = rng.integers(0, len(archetypes), batch)
    noise = rng.normal(0, LOOP_CUE_NOISE, (batch, archetypes.shape[1]))
    cues = np.clip(archetypes[cued] + noise, 0, 1)
    loop = actualization_loop(archetypes.shape[1], archetypes, batch=batch, **LOOP_PARAMS)
    duration = (np.ceil(readouts[-1] * 100) / 100 + 0.01) * second  # whole read-out steps
    run = loop.actualize(
        cues,
        duration,
        target=archetypes[cued],
        cued=cued,
        noise_amplitude=LOOP_JITTER,
        focus_gain=LOOP_FOCUS_GAIN,
        onsets=onsets,
        backend=backend,
        seed=seed,
    )
    final = run.states_at(readouts)
    distance = np.sqrt(((final - archetypes[cued]) ** 2).sum(-1))
    settling = run.settling_times(LOOP_THRESHOLD, to="cued")
    rhythm = compute_trial_rhythm(
        run.result,
        batch,
        onsets + RHYTHM_SPAN[0],
        onsets + RHYTHM_SPAN[1],
        n_surrogates=LOOP_SURROGATES,
    )
    reached_cued = run.reached_at(readouts, LOOP_THRESHOLD, to="cued")
    measured = {
        "success": float(np.mean(reached_cued)),
        "reached_cued": float(np.mean(reached_cued)),
        "reached_nearest": float(np.mean(run.reached_at(readouts, LOOP_THRESHOLD, to="nearest"))),
        "target": "cued archetype",
        "final_distance": float(np.nanmean(distance)),
        "settling_ms": float(np.nanmedian(settling) * 1000)
        if np.isfinite(settling).any()
        else None,
        "rhythm_hz": rhythm["fundamental"],
        "gamma_band_share": rhythm["band_share"],
        "gamma_band_null95": rhythm["band_null95"],
        "gamma_band_p": rhythm["band_p"],
        "trials": batch,
        "theta_cycle_ms": float(np.mean(np.diff(clock)) * 1000),
        "readout_cycles": cycles,
    }
    return measured, run, onsets, readouts


def run_loop_act(
    theta_result, theta_hz, out_dir, seed, t_start, figure_format="png", dpi=FIGURE_DPI
):
    """Run the loop clocked by the first act's theta; write ``loop_trajectories.png``
    (or ``.svg``, ``.pdf``: ``figure_format``, at ``dpi``).

    The theta troughs of the first act's LFP after ``t_start`` clock the trials
    (:func:`actualize_on_troughs`, numpy).

    Returns
    -------
    dict
        ``success`` (the criterion: fraction of trials within 0.1 of the archetype they
        were cued with, which the focus targets, at their read-out; the same as
        ``reached_cued``), ``reached_nearest`` (within 0.1 of any archetype: settled,
        wherever), ``target`` (what ``success`` measures), ``final_distance`` (mean
        distance to the cued archetype at the read-out), ``settling_ms`` (median, from
        the cue), ``rhythm_hz`` (fundamental of the loop's I rate), ``gamma_band_share`` (the
        30-80 Hz share of its 5-200 Hz power), ``gamma_band_null95`` and ``gamma_band_p``
        (that share's 95th percentile on :data:`LOOP_SURROGATES` Poisson surrogates of
        the I spikes, and the p-value against them:
        :func:`~quifer_brian.analysis.compute_trial_rhythm`),
        ``trials``, ``theta_cycle_ms`` (mean), ``readout_cycles`` (theta cycles from cue
        to read-out).
    """
    band = THETA_BAND if not np.isfinite(theta_hz) else (theta_hz - 2.0, theta_hz + 2.0)
    troughs = theta_troughs(theta_result, band, t_start)
    measured, run, onsets, readouts = actualize_on_troughs(troughs, seed)
    figure = loop_figure(
        theta_result, troughs[0], run, onsets, readouts, np.array(LOOP_ARCHETYPES), LOOP_THRESHOLD
    )
    save_figures({"loop_trajectories": figure}, out_dir, dpi=dpi, fmt=figure_format)
    return measured
