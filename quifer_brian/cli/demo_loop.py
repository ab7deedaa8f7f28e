"""The flagship's second act: the theta of the first act clocks the actualization loop.

Design (issue 5, "the oscillating network feeds the loop"): the first act's LFP gives the
theta phase (band-passed around its measured theta peak, Hilbert phase); its troughs
mark the theta cycles.  One actualization starts per theta cycle: trial ``b`` of the
loop is cued at the ``b``-th trough (its cue onset, :meth:`ActualizationLoop.actualize`
``onsets``) and read out at the trough that ends its :data:`READOUT_CYCLES`-th cycle, so
the cue and read-out windows are set by the circuit's own rhythm, not by a clock of
ours.  All trials run side by side in one simulation; inside the loop gamma emerges
from its interneurons while the states settle.
"""

import numpy as np
from brian2 import pA, second

from ..analysis import THETA_BAND, compute_phase, compute_trial_rhythm
from ..errors import SimulationError
from ..networks.actualization import actualization_loop
from ..plotting import loop_figure, save_figures

__all__ = ["READOUT_CYCLES", "run_loop_act", "theta_troughs"]

#: Stored archetypes of the second act (3-D states in [0, 1]); the focus targets the first.
LOOP_ARCHETYPES = ((0.2, 0.8, 0.3), (0.8, 0.25, 0.6), (0.45, 0.5, 0.9))
#: Trials: one actualization per theta cycle, up to LOOP_BATCH (fewer cycles in a short
#: first act: at least MIN_TRIALS).
LOOP_BATCH = 16
MIN_TRIALS = 8
LOOP_CUE_NOISE = 0.15
LOOP_THRESHOLD = 0.1
#: Theta cycles from a trial's cue to its read-out.
READOUT_CYCLES = 2
LOOP_JITTER = 300 * pA


def theta_troughs(result, band, t_start):
    """Times (s) of the theta troughs of ``result.lfp`` after ``t_start``.

    The Hilbert phase of the LFP band-passed to ``band`` wraps from +pi to -pi at a
    trough (phase 0 is the peak).
    """
    phase = compute_phase(np.asarray(result.lfp), result.fs, band)
    wraps = np.flatnonzero(np.diff(phase) < -np.pi) + 1
    times = wraps / result.fs
    return times[times >= t_start]


def run_loop_act(theta_result, theta_hz, out_dir, seed, t_start):
    """Run the loop clocked by the first act's theta; write ``loop_trajectories.png``.

    Up to sixteen trials (numpy; one per theta cycle of the first act after ``t_start``,
    at least eight): trial ``b`` is cued at theta trough ``b`` with a noisy
    archetype (sd 0.15); the focus pulls toward archetype 0 under the force schedule with
    annealed jitter; each trial is read out two theta cycles after its cue.

    Returns
    -------
    dict
        ``success`` (fraction within 0.1 of the target at the read-out),
        ``final_distance`` (mean distance there), ``settling_ms`` (median, from the
        cue), ``rhythm_hz`` (fundamental of the loop's I rate), ``gamma_share`` (its
        30-80 Hz peak's share of the 5-200 Hz power), ``trials``, ``theta_cycle_ms``
        (mean), ``readout_cycles``.
    """
    band = THETA_BAND if not np.isfinite(theta_hz) else (theta_hz - 2.0, theta_hz + 2.0)
    troughs = theta_troughs(theta_result, band, t_start)
    batch = min(LOOP_BATCH, len(troughs) - READOUT_CYCLES)
    if batch < MIN_TRIALS:
        raise SimulationError(
            f"demo: the first act gave {len(troughs)} theta troughs after {t_start:g} s; the "
            f"loop needs at least {MIN_TRIALS + READOUT_CYCLES} (one per trial and "
            f"{READOUT_CYCLES} to read the last out). Run longer."
        )
    needed = batch + READOUT_CYCLES
    clock = troughs[:needed] - troughs[0]  # the loop's time starts at the first trough
    onsets, readouts = clock[:batch], clock[READOUT_CYCLES:needed]
    archetypes = np.array(LOOP_ARCHETYPES)
    rng = np.random.default_rng(seed)
    cued = rng.integers(0, len(archetypes), batch)
    noise = rng.normal(0, LOOP_CUE_NOISE, (batch, archetypes.shape[1]))
    cues = np.clip(archetypes[cued] + noise, 0, 1)
    loop = actualization_loop(archetypes.shape[1], archetypes, batch=batch)
    duration = (np.ceil(readouts[-1] * 100) / 100 + 0.01) * second  # whole read-out steps
    run = loop.actualize(
        cues,
        duration,
        target=0,
        noise_amplitude=LOOP_JITTER,
        onsets=onsets,
        backend="numpy",
        seed=seed,
    )
    final = run.states_at(readouts)
    distance = np.sqrt(((final - archetypes[0]) ** 2).sum(-1))
    settling = run.settling_times(LOOP_THRESHOLD)
    settle = 0.1  # s after each cue: the rhythm while the trial settles, to its read-out
    rhythm = compute_trial_rhythm(run.result, batch, onsets + settle, readouts)
    measured = {
        "success": float(np.mean(np.nan_to_num(distance, nan=np.inf) <= LOOP_THRESHOLD)),
        "final_distance": float(np.nanmean(distance)),
        "settling_ms": float(np.nanmedian(settling) * 1000)
        if np.isfinite(settling).any()
        else None,
        "rhythm_hz": rhythm["fundamental"],
        "gamma_share": rhythm["fraction"],
        "trials": batch,
        "theta_cycle_ms": float(np.mean(np.diff(clock)) * 1000),
        "readout_cycles": READOUT_CYCLES,
    }
    figure = loop_figure(
        theta_result, troughs[0], run, onsets, readouts, archetypes, LOOP_THRESHOLD
    )
    save_figures({"loop_trajectories": figure}, out_dir)
    return measured
